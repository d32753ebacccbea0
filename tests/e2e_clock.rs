//! A visitor whose clock is minutes off: the widget learns the server's clock from the answers
//! and counts CoinMarketCap's minutes on it, so it causes no 1008.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{dist_with, eventually, in_shadow, Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::json;

/// How far ahead of the server the visitor's clock is: not a whole number of minutes, so the
/// visitor's minutes straddle the server's.
const SKEW_MS: i64 = -205_000;

fn page() -> String {
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>a visitor with a wrong clock</title>
<script>
  // This visitor's clock is {SKEW_MS} ms off; everything on the page reads it.
  (() => {{
    const skew = {SKEW_MS};
    const RealDate = Date;
    const realNow = RealDate.now.bind(RealDate);
    class SkewedDate extends RealDate {{
      constructor(...args) {{ if (args.length === 0) super(realNow() + skew); else super(...args); }}
      static now() {{ return realNow() + skew; }}
    }}
    window.Date = SkewedDate;
    window.serverNow = realNow;
  }})();
</script>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
<credit-gauge id="g" api="cmc" compact></credit-gauge>
</body></html>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_minutes_off_causes_no_1008() {
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with("clock", &[("clock.html", &page())])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&emulator.url("/clock.html"))
        .await
        .unwrap();
    browser
        .wait_until(
            "the gauge",
            &in_shadow("return text('g', '[data-limit=minute] .gauge-text').endsWith('left')"),
        )
        .await;
    // Fifteen requests early in the visitor's minute, fifteen more once the server's minute
    // has turned but the visitor's has not, then thirty more at once: on the visitor's clock
    // that is 30 in each of its minutes; on the server's, a minute would get 45.
    browser
        .js(
            "const g = document.getElementById('g');
             const map = () => g.fetch('/v1/fiat/map', { params: { limit: 1 } });
             const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
             window.done = 0;
             window.failed = [];
             const count = (p) => p.then(() => window.done++, (e) => window.failed.push(String(e)));
             (async () => {
               // Wait for the start of the visitor's minute: the server's turns 35 s into it.
               const into = Date.now() % 60000;
               if (into > 2000) await sleep(60000 - into + 200);
               await Promise.all(Array.from({ length: 15 }, () => count(map())));
               await sleep(Math.max(0, 40000 - (Date.now() % 60000)));
               await Promise.all(Array.from({ length: 15 }, () => count(map())));
               await Promise.all(Array.from({ length: 30 }, () => count(map())));
             })();",
            vec![],
        )
        .await;
    let server = eventually(Duration::from_secs(240), Duration::from_secs(1), || async {
        let done = browser.js("return window.done", vec![]).await;
        let ledger = browser.fetch_json("/_emulator/ledger").await;
        let server = ledger["cmc"]["demo-basic"].clone();
        if done == json!(60) {
            Ok(server)
        } else {
            Err(format!("{done} of 60 answered; server {server}"))
        }
    })
    .await;
    assert_eq!(
        server["refused_429"], 0,
        "the wrong clock caused a 1008: {server}"
    );
    assert_eq!(server["credits_this_month"], 60, "{server}");
    let failed = browser.js("return window.failed", vec![]).await;
    assert_eq!(failed, json!([]));
    browser.close().await;
}
