//! Many windows on one budget: eight pages of the app each send 100 requests at once against
//! one budget (a Cryptowatch allowance; a CoinMarketCap monthly cap; CoinMarketCap's minute,
//! on an emulator whose clock runs 60 times faster). The widget must spend the budget exactly
//! (no request lost, none counted twice), cause no 429 (the emulator counts every one it
//! answers), and end with the server's count in every window.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{eventually, Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

const WINDOWS: usize = 8;
const PER_WINDOW: usize = 100;

/// One budget, as the widget and the emulator see it.
struct Budget {
    /// The `#api` choice.
    api: &'static str,
    /// The endpoint and its parameters, set in the form.
    form: &'static [(&'static str, &'static str)],
    /// The gauge of the binding limit.
    gauge: &'static str,
    /// Its text once the first answer (or sync) taught the widget the server's figures.
    learnt: &'static str,
    /// Its text once the budget is spent.
    spent: &'static str,
    /// The server's record of this caller in the ledger.
    ledger: fn(&Value) -> Value,
    /// Whether the server has nothing left for another request.
    exhausted: fn(&Value) -> bool,
    /// How many requests of the 800 fit after the first one.
    fit: usize,
    /// A hint the settings show once the first answer was read, if any.
    hint: Option<&'static str>,
}

/// Opens the app in the current window, on the budget's API, endpoint and parameters.
async fn open_form(browser: &Browser, emulator: &Emulator, budget: &Budget) {
    browser.client.goto(&emulator.url("/")).await.unwrap();
    browser
        .wait_for_text(".gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#api", budget.api).await;
    browser
        .wait_for_text(budget.gauge, |t| t.ends_with("left"))
        .await;
    for (css, value) in budget.form {
        browser.set(css, value).await;
    }
    browser.wait_for_text("#preview", |t| !t.is_empty()).await;
}

/// The requests of this window that wait for the budget, and those still on their way.
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

async fn switch(browser: &Browser, handle: &fantoccini::wd::WindowHandle) {
    browser
        .client
        .switch_to_window(handle.clone())
        .await
        .expect("switch windows");
}

/// One scenario at a time: eight windows keep both cores of a small machine busy, and three
/// sets of them at once starve each other past the scenarios' patience.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The scenario: a first request (a send or a sync) teaches the first window the server's
/// figures; seven more windows open; each clicks Send 100 times, one right after the other.
async fn eight_windows_spend(emulator: Emulator, budget: Budget, first: &str, shot: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let browser = Browser::start().await;
    let mut windows = vec![browser.client.window().await.expect("this window")];
    open_form(&browser, &emulator, &budget).await;
    browser.click(first).await;
    browser
        .wait_for_text(budget.gauge, |t| t == budget.learnt)
        .await;
    if let Some(hint) = budget.hint {
        let hints = browser
            .js(
                "return [...document.querySelectorAll('.hint')].map(h => h.textContent).join('|')",
                vec![],
            )
            .await;
        assert!(hints.as_str().unwrap_or_default().contains(hint), "{hints}");
    }
    for _ in 1..WINDOWS {
        let handle = browser
            .client
            .new_window(false)
            .await
            .expect("a new window")
            .handle;
        switch(&browser, &handle).await;
        open_form(&browser, &emulator, &budget).await;
        browser
            .wait_for_text(budget.gauge, |t| t == budget.learnt)
            .await;
        windows.push(handle);
    }
    for handle in &windows {
        switch(&browser, handle).await;
        browser
            .js(
                "for (let i = 0; i < arguments[0]; i++) document.querySelector('#send').click();",
                vec![json!(PER_WINDOW)],
            )
            .await;
    }

    // Settled: the server has nothing left, and every request not sent waits in its window.
    let waiting_total = eventually(Duration::from_secs(240), Duration::from_millis(500), || {
        let (browser, windows, budget) = (&browser, &windows, &budget);
        async move {
            let mut waiting_total = 0;
            let mut in_flight = 0;
            for handle in windows {
                switch(browser, handle).await;
                let (waiting, other) = queue(browser).await;
                waiting_total += waiting;
                in_flight += other;
            }
            let server = (budget.ledger)(&browser.fetch_json("/_emulator/ledger").await);
            if in_flight == 0 && (budget.exhausted)(&server) {
                Ok(waiting_total)
            } else {
                Err(format!(
                    "not settled: {waiting_total} waiting, {in_flight} deciding or sending, server {server}"
                ))
            }
        }
    })
    .await;

    let server = (budget.ledger)(&browser.fetch_json("/_emulator/ledger").await);
    assert_eq!(
        server["refused_429"], 0,
        "the widget caused a 429: {server}"
    );
    // The others were sent and charged once each; the rest wait for the next window.
    assert_eq!(
        waiting_total,
        (WINDOWS * PER_WINDOW - budget.fit) as u64,
        "requests were lost or sent twice; server {server}"
    );
    for handle in &windows {
        switch(&browser, handle).await;
        browser
            .wait_for_text(budget.gauge, |t| t == budget.spent)
            .await;
    }
    browser.screenshot(shot).await;
    browser.close().await;
}

fn anonymous(ledger: &Value) -> Value {
    ledger["cryptowatch"]
        .as_object()
        .and_then(|m| m.values().next().cloned())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_windows_spend_one_cryptowatch_allowance_exactly_without_a_429() {
    // 2.005 credits: the first call teaches the widget the server's figure (until a server says
    // otherwise it assumes the documented 10), then exactly 400 calls of 0.005 fit.
    let emulator = Emulator::start(Config {
        cw_anonymous_allowance_milli: 2_005,
        ..Config::default()
    })
    .await;
    let budget = Budget {
        api: "cw",
        form: &[
            ("#endpoint", "/markets/:exchange/:pair/price"),
            ("#param-exchange", "kraken"),
            ("#param-pair", "btcusd"),
        ],
        gauge: "[data-limit=allowance] .gauge-text",
        learnt: "2 / 10 left",
        spent: "0 / 10 left",
        ledger: anonymous,
        exhausted: |b| b["remaining_milli"] == json!(0),
        fit: 400,
        hint: None,
    };
    eight_windows_spend(
        emulator,
        budget,
        "#send",
        "eight-windows-allowance-spent-light",
    )
    .await;
}

/// A plan of 400 credits a month and no binding minute limit, so that the monthly cap is the
/// budget the windows share.
const MONTHLY_400: &str = r#"{
  "billing_anchor": { "day_of_month": 5, "time_utc": "05:30" },
  "plans": [
    { "id": "tabs", "name": "Tabs", "level": 0, "billing": "calendar",
      "credit_limit_monthly": 400, "credit_limit_daily": null, "rate_limit_minute": 2000, "max_convert": 1 }
  ],
  "endpoints": { "/v1/key/info": "tabs", "/v1/fiat/map": "tabs" },
  "keys": { "demo-basic": { "plan": "tabs" } }
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_windows_spend_one_coinmarketcap_month_exactly_without_a_429() {
    let emulator = Emulator::start(Config {
        plans_json: Some(MONTHLY_400.into()),
        ..Config::default()
    })
    .await;
    let budget = Budget {
        api: "cmc",
        form: &[("#endpoint", "/v1/fiat/map")],
        gauge: "[data-limit=month] .gauge-text",
        // A sync (free) teaches the widget the plan's 400 credits and 2,000 requests a minute.
        learnt: "400 / 400 left",
        spent: "0 / 400 left",
        ledger: |l| l["cmc"]["demo-basic"].clone(),
        exhausted: |k| k["credits_this_month"] == json!(400),
        fit: 400,
        hint: Some(
            "custom limits learnt from the server: 400 credits a month, 2,000 requests a minute",
        ),
    };
    eight_windows_spend(emulator, budget, "#sync", "eight-windows-month-spent-light").await;
}

/// CoinMarketCap's 30 requests a minute, and credits enough for all 800 requests.
const MINUTE_30: &str = r#"{
  "billing_anchor": { "day_of_month": 5, "time_utc": "05:30" },
  "plans": [
    { "id": "minute", "name": "Minute", "level": 0, "billing": "calendar",
      "credit_limit_monthly": 100000, "credit_limit_daily": null, "rate_limit_minute": 30, "max_convert": 1 }
  ],
  "endpoints": { "/v1/key/info": "minute", "/v1/fiat/map": "minute" },
  "keys": { "demo-basic": { "plan": "minute" } }
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_windows_send_800_requests_through_the_minute_limit_on_a_scaled_clock_without_a_429()
{
    // At 30 requests a minute, 800 requests take 27 of the emulator's minutes: 27 real seconds
    // at 60 times, if the widget follows the emulator's clock, which it announces; on the
    // visitor's clock they would take 27 real minutes and this test would give up.
    // The emulator's clock starts now and runs 60 times faster: up to 4 of its hours pass,
    // and a month that ends in them starts again with nothing spent, as it should.
    if common::month_ends_within(5 * 60) {
        eprintln!("the month ends within 5 hours: the scaled clock would cross it; not run");
        return;
    }
    let emulator = Emulator::start(Config {
        plans_json: Some(MINUTE_30.into()),
        time_scale: 60,
        ..Config::default()
    })
    .await;
    let budget = Budget {
        api: "cmc",
        form: &[("#endpoint", "/v1/fiat/map")],
        gauge: "[data-limit=month] .gauge-text",
        learnt: "100,000 / 100,000 left",
        spent: "99,200 / 100,000 left",
        ledger: |l| l["cmc"]["demo-basic"].clone(),
        exhausted: |k| k["credits_this_month"] == json!(800),
        fit: 800,
        hint: None,
    };
    eight_windows_spend(
        emulator,
        budget,
        "#sync",
        "eight-windows-minute-scaled-light",
    )
    .await;
}
