//! The compact module: a host page with compact gauges downloads it instead of the whole
//! widget; a compact gauge beside a full widget (two modules on one page) shares its budget
//! live; the iframe's compact mode loads it too; `ready` and `mount` still give the whole
//! widget.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{dist_with, in_shadow, Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

const COMPACT_ONLY: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>compact gauges</title>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
<credit-gauge id="g" api="cmc" compact></credit-gauge>
<credit-gauge id="h" api="cw" compact="true"></credit-gauge>
</body></html>"#;

const SIDE_BY_SIDE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>a compact gauge beside the widget</title>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
<credit-gauge id="small" api="cmc" compact></credit-gauge>
<credit-gauge id="whole" api="cmc" endpoint="/v1/fiat/map" compact="false"></credit-gauge>
</body></html>"#;

const BUILT_BY_THE_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mount</title></head><body>
<div id="target"></div>
<script type="module">
  import { mount, ready } from "./credit-gauge-element.js";
  try { mount(document.getElementById("target"), { api: "cw" }); window.early = "mounted"; }
  catch (e) { window.early = String(e.message); }
  await ready;
  window.handle = mount(document.getElementById("target"), { api: "cw" });
</script>
</body></html>"#;

/// The widget files (`.wasm`, and the glue `.js` beside them) the page has downloaded.
async fn modules_downloaded(browser: &Browser) -> Value {
    browser
        .js(
            "return performance.getEntriesByType('resource')
               .map(r => new URL(r.name).pathname.slice(1))
               .filter(n => n.startsWith('credit-gauge') && n !== 'credit-gauge-element.js')
               .sort()",
            vec![],
        )
        .await
}

/// An emulator serving the app with `page` as `/<name>.html`, and a browser on that page.
async fn open(name: &str, page: &str) -> (Emulator, Browser) {
    let file = format!("{name}.html");
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with(name, &[(&file, page)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&emulator.url(&format!("/{file}")))
        .await
        .unwrap();
    (emulator, browser)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_with_compact_gauges_only_downloads_the_compact_module_and_its_fetch_works() {
    let (_emulator, browser) = open("compact", COMPACT_ONLY).await;
    browser
        .wait_until(
            "both compact gauges",
            &in_shadow(
                "return text('g', '[data-limit=month] .gauge-text') === '10,000 / 10,000 left'
                    && text('h', '[data-limit=allowance] .gauge-text').endsWith('left')",
            ),
        )
        .await;
    let shown = browser
        .js(
            &in_shadow("return [!!q('g', '.cg-panels'), !!q('g', '.gauges')]"),
            vec![],
        )
        .await;
    assert_eq!(
        shown,
        json!([false, true]),
        "gauges only: no places for panels"
    );

    // The page's own request goes through the compact module's pipeline.
    let reply = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             document.getElementById('g').fetch('/v1/fiat/map')
               .then(r => done({ ok: r.ok, charged: r.charged }), e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(reply["ok"], true, "{reply}");
    browser
        .wait_until(
            "the compact gauge counts the page's request",
            &in_shadow(
                "return text('g', '[data-limit=month] .gauge-text') === '9,999 / 10,000 left'",
            ),
        )
        .await;
    assert_eq!(
        modules_downloaded(&browser).await,
        json!(["credit-gauge-compact.js", "credit-gauge-compact_bg.wasm"]),
        "a page with compact gauges only downloads the compact module, and once"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compact_gauge_and_a_full_widget_on_one_page_share_the_budget_live() {
    let (_emulator, browser) = open("side", SIDE_BY_SIDE).await;
    for id in ["small", "whole"] {
        browser
            .wait_until(
                id,
                &in_shadow(&format!(
                    "return text('{id}', '[data-limit=month] .gauge-text') === '10,000 / 10,000 left'"
                )),
            )
            .await;
    }
    let forms = browser
        .js(
            &in_shadow("return [!!q('small', '.request'), !!q('whole', '#send')]"),
            vec![],
        )
        .await;
    assert_eq!(
        forms,
        json!([false, true]),
        "compact=\"false\" is the whole widget"
    );
    assert_eq!(
        modules_downloaded(&browser).await,
        json!([
            "credit-gauge-compact.js",
            "credit-gauge-compact_bg.wasm",
            "credit-gauge.js",
            "credit-gauge_bg.wasm"
        ]),
        "each module once"
    );

    // The whole widget's request (one module) moves the compact gauge (the other module) at
    // once, and the compact gauge's request moves the whole widget's.
    browser
        .js(&in_shadow("q('whole', '#send').click()"), vec![])
        .await;
    for id in ["small", "whole"] {
        browser
            .wait_until(
                &format!("{id} after the widget's request"),
                &in_shadow(&format!(
                    "return text('{id}', '[data-limit=month] .gauge-text') === '9,999 / 10,000 left'"
                )),
            )
            .await;
    }
    let reply = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             document.getElementById('small').fetch('/v1/fiat/map')
               .then(r => done({ ok: r.ok }), e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(reply["ok"], true, "{reply}");
    for id in ["small", "whole"] {
        browser
            .wait_until(
                &format!("{id} after the page's request"),
                &in_shadow(&format!(
                    "return text('{id}', '[data-limit=month] .gauge-text') === '9,998 / 10,000 left'"
                )),
            )
            .await;
    }
    let counted = browser.fetch_json("/_emulator/ledger").await["cmc"]["demo-basic"].clone();
    assert_eq!(counted["credits_this_month"], 2, "{counted}");

    // Dropping `compact` makes the small one a whole widget, from the module already there.
    browser
        .js(
            "document.getElementById('small').removeAttribute('compact')",
            vec![],
        )
        .await;
    browser
        .wait_until(
            "the small one's form",
            &in_shadow("return !!q('small', '#send')"),
        )
        .await;
    assert_eq!(
        modules_downloaded(&browser).await.as_array().unwrap().len(),
        4
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compact_frame_loads_the_compact_module_and_the_full_frame_the_whole_widget() {
    let emulator = Emulator::start(Config::default()).await;
    let browser = Browser::start().await;
    for (query, module, form) in [
        ("api=cmc&compact=true", "credit-gauge-compact", false),
        ("api=cmc&compact=true&compact=false", "credit-gauge", true),
        ("api=cmc", "credit-gauge", true),
    ] {
        browser
            .client
            .goto(&emulator.url(&format!("/embed.html?{query}")))
            .await
            .unwrap();
        browser
            .wait_until(
                query,
                "const g = document.querySelector('#credit-gauge-embed');
                 const r = g && g.shadowRoot;
                 const t = r && r.querySelector('[data-limit=month] .gauge-text');
                 return t && t.textContent.endsWith('left')",
            )
            .await;
        // A full widget's panels follow its gauges; a compact one has no place for them.
        let panels = "return !!document.querySelector('#credit-gauge-embed').shadowRoot
                        .querySelector(arguments[0])";
        if form {
            browser
                .wait_until(
                    "the full frame's form",
                    &panels.replace("arguments[0]", "'#send'"),
                )
                .await;
        } else {
            let placed = browser.js(panels, vec![json!(".cg-panels")]).await;
            assert_eq!(placed, json!(false), "{query}: gauges only");
        }
        let downloaded = modules_downloaded(&browser).await;
        assert_eq!(
            downloaded,
            json!([format!("{module}.js"), format!("{module}_bg.wasm")]),
            "{query}"
        );
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mount_asks_for_ready_first_and_then_mounts_the_whole_widget() {
    let (_emulator, browser) = open("built", BUILT_BY_THE_PAGE).await;
    browser
        .wait_until(
            "the page's widget",
            "const r = document.getElementById('target').shadowRoot;
             return r && !!r.querySelector('#send')",
        )
        .await;
    let early = browser.js("return window.early", vec![]).await;
    assert_eq!(early, "credit-gauge: await ready before calling mount");
    assert_eq!(
        modules_downloaded(&browser).await,
        json!(["credit-gauge.js", "credit-gauge_bg.wasm"])
    );
    browser.close().await;
}

const PLAIN: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>an element made by the page</title>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
<script>
  window.errors = [];
  document.addEventListener("credit-gauge:error", (e) => window.errors.push(e.detail));
</script>
</body></html>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_waits_for_the_latest_render_and_a_module_that_fails_to_load_is_reported_and_tried_again(
) {
    let dist = dist_with("unloadable", &[("plain.html", PLAIN)]);
    let compact_wasm = dist.join("credit-gauge-compact_bg.wasm");
    let saved = std::fs::read(&compact_wasm).unwrap();
    let emulator = Emulator::start(Config {
        static_dir: Some(dist.clone()),
        ..Config::default()
    })
    .await;
    let browser = Browser::visit(&emulator.url("/plain.html")).await;
    // A fetch asked of a compact element that becomes a whole widget while its module loads is
    // answered by the whole widget, not refused as if the element were off the page.
    let reply = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             customElements.whenDefined('credit-gauge').then(() => {
               const g = document.createElement('credit-gauge');
               g.id = 'g'; g.setAttribute('api', 'cmc'); g.setAttribute('compact', '');
               document.body.append(g);
               const reply = g.fetch('/v1/fiat/map');
               setTimeout(() => g.setAttribute('compact', 'false'), 0);
               reply.then(r => done({ ok: r.ok }), e => done({ error: String(e) }));
             });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(reply, json!({ "ok": true }));
    browser
        .wait_until("the whole widget", &in_shadow("return !!q('g', '#send')"))
        .await;

    browser.close().await;

    // The compact module's wasm is missing (a fresh browser: nothing cached): the page hears
    // why, and nothing is mounted.
    std::fs::remove_file(&compact_wasm).unwrap();
    let browser = Browser::visit(&emulator.url("/plain.html")).await;
    browser
        .js(
            "const h = document.createElement('credit-gauge');
             h.id = 'h'; h.setAttribute('api', 'cw'); h.setAttribute('compact', '');
             document.body.append(h);",
            vec![],
        )
        .await;
    let error = browser
        .wait_until("the error event", "return window.errors[0] || null")
        .await;
    assert_eq!(error["api"], "cw", "{error}");
    assert_eq!(error["status"], Value::Null, "{error}");
    assert_eq!(error["title"], "The widget's code did not load", "{error}");
    let failed = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             document.getElementById('h').fetch('/markets/kraken/btcusd/price')
               .then(() => done('answered'), (e) => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(failed, "answered");
    assert_eq!(
        browser
            .js(&in_shadow("return !!q('h', '.gauges')"), vec![])
            .await,
        false
    );

    // Served again, the next render loads it.
    std::fs::write(&compact_wasm, saved).unwrap();
    browser
        .js(
            "document.getElementById('h').setAttribute('theme', 'dark')",
            vec![],
        )
        .await;
    browser
        .wait_until(
            "the compact gauge after the retry",
            &in_shadow("return text('h', '[data-limit=allowance] .gauge-text').endsWith('left')"),
        )
        .await;
    browser.close().await;
}
