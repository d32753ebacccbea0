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
             window.controller = new AbortController();
             for (let i = 0; i < 35; i++) {
               g.fetch('/v1/fiat/map', { params: { limit: 5 }, signal: window.controller.signal })
                 .then((r) => window.results.push(r), (e) => window.failures.push(e.name));
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

    // Aborting the ones still waiting rejects them at once and frees the queue; the minute's
    // count is what was sent, no slot held for them.
    let waiting = 35 - answered;
    let minute_before = browser
        .js(
            &in_shadow("return text('g', '[data-limit=minute] .gauge-text')"),
            vec![],
        )
        .await;
    let rejected = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const abortedAt = Date.now();
             window.controller.abort();
             const check = () => window.failures.length >= arguments[0]
               ? done([window.failures, Date.now() - abortedAt])
               : setTimeout(check, 10);
             check();",
            vec![json!(waiting)],
        )
        .await
        .unwrap();
    assert_eq!(
        rejected[0],
        json!(vec!["AbortError"; waiting as usize]),
        "{rejected}"
    );
    assert!(
        rejected[1].as_u64().is_some_and(|ms| ms < 1_000),
        "rejected {} ms after the abort",
        rejected[1]
    );
    browser
        .wait_until(
            "the queue empty",
            &in_shadow("return shadow('g').querySelectorAll('.queue-item').length === 0"),
        )
        .await;
    let minute_after = browser
        .js(
            &in_shadow("return text('g', '[data-limit=minute] .gauge-text')"),
            vec![],
        )
        .await;
    let server = basic(&browser).await;
    if server["requests_this_minute"] == answered {
        // Still the same minute: nothing more was taken from it.
        assert_eq!(minute_before, minute_after);
    }
    assert_eq!(server["credits_this_month"], answered, "{server}");
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

/// A page with a gauge `#g` on `attributes`, recording unhandled rejections.
fn page(attributes: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>a page that fetches</title>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
{attributes}
<script>
  window.unhandled = [];
  window.addEventListener('unhandledrejection', (e) => window.unhandled.push(String(e.reason)));
  // Credits used this month as the gauge `id` shows them.
  window.monthUsed = (id) => {{
    const t = document.getElementById(id).shadowRoot.querySelector('[data-limit=month] .gauge-text').textContent;
    return 10000 - Number(t.split(' / ')[0].replace(/,/g, ''));
  }};
  // Sends until the minute is full (a request would wait), with at least `margin` ms of the
  // minute left; resolves to the instant it opens again.
  window.fillMinute = async (g, margin) => {{
    for (;;) {{
      try {{
        await g.fetch('/v1/fiat/map', {{ params: {{ limit: 1 }}, maxWait: 0 }});
      }} catch (e) {{
        if (!e.retryAt) throw e;
        if (e.retryAt - Date.now() >= margin) return e.retryAt;
        await new Promise((r) => setTimeout(r, e.retryAt - Date.now() + 50));
      }}
    }}
  }};
</script>
</body></html>"#
    )
}

async fn open_page(emulator: &Emulator, browser: &Browser, name: &str) {
    browser
        .client
        .goto(&emulator.url(&format!("/{name}.html")))
        .await
        .unwrap();
    browser
        .wait_until(
            "the gauge",
            &in_shadow("return text('g', '[data-limit=month] .gauge-text').endsWith('left')"),
        )
        .await;
}

async fn no_unhandled_rejection_and_no_trap(browser: &Browser) {
    let unhandled = browser.js("return window.unhandled", vec![]).await;
    assert_eq!(unhandled, json!([]), "unhandled rejections");
    // A panic of the shipped module is a trap (no hook counts it).
    assert_eq!(browser.traps().await, Vec::<String>::new(), "traps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interactive_request_goes_before_a_background_one_and_a_request_aborted_on_the_way_is_counted(
) {
    let html = page(r#"<credit-gauge id="g" api="cmc" compact></credit-gauge>"#);
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with("page-priority", &[("priority.html", &html)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    open_page(&emulator, &browser, "priority").await;

    // The minute full: a background request, then an interactive one, wait for it to open.
    // Up to a minute's wait: started here, read when done (a script may not run that long).
    browser
        .js(
            "const g = document.getElementById('g');
             (async () => {
               const opens = await window.fillMinute(g, 5000);
               const order = [];
               const ask = (priority) => g.fetch('/v1/fiat/map', { params: { limit: 2 }, priority })
                 .then((r) => order.push([priority, r.ok, Date.now() >= opens]));
               const background = ask('background');
               await new Promise((r) => setTimeout(r, 300));
               const interactive = ask('interactive');
               await Promise.all([background, interactive]);
               return order;
             })().then((order) => { window.order = order; }, (e) => { window.order = 'failed: ' + e; });",
            vec![],
        )
        .await;
    let order = eventually(
        Duration::from_secs(90),
        Duration::from_millis(250),
        || async {
            let order = browser.js("return window.order", vec![]).await;
            if order.is_null() {
                Err("the two requests are not both answered".to_string())
            } else {
                Ok(order)
            }
        },
    )
    .await;
    assert_eq!(
        order,
        json!([["interactive", true, true], ["background", true, true]]),
        "the interactive request went first, once the minute opened"
    );

    // Aborted on the way: rejected at once, and booked as the server may have charged it.
    let before = browser.js("return window.monthUsed('g')", vec![]).await;
    let aborted = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const g = document.getElementById('g');
             (async () => {
               await fetch('/_emulator/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                 body: JSON.stringify({ fault: 'latency=4000', count: 1, path_prefix: '/cmc' }) });
               const controller = new AbortController();
               const pending = g.fetch('/v1/fiat/map', { params: { limit: 3 }, signal: controller.signal });
               await new Promise((r) => setTimeout(r, 600));
               const abortedAt = Date.now();
               controller.abort();
               try { await pending; return 'resolved'; }
               catch (e) { return [e.name, Date.now() - abortedAt]; }
             })().then(done, (e) => done('failed: ' + e));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(aborted[0], "AbortError", "{aborted}");
    assert!(
        aborted[1].as_u64().is_some_and(|ms| ms < 1_000),
        "rejected {aborted} ms after the abort"
    );
    browser
        .wait_until(
            "the withdrawn request booked",
            &format!("return window.monthUsed('g') === {} + 1", before),
        )
        .await;
    let last = browser
        .js(
            "const h = Object.keys(localStorage).find(k => k.endsWith(':history'));
             return JSON.parse(localStorage.getItem(h)).at(-1);",
            vec![],
        )
        .await;
    assert_eq!(last["outcome"], "Withdrawn after sending", "{last}");
    assert_eq!(last["from_page"], true, "{last}");
    // The widget never counts less than the server.
    let server = basic(&browser).await;
    let used = browser.js("return window.monthUsed('g')", vec![]).await;
    assert!(
        server["credits_this_month"].as_i64() <= used.as_i64(),
        "server {server}, widget {used}"
    );
    assert_eq!(server["refused_429"], 0, "{server}");
    no_unhandled_rejection_and_no_trap(&browser).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_answers_resolve_with_an_explanation_never_a_rejection() {
    // `plan` says Enterprise on the demo Basic key: the gauge sends what Basic cannot take, so
    // the server's own refusals come back.
    let html = page(
        r#"<credit-gauge id="g" api="cmc" plan="Enterprise" compact></credit-gauge>
<credit-gauge id="bad" api="cmc" key="not-a-key-the-server-knows" compact></credit-gauge>"#,
    );
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with("page-errors", &[("errors.html", &html)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    open_page(&emulator, &browser, "errors").await;

    // The script fills the minute then asks: early in a minute, both fall in it.
    common::early_in_minute(30).await;
    let replies = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const g = document.getElementById('g');
             const bad = document.getElementById('bad');
             const fault = (name) => fetch('/_emulator/faults', { method: 'POST',
               headers: { 'Content-Type': 'application/json' },
               body: JSON.stringify({ fault: name, count: 1, path_prefix: '/cmc' }) });
             const map = () => g.fetch('/v1/fiat/map', { params: { limit: 1 } });
             (async () => {
               const replies = {};
               replies.invalidKey = await bad.fetch('/v1/fiat/map');
               replies.notInPlan = await g.fetch('/v2/cryptocurrency/quotes/historical',
                 { params: { symbol: 'BTC', count: 1 } });
               await fault('status-500');
               replies.serverError = await map();
               await fault('html-502');
               replies.badGateway = await map();
               // Another client on the same key fills the minute behind the gauge's back.
               for (let i = 0; i < 40; i++) {
                 const r = await fetch('/cmc/v1/fiat/map?limit=1',
                   { headers: { 'X-CMC_PRO_API_KEY': 'demo-basic' } });
                 if (r.status === 429) break;
               }
               replies.minuteFull = await map();
               return replies;
             })().then(done, (e) => done('failed: ' + e));",
            vec![],
        )
        .await
        .unwrap();
    for (name, status, title) in [
        ("invalidKey", 401, "Invalid API key"),
        ("notInPlan", 403, ""),
        ("serverError", 500, "Server error"),
        ("badGateway", 502, "Bad gateway"),
        ("minuteFull", 429, ""),
    ] {
        let reply = &replies[name];
        assert_eq!(reply["ok"], false, "{name}: {reply}");
        assert_eq!(reply["status"], status, "{name}: {reply}");
        let explanation = &reply["explanation"];
        assert!(
            explanation["title"]
                .as_str()
                .is_some_and(|t| t.contains(title) && !t.is_empty()),
            "{name}: {reply}"
        );
        assert!(
            explanation["whatToDo"]
                .as_str()
                .is_some_and(|t| t.len() > 10),
            "{name}: {reply}"
        );
    }
    assert_eq!(replies["badGateway"]["data"], Value::Null);
    // The minute's refusal says when to try again.
    let retry_at = replies["minuteFull"]["explanation"]["retryAt"].as_f64();
    assert!(retry_at.is_some(), "{}", replies["minuteFull"]);
    no_unhandled_rejection_and_no_trap(&browser).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_fetching_on_one_key_never_exceed_the_minute() {
    let html = page(r#"<credit-gauge id="g" api="cmc" compact></credit-gauge>"#);
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with("page-tabs", &[("tabs.html", &html)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    let first = browser.client.window().await.unwrap();
    open_page(&emulator, &browser, "tabs").await;
    let second = browser.client.new_window(false).await.unwrap().handle;
    browser
        .client
        .switch_to_window(second.clone())
        .await
        .unwrap();
    open_page(&emulator, &browser, "tabs").await;

    // 25 requests in each tab, at once: 50 on a 30-a-minute key.
    const PER_TAB: u64 = 25;
    for tab in [&first, &second] {
        browser.client.switch_to_window(tab.clone()).await.unwrap();
        browser
            .js(
                "window.answered = 0;
                 const g = document.getElementById('g');
                 for (let i = 0; i < arguments[0]; i++) {
                   g.fetch('/v1/fiat/map', { params: { limit: 1 } }).then(() => window.answered++);
                 }",
                vec![json!(PER_TAB)],
            )
            .await;
    }
    // Settled: every request answered or waiting in its tab, and both tabs show the server's
    // count.
    let tabs = [first.clone(), second.clone()];
    let (answered, server) = eventually(PATIENCE, Duration::from_millis(300), || {
        let (browser, tabs) = (&browser, &tabs);
        async move {
            let mut answered = 0;
            let mut waiting = 0;
            let mut shown = Vec::new();
            for tab in tabs {
                browser.client.switch_to_window(tab.clone()).await.unwrap();
                answered += browser.js("return window.answered", vec![]).await.as_u64().unwrap_or(0);
                waiting += browser
                    .js(
                        &in_shadow("return shadow('g').querySelectorAll('.queue-item').length"),
                        vec![],
                    )
                    .await
                    .as_u64()
                    .unwrap_or(0);
                shown.push(browser.js("return window.monthUsed('g')", vec![]).await);
            }
            let server = basic(browser).await;
            let counted = server["credits_this_month"].as_u64().unwrap_or(0);
            if answered > 0
                && answered + waiting == 2 * PER_TAB
                && counted == answered
                && shown.iter().all(|s| s.as_u64() == Some(counted))
            {
                Ok((answered, server))
            } else {
                Err(format!(
                    "not settled: {answered} answered, {waiting} waiting, tabs show {shown:?}, server {server}"
                ))
            }
        }
    })
    .await;
    let this_minute = server["requests_this_minute"].as_u64().unwrap_or(0);
    assert!(
        answered <= 31 || this_minute < answered,
        "{answered} requests went within one minute of a 30-a-minute plan: {server}"
    );
    assert_eq!(server["refused_429"], 0, "a tab caused a 429: {server}");
    for tab in [&first, &second] {
        browser.client.switch_to_window(tab.clone()).await.unwrap();
        no_unhandled_rejection_and_no_trap(&browser).await;
    }
    browser.close().await;
}
