//! Hostile pages: a frame's query string that names another server, a host page that points
//! the widget elsewhere, third-party frames that post messages, and one tab that goes from
//! the app to the iframe page.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::{Duration, Instant};

use common::{dist_with, Browser, Emulator, PATIENCE};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

const PRICE: &str =
    "endpoint=/markets/:exchange/:pair/price&params=exchange%3Dkraken%26pair%3Dbtcusd";

/// Remembers the keyed Cryptowatch demo key on the widget's origin, bound to that origin,
/// as the app does when "remember" is ticked with the emulator preset.
async fn remember_cw_key(browser: &Browser, widget: &Emulator) {
    browser
        .client
        .goto(&widget.url("/_emulator/ledger"))
        .await
        .unwrap();
    browser
        .js(
            "localStorage.setItem('credit-gauge:v1:key:cw', JSON.stringify({ key: 'demo-cw', origin: location.origin }));",
            vec![],
        )
        .await;
}

/// What the emulator at `server` counted for Cryptowatch callers.
async fn cw_callers(browser: &Browser, server: &Emulator) -> Value {
    browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.json()).then(l => done(l.cryptowatch), e => done(String(e)));",
            vec![json!(server.url("/_emulator/ledger"))],
        )
        .await
        .expect("read a ledger")
}

/// Runs `script` (which may use `root`, the shadow root of `#id`) until it gives a truthy value.
async fn wait_in_shadow(browser: &Browser, id: &str, what: &str, script: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let last = browser
            .js(
                &format!(
                    "const host = document.getElementById('{id}');
                     const root = host ? host.shadowRoot : null;
                     if (!root) return null;
                     {script}"
                ),
                vec![],
            )
            .await;
        if last != Value::Null && last != json!(false) && last != json!("") {
            return last;
        }
        assert!(Instant::now() < deadline, "{what}: never true; last {last}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_iframe_page_sends_nothing_to_a_base_url_its_query_string_names_elsewhere() {
    let widget = Emulator::start(Config::default()).await;
    let attacker = Emulator::start(Config::default()).await;
    let browser = Browser::start().await;
    remember_cw_key(&browser, &widget).await;
    let base = attacker.url("/cryptowatch");
    browser
        .client
        .goto(&widget.url(&format!(
            "/embed.html?api=cw&refresh=1&{PRICE}&base-url={base}&scriptOrigin={}",
            attacker.url("")
        )))
        .await
        .unwrap();
    let refusal = wait_in_shadow(
        &browser,
        "credit-gauge-embed",
        "the refusal",
        "const n = root.querySelector('.refused'); return n ? n.textContent : null;",
    )
    .await;
    let refusal = refusal.as_str().unwrap_or_default().to_string();
    assert!(refusal.contains(&base), "{refusal}");
    assert!(refusal.contains("nothing was sent"), "{refusal}");
    // Refreshing every second, it would have sent two requests by now.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        cw_callers(&browser, &attacker).await,
        json!({}),
        "the frame sent requests to the server its query string named"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_key_goes_only_to_the_origin_it_was_remembered_for() {
    let elsewhere = Emulator::start(Config::default()).await;
    // A page on the widget's own origin points an element at another server.
    let page = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>elsewhere</title>
<script type="module" src="./credit-gauge-element.js"></script></head><body>
<credit-gauge id="w" api="cw" compact base-url="{}" {} refresh="1"></credit-gauge>
</body></html>"#,
        elsewhere.url("/cryptowatch"),
        "endpoint=\"/markets/:exchange/:pair/price\" params=\"exchange=kraken&pair=btcusd\""
    );
    let widget = Emulator::start(Config {
        static_dir: Some(dist_with("elsewhere", &[("elsewhere.html", &page)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    remember_cw_key(&browser, &widget).await;
    browser
        .client
        .goto(&widget.url("/elsewhere.html"))
        .await
        .unwrap();
    // The element's requests reach the other server, anonymously: the key stayed home.
    let deadline = Instant::now() + PATIENCE;
    let callers = loop {
        let callers = cw_callers(&browser, &elsewhere).await;
        if callers.as_object().is_some_and(|c| !c.is_empty()) {
            break callers;
        }
        assert!(
            Instant::now() < deadline,
            "no request reached the other server"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let names: Vec<&String> = callers.as_object().unwrap().keys().collect();
    assert!(
        names.iter().all(|n| n.starts_with("anonymous:")),
        "the remembered key went to a server it was not remembered for: {names:?}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_script_acts_only_on_the_widgets_own_frames() {
    let widget = Emulator::start(Config::default()).await;
    let third = Emulator::start(Config {
        static_dir: Some(dist_with(
            "third",
            &[(
                "third.html",
                "<!DOCTYPE html><html><body><script>
                   parent.postMessage({ type: 'credit-gauge:size', height: 5000 }, '*');
                   parent.postMessage({ type: 'credit-gauge:error', detail: { title: 'forged' } }, '*');
                   parent.postMessage({ type: 'credit-gauge:cost', detail: { charged: 1e9 } }, '*');
                 </script></body></html>",
            )],
        )),
        ..Config::default()
    })
    .await;
    let wport = widget.addr.port();
    let host = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>host</title></head><body>
<iframe id="widget" src="http://127.0.0.1:{wport}/embed.html?api=cmc&compact=true" style="width:100%;border:0"></iframe>
<iframe id="third" src="{}" style="width:100%;height:40px;border:0"></iframe>
<script src="http://127.0.0.1:{wport}/credit-gauge-host.js"></script>
<script>
  window.seen = [];
  for (const n of ["cost", "warning", "error"])
    document.addEventListener("credit-gauge:" + n, (e) => window.seen.push({{ target: e.target.id, detail: e.detail }}));
  // The third frame posts before and after the host script is listening.
  setTimeout(() => document.getElementById("third").contentWindow.location.reload(), 300);
</script>
</body></html>"#,
        third.url("/third.html")
    );
    let host_server = Emulator::start(Config {
        static_dir: Some(dist_with("msg-host", &[("msg-host.html", &host)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "http://localhost:{}/msg-host.html",
            host_server.addr.port()
        ))
        .await
        .unwrap();
    // The widget's own frame is resized as before.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let h = browser
            .js(
                "return parseInt(document.getElementById('widget').style.height || '0')",
                vec![],
            )
            .await;
        if h.as_i64().unwrap_or(0) > 50 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the widget's frame was not resized: {h}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give the third frame's reload time to post again.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let third_height = browser
        .js(
            "return document.getElementById('third').style.height",
            vec![],
        )
        .await;
    assert_eq!(
        third_height,
        json!("40px"),
        "a third-party frame resized itself"
    );
    let seen = browser.js("return window.seen", vec![]).await;
    assert_eq!(seen, json!([]), "a third-party frame forged widget events");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_iframe_page_opened_in_the_tab_that_showed_the_app_works() {
    let widget = Emulator::start(Config::default()).await;
    let browser = Browser::start().await;
    browser.client.goto(&widget.url("/")).await.unwrap();
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser
        .client
        .goto(&widget.url("/embed.html?api=cmc&endpoint=/v1/fiat/map&refresh=1"))
        .await
        .unwrap();
    wait_in_shadow(
        &browser,
        "credit-gauge-embed",
        "the embed's gauges",
        "const g = root.querySelector('[data-limit=month] .gauge-text');
         return g && g.textContent.endsWith('left');",
    )
    .await;
    // And it sends: the refresh reaches the server.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ledger = browser.fetch_json("/_emulator/ledger").await;
        if ledger["cmc"]["demo-basic"]["credits_this_month"]
            .as_i64()
            .is_some_and(|c| c >= 1)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the embed sent nothing: {ledger}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await;
}
