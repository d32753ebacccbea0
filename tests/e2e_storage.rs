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

/// Writes `text` as the stored counts of the app's default key, from the app's page.
async fn store_counts(browser: &common::Browser, text: &str) -> String {
    let key = format!(
        "credit-gauge:v1:cmc:{}:ledger",
        credit_gauge::store::fingerprint("demo-basic")
    );
    browser
        .js(
            "localStorage.setItem(arguments[0], arguments[1]);",
            vec![json!(key), json!(text)],
        )
        .await;
    key
}

/// Sends the form's request and checks that it was refused as unreadable counts, that the
/// stored `text` under `key` is as it was, and that the server saw nothing.
async fn send_is_refused_and_nothing_is_written(browser: &common::Browser, key: &str, text: &str) {
    browser.click("#send").await;
    browser
        .wait_for_text(".explanation", |t| t.contains("Stored counts unreadable"))
        .await;
    let stored = browser
        .js(
            "return localStorage.getItem(arguments[0])",
            vec![json!(key)],
        )
        .await;
    assert_eq!(stored, json!(text), "the stored counts were written over");
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert!(
        ledger["cmc"]["demo-basic"].is_null(),
        "a request was sent on a guess: {ledger}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_stored_counts_are_never_written_over_and_a_reset_needs_a_sync() {
    let (emulator, browser) = open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    // Cut short, as a crash mid-write or a meddling extension might leave it.
    let truncated = r#"{"v":1,"accou"#;
    let key = store_counts(&browser, truncated).await;
    browser.client.refresh().await.unwrap();
    let warning = browser
        .wait_for_text(".notice", |t| {
            t.starts_with("Stored counts could not be read")
        })
        .await;
    assert!(warning.contains("not JSON"), "{warning}");
    // Sending is refused with a reason, and the document is left as it was.
    browser.set("#endpoint", "/v1/fiat/map").await;
    send_is_refused_and_nothing_is_written(&browser, &key, truncated).await;
    browser.screenshot("counts-unreadable-light").await;
    // Another client spent 7 credits on the key meanwhile.
    for _ in 0..7 {
        let status = emulator
            .get_status("/cmc/v1/fiat/map", &[("X-CMC_PRO_API_KEY", "demo-basic")])
            .await;
        assert_eq!(status, 200);
    }
    // Reset: the widget starts from the server's counts, not from a full budget.
    browser.click("#reset-counts").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,993 / 10,000 left"
        })
        .await;
    browser.click("#send").await;
    browser
        .wait_for_text(".actual-cost", |t| t.starts_with("charged 1"))
        .await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,992 / 10,000 left"
        })
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_written_by_a_newer_version_are_left_alone() {
    let (_emulator, browser) = open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    let newer = r#"{"v":2,"accounts":[],"budgets":{"month":9000}}"#;
    let key = store_counts(&browser, newer).await;
    browser.client.refresh().await.unwrap();
    let warning = browser
        .wait_for_text(".notice", |t| {
            t.starts_with("Stored counts could not be read")
        })
        .await;
    assert!(warning.contains("newer version"), "{warning}");
    // No gauge pretends the whole budget is free.
    assert_eq!(browser.text("[data-limit=month] .gauge-text").await, "");
    browser.set("#endpoint", "/v1/fiat/map").await;
    send_is_refused_and_nothing_is_written(&browser, &key, newer).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_jumping_an_hour_forward_and_back_neither_unlocks_nor_loses_counts() {
    // An hour forward across the month's reset ends the month, as it should: nothing to test.
    if common::month_ends_within(70) {
        eprintln!("the month ends within 70 minutes: a jump of an hour would cross it; not run");
        return;
    }
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
        common::eventually(
            common::PATIENCE,
            std::time::Duration::from_millis(100),
            || async {
                let ledger = browser.fetch_json("/_emulator/ledger").await;
                let shown = browser.text("[data-limit=month] .gauge-text").await;
                let server = ledger_count(&ledger);
                let expected = format!("{} / 10,000 left", grouped(10_000 - server));
                if server == want && shown == expected {
                    Ok(())
                } else {
                    Err(format!(
                        "{label}: the page shows {shown:?}, the server counted {server}"
                    ))
                }
            },
        )
        .await;
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
