//! Storage that fails the widget: disabled, corrupt. The widget explains and keeps working.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{app_page_with_script, open_app};
use credit_gauge_emulator::Config;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_storage_the_widget_says_so_and_still_counts() {
    // Storage that throws, as private modes and blocked-storage settings do.
    let config = app_page_with_script(
        "nostorage",
        "Object.defineProperty(window, 'localStorage', { get() { \
         throw new DOMException('The operation is insecure.', 'SecurityError'); } });",
    );
    let (_emulator, browser) = open_app(config, "/nostorage.html").await;
    let notice = browser.wait_for_text(".notice", |t| !t.is_empty()).await;
    assert!(notice.contains("kept in memory"), "{notice}");
    browser.set("#endpoint", "/v1/fiat/map").await;
    browser.click("#send").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,999 / 10,000 left"
        })
        .await;
    // The gauge counts the request while it is in flight; compare once the answer is shown.
    browser
        .wait_for_text(".actual-cost", |t| t.starts_with("charged 1"))
        .await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(ledger["cmc"]["demo-basic"]["credits_this_month"], 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_stored_counts_are_reset_with_a_warning_and_the_page_works() {
    let (_emulator, browser) = open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    // Truncate every stored ledger, as a crash mid-write or a meddling extension might.
    browser
        .js(
            "for (const k of Object.keys(localStorage)) if (k.endsWith(':ledger')) localStorage.setItem(k, '{\"v\":1,\"accou');
             const any = Object.keys(localStorage).some(k => k.endsWith(':ledger'));
             if (!any) localStorage.setItem('credit-gauge:v1:cmc:' + arguments[0] + ':ledger', '{\"v\":1,\"accou');",
            vec![json!(credit_gauge::store::fingerprint("demo-basic"))],
        )
        .await;
    browser.client.refresh().await.unwrap();
    let warning = browser
        .wait_for_text(".notice", |t| t.starts_with("Stored counts were reset"))
        .await;
    assert!(warning.contains("unreadable"), "{warning}");
    browser.set("#endpoint", "/v1/fiat/map").await;
    browser.click("#send").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,999 / 10,000 left"
        })
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_jumping_an_hour_forward_and_back_neither_unlocks_nor_loses_counts() {
    // A clock the test can move: `window.__clockOffset` ms are added to every `Date.now()`.
    let config = app_page_with_script(
        "clock",
        "window.__clockOffset = 0; const realNow = Date.now.bind(Date); \
         Date.now = () => realNow() + window.__clockOffset;",
    );
    let (_emulator, browser) = open_app(config, "/clock.html").await;
    browser.set("#endpoint", "/v1/fiat/map").await;
    browser.click("#send").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,999 / 10,000 left"
        })
        .await;

    for (round, (offset, label)) in [
        (3_600_000, "an hour ahead"),
        (-3_600_000, "an hour behind"),
        (0, "back on time"),
    ]
    .into_iter()
    .enumerate()
    {
        // The first request made 1; each round adds one.
        let want = 2 + round as i64;
        browser
            .js("window.__clockOffset = arguments[0]", vec![json!(offset)])
            .await;
        browser.click("#send").await;
        let ledger_count = |ledger: &serde_json::Value| {
            ledger["cmc"]["demo-basic"]["credits_this_month"]
                .as_i64()
                .unwrap_or(-1)
        };
        let deadline = std::time::Instant::now() + common::PATIENCE;
        loop {
            let ledger = browser.fetch_json("/_emulator/ledger").await;
            let shown = browser.text("[data-limit=month] .gauge-text").await;
            let server = ledger_count(&ledger);
            let expected = format!("{} / 10,000 left", grouped(10_000 - server));
            if server == want && shown == expected {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{label}: the page shows {shown:?}, the server counted {server}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let title = browser.text(".explanation-title").await;
        assert!(title.is_empty(), "{label}: the request failed: {title}");
    }
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(ledger["cmc"]["demo-basic"]["credits_this_month"], 4);
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,996 / 10,000 left"
        })
        .await;
    browser.close().await;
}

/// `9996` → `9,996`, as the gauges print counts.
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_storage_keeps_counting_in_memory_and_saves_again_once_there_is_room() {
    let (_emulator, browser) = open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#endpoint", "/v1/fiat/map").await;
    // Another script of this origin fills storage to the last byte.
    let fillers = browser
        .js(
            "let n = 0;
             for (const size of [512 * 1024, 16 * 1024, 512, 16, 1]) {
               const chunk = 'x'.repeat(size);
               for (;;) {
                 try { localStorage.setItem('filler-' + n, chunk); n++; } catch (e) { break; }
               }
             }
             return n;",
            vec![],
        )
        .await;
    assert!(fillers.as_u64().unwrap_or(0) > 0, "{fillers}");

    browser.click("#send").await;
    let notice = browser.wait_for_text(".notice", |t| !t.is_empty()).await;
    assert!(
        notice.starts_with("This site's storage is full"),
        "{notice}"
    );
    browser
        .wait_for_text(".actual-cost", |t| t.starts_with("charged 1"))
        .await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,999 / 10,000 left"
        })
        .await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(ledger["cmc"]["demo-basic"]["credits_this_month"], 1);

    // Room again: the next count is written to storage and survives a reload.
    browser
        .js(
            "for (const k of Object.keys(localStorage)) if (k.startsWith('filler-')) localStorage.removeItem(k);",
            vec![],
        )
        .await;
    browser.click("#send").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,998 / 10,000 left"
        })
        .await;
    browser
        .wait_for_text(
            ".history-table tbody tr:nth-child(2) td:nth-child(5)",
            |_| true,
        )
        .await;
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,998 / 10,000 left"
        })
        .await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(ledger["cmc"]["demo-basic"]["credits_this_month"], 2);
    browser.close().await;
}
