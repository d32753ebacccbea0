//! The market board (`dashboard.html`): a host page whose own requests go through the
//! gauge. Refreshing every second on the demo Basic key, it fills its tables, fills the
//! minute, shows that it waits for the budget, and never meets a 429.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{dist_with, eventually, Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::{json, Value};

/// The board as the repository has it (the build copies the same file into `dist/`).
const BOARD: &str = include_str!("../dashboard.html");

/// What the emulator counted for the demo Basic key.
async fn basic(browser: &Browser) -> Value {
    browser.fetch_json("/_emulator/ledger").await["cmc"]["demo-basic"].clone()
}

/// The board's counters (`window.dashboard`).
async fn counters(browser: &Browser) -> Value {
    browser.js("return window.dashboard || null", vec![]).await
}

/// The data rows of a table (`#listings` or `#quotes`): each row's cells' text.
async fn rows(browser: &Browser, table: &str) -> Vec<Vec<String>> {
    let rows = browser
        .js(
            "return [...document.querySelectorAll(`#${arguments[0]} tbody tr:not(.empty)`)]
               .map((tr) => [...tr.cells].map((td) => td.textContent));",
            vec![json!(table)],
        )
        .await;
    serde_json::from_value(rows).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_fills_its_tables_waits_for_the_budget_and_never_meets_a_429() {
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with("dashboard", &[("dashboard.html", BOARD)])),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&emulator.url("/dashboard.html?every=1"))
        .await
        .unwrap();

    // Both tables show the emulator's coins, the counters moved, and every call was ok.
    let patience = Duration::from_secs(30);
    eventually(patience, Duration::from_millis(250), || async {
        let listings = rows(&browser, "listings").await;
        let quotes = rows(&browser, "quotes").await;
        let c = counters(&browser).await;
        if listings.len() == 10 && quotes.len() == 6 && c["ok"].as_u64() >= Some(3) {
            Ok(())
        } else {
            Err(format!(
                "not filled: {} listings, {} quotes, counters {c}",
                listings.len(),
                quotes.len()
            ))
        }
    })
    .await;
    let listings = rows(&browser, "listings").await;
    assert_eq!(listings[0][0], "1", "{listings:?}");
    assert!(listings[0][1].starts_with("Bitcoin"), "{listings:?}");
    assert!(listings[0][1].ends_with("BTC"), "{listings:?}");
    assert!(listings[0][2].starts_with('$'), "{listings:?}");
    let quotes = rows(&browser, "quotes").await;
    let names: Vec<&str> = quotes.iter().map(|r| r[1].as_str()).collect();
    assert!(names.iter().any(|n| n.starts_with("Ethereum")), "{names:?}");
    let status = browser.text("#listings .status").await;
    assert!(status.contains("1 credit"), "{status}");

    // Two tables a second on a 30-a-minute key: the minute fills, and the board says it waits.
    let waiting = eventually(
        Duration::from_secs(45),
        Duration::from_millis(250),
        || async {
            let text = browser
                .js(
                    "const s = document.querySelector('main .status[data-state=waiting]');
                     return s ? s.textContent : '';",
                    vec![],
                )
                .await;
            match text.as_str() {
                Some(t) if !t.is_empty() => Ok(t.to_string()),
                _ => Err(format!(
                    "never waited; counters {}",
                    counters(&browser).await
                )),
            }
        },
    )
    .await;
    assert!(
        waiting.starts_with("Waiting for the budget — next at "),
        "{waiting}"
    );

    // The server refused nothing, and what the board counts is what the server charged.
    let (board, server) = eventually(
        Duration::from_secs(15),
        Duration::from_millis(200),
        || async {
            let board = counters(&browser).await;
            let server = basic(&browser).await;
            if board["charged"] == server["credits_this_month"] {
                Ok((board, server))
            } else {
                Err(format!("board {board} and server {server} disagree"))
            }
        },
    )
    .await;
    assert_eq!(server["refused_429"], 0, "a 429: {server}");
    assert!(
        server["requests_this_minute"].as_u64() <= Some(30),
        "{server}"
    );
    assert_eq!(board["failed"], 0, "{board}");
    assert!(board["waits"].as_u64() >= Some(1), "{board}");
    assert_eq!(board["calls"], board["ok"], "{board}");
    // The listings and the quotes cost a credit each; key/info costs none.
    let calls = board["calls"].as_u64().unwrap_or(0);
    let charged = board["charged"].as_u64().unwrap_or(0);
    assert_eq!(charged + 1, calls, "{board}");
    browser.screenshot("dashboard").await;
    browser.close().await;
}
