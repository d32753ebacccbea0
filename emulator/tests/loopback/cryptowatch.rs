//! Cryptowatch: every endpoint's cost, the allowance, its 24-hour window and the 404s.

use std::time::Duration;

use credit_gauge_emulator::Config;
use serde_json::{json, Value};

use crate::support::{get, ledger, start};

const COSTS: &[(&str, u64)] = &[
    ("/", 1),
    ("/assets", 2),
    ("/assets/btc", 2),
    ("/exchanges", 2),
    ("/exchanges/kraken", 2),
    ("/markets/kraken", 2),
    ("/pairs", 3),
    ("/pairs/btceur", 2),
    ("/markets", 3),
    ("/markets/kraken/btceur", 2),
    ("/markets/kraken/btceur/price", 5),
    ("/markets/kraken/btceur/trades", 10),
    ("/markets/kraken/btceur/summary", 5),
    ("/markets/summaries", 15),
    ("/markets/kraken/btceur/orderbook", 10),
    ("/markets/kraken/btceur/orderbook/liquidity", 5),
    ("/markets/kraken/btceur/orderbook/calculator?amount=10", 15),
    ("/markets/kraken/btceur/ohlc", 15),
    ("/markets/prices", 15),
];

fn milli(v: &Value) -> u64 {
    (v.as_f64().unwrap_or(-1.0) * 1000.0).round() as u64
}

#[tokio::test]
async fn every_endpoint_costs_what_the_table_says() {
    let addr = start(Config::default()).await;
    let mut remaining = 1_000_000u64;
    for (path, cost) in COSTS {
        let sep = if path.contains('?') { '&' } else { '?' };
        let reply = get(addr, &format!("/cryptowatch{path}{sep}apikey=demo-cw"), &[]).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        let body = reply.json();
        assert!(body.get("result").is_some(), "{path}: {body}");
        let allowance = &body["allowance"];
        assert_eq!(milli(&allowance["cost"]), *cost, "{path}: {body}");
        remaining -= cost;
        assert_eq!(milli(&allowance["remaining"]), remaining, "{path}");
        assert!(allowance.get("account").is_some() && allowance.get("upgrade").is_none());
    }
    // The header works as well as the query parameter.
    let by_header = get(
        addr,
        "/cryptowatch/markets/kraken/btcusd/price",
        &[("X-CW-API-Key", "demo-cw")],
    )
    .await;
    assert_eq!(
        milli(&by_header.json()["allowance"]["remaining"]),
        remaining - 5
    );
    assert_eq!(
        ledger(addr).await["cryptowatch"]["demo-cw"]["remaining_milli"],
        remaining - 5
    );
}

#[tokio::test]
async fn anonymous_callers_get_ten_credits_and_pay_for_404s() {
    let addr = start(Config::default()).await;
    let root = get(addr, "/cryptowatch/", &[]).await.json();
    assert!(
        root.get("allowance").is_none(),
        "the root shows no allowance anonymously"
    );
    assert!(root["result"]["indexes"].is_array());

    let price = get(addr, "/cryptowatch/markets/kraken/btceur/price", &[])
        .await
        .json();
    assert_eq!(price["allowance"]["cost"], json!(0.005));
    assert_eq!(price["allowance"]["remaining"], json!(9.994));
    assert!(price["allowance"]["upgrade"].is_string());
    assert!(price["result"]["price"].as_f64().unwrap_or(0.0) > 1_000.0);

    let not_found = [
        (
            "/markets/kraken/nopecoin/price",
            "Instrument not found",
            0.005,
        ),
        ("/markets/nowhere", "Exchange not found", 0.002),
        ("/exchanges/nowhere", "Exchange not found", 0.002),
        ("/assets/nope", "Asset not found", 0.002),
        ("/pairs/nopenope", "Pair not found", 0.002),
    ];
    let mut left = 9_994u64;
    for (path, message, cost) in not_found {
        let reply = get(addr, &format!("/cryptowatch{path}"), &[]).await;
        assert_eq!(reply.status, 404, "{path}");
        let body = reply.json();
        assert_eq!(body["error"], message, "{path}");
        assert_eq!(
            body["allowance"]["cost"],
            json!(cost),
            "{path}: 404s are charged"
        );
        left -= (cost * 1000.0_f64).round() as u64;
        assert_eq!(milli(&body["allowance"]["remaining"]), left);
    }
    let bad_sort = get(addr, "/cryptowatch/markets/summaries?keyBy=volume", &[]).await;
    assert_eq!(bad_sort.status, 400);
    assert_eq!(bad_sort.json()["error"], "Unkown sort parameter");
    let bad_page = get(addr, "/cryptowatch/markets?limit=0", &[]).await;
    assert_eq!(bad_page.status, 404);
    let unknown_key = get(
        addr,
        "/cryptowatch/markets/kraken/btceur/price?apikey=nope",
        &[],
    )
    .await;
    assert_eq!(unknown_key.status, 401);
    let no_route = get(addr, "/cryptowatch/markets/kraken/btceur/nope", &[]).await;
    assert_eq!(no_route.status, 404);
    assert_eq!(no_route.json()["error"], "Route not found");

    // Pagination carries a cursor that leads to the next page.
    let first = get(addr, "/cryptowatch/markets?limit=5", &[]).await.json();
    assert_eq!(first["result"].as_array().map(Vec::len), Some(5));
    assert_eq!(first["cursor"]["hasMore"], true);
    let cursor = first["cursor"]["last"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let second = get(
        addr,
        &format!("/cryptowatch/markets?limit=5&cursor={cursor}"),
        &[],
    )
    .await
    .json();
    assert_ne!(first["result"][0], second["result"][0]);
}

#[tokio::test]
async fn an_empty_allowance_answers_429_and_refills_after_24_hours() {
    // 24 emulated hours pass in 0.5 s; the allowance fits four price calls.
    let addr = start(Config {
        time_scale: 172_800,
        cw_anonymous_allowance_milli: 20,
        ..Config::default()
    })
    .await;
    for i in 0..4 {
        let reply = get(addr, "/cryptowatch/markets/kraken/btcusd/price", &[]).await;
        assert_eq!(reply.status, 200, "call {i}");
    }
    let refused = get(addr, "/cryptowatch/markets/kraken/btcusd/price", &[]).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json(), json!({"error": "Out of allowance"}));
    let l = ledger(addr).await;
    assert_eq!(
        l["cryptowatch"]["anonymous:127.0.0.1"]["remaining_milli"], 0,
        "{l}"
    );
    assert_eq!(l["cryptowatch"]["anonymous:127.0.0.1"]["refused_429"], 1);

    tokio::time::sleep(Duration::from_millis(600)).await;
    let again = get(addr, "/cryptowatch/markets/kraken/btcusd/price", &[]).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["allowance"]["remaining"], json!(0.015));
}

#[tokio::test]
async fn the_default_anonymous_allowance_is_ten_credits() {
    let addr = start(Config::default()).await;
    let mut last = Value::Null;
    // 0.015 × 666 = 9.99; the 667th OHLC call cannot be paid.
    for _ in 0..666 {
        last = get(
            addr,
            "/cryptowatch/markets/kraken/btcusd/ohlc?periods=60",
            &[],
        )
        .await
        .json();
    }
    assert_eq!(last["allowance"]["remaining"], json!(0.01));
    let refused = get(
        addr,
        "/cryptowatch/markets/kraken/btcusd/ohlc?periods=60",
        &[],
    )
    .await;
    assert_eq!(refused.status, 429);
    // What is left still pays for a price call: 0.010 − 0.005.
    let price = get(addr, "/cryptowatch/markets/kraken/btcusd/price", &[])
        .await
        .json();
    assert_eq!(price["allowance"]["remaining"], json!(0.005));
}

#[tokio::test]
async fn ohlc_bounds_out_of_range_are_a_bad_request_not_a_crash() {
    let addr = start(Config::default()).await;
    let ohlc = "/cryptowatch/markets/kraken/btcusd/ohlc?apikey=demo-cw";
    let max = i64::MAX.to_string();
    let min = i64::MIN.to_string();
    for query in [
        format!("periods=60&before={max}"),
        format!("periods=60&after={max}"),
        format!("periods=60&before={min}"),
        format!("periods=60&after={min}"),
        format!("periods=60&after={min}&before={max}"),
        format!("periods=604800&before={max}"),
        "periods=60&before=-1".to_string(),
        "periods=60&after=-60".to_string(),
        "periods=60&before=99999999999999".to_string(),
        "periods=60&before=18446744073709551616".to_string(),
        "periods=-60".to_string(),
        format!("periods={max}"),
        "periods=60,".to_string(),
    ] {
        let reply = crate::support::request(addr, "GET", &format!("{ohlc}&{query}"), &[], "")
            .await
            .unwrap_or_else(|e| panic!("{query}: no answer ({e})"));
        assert_eq!(reply.status, 400, "{query}: {}", reply.text());
        assert_eq!(reply.json()["error"], "Bad Request", "{query}");
    }
    // The widest range the emulator takes answers, with a bounded number of candles.
    let wide = get(
        addr,
        &format!("{ohlc}&periods=60,604800&after=0&before=253402300799"),
        &[],
    )
    .await;
    assert_eq!(wide.status, 200, "{}", wide.text());
    let result = &wide.json()["result"];
    for key in ["60", "604800"] {
        let candles = result[key].as_array().expect("candles");
        assert!(
            !candles.is_empty() && candles.len() <= 500,
            "{key}: {}",
            candles.len()
        );
    }
    // Periods named many times are answered once each.
    let repeated = vec!["60"; 2_000].join(",");
    let reply = get(addr, &format!("{ohlc}&periods={repeated}&after=0"), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let result = reply.json()["result"].clone();
    assert_eq!(result.as_object().map(|o| o.len()), Some(1), "{result}");
    // After later than before: nothing in between.
    let empty = get(
        addr,
        &format!("{ohlc}&periods=60&after=2000&before=1000"),
        &[],
    )
    .await;
    assert_eq!(empty.json()["result"]["60"], json!([]));
    // The server is still up.
    let price = get(addr, "/cryptowatch/markets/kraken/btcusd/price", &[]).await;
    assert_eq!(price.status, 200);
}
