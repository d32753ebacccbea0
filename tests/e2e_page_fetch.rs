//! The host page's own requests through the gauge (`element.fetch`): counted like the
//! widget's own, waiting when the minute is full, never a 429; refused before sending when
//! the catalog cannot cost them.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{dist_with, eventually, in_shadow, Browser, Emulator, PATIENCE};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

const PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>a page that fetches</title>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
<credit-gauge id="g" api="cmc" compact></credit-gauge>
<script>
  window.results = [];
  window.failures = [];
</script>
</body></html>"#;

/// What the emulator counted for the demo Basic key.
async fn basic(browser: &Browser) -> Value {
    browser.fetch_json("/_emulator/ledger").await["cmc"]["demo-basic"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_s_requests_go_through_the_gauge_without_a_429_and_bad_ones_are_never_sent() {
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with("page-fetch", &[("page-fetch.html", PAGE)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&emulator.url("/page-fetch.html"))
        .await
        .unwrap();
    browser
        .wait_until(
            "the gauge",
            &in_shadow("return text('g', '[data-limit=minute] .gauge-text').endsWith('left')"),
        )
        .await;

    // Requests the catalog cannot cost are refused at once, naming why, and never sent.
    let refused = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const g = document.getElementById('g');
             const why = (p) => p.then(() => 'sent', (e) => String(e.message));
             Promise.all([
               why(g.fetch('/v1/nothing')),
               why(g.fetch('/v1/cryptocurrency/listings/latest', { params: { limit: 0 } })),
               why(g.fetch('/v1/fiat/map', { params: 'api_key=x' })),
             ]).then(done);",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        refused[0]
            .as_str()
            .unwrap_or_default()
            .contains("not a CoinMarketCap endpoint"),
        "{refused}"
    );
    assert!(
        refused[1].as_str().unwrap_or_default().contains("`limit`"),
        "{refused}"
    );
    assert!(
        refused[2]
            .as_str()
            .unwrap_or_default()
            .contains("`api_key`"),
        "{refused}"
    );
    assert!(
        basic(&browser).await.is_null(),
        "a refused request reached the server"
    );

    // 35 at once on a 30-a-minute key: what fits goes, the rest wait, the server refuses none.
    browser
        .js(
            "const g = document.getElementById('g');
             for (let i = 0; i < 35; i++) {
               g.fetch('/v1/fiat/map', { params: { limit: 5 } })
                 .then((r) => window.results.push(r), (e) => window.failures.push(String(e)));
             }",
            vec![],
        )
        .await;
    let (answered, server) = eventually(PATIENCE, Duration::from_millis(200), || async {
        let answered = browser.js("return window.results.length", vec![]).await;
        let answered = answered.as_u64().unwrap_or(0);
        let server = basic(&browser).await;
        let waiting = browser
            .js(
                &in_shadow("return shadow('g').querySelectorAll('.queue-item').length"),
                vec![],
            )
            .await
            .as_u64()
            .unwrap_or(0);
        // Settled: every request either answered or waiting, and the server agrees.
        let counted = server["credits_this_month"].as_u64().unwrap_or(0);
        if answered > 0 && answered + waiting == 35 && counted == answered {
            Ok((answered, server))
        } else {
            Err(format!(
                "not settled: {answered} answered, {waiting} waiting, server {server}"
            ))
        }
    })
    .await;
    // Within one minute at most the plan's 30 (and one more at the minute's edge) went; all
    // 35 only if the minute turned meanwhile, and then the new minute counts the rest.
    let this_minute = server["requests_this_minute"].as_u64().unwrap_or(0);
    assert!(
        answered <= 31 || this_minute < answered,
        "{answered} requests went within one minute of a 30-a-minute plan: {server}"
    );
    assert_eq!(
        server["refused_429"], 0,
        "the gauge let a 429 happen: {server}"
    );
    assert_eq!(server["credits_this_month"], answered, "{server}");
    // In the history, marked as the page's.
    let marks = browser
        .js(
            "const h = Object.keys(localStorage).find(k => k.endsWith(':history'));
             return h ? JSON.parse(localStorage.getItem(h)).map(e => e.from_page) : [];",
            vec![],
        )
        .await;
    let marks = marks.as_array().cloned().unwrap_or_default();
    assert_eq!(marks.len() as u64, answered, "{marks:?}");
    assert!(marks.iter().all(|m| *m == json!(true)), "{marks:?}");
    let failures = browser.js("return window.failures", vec![]).await;
    assert_eq!(failures, json!([]));
    let first = browser.js("return window.results[0]", vec![]).await;
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(first["status"], 200);
    assert_eq!(first["charged"], 1);
    assert_eq!(first["fromServer"], true);
    assert!(
        first["data"].as_array().is_some_and(|d| !d.is_empty()),
        "{first}"
    );
    assert_eq!(first["explanation"], Value::Null);
    browser.close().await;
}
