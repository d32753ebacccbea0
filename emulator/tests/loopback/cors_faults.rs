//! CORS on, restricted and off; every injected fault, per request and server-wide.

use std::time::{Duration, Instant};

use credit_gauge_emulator::{Config, Cors};

use crate::support::{get, ledger, request, start};

const PREFLIGHT: &[(&str, &str)] = &[
    ("Origin", "http://embed.example"),
    ("Access-Control-Request-Method", "GET"),
    ("Access-Control-Request-Headers", "x-cmc_pro_api_key"),
];

#[tokio::test]
async fn cors_is_on_by_default_with_a_preflight_for_both_key_headers() {
    let addr = start(Config::default()).await;
    for path in [
        "/cmc/v1/key/info",
        "/cryptowatch/markets/kraken/btcusd/price",
    ] {
        let pre = request(addr, "OPTIONS", path, PREFLIGHT, "")
            .await
            .expect("preflight");
        assert_eq!(pre.status, 204);
        assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
        let allowed = pre
            .header("access-control-allow-headers")
            .unwrap_or("")
            .to_ascii_lowercase();
        assert!(
            allowed.contains("x-cmc_pro_api_key") && allowed.contains("x-cw-api-key"),
            "{allowed}"
        );
        assert!(pre
            .header("access-control-allow-methods")
            .unwrap_or("")
            .contains("GET"));
    }
    let reply = get(
        addr,
        "/cmc/v1/key/info",
        &[
            ("Origin", "http://embed.example"),
            ("X-CMC_PRO_API_KEY", "demo-basic"),
        ],
    )
    .await;
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    // Preflights are not API calls: nothing was counted for them.
    assert_eq!(
        ledger(addr).await["cmc"]["demo-basic"]["requests_this_minute"],
        1
    );
}

#[tokio::test]
async fn cors_can_be_restricted_or_switched_off() {
    let addr = start(Config {
        cors: Cors::Origins(vec!["http://good.example".into()]),
        ..Config::default()
    })
    .await;
    let good = get(
        addr,
        "/cryptowatch/assets",
        &[("Origin", "http://good.example")],
    )
    .await;
    assert_eq!(
        good.header("access-control-allow-origin"),
        Some("http://good.example")
    );
    assert!(good.header("vary").unwrap_or("").contains("Origin"));
    let bad = get(
        addr,
        "/cryptowatch/assets",
        &[("Origin", "http://bad.example")],
    )
    .await;
    assert_eq!(bad.header("access-control-allow-origin"), None);

    let off = start(Config {
        cors: Cors::Off,
        ..Config::default()
    })
    .await;
    let pre = request(off, "OPTIONS", "/cmc/v1/key/info", PREFLIGHT, "")
        .await
        .expect("preflight");
    assert_eq!(pre.header("access-control-allow-origin"), None);
    let reply = get(
        off,
        "/cmc/v1/key/info",
        &[
            ("Origin", "http://embed.example"),
            ("X-CMC_PRO_API_KEY", "demo-basic"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        None,
        "like the real CoinMarketCap"
    );
}

#[tokio::test]
async fn every_fault_can_be_injected_per_request() {
    let addr = start(Config::default()).await;
    let key = ("X-CMC_PRO_API_KEY", "demo-basic");
    let with = |fault: &'static str| [key, ("X-Emulator-Fault", fault)];

    let e500 = get(addr, "/cmc/v1/key/info", &with("status-500")).await;
    assert_eq!(e500.status, 500);
    assert_eq!(e500.json()["status"]["error_code"], 500);
    let cw500 = get(addr, "/cryptowatch/assets?emulator_fault=status-500", &[]).await;
    assert_eq!(cw500.status, 500);
    assert!(cw500.json()["error"].is_string());

    let html = get(addr, "/cmc/v1/key/info", &with("html-502")).await;
    assert_eq!(html.status, 502);
    assert!(html
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/html"));
    assert!(html.text().contains("502 Bad Gateway"));

    let malformed = get(addr, "/cmc/v1/key/info", &with("malformed-json")).await;
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&malformed.body).is_err());

    let no_code = get(addr, "/cmc/v1/key/info", &with("429-no-code")).await;
    assert_eq!(no_code.status, 429);
    assert!(no_code.json()["status"].get("error_code").is_none());

    let message = get(addr, "/cmc/v1/key/info", &with("html-in-message")).await;
    assert_eq!(message.status, 400);
    assert!(message.json()["status"]["error_message"]
        .as_str()
        .is_some_and(|m| m.contains("<script>")));
    let data = get(addr, "/cmc/v1/key/info", &with("html-in-data")).await;
    assert_eq!(data.status, 200);
    assert!(data.json()["data"][0]["name"]
        .as_str()
        .is_some_and(|m| m.contains("<img")));
    assert_eq!(data.json()["status"]["credit_count"], 0);

    let truncated = request(addr, "GET", "/cmc/v1/key/info", &with("truncated"), "").await;
    let err = truncated.expect_err("the body is cut short");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");

    let dropped = request(
        addr,
        "GET",
        "/cmc/v1/key/info?emulator_fault=drop",
        &[key],
        "",
    )
    .await;
    let err = dropped.expect_err("no answer at all");
    assert_eq!(err.to_string(), "no response head");

    let t = Instant::now();
    let slow = get(addr, "/cmc/v1/key/info", &with("latency=300")).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(slow.status, 200, "latency alone still answers normally");

    let unknown = get(addr, "/cmc/v1/key/info", &with("explode")).await;
    assert_eq!(unknown.status, 400);

    // Only the latency call reached the API and was counted.
    assert_eq!(
        ledger(addr).await["cmc"]["demo-basic"]["requests_this_minute"],
        1
    );
}

#[tokio::test]
async fn the_server_wide_switch_faults_matching_requests_until_it_runs_out() {
    let addr = start(Config::default()).await;
    let set = request(
        addr,
        "POST",
        "/_emulator/faults",
        &[],
        r#"{"fault": "html-502", "count": 2, "path_prefix": "/cmc/"}"#,
    )
    .await
    .expect("switch set");
    assert_eq!(set.status, 200, "{}", set.text());
    assert_eq!(set.json()["switch"]["fault"], "html-502");
    // Other paths are untouched.
    assert_eq!(get(addr, "/cryptowatch/assets", &[]).await.status, 200);
    let key = [("X-CMC_PRO_API_KEY", "demo-basic")];
    assert_eq!(get(addr, "/cmc/v1/key/info", &key).await.status, 502);
    assert_eq!(get(addr, "/cmc/v1/key/info", &key).await.status, 502);
    assert_eq!(get(addr, "/cmc/v1/key/info", &key).await.status, 200);

    let forever = request(
        addr,
        "POST",
        "/_emulator/faults",
        &[],
        r#"{"fault": "status-500"}"#,
    )
    .await
    .expect("switch set");
    assert_eq!(forever.status, 200);
    assert_eq!(get(addr, "/cryptowatch/assets", &[]).await.status, 500);
    let shown = get(addr, "/_emulator/faults", &[]).await.json();
    assert_eq!(shown["switch"]["fault"], "status-500");
    let cleared = request(addr, "DELETE", "/_emulator/faults", &[], "")
        .await
        .expect("cleared");
    assert_eq!(cleared.status, 200);
    assert_eq!(get(addr, "/cryptowatch/assets", &[]).await.status, 200);

    let bad = request(
        addr,
        "POST",
        "/_emulator/faults",
        &[],
        r#"{"fault": "boom"}"#,
    )
    .await
    .expect("answer");
    assert_eq!(bad.status, 400);
    let junk = request(addr, "POST", "/_emulator/faults", &[], "not json")
        .await
        .expect("answer");
    assert_eq!(junk.status, 400);
    assert_eq!(get(addr, "/_emulator/nothing", &[]).await.status, 404);
    let write = request(addr, "POST", "/_emulator/ledger", &[], "{}")
        .await
        .expect("answer");
    assert_eq!(write.status, 405, "the ledger is read-only");
}

#[tokio::test]
async fn the_ledger_shows_what_the_server_counted() {
    let addr = start(Config::default()).await;
    get(
        addr,
        "/cmc/v1/cryptocurrency/listings/latest?limit=300",
        &[("X-CMC_PRO_API_KEY", "demo-startup")],
    )
    .await;
    get(addr, "/cryptowatch/markets/kraken/btcusd/price", &[]).await;
    let l = ledger(addr).await;
    assert_eq!(l["time_scale"], 1);
    let k = &l["cmc"]["demo-startup"];
    assert_eq!(k["plan"], "startup");
    assert_eq!(k["requests_this_minute"], 1);
    assert_eq!(k["credits_today"], 2);
    assert_eq!(k["credits_this_month"], 2);
    assert_eq!(k["credit_limit_daily"], 4_000);
    assert!(k["minute_start"]
        .as_str()
        .unwrap_or("")
        .ends_with(":00.000Z"));
    assert!(k["day_start"]
        .as_str()
        .unwrap_or("")
        .ends_with("T05:30:00.000Z"));
    let cw = &l["cryptowatch"]["anonymous:127.0.0.1"];
    assert_eq!(cw["remaining_milli"], 9_995);
    assert!(cw["window_start"].is_string() && cw["window_reset"].is_string());
}

#[tokio::test]
async fn the_built_app_is_served_at_the_root_with_a_fallback_to_index() {
    let dir = std::env::temp_dir().join(format!("cg-emu-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("index.html"), "<h1>app</h1>").expect("index");
    let addr = start(Config {
        static_dir: Some(dir.clone()),
        ..Config::default()
    })
    .await;
    assert!(get(addr, "/", &[]).await.text().contains("app"));
    assert!(get(addr, "/some/route", &[]).await.text().contains("app"));
    // TypeScript declarations read as text in a browser, not as a video stream.
    std::fs::write(dir.join("types.d.ts"), "export {};").expect("d.ts");
    let types = get(addr, "/types.d.ts", &[]).await;
    assert_eq!(types.status, 200);
    assert_eq!(
        types.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        get(addr, "/index.html", &[]).await.header("content-type"),
        Some("text/html")
    );
    let _ = std::fs::remove_dir_all(dir);
    // Without a folder, the root says what is served.
    let bare = start(Config::default()).await;
    assert_eq!(get(bare, "/", &[]).await.status, 404);
}

#[tokio::test]
async fn a_long_fault_list_is_refused_not_slept_through() {
    let addr = start(Config::default()).await;
    let key = ("X-CMC_PRO_API_KEY", "demo-basic");
    let thousand = vec!["latency=60000"; 1000].join(",");
    let reply = get(
        addr,
        "/cmc/v1/key/info",
        &[key, ("X-Emulator-Fault", &thousand)],
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.json()["status"]["error_message"]
        .as_str()
        .is_some_and(|m| m.contains("at most 16")));
    // A header and a parameter that pass alone are refused together past 60 s in all.
    let reply = get(
        addr,
        "/cryptowatch/assets?emulator_fault=latency%3D40000",
        &[("X-Emulator-Fault", "latency=40000")],
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    // The switch takes the same lists.
    let set = request(
        addr,
        "POST",
        "/_emulator/faults",
        &[],
        &format!(r#"{{"fault": "{thousand}"}}"#),
    )
    .await
    .expect("answer");
    assert_eq!(set.status, 400, "{}", set.text());
    // Nothing was counted for the refusals.
    assert!(ledger(addr).await["cmc"].get("demo-basic").is_none());
}

/// A POST to the fault switch with the given content type and extra headers.
async fn post_switch(
    addr: std::net::SocketAddr,
    content_type: &str,
    headers: &[(&str, &str)],
) -> crate::support::Reply {
    let body = r#"{"fault": "status-500"}"#;
    let mut req = format!(
        "POST /_emulator/faults HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    crate::support::raw(addr, req.as_bytes())
        .await
        .expect("an answer")
}

async fn switch_is_off(addr: std::net::SocketAddr) -> bool {
    get(addr, "/_emulator/faults", &[]).await.json()["switch"].is_null()
}

#[tokio::test]
async fn the_fault_switch_refuses_other_sites_and_non_json_bodies() {
    let addr = start(Config::default()).await;
    // A form or a no-cors fetch can only send these types: never JSON.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let reply = post_switch(addr, ct, &[]).await;
        assert_eq!(reply.status, 415, "{ct}: {}", reply.text());
        assert!(switch_is_off(addr).await, "{ct}");
    }
    let own = format!("http://{addr}");
    for headers in [
        vec![("Origin", "http://evil.example")],
        vec![("Origin", "null")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
        vec![("Origin", own.as_str()), ("Sec-Fetch-Site", "cross-site")],
    ] {
        let reply = post_switch(addr, "application/json", &headers).await;
        assert_eq!(reply.status, 403, "{headers:?}: {}", reply.text());
        assert!(reply.json()["error"].is_string());
        assert!(switch_is_off(addr).await, "{headers:?}");
    }
    // A page on a rebinding DNS name is "same-origin" with its Host, but not a loopback name.
    let body = r#"{"fault": "status-500"}"#;
    let rebound = crate::support::raw(
        addr,
        format!(
            "POST /_emulator/faults HTTP/1.1\r\nHost: rebind.example:{port}\r\n\
             Origin: http://rebind.example:{port}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len(),
            port = addr.port()
        )
        .as_bytes(),
    )
    .await
    .expect("an answer");
    assert_eq!(rebound.status, 403, "{}", rebound.text());
    assert!(switch_is_off(addr).await);
    // The emulator's own pages may set and clear it, and so may curl (no Origin at all).
    let same = [("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")];
    let set = post_switch(addr, "application/json; charset=utf-8", &same).await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert!(!switch_is_off(addr).await);
    let foreign_clear = request(
        addr,
        "DELETE",
        "/_emulator/faults",
        &[("Origin", "http://evil.example")],
        "",
    )
    .await
    .expect("answer");
    assert_eq!(foreign_clear.status, 403);
    assert!(!switch_is_off(addr).await);
    let clear = request(addr, "DELETE", "/_emulator/faults", &same, "")
        .await
        .expect("answer");
    assert_eq!(clear.status, 200, "{}", clear.text());
    assert!(switch_is_off(addr).await);
}
