//! Hostile pages: a frame's query string that names another server, a host page that points
//! the widget elsewhere, third-party frames that post messages, and one tab that goes from
//! the app to the iframe page.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{dist_with, eventually, Browser, Emulator, PATIENCE};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

const PRICE: &str =
    "endpoint=/markets/:exchange/:pair/price&params=exchange%3Dkraken%26pair%3Dbtcusd";

/// How a remembered key is stored: bound to an origin, or plain as before binding.
#[derive(Clone, Copy, Debug)]
enum Remembered {
    BoundToWidgetOrigin,
    Plain,
}

/// Remembers the keyed Cryptowatch demo key on the widget's origin, as the app does when
/// "remember" is ticked with the emulator preset (`BoundToWidgetOrigin`), or as it did before
/// keys were bound to origins (`Plain`).
async fn remember_cw_key(browser: &Browser, widget: &Emulator, form: Remembered) {
    browser
        .client
        .goto(&widget.url("/_emulator/ledger"))
        .await
        .unwrap();
    let value = match form {
        Remembered::BoundToWidgetOrigin => {
            "JSON.stringify({ key: 'demo-cw', origin: location.origin })"
        }
        Remembered::Plain => "'demo-cw'",
    };
    browser
        .js(
            &format!("localStorage.setItem('credit-gauge:v1:key:cw', {value});"),
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
    let script = format!("const root = shadow('{id}'); if (!root) return null; {script}");
    browser.wait_until(what, &common::in_shadow(&script)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_iframe_page_sends_nothing_to_a_base_url_its_query_string_names_elsewhere() {
    let widget = Emulator::start(Config::default()).await;
    let attacker = Emulator::start(Config::default()).await;
    let browser = Browser::start().await;
    remember_cw_key(&browser, &widget, Remembered::BoundToWidgetOrigin).await;
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
    browser.screenshot("embed-refused-base-url").await;
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
    for form in [Remembered::BoundToWidgetOrigin, Remembered::Plain] {
        remember_cw_key(&browser, &widget, form).await;
        let before = cw_callers(&browser, &elsewhere).await;
        browser
            .client
            .goto(&widget.url("/elsewhere.html"))
            .await
            .unwrap();
        // The element's requests reach the other server, anonymously: the key stayed home.
        let callers = eventually(PATIENCE, Duration::from_millis(100), || async {
            let callers = cw_callers(&browser, &elsewhere).await;
            if callers != before {
                Ok(callers)
            } else {
                Err(format!("{form:?}: no request reached the other server"))
            }
        })
        .await;
        let names: Vec<&String> = callers.as_object().unwrap().keys().collect();
        assert!(
            names.iter().all(|n| n.starts_with("anonymous:")),
            "{form:?}: the remembered key went to a server it was not remembered for: {names:?}"
        );
    }
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
    let (_host_server, host_url) = common::host_page("msg-host", &host).await;
    let browser = Browser::start().await;
    browser.client.goto(&host_url).await.unwrap();
    // The widget's own frame is resized as before.
    browser
        .wait_until(
            "the widget's frame was not resized",
            "return parseInt(document.getElementById('widget').style.height || '0') > 50",
        )
        .await;
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
    eventually(PATIENCE, Duration::from_millis(100), || async {
        let ledger = browser.fetch_json("/_emulator/ledger").await;
        if ledger["cmc"]["demo-basic"]["credits_this_month"]
            .as_i64()
            .is_some_and(|c| c >= 1)
        {
            Ok(())
        } else {
            Err(format!("the embed sent nothing: {ledger}"))
        }
    })
    .await;
    browser.close().await;
}

/// A server that answers every request with a 200 and `body`, readable from any origin.
async fn answer_server(body: Vec<u8>) -> std::net::SocketAddr {
    use tokio::io::AsyncWriteExt;
    let body = std::sync::Arc::new(body);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                if common::read_request_head(&mut stream).await.is_none() {
                    return;
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Access-Control-Allow-Origin: *\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                if stream.write_all(answer.as_bytes()).await.is_ok() {
                    // An error here is the widget hanging up, which some tests want.
                    let _ = stream.write_all(&body).await;
                }
            });
        }
    });
    addr
}

/// Opens the app, points it at Cryptowatch on `server`, sends a price request and returns the
/// explanation's title ("" when the answer needs none).
async fn send_price_to(server: std::net::SocketAddr) -> (Emulator, Browser, String) {
    let (emulator, browser) = common::open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#api", "cw").await;
    browser
        .set("#base-url", &format!("http://{server}/cryptowatch"))
        .await;
    browser
        .set("#endpoint", "/markets/:exchange/:pair/price")
        .await;
    browser.set("#param-exchange", "kraken").await;
    browser.set("#param-pair", "btcusd").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".actual-cost", |t| t.starts_with("charged"))
        .await;
    let title = browser.text(".explanation-title").await;
    (emulator, browser, title)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_larger_than_the_widget_reads_is_cut_off_and_explained() {
    let mut body = br#"{"result":""#.to_vec();
    body.resize(64 * 1024 * 1024, b'a');
    let (_emulator, browser, title) = send_price_to(answer_server(body).await).await;
    assert_eq!(title, "Answer too large");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeply_nested_answer_is_shown_in_part_without_a_crash() {
    // 120 levels around 8 million numbers: 16 MB of text, gigabytes once pretty-printed.
    let depth = 120;
    let mut body = format!("{{\"result\":{}", "[".repeat(depth)).into_bytes();
    body.extend(std::iter::repeat_n(*b"0,", 8_000_000).flatten());
    body.push(b'0');
    body.extend(std::iter::repeat_n(b']', depth));
    body.push(b'}');
    let (_emulator, browser, _title) = send_price_to(answer_server(body).await).await;
    let shown = browser
        .js(
            "const p = document.querySelector('.json pre'); return p ? p.textContent.length : -1",
            vec![],
        )
        .await;
    assert!(
        shown.as_i64().is_some_and(|n| n > 0 && n <= 20_000),
        "the JSON view shows {shown} characters"
    );
    // `close` fails the test if the widget panicked.
    browser.close().await;
}
