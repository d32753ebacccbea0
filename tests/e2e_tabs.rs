//! Many windows on one budget: eight pages of the app each send 100 requests against one
//! Cryptowatch allowance at once. The widget must spend the allowance exactly (no request
//! lost, none counted twice), cause no 429 (the emulator counts every one it answers), and end
//! with the same count as the server in every window.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::{Duration, Instant};

use common::{Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

const WINDOWS: usize = 8;
const PER_WINDOW: usize = 100;

/// Opens the app in the current window, on Cryptowatch's price endpoint.
async fn open_price_form(browser: &Browser, emulator: &Emulator) {
    browser.client.goto(&emulator.url("/")).await.unwrap();
    browser
        .wait_for_text(".gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#api", "cw").await;
    browser
        .wait_for_text("[data-limit=allowance] .gauge-text", |t| {
            t.ends_with("left")
        })
        .await;
    browser
        .set("#endpoint", "/markets/:exchange/:pair/price")
        .await;
    browser.set("#param-exchange", "kraken").await;
    browser.set("#param-pair", "btcusd").await;
    browser
        .wait_for_text("#preview", |t| t.starts_with("0.005"))
        .await;
}

fn anonymous(ledger: &Value) -> Value {
    ledger["cryptowatch"]
        .as_object()
        .and_then(|m| m.values().next().cloned())
        .unwrap_or(Value::Null)
}

/// The requests of this window that wait for the allowance, and those still on their way.
async fn queue(browser: &Browser) -> (u64, u64) {
    let counts = browser
        .js(
            "const items = [...document.querySelectorAll('.queue-item')];
             const waiting = items.filter(i => (i.querySelector('.countdown') || {}).textContent
               ?.startsWith('sends itself in')).length;
             return [waiting, items.length - waiting];",
            vec![],
        )
        .await;
    (
        counts[0].as_u64().unwrap_or(0),
        counts[1].as_u64().unwrap_or(0),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_windows_spend_one_allowance_exactly_without_a_429() {
    // 2.005 credits: a first call teaches every window the server's figure (until a server
    // says otherwise the widget assumes the documented 10), then exactly 400 calls of 0.005
    // fit, and 800 are asked for.
    let emulator = Emulator::start(Config {
        cw_anonymous_allowance_milli: 2_005,
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    let mut windows = vec![browser.client.window().await.expect("this window")];
    open_price_form(&browser, &emulator).await;
    browser.click("#send").await;
    browser
        .wait_for_text("[data-limit=allowance] .gauge-text", |t| {
            t.starts_with("2 /")
        })
        .await;
    for _ in 1..WINDOWS {
        let handle = browser
            .client
            .new_window(false)
            .await
            .expect("a new window")
            .handle;
        browser
            .client
            .switch_to_window(handle.clone())
            .await
            .unwrap();
        open_price_form(&browser, &emulator).await;
        browser
            .wait_for_text("[data-limit=allowance] .gauge-text", |t| {
                t.starts_with("2 /")
            })
            .await;
        windows.push(handle);
    }

    // Every window clicks Send 100 times, one window right after the other.
    for handle in &windows {
        browser
            .client
            .switch_to_window(handle.clone())
            .await
            .unwrap();
        browser
            .js(
                "for (let i = 0; i < arguments[0]; i++) document.querySelector('#send').click();",
                vec![json!(PER_WINDOW)],
            )
            .await;
    }

    // Settled: the server has nothing left, and every request not sent waits in its window.
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut waiting_total;
    loop {
        waiting_total = 0;
        let mut in_flight = 0;
        for handle in &windows {
            browser
                .client
                .switch_to_window(handle.clone())
                .await
                .unwrap();
            let (waiting, other) = queue(&browser).await;
            waiting_total += waiting;
            in_flight += other;
        }
        let bucket = anonymous(&browser.fetch_json("/_emulator/ledger").await);
        if in_flight == 0 && bucket["remaining_milli"] == json!(0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not settled: {waiting_total} waiting, {in_flight} deciding or sending, server {bucket}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let bucket = anonymous(&browser.fetch_json("/_emulator/ledger").await);
    assert_eq!(
        bucket["refused_429"], 0,
        "the widget caused a 429: {bucket}"
    );
    assert_eq!(bucket["spent"], json!(2.005), "{bucket}");
    // 1 + 400 were sent and charged once each; the other 400 wait for the next window.
    assert_eq!(
        waiting_total,
        (WINDOWS * PER_WINDOW - 400) as u64,
        "requests were lost or sent twice"
    );
    for handle in &windows {
        browser
            .client
            .switch_to_window(handle.clone())
            .await
            .unwrap();
        browser
            .wait_for_text("[data-limit=allowance] .gauge-text", |t| {
                t.starts_with("0 /")
            })
            .await;
    }
    browser
        .screenshot("eight-windows-allowance-spent-light")
        .await;
    browser.close().await;
}
