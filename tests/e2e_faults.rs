//! The fault matrix, end to end: every failure the emulator can inject (and a CORS refusal, a
//! dead host) gets the right explanation, and the widget's counts never fall below the
//! server's; a sync makes them equal.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{open_app, Browser, Emulator};
use credit_gauge_emulator::{Config, Cors};
use serde_json::json;

/// Posts a one-shot fault to the emulator's server-wide switch, from the page.
async fn inject(browser: &Browser, fault: &str, count: u32) {
    let answer = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/_emulator/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' },
               body: JSON.stringify({ fault: arguments[0], count: arguments[1], path_prefix: '/cmc/v1/fiat' }) })
               .then(r => done(r.status), e => done(String(e)));",
            vec![json!(fault), json!(count)],
        )
        .await
        .expect("post a fault");
    assert!(
        answer.as_i64().is_some_and(|s| (200..300).contains(&s)),
        "the fault switch refused {fault}: {answer}"
    );
}

/// Sends the form's request and returns the explanation's title and the raw line once the
/// answer for this attempt (the history grows by one) is shown.
async fn send_and_read(browser: &Browser, attempt: usize) -> (String, String) {
    browser.click("#send").await;
    browser
        .wait_for_text(
            ".history-table tbody tr:first-child td:nth-child(5)",
            |_| true,
        )
        .await;
    browser
        .wait_until(
            &format!("attempt {attempt} never finished"),
            &format!(
                "return document.querySelectorAll('.history-table tbody tr').length === {attempt}"
            ),
        )
        .await;
    (
        browser.text(".explanation-title").await,
        browser.text(".raw").await,
    )
}

fn month_used(gauge: &str) -> i64 {
    let left: i64 = gauge
        .split(" / ")
        .next()
        .unwrap_or_default()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a gauge: {gauge}"));
    10_000 - left
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_explained_and_no_count_is_lost() {
    let emulator = Emulator::start(Config::default()).await;
    // A second server without CORS headers: what the real CoinMarketCap does to browsers.
    let refusing = Emulator::start(Config {
        cors: Cors::Off,
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    browser.client.goto(&emulator.url("/")).await.unwrap();
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#endpoint", "/v1/fiat/map").await;

    let mut attempt = 0;
    // A dropped connection is retried once by the browser itself, so that fault stays on for
    // a few requests; the switch is cleared after each case.
    for (fault, count, title, raw) in [
        ("status-500", 1, "Server error", "HTTP 500"),
        ("html-502", 1, "Bad gateway", "HTTP 502"),
        ("malformed-json", 1, "Unreadable answer", "HTTP 200"),
        ("truncated", 1, "Unreadable answer", "HTTP 200"),
        ("drop", 5, "No connection", ""),
        ("missing-fields", 1, "Unexpected answer", "HTTP 200"),
    ] {
        inject(&browser, fault, count).await;
        attempt += 1;
        let (seen_title, seen_raw) = send_and_read(&browser, attempt).await;
        assert_eq!(seen_title, title, "{fault}: raw {seen_raw}");
        assert!(seen_raw.contains(raw), "{fault}: raw {seen_raw}");
        let what = browser.text(".explanation-todo").await;
        assert!(what.len() > 20, "{fault}: no advice: {what}");
        browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch('/_emulator/faults', { method: 'DELETE' }).then(() => done(), () => done());",
                vec![],
            )
            .await
            .expect("clear the faults");
    }

    // Fields of the wrong types: the answer is used, but its charge is not trusted — the
    // widget books its own estimate and says so.
    inject(&browser, "wrong-types", 1).await;
    attempt += 1;
    let (title, raw) = send_and_read(&browser, attempt).await;
    assert_eq!(title, "", "{raw}");
    let cost = browser.text(".actual-cost").await;
    assert_eq!(cost, "charged 1 (our estimate: the server gave no figure)");

    // A server that sends no CORS headers, then a host that is not there at all.
    browser.set("#base-url", &refusing.url("/cmc")).await;
    attempt += 1;
    let (title, _) = send_and_read(&browser, attempt).await;
    assert_eq!(
        title,
        "CoinMarketCap refuses calls from a browser: use a gateway"
    );
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    browser
        .set("#base-url", &format!("http://127.0.0.1:{free_port}/cmc"))
        .await;
    attempt += 1;
    let (title, _) = send_and_read(&browser, attempt).await;
    assert_eq!(title, "No connection");
    browser.screenshot("fault-no-connection-light").await;

    // Back to the emulator: the widget never believes it spent less than the server counted.
    browser.set("#preset", "emulator").await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    let server = ledger["cmc"]["demo-basic"]["credits_this_month"]
        .as_i64()
        .unwrap_or(0);
    let belief = month_used(&browser.text("[data-limit=month] .gauge-text").await);
    assert!(
        belief >= server,
        "the widget lost count: believes {belief}, server {server}"
    );

    // A sync makes them equal.
    browser.click("#sync").await;
    browser
        .wait_for_text(".sync-note", |t| t.starts_with("Synced"))
        .await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    let server = ledger["cmc"]["demo-basic"]["credits_this_month"]
        .as_i64()
        .unwrap_or(0);
    let gauge = browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            month_used(t) == server
        })
        .await;
    assert_eq!(month_used(&gauge), server);

    // A 429 without an error code is explained too, and the widget backs off.
    inject(&browser, "429-no-code", 1).await;
    attempt += 2; // the sync is in the history too
    let (title, raw) = send_and_read(&browser, attempt).await;
    assert!(raw.contains("HTTP 429"), "{raw}");
    assert!(!title.is_empty());
    // `close` fails the test if any page reported a panic.
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_and_script_from_the_server_are_shown_as_text() {
    let (_emulator, browser) = open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#endpoint", "/v1/fiat/map").await;

    inject(&browser, "html-in-message", 1).await;
    send_and_read(&browser, 1).await;
    let raw = browser.text(".raw").await;
    assert!(raw.contains("<img src=x onerror="), "{raw}");
    inject(&browser, "html-in-data", 1).await;
    send_and_read(&browser, 2).await;
    browser
        .wait_for_text("table.data tbody td:nth-child(2)", |t| {
            t.contains("<script>")
        })
        .await;
    let parsed = browser
        .js(
            "const r = document.querySelector('#result');
             return [r.querySelectorAll('img, script, b').length, window.__injected === undefined];",
            vec![],
        )
        .await;
    assert_eq!(parsed, json!([0, true]), "server markup was parsed as HTML");
    browser.close().await;
}

const TIMEOUT_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>timeout</title>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body>
<credit-gauge id="w" api="cmc" endpoint="/v1/fiat/map" timeout="2"></credit-gauge>
</body></html>"#;

/// The text of `css` inside the `<credit-gauge id="w">` on the page, or "".
async fn shadow_text(browser: &Browser, css: &str) -> String {
    browser
        .js(
            "const r = document.getElementById('w').shadowRoot;
             const e = r && r.querySelector(arguments[0]);
             return e ? e.textContent : '';",
            vec![json!(css)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn wait_in_shadow(browser: &Browser, css: &str, want: impl Fn(&str) -> bool) -> String {
    let want = &want;
    common::eventually(
        common::PATIENCE,
        std::time::Duration::from_millis(100),
        || async move {
            let text = shadow_text(browser, css).await;
            if want(&text) {
                Ok(text)
            } else {
                Err(format!(
                    "`{css}` never showed the expected text; last seen: {text:?}"
                ))
            }
        },
    )
    .await
}

async fn click_in_shadow(browser: &Browser, css: &str) {
    let clicked = browser
        .js(
            "const e = document.getElementById('w').shadowRoot.querySelector(arguments[0]);
             if (!e) return false; e.click(); return true;",
            vec![json!(css)],
        )
        .await;
    assert_eq!(clicked, json!(true), "no `{css}` to click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_slower_than_the_timeout_is_given_up_explained_and_still_counted() {
    let config = Config {
        static_dir: Some(common::dist_with(
            "timeout",
            &[("timeout.html", TIMEOUT_PAGE)],
        )),
        ..Config::default()
    };
    let (_emulator, browser) = open_app(config, "/timeout.html").await;
    wait_in_shadow(&browser, "[data-limit=month] .gauge-text", |t| {
        t.ends_with("left")
    })
    .await;
    // The server takes 6 s; the page gave the widget 2.
    inject(&browser, "latency=6000", 1).await;
    click_in_shadow(&browser, "#send").await;
    let title = wait_in_shadow(&browser, ".explanation-title", |t| !t.is_empty()).await;
    assert_eq!(title, "No answer in time");
    let todo = shadow_text(&browser, ".explanation-todo").await;
    assert!(todo.len() > 10, "{todo}");
    // The server may still have charged it: the widget counts it.
    wait_in_shadow(&browser, "[data-limit=month] .gauge-text", |t| {
        t == "9,999 / 10,000 left"
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    let server = ledger["cmc"]["demo-basic"]["credits_this_month"]
        .as_i64()
        .unwrap_or(0);
    assert!(server <= 1, "{ledger}");

    // A sync makes the widget agree with the server.
    click_in_shadow(&browser, "#sync").await;
    wait_in_shadow(&browser, ".sync-note", |t| t.starts_with("Synced")).await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    let server = ledger["cmc"]["demo-basic"]["credits_this_month"]
        .as_i64()
        .unwrap_or(0);
    let gauge = wait_in_shadow(&browser, "[data-limit=month] .gauge-text", |t| {
        month_used(t) == server
    })
    .await;
    assert_eq!(month_used(&gauge), server);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_counted_more_than_the_widget_wins_at_the_next_sync() {
    let (emulator, browser) = open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "10,000 / 10,000 left"
        })
        .await;
    // Another program with the same key spends 5 credits and 5 of this minute's requests.
    for _ in 0..5 {
        let status = emulator
            .get_status("/cmc/v1/fiat/map", &[("X-CMC_PRO_API_KEY", "demo-basic")])
            .await;
        assert_eq!(status, 200);
    }
    browser.click("#sync").await;
    let note = browser
        .wait_for_text(".sync-note", |t| t.starts_with("Synced"))
        .await;
    assert!(note.contains("+5 credits"), "{note}");
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,995 / 10,000 left"
        })
        .await;
    // The sync is the sixth request of the minute (when the minute has not turned since).
    let minute = browser.text("[data-limit=minute] .gauge-text").await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    let made = ledger["cmc"]["demo-basic"]["requests_this_minute"]
        .as_i64()
        .unwrap_or(0);
    if made == 6 {
        assert_eq!(minute, "24 / 30 left");
    }
    browser.close().await;
}
