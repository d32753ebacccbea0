//! The widget as a new user meets it: a real Chromium, the served release build, a real
//! emulator on loopback. Each test compares what the page shows with the emulator's ledger.
#![cfg(not(target_arch = "wasm32"))]

#[path = "shared/basic_runway.rs"]
mod basic_runway;
mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

async fn open(config: Config) -> (Emulator, Browser) {
    common::open_app_ready(config).await
}

async fn use_key(browser: &Browser, key: &str) {
    browser.set("#key", key).await;
}

async fn choose_endpoint(browser: &Browser, path: &str) {
    browser.set("#endpoint", path).await;
    browser.wait_for_text("#preview", |t| !t.is_empty()).await;
}

/// Clicks Send `times` times, as fast as a script can.
async fn send(browser: &Browser, times: usize) {
    browser
        .js(
            "for (let i = 0; i < arguments[0]; i++) document.querySelector('#send').click();",
            vec![json!(times)],
        )
        .await;
}

async fn history_rows(browser: &Browser) -> Vec<String> {
    let rows = browser
        .js(
            "const h = Object.keys(localStorage).find(k => k.endsWith(':history'));
             return h ? JSON.parse(localStorage.getItem(h)).map(e => e.outcome) : [];",
            vec![],
        )
        .await;
    rows.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

async fn wait_for_history(browser: &Browser, count: usize, patience: Duration) -> Vec<String> {
    common::eventually(patience, Duration::from_millis(200), || async {
        let rows = history_rows(browser).await;
        if rows.len() >= count {
            Ok(rows)
        } else {
            Err(format!(
                "only {} of {count} requests finished: {rows:?}",
                rows.len()
            ))
        }
    })
    .await
}

fn ledger_cmc<'a>(ledger: &'a Value, key: &str) -> &'a Value {
    &ledger["cmc"][key]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_of_201_coins_with_two_converts_preview_and_cost_three_credits() {
    let (_emulator, browser) = open(Config::default()).await;
    use_key(&browser, "demo-startup").await;
    browser.set("#plan", "Startup").await;
    choose_endpoint(&browser, "/v1/cryptocurrency/listings/latest").await;
    browser.set("#param-limit", "201").await;
    browser.set("#param-convert", "USD,EUR").await;
    let preview = browser
        .wait_for_text("#preview", |t| t.starts_with("3 credits"))
        .await;
    assert!(
        preview.starts_with(
            "3 credits: 201 coins at 200 per credit, + 1 extra convert · 120,000 left this month"
        ),
        "{preview}"
    );
    browser.screenshot("preview-light").await;

    browser.click("#send").await;
    browser
        .wait_for_text(".credit-count", |t| t == "credit_count 3")
        .await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "119,997 / 120,000 left"
        })
        .await;
    let actual = browser.text(".actual-cost").await;
    assert_eq!(actual, "charged 3 (the server's figure)");
    // A readable table of the coins, not only JSON.
    let rows = browser
        .js(
            "return document.querySelectorAll('table.data tbody tr').length",
            vec![],
        )
        .await;
    assert_eq!(rows, json!(50), "the table shows the first 50 coins");
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(ledger_cmc(&ledger, "demo-startup")["credits_this_month"], 3);
    browser.screenshot("answer-light").await;

    // The same page in the dark theme.
    browser.set("#theme", "dark").await;
    browser.screenshot("answer-dark").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planner_says_how_many_listings_fit_on_basic_and_how_long_a_schedule_lasts() {
    let (_emulator, browser) = open(Config::default()).await;
    choose_endpoint(&browser, "/v1/cryptocurrency/listings/latest").await;
    browser.set("#param-limit", "201").await;
    browser
        .wait_for_text("#preview", |t| t.starts_with("2 credits"))
        .await;
    // 201 coins cost 2 credits on Basic (30 a minute, 333 credits a day, 10,000 a month):
    // 166 calls fit the day and 5,000 the month.
    let room = browser
        .wait_for_text("#planner-room", |t| t.starts_with("Fits"))
        .await;
    assert_eq!(
        room,
        "Fits 30 more this minute, 166 more today and 5,000 more this month."
    );
    let runway = browser.text("#planner-runway").await;
    basic_runway::check_once_a_minute(&runway, common::real_now());
    // Every 10 minutes lasts: 144 calls a day.
    browser.set("#planner-every", "600").await;
    let runway = browser
        .wait_for_text("#planner-runway", |t| t.starts_with("Every 10 min"))
        .await;
    assert!(
        runway.starts_with("Every 10 min 00 s: lasts until "),
        "{runway}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_key_gets_the_1007_explanation() {
    let (_emulator, browser) = open(Config::default()).await;
    use_key(&browser, "demo-disabled").await;
    choose_endpoint(&browser, "/v1/fiat/map").await;
    browser.click("#send").await;
    let title = browser
        .wait_for_text(".explanation-title", |t| !t.is_empty())
        .await;
    assert!(title.to_lowercase().contains("disabled"), "{title}");
    let raw = browser.text(".raw").await;
    assert!(raw.contains("HTTP 403"), "{raw}");
    assert!(raw.contains("error_code 1007"), "{raw}");
    assert!(
        raw.contains("This API Key has been disabled. Please contact support."),
        "{raw}"
    );
    let todo = browser.text(".explanation-todo").await;
    assert!(todo.len() > "What to do: ".len() + 10, "{todo}");
    browser.screenshot("error-1007-light").await;

    // The key is now known to be disabled: the next request is refused without a call.
    browser.set("#theme", "dark").await;
    let before = browser.fetch_json("/_emulator/ledger").await;
    browser
        .wait_for_text("#preview", |t| t.to_lowercase().contains("disabled"))
        .await;
    browser.screenshot("error-1007-dark").await;
    let after = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(
        before["cmc"]["demo-disabled"], after["cmc"]["demo-disabled"],
        "nothing more reached the server"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_cryptowatch_caller_sees_the_429_explained_with_its_countdown() {
    // A small anonymous allowance so the test spends it in a few calls.
    let config = Config {
        cw_anonymous_allowance_milli: 12,
        ..Config::default()
    };
    let (emulator, browser) = open(config).await;
    browser.set("#api", "cw").await;
    browser
        .wait_for_text("[data-limit=allowance] .gauge-text", |t| {
            t.ends_with("left")
        })
        .await;
    choose_endpoint(&browser, "/markets/:exchange/:pair/price").await;
    browser.set("#param-exchange", "kraken").await;
    browser.set("#param-pair", "btcusd").await;
    browser
        .wait_for_text("#preview", |t| t.starts_with("0.005"))
        .await;

    browser.click("#send").await;
    // The server's `remaining` replaces the widget's assumption of 10 credits.
    browser
        .wait_for_text("[data-limit=allowance] .gauge-text", |t| {
            t.starts_with("0.007 /")
        })
        .await;

    // Someone else on this address spends the rest, unknown to the widget.
    let other = emulator
        .get_status("/cryptowatch/markets/kraken/btcusd/price", &[])
        .await;
    assert_eq!(other, 200);

    browser.click("#send").await;
    let title = browser
        .wait_for_text(".explanation-title", |t| !t.is_empty())
        .await;
    assert!(title.to_lowercase().contains("allowance"), "{title}");
    let raw = browser.text(".raw").await;
    assert!(
        raw.contains("HTTP 429") && raw.contains("Out of allowance"),
        "{raw}"
    );
    let retry = browser
        .wait_for_text(".explanation-retry", |t| t.contains(" (in "))
        .await;
    assert!(retry.starts_with("Retrying helps from"), "{retry}");
    browser.screenshot("cryptowatch-429-light").await;

    // The next request waits for the allowance instead of walking into another 429.
    browser.click("#send").await;
    browser
        .wait_for_text(".queue-item .countdown", |t| {
            t.starts_with("sends itself in")
        })
        .await;
    browser.set("#theme", "dark").await;
    browser.screenshot("cryptowatch-waiting-dark").await;
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    let bucket = ledger["cryptowatch"]
        .as_object()
        .and_then(|m| m.values().next().cloned())
        .expect("an anonymous bucket");
    assert_eq!(bucket["remaining_milli"], 2, "{bucket}");
    browser.close().await;
}

fn second_of_minute() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() % 60)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_minute_makes_the_next_request_wait_then_go_through() {
    let (_emulator, browser) = open(Config::default()).await;
    choose_endpoint(&browser, "/v1/key/info").await;
    // Start late in a minute so the wait stays short.
    while !(40..55).contains(&second_of_minute()) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    send(&browser, 32).await;
    let countdown = browser
        .wait_for_text(".queue-item .countdown", |t| {
            t.starts_with("sends itself in")
        })
        .await;
    assert!(countdown.contains(" s"), "{countdown}");
    browser.screenshot("waiting-light").await;
    // Two wait; the user cancels one of them, which is then never sent.
    browser
        .wait_for_text(".queue-item:nth-of-type(2) .countdown", |t| {
            t.starts_with("sends itself in")
        })
        .await;
    browser.click(".queue-item .cancel").await;
    let rows = wait_for_history(&browser, 31, Duration::from_secs(40)).await;
    assert!(
        rows.iter().all(|r| r.starts_with("200")),
        "a request failed: {rows:?}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        history_rows(&browser).await.len(),
        31,
        "the cancelled request went out"
    );
    let queued = browser
        .js(
            "return document.querySelectorAll('.queue-item').length",
            vec![],
        )
        .await;
    assert_eq!(queued, json!(0));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_share_one_budget_without_a_429_and_agree_with_the_ledger() {
    let (emulator, browser) = open(Config::default()).await;
    choose_endpoint(&browser, "/v1/fiat/map").await;
    let first = browser.client.window().await.expect("this tab");
    let second = browser
        .client
        .new_window(true)
        .await
        .expect("a new tab")
        .handle;
    browser
        .client
        .switch_to_window(second.clone())
        .await
        .unwrap();
    browser.client.goto(&emulator.url("/")).await.unwrap();
    browser
        .wait_for_text("[data-limit=minute] .gauge-text", |t| t.ends_with("left"))
        .await;
    choose_endpoint(&browser, "/v1/fiat/map").await;

    // Not in the last seconds of a minute: requests sent there also count in the next minute
    // (the server may receive them then), which would stretch the test over three minutes.
    while second_of_minute() > 50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    send(&browser, 20).await;
    browser
        .client
        .switch_to_window(first.clone())
        .await
        .unwrap();
    send(&browser, 20).await;

    let rows = wait_for_history(&browser, 40, Duration::from_secs(90)).await;
    assert!(
        rows.iter().all(|r| r.starts_with("200")),
        "a request failed: {rows:?}"
    );
    let ledger = browser.fetch_json("/_emulator/ledger").await;
    assert_eq!(ledger_cmc(&ledger, "demo-basic")["credits_this_month"], 40);
    for tab in [first, second] {
        browser.client.switch_to_window(tab).await.unwrap();
        browser
            .wait_for_text("[data-limit=month] .gauge-text", |t| {
                t == "9,960 / 10,000 left"
            })
            .await;
    }

    // A reload keeps every count and the history.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t == "9,960 / 10,000 left"
        })
        .await;
    assert_eq!(history_rows(&browser).await.len(), 40);
    browser.close().await;
}
