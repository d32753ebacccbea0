//! Embedding in a host page: the `<credit-gauge>` element under hostile CSS, attribute
//! changes, a shared budget between widgets, the events, and the cross-origin iframe.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{dist_with, eventually, in_shadow, Browser, Emulator, PATIENCE};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

const HOSTILE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>host</title>
<style>
  * { display: inline !important; color: red !important; font-size: 31px !important; }
  credit-gauge { border: 3px solid red; }
</style>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
<div class="cg gauge" id="host-own">the host's own .cg element</div>
<credit-gauge id="a" api="cmc" endpoint="/v1/fiat/map"></credit-gauge>
<credit-gauge id="b" api="cmc" endpoint="/v1/cryptocurrency/map"></credit-gauge>
<credit-gauge id="c" api="cw" compact theme="dark" endpoint="/markets/:exchange/:pair/price"
  params="exchange=kraken&pair=btcusd"></credit-gauge>
<script>
  window.seen = [];
  for (const name of ["cost", "warning", "error"]) {
    document.addEventListener("credit-gauge:" + name, (e) =>
      window.seen.push({ type: e.type, target: e.target.id, detail: e.detail }));
  }
</script>
</body></html>"#;

/// Runs `script` (with the shadow-root helpers) until it is true.
async fn wait_for(browser: &Browser, what: &str, script: &str) -> Value {
    browser.wait_until(what, &in_shadow(script)).await
}

async fn events(browser: &Browser, kind: &str) -> Vec<Value> {
    browser
        .js("return window.seen", vec![])
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["type"] == kind)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_widgets_under_hostile_css_render_share_a_budget_and_report_events() {
    let config = Config {
        static_dir: Some(dist_with("hostile", &[("hostile.html", HOSTILE)])),
        // A small anonymous Cryptowatch allowance, so one answer crosses the warning levels.
        cw_anonymous_allowance_milli: 12,
        ..Config::default()
    };
    let emulator = Emulator::start(config).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&emulator.url("/hostile.html"))
        .await
        .unwrap();

    // Rendered as designed, inside shadow roots the host's CSS cannot reach.
    for id in ["a", "b"] {
        wait_for(
            &browser,
            id,
            &format!(
                "return text('{id}', '[data-limit=month] .gauge-text') === '10,000 / 10,000 left'"
            ),
        )
        .await;
    }
    wait_for(
        &browser,
        "c",
        "return text('c', '[data-limit=allowance] .gauge-text').endsWith('left')",
    )
    .await;
    let styles = browser
        .js(
            &in_shadow(
                "const g = q('a', '.gauge'); const t = q('a', '.gauge-text');
                 return [getComputedStyle(g).display, getComputedStyle(t).color,
                         getComputedStyle(q('a', '.cg')).fontSize,
                         getComputedStyle(document.getElementById('host-own')).paddingTop,
                         !!q('c', '.request'), !!q('a', '.request'),
                         q('c', '.cg').getAttribute('data-theme')];",
            ),
            vec![],
        )
        .await;
    assert_eq!(
        styles[0], "grid",
        "the host's display rule reached the widget: {styles}"
    );
    assert_ne!(
        styles[1], "rgb(255, 0, 0)",
        "the host's colour reached the widget: {styles}"
    );
    assert_eq!(
        styles[2], "14px",
        "the host's font size reached the widget: {styles}"
    );
    assert_eq!(
        styles[3], "0px",
        "the widget's CSS leaked into the host: {styles}"
    );
    assert_eq!(styles[4], false, "compact shows gauges only");
    assert_eq!(styles[5], true, "a full widget has its form");
    assert_eq!(styles[6], "dark");
    browser.screenshot("embed-hostile-css").await;

    // Two widgets on one key: a request from either moves both.
    browser
        .js(&in_shadow("q('a', '#send').click()"), vec![])
        .await;
    browser
        .js(&in_shadow("q('b', '#send').click()"), vec![])
        .await;
    for id in ["a", "b"] {
        wait_for(
            &browser,
            id,
            &format!(
                "return text('{id}', '[data-limit=month] .gauge-text') === '9,998 / 10,000 left'"
            ),
        )
        .await;
    }
    // The gauges count requests in flight as spent; wait for both answers before comparing
    // with the server.
    wait_for(
        &browser,
        "both answers",
        "return window.seen.filter(e => e.type === 'credit-gauge:cost').length === 2",
    )
    .await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(ledger["cmc"]["demo-basic"]["credits_this_month"], 2);

    // The cost events, with the documented detail.
    let costs = events(&browser, "credit-gauge:cost").await;
    assert_eq!(costs.len(), 2, "{costs:?}");
    let fiat = costs
        .iter()
        .find(|e| e["target"] == "a")
        .expect("a cost event from a");
    assert_eq!(
        fiat["detail"],
        json!({"api": "cmc", "endpoint": "/v1/fiat/map", "estimated": 1, "charged": 1,
               "fromServer": true, "status": 200})
    );

    // An attribute changed by the host re-renders: a's key becomes a disabled one.
    browser
        .js(
            "document.getElementById('a').setAttribute('key', 'demo-disabled')",
            vec![],
        )
        .await;
    wait_for(
        &browser,
        "a re-rendered",
        "return text('a', '[data-limit=month] .gauge-text') === '10,000 / 10,000 left'",
    )
    .await;
    browser
        .js(&in_shadow("q('a', '#send').click()"), vec![])
        .await;
    wait_for(
        &browser,
        "the error",
        "return window.seen.some(e => e.type === 'credit-gauge:error')",
    )
    .await;
    let errors = events(&browser, "credit-gauge:error").await;
    let d = &errors[0]["detail"];
    assert_eq!(d["api"], "cmc");
    assert_eq!(d["endpoint"], "/v1/fiat/map");
    assert_eq!(d["status"], 403);
    assert_eq!(d["code"], 1007);
    assert_eq!(
        d["message"],
        "This API Key has been disabled. Please contact support."
    );
    assert!(d["title"].as_str().is_some_and(|t| !t.is_empty()), "{d}");
    assert!(d["whatToDo"].as_str().is_some_and(|t| !t.is_empty()), "{d}");
    assert_eq!(d["retryAt"], Value::Null);

    // c refreshes itself; the server's small allowance puts it past the warning levels.
    browser
        .js(
            "document.getElementById('c').setAttribute('refresh', '1')",
            vec![],
        )
        .await;
    wait_for(
        &browser,
        "the warning",
        "return window.seen.some(e => e.type === 'credit-gauge:warning')",
    )
    .await;
    let warnings = events(&browser, "credit-gauge:warning").await;
    let w = &warnings[0]["detail"];
    assert_eq!(w["api"], "cw");
    assert_eq!(w["limit"], "allowance");
    assert!(w["share"].as_f64().is_some_and(|s| s >= 0.95), "{w}");
    assert!(
        w["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("24-hour allowance")),
        "{w}"
    );

    // Switching c to CoinMarketCap by attribute shows CoinMarketCap's gauges.
    browser
        .js("const c = document.getElementById('c'); c.removeAttribute('refresh'); c.setAttribute('api', 'cmc'); c.setAttribute('theme', 'light');", vec![])
        .await;
    wait_for(&browser, "c switched", "return text('c', '[data-limit=minute] .gauge-text').endsWith('left') && q('c', '.cg').getAttribute('data-theme') === 'light'").await;
    // Each re-render unmounted the previous widget: one widget, one style sheet.
    let mounted = browser
        .js(&in_shadow("return [shadow('c').querySelectorAll('.cg').length, shadow('c').querySelectorAll('style').length]"), vec![])
        .await;
    assert_eq!(mounted, json!([1, 1]));
    // Removing the element unmounts its widget.
    let left = browser
        .js(&in_shadow("const c = document.getElementById('c'); c.remove(); return c.shadowRoot.childNodes.length"), vec![])
        .await;
    assert_eq!(left, json!(0), "a removed element keeps its widget");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_iframe_embed_works_from_another_origin_and_resizes() {
    let emulator = Emulator::start(Config::default()).await;
    let port = emulator.addr.port();
    // The host page comes from `localhost`, the widget from `127.0.0.1`: two origins.
    let host = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>iframe host</title></head><body>
<iframe id="small" src="http://127.0.0.1:{port}/embed.html?api=cmc&compact=true" style="width:100%;border:0"></iframe>
<iframe id="full" src="http://127.0.0.1:{port}/embed.html?api=cw&endpoint=/markets/:exchange/:pair/price&params=exchange%3Dkraken%26pair%3Dbtcusd&refresh=1" style="width:100%;border:0"></iframe>
<script src="http://127.0.0.1:{port}/credit-gauge-host.js"></script>
<script>
  window.seen = [];
  document.addEventListener("credit-gauge:cost", (e) => window.seen.push({{ target: e.target.id, detail: e.detail }}));
</script>
</body></html>"#
    );
    let (_host_server, host_url) = common::host_page("iframe-host", &host).await;
    let browser = Browser::start().await;
    browser.client.goto(&host_url).await.unwrap();
    let (small, full) = eventually(PATIENCE, Duration::from_millis(100), || async {
        let h = browser
            .js(
                "return ['small', 'full'].map(id => parseInt(document.getElementById(id).style.height || '0'))",
                vec![],
            )
            .await;
        let (s, f) = (h[0].as_i64().unwrap_or(0), h[1].as_i64().unwrap_or(0));
        if s > 0 && f > s + 150 {
            Ok((s, f))
        } else {
            Err(format!("the frames were not resized: {h}"))
        }
    })
    .await;
    assert!(small > 50, "a compact widget is more than nothing: {small}");
    assert!(
        full > small,
        "the full widget is the taller one: {full} vs {small}"
    );
    // The page cannot see into the frame, but the widget's events reach it.
    let seen = browser
        .wait_until(
            "no cost event crossed the frame",
            "return window.seen.length > 0 ? window.seen : null",
        )
        .await;
    assert_eq!(seen[0]["target"], "full");
    assert_eq!(seen[0]["detail"]["api"], "cw");
    assert_eq!(
        seen[0]["detail"]["endpoint"],
        "/markets/:exchange/:pair/price"
    );
    assert_eq!(seen[0]["detail"]["charged"], 0.005);
    let cross = browser
        .js("try { return document.getElementById('full').contentDocument === null; } catch (e) { return true; }", vec![])
        .await;
    assert_eq!(cross, json!(true), "the frame must be of another origin");
    browser.screenshot("embed-iframe").await;
    browser.close().await;
}
