//! CoinMarketCap: the envelope, every error code, the check order, credits and the windows.

use std::time::Duration;

use credit_gauge_emulator::Config;
use serde_json::Value;

use crate::support::{cmc, get, ledger, millis_into_minute, request, start};

fn assert_error(reply: &crate::support::Reply, http: u16, code: u64, message: &str) {
    let body = reply.json();
    assert_eq!(reply.status, http, "{body}");
    assert_eq!(body["status"]["error_code"], code, "{body}");
    assert_eq!(body["status"]["error_message"], message, "{body}");
    assert_eq!(body["status"]["credit_count"], 0, "{body}");
    assert!(body.get("data").is_none(), "errors carry no data: {body}");
}

fn assert_iso_millis(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("{v} is not a string"));
    assert_eq!(s.len(), 24, "{s}");
    assert!(s.ends_with('Z') && s.as_bytes()[19] == b'.', "{s}");
}

#[tokio::test]
async fn key_info_reports_plan_usage_and_reset_instants() {
    let addr = start(Config::default()).await;
    let reply = cmc(addr, "/v1/key/info", "demo-basic").await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let status = &body["status"];
    assert_iso_millis(&status["timestamp"]);
    assert_eq!(status["error_code"], 0);
    assert_eq!(status["error_message"], Value::Null);
    assert!(status["elapsed"].is_u64());
    assert_eq!(status["credit_count"], 0);
    assert_eq!(status["notice"], Value::Null);
    let plan = &body["data"]["plan"];
    assert_eq!(plan["rate_limit_minute"], 30);
    assert_eq!(plan["credit_limit_monthly"], 10_000);
    assert!(
        plan.get("credit_limit_daily").is_none(),
        "Basic has no daily cap today"
    );
    let reset = plan["credit_limit_monthly_reset_timestamp"]
        .as_str()
        .unwrap_or("");
    assert!(
        reset.ends_with("-01T00:00:00.000Z"),
        "Basic resets on the 1st: {reset}"
    );
    assert!(plan["credit_limit_monthly_reset"]
        .as_str()
        .unwrap_or("")
        .starts_with("In "));
    let usage = &body["data"]["usage"];
    assert_eq!(
        usage["current_minute"]["requests_made"], 1,
        "key/info counts itself"
    );
    assert_eq!(usage["current_minute"]["requests_left"], 29);
    assert_eq!(usage["current_month"]["credits_left"], 10_000);
    assert!(reply.header("access-control-allow-origin").is_some());

    // Paid plans reset at the billing anchor: the 5th at 05:30 UTC, daily at 05:30.
    let body = cmc(addr, "/v1/key/info", "demo-hobbyist").await.json();
    let plan = &body["data"]["plan"];
    assert_eq!(plan["credit_limit_daily"], 1_333);
    let daily = plan["credit_limit_daily_reset_timestamp"]
        .as_str()
        .unwrap_or("");
    assert!(daily.ends_with("T05:30:00.000Z"), "{daily}");
    let monthly = plan["credit_limit_monthly_reset_timestamp"]
        .as_str()
        .unwrap_or("");
    assert!(monthly.ends_with("-05T05:30:00.000Z"), "{monthly}");
    assert_eq!(body["data"]["usage"]["current_day"]["credits_left"], 1_333);
}

#[tokio::test]
async fn every_key_failure_has_its_code_and_message() {
    let addr = start(Config::default()).await;
    let missing = get(addr, "/cmc/v1/key/info", &[]).await;
    assert_error(&missing, 401, 1002, "API key missing.");
    // A wrong parameter name is no key at all.
    let wrong = get(addr, "/cmc/v1/key/info?api_key=demo-basic", &[]).await;
    assert_error(&wrong, 401, 1002, "API key missing.");
    assert_error(
        &cmc(addr, "/v1/key/info", "nope").await,
        401,
        1001,
        "This API Key is invalid.",
    );
    assert_error(
        &cmc(addr, "/v1/key/info", "demo-unpaid").await,
        402,
        1003,
        "Your API Key must be activated. Please go to pro.coinmarketcap.com/account/plan.",
    );
    assert_error(
        &cmc(addr, "/v1/key/info", "demo-expired").await,
        402,
        1004,
        "Your API Key's subscription plan has expired.",
    );
    assert_error(
        &cmc(addr, "/v1/key/info", "demo-disabled").await,
        403,
        1007,
        "This API Key has been disabled. Please contact support.",
    );
    assert_error(
        &cmc(addr, "/v1/exchange/listings/latest", "demo-basic").await,
        403,
        1006,
        "Your API Key subscription plan doesn't support this endpoint.",
    );
    assert_error(
        &cmc(
            addr,
            "/v2/cryptocurrency/ohlcv/latest?id=1",
            "demo-hobbyist",
        )
        .await,
        403,
        1006,
        "Your API Key subscription plan doesn't support this endpoint.",
    );
    // The key also works in the query.
    let by_query = get(addr, "/cmc/v1/key/info?CMC_PRO_API_KEY=demo-standard", &[]).await;
    assert_eq!(by_query.status, 200);
    assert_eq!(
        cmc(
            addr,
            "/v1/exchange/listings/latest?limit=3",
            "demo-standard"
        )
        .await
        .status,
        200
    );
    assert_eq!(
        cmc(addr, "/v2/cryptocurrency/ohlcv/latest?id=1", "demo-startup")
            .await
            .status,
        200
    );
    assert_eq!(
        cmc(
            addr,
            "/v2/cryptocurrency/quotes/historical?id=1&count=150",
            "demo-hobbyist"
        )
        .await
        .json()["status"]["credit_count"],
        2
    );
}

#[tokio::test]
async fn credits_follow_items_batches_and_converts() {
    let addr = start(Config::default()).await;
    let credits = |path: &'static str, key: &'static str| async move {
        let body = cmc(addr, path, key).await.json();
        assert_eq!(body["status"]["error_code"], 0, "{path}: {body}");
        body["status"]["credit_count"].as_u64().unwrap_or(u64::MAX)
    };
    assert_eq!(
        credits("/v1/cryptocurrency/listings/latest", "demo-basic").await,
        1
    );
    assert_eq!(
        credits("/v1/cryptocurrency/listings/latest?limit=200", "demo-basic").await,
        1
    );
    assert_eq!(
        credits("/v1/cryptocurrency/listings/latest?limit=201", "demo-basic").await,
        2
    );
    assert_eq!(
        credits(
            "/v1/cryptocurrency/listings/latest?limit=5000",
            "demo-basic"
        )
        .await,
        25
    );
    assert_eq!(
        credits(
            "/v1/cryptocurrency/listings/latest?limit=10&convert=USD,EUR,BTC",
            "demo-hobbyist"
        )
        .await,
        3
    );
    assert_eq!(
        credits("/v2/cryptocurrency/quotes/latest?id=1,1027", "demo-basic").await,
        1
    );
    let ids: Vec<String> = (0..101).map(|i| (10_100 + i).to_string()).collect();
    let path: &'static str =
        Box::leak(format!("/v2/cryptocurrency/info?id={}", ids.join(",")).into_boxed_str());
    assert_eq!(credits(path, "demo-basic").await, 2);
    assert_eq!(
        credits("/v1/global-metrics/quotes/latest", "demo-basic").await,
        1
    );
    assert_eq!(
        credits(
            "/v2/tools/price-conversion?amount=2&id=1&convert=EUR",
            "demo-basic"
        )
        .await,
        1
    );
    assert_eq!(credits("/v1/fiat/map", "demo-basic").await, 1);
    assert_eq!(
        credits("/v1/cryptocurrency/map?limit=5000", "demo-basic").await,
        1
    );
    assert_eq!(credits("/v1/exchange/map", "demo-basic").await, 1);
    assert_eq!(
        credits("/v1/exchange/info?id=270,24", "demo-basic").await,
        1
    );
    assert_eq!(credits("/v1/key/info", "demo-basic").await, 0);

    let listing = cmc(
        addr,
        "/v1/cryptocurrency/listings/latest?limit=5000",
        "demo-basic",
    )
    .await
    .json();
    assert_eq!(listing["data"].as_array().map(Vec::len), Some(5_000));
    assert!(listing["status"]["total_count"].as_u64().unwrap_or(0) >= 5_000);
    let by_symbol = cmc(
        addr,
        "/v2/cryptocurrency/quotes/latest?symbol=BTC",
        "demo-basic",
    )
    .await
    .json();
    let btc = by_symbol["data"]["BTC"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        btc.len() >= 2,
        "v2 symbol lookups answer arrays: {by_symbol}"
    );
    assert_eq!(by_symbol["status"]["credit_count"], 1);

    let l = ledger(addr).await;
    let basic = &l["cmc"]["demo-basic"];
    // 1+1+2+25+1+2+1+1+1+1+1+1+0 + 25 + 1 = 64 on the Basic key.
    assert_eq!(basic["credits_this_month"], 64, "{l}");
    assert_eq!(basic["credits_today"], 64);
    assert_eq!(l["cmc"]["demo-hobbyist"]["credits_this_month"], 3);
}

#[tokio::test]
async fn invalid_arguments_are_400s_naming_the_argument() {
    let addr = start(Config::default()).await;
    let cases = [
        (
            "/v1/cryptocurrency/listings/latest?limit=0",
            "Invalid value for \"limit\": \"0\"",
        ),
        (
            "/v1/cryptocurrency/listings/latest?limit=abc",
            "Invalid value for \"limit\": \"abc\"",
        ),
        (
            "/v1/cryptocurrency/listings/latest?limit=99999999999999999999999",
            "Invalid value for \"limit\": \"99999999999999999999999\"",
        ),
        (
            "/v1/cryptocurrency/listings/latest?limit=%FF",
            "Invalid value for \"limit\": not UTF-8",
        ),
        (
            "/v1/cryptocurrency/listings/latest?foo=1",
            "\"foo\" is not allowed",
        ),
        (
            "/v1/cryptocurrency/listings/latest?sort=best",
            "Invalid value for \"sort\": \"best\"",
        ),
        (
            "/v1/cryptocurrency/listings/latest?convert=XYZZY",
            "Invalid value for \"convert\": \"XYZZY\"",
        ),
        (
            "/v1/cryptocurrency/listings/latest?convert=USD,EUR",
            "Your plan is limited to 1 convert options",
        ),
        (
            "/v2/cryptocurrency/quotes/latest",
            "\"value\" must contain exactly one of [id, slug, symbol]",
        ),
        (
            "/v2/cryptocurrency/quotes/latest?id=abc",
            "Invalid value for \"id\": \"abc\"",
        ),
        (
            "/v2/cryptocurrency/quotes/latest?id=999999999",
            "Invalid value for \"id\": \"999999999\"",
        ),
        ("/v2/tools/price-conversion?id=1", "\"amount\" is required"),
        (
            "/v2/tools/price-conversion?amount=NaN&id=1",
            "Invalid value for \"amount\": \"NaN\"",
        ),
    ];
    for (path, message) in cases {
        let reply = cmc(addr, path, "demo-basic").await;
        assert_error(&reply, 400, 400, message);
    }
    let huge = format!("/v2/cryptocurrency/quotes/latest?id={}", "1,".repeat(6_000));
    let reply = cmc(addr, &huge, "demo-enterprise").await;
    assert_error(
        &reply,
        400,
        400,
        "Invalid value for \"id\": at most 5200 values",
    );
    // Historical conversion is not on the free plan.
    assert_error(
        &cmc(
            addr,
            "/v2/tools/price-conversion?amount=1&id=1&time=2024-01-01",
            "demo-basic",
        )
        .await,
        403,
        1006,
        "Your API Key subscription plan doesn't support this endpoint.",
    );
    // Unknown paths and methods get the envelope too, and nothing panics on odd bytes.
    let unknown = cmc(addr, "/v1/nope", "demo-basic").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["status"]["error_code"], 404);
    let post = request(
        addr,
        "POST",
        "/cmc/v1/key/info",
        &[("X-CMC_PRO_API_KEY", "demo-basic")],
        "{}",
    )
    .await
    .expect("an answer");
    assert_eq!(post.status, 405);
    assert_eq!(post.json()["status"]["error_code"], 405);
    let odd = crate::support::raw(addr, b"GET /cmc/v1/key/info HTTP/1.1\r\nHost: x\r\nX-CMC_PRO_API_KEY: \xff\xfe\r\nConnection: close\r\n\r\n")
        .await
        .expect("an answer");
    assert_eq!(odd.status, 401);
    // Errors cost nothing.
    assert_eq!(
        ledger(addr).await["cmc"]["demo-basic"]["credits_this_month"],
        0
    );
}

#[tokio::test]
async fn a_scaled_clock_says_so_on_every_answer() {
    let scaled = start(Config {
        time_scale: 60,
        ..Config::default()
    })
    .await;
    let reply = cmc(scaled, "/v1/key/info", "demo-basic").await;
    let header = reply.header("x-emulator-time-scale").expect("the header");
    let origin: i64 = header
        .strip_prefix("60; origin=")
        .and_then(|o| o.parse().ok())
        .unwrap_or_else(|| panic!("scale and origin: {header}"));
    // The clock started when the emulator did: a moment ago on this machine's clock.
    let real_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64;
    assert!((0..60_000).contains(&(real_now - origin)), "{header}");
    let real = start(Config::default()).await;
    let reply = cmc(real, "/v1/key/info", "demo-basic").await;
    assert_eq!(reply.header("x-emulator-time-scale"), None);
}

#[tokio::test]
async fn the_minute_limit_counts_every_request_and_reopens_next_minute() {
    // A minute lasts one real second.
    let addr = start(Config {
        time_scale: 60,
        ..Config::default()
    })
    .await;
    // Start right after an emulated minute begins so all 31 requests share it.
    let now = ledger(addr).await["now"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let wait = (60_000 - millis_into_minute(&now)) / 60 + 30;
    tokio::time::sleep(Duration::from_millis(wait)).await;
    for i in 0..30 {
        // Free calls and failing calls count the same.
        let path = match i % 3 {
            0 => "/v1/key/info",
            1 => "/v1/cryptocurrency/listings/latest?limit=bad",
            _ => "/v1/exchange/listings/latest",
        };
        let reply = cmc(addr, path, "demo-basic").await;
        assert_ne!(reply.status, 429, "request {} of 30 was refused", i + 1);
    }
    let refused = cmc(addr, "/v1/cryptocurrency/map", "demo-basic").await;
    assert_error(
        &refused,
        429,
        1008,
        "You've exceeded your API Key's HTTP request rate limit. Rate limits reset every minute.",
    );
    let counted = ledger(addr).await;
    assert_eq!(
        counted["cmc"]["demo-basic"]["requests_this_minute"], 31,
        "{counted}"
    );
    assert_eq!(counted["cmc"]["demo-basic"]["credits_this_month"], 0);
    // The ledger counts the 429s it answered, so a test can prove a client caused none.
    assert_eq!(counted["cmc"]["demo-basic"]["refused_429"], 1);

    tokio::time::sleep(Duration::from_millis(1_050)).await;
    let reopened = cmc(addr, "/v1/key/info", "demo-basic").await.json();
    assert_eq!(
        reopened["data"]["usage"]["current_minute"]["requests_made"], 1,
        "{reopened}"
    );
    assert_eq!(
        reopened["data"]["usage"]["current_minute"]["requests_left"],
        29
    );
}

const TINY_PLANS: &str = r#"{
  "billing_anchor": { "day_of_month": 5, "time_utc": "05:30" },
  "plans": [
    { "id": "daily", "name": "Daily", "level": 0, "billing": "calendar",
      "credit_limit_monthly": 100, "credit_limit_daily": 3, "rate_limit_minute": 1000, "max_convert": 1 },
    { "id": "monthly", "name": "Monthly", "level": 0, "billing": "anchor",
      "credit_limit_monthly": 2, "credit_limit_daily": null, "rate_limit_minute": 1000, "max_convert": 1 }
  ],
  "endpoints": { "/v1/key/info": "daily", "/v1/fiat/map": "daily",
                 "/v1/cryptocurrency/listings/latest": "daily" },
  "keys": { "k-daily": { "plan": "daily" }, "k-monthly": { "plan": "monthly" } }
}"#;

#[tokio::test]
async fn daily_then_monthly_caps_refuse_with_1009_and_1010() {
    let addr = start(Config {
        plans_json: Some(TINY_PLANS.into()),
        ..Config::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(cmc(addr, "/v1/fiat/map", "k-daily").await.status, 200);
    }
    assert_error(
        &cmc(addr, "/v1/fiat/map", "k-daily").await,
        429,
        1009,
        "You've exceeded your API Key's daily rate limit.",
    );
    // A call that would cross the cap is refused whole.
    assert_eq!(cmc(addr, "/v1/fiat/map", "k-monthly").await.status, 200);
    assert_error(
        &cmc(
            addr,
            "/v1/cryptocurrency/listings/latest?limit=201",
            "k-monthly",
        )
        .await,
        429,
        1010,
        "You've exceeded your API Key's monthly rate limit.",
    );
    assert_eq!(cmc(addr, "/v1/fiat/map", "k-monthly").await.status, 200);
    assert_eq!(
        cmc(addr, "/v1/fiat/map", "k-monthly").await.json()["status"]["error_code"],
        1010
    );
    // key/info is free, so it still answers.
    let counted = ledger(addr).await;
    assert_eq!(counted["cmc"]["k-daily"]["refused_429"], 1, "{counted}");
    assert_eq!(counted["cmc"]["k-monthly"]["refused_429"], 2, "{counted}");
    let info = cmc(addr, "/v1/key/info", "k-monthly").await.json();
    assert_eq!(
        info["data"]["usage"]["current_month"]["credits_left"], 0,
        "{info}"
    );
    // A key without a daily cap never gets 1009; one with it is counted per day.
    let l = ledger(addr).await;
    assert_eq!(l["cmc"]["k-daily"]["credits_today"], 3);
    assert_eq!(l["cmc"]["k-monthly"]["credits_this_month"], 2);
}

#[tokio::test]
async fn a_bad_plans_file_stops_the_server_at_start() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let result = credit_gauge_emulator::serve(
        listener,
        Config {
            plans_json: Some("{\"plans\": 3}".into()),
            ..Config::default()
        },
    )
    .await;
    assert!(result.is_err());
}

#[tokio::test]
async fn a_huge_request_is_refused_before_any_data_is_built() {
    let addr = start(Config::default()).await;
    let ids: Vec<String> = (10_020..10_080).map(|i: u32| i.to_string()).collect();
    let path = format!(
        "/v2/cryptocurrency/quotes/historical?id={}&count=10000",
        ids.join(",")
    );
    // A capped key, with the key in the query as any page could send it: 600,000 data points
    // are 6,000 credits, past Hobbyist's 1,333 a day. The refusal comes first, small.
    let capped = get(
        addr,
        &format!("/cmc{path}&CMC_PRO_API_KEY=demo-hobbyist"),
        &[],
    )
    .await;
    assert_error(
        &capped,
        429,
        1009,
        "You've exceeded your API Key's daily rate limit.",
    );
    assert!(capped.body.len() < 1_000, "{} bytes", capped.body.len());
    // A key with room for the credits: more than the emulator answers in one go is a 400.
    let big = cmc(addr, &path, "demo-enterprise").await;
    let head = |r: &crate::support::Reply| r.text().chars().take(300).collect::<String>();
    assert_eq!(big.status, 400, "{}", head(&big));
    assert_eq!(big.json()["status"]["error_code"], 400);
    assert!(big.body.len() < 1_000, "{} bytes", big.body.len());
    // So is a listings page in too many currencies at once.
    let wide = cmc(
        addr,
        "/v1/cryptocurrency/listings/latest?limit=5000&convert=USD,EUR,GBP,JPY,CAD,AUD,CHF,CNY,BTC,ETH,SOL",
        "demo-enterprise",
    )
    .await;
    assert_eq!(wide.status, 400, "{}", head(&wide));
    // Past the documented count limit: the API's own 400 naming the argument.
    let count = cmc(
        addr,
        "/v2/cryptocurrency/quotes/historical?id=1&count=10001",
        "demo-enterprise",
    )
    .await;
    assert_error(&count, 400, 400, "Invalid value for \"count\": \"10001\"");
    // None of it was charged.
    let l = ledger(addr).await;
    assert_eq!(l["cmc"]["demo-hobbyist"]["credits_today"], 0, "{l}");
    assert_eq!(l["cmc"]["demo-enterprise"]["credits_today"], 0, "{l}");
    // Within the bounds it still answers, and is charged per 100 data points.
    let ok = cmc(
        addr,
        "/v2/cryptocurrency/quotes/historical?id=1,1027&count=2500&interval=daily",
        "demo-enterprise",
    )
    .await;
    assert_eq!(ok.status, 200, "{}", head(&ok));
    let body = ok.json();
    assert_eq!(body["status"]["credit_count"], 50, "{}", body["status"]);
    assert_eq!(
        body["data"]["1"]["quotes"].as_array().map(Vec::len),
        Some(2_500)
    );
}
