//! The served app works in a real browser against the real emulator.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{Browser, Emulator};
use credit_gauge_emulator::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_app_syncs_the_minute_gauge_with_the_emulator() {
    let emulator = Emulator::start(Config::default()).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&emulator.url("/"))
        .await
        .expect("open the app");
    browser
        .wait_for_text("[data-limit=minute] .gauge-text", |t| t == "30 / 30 left")
        .await;

    browser.click("#sync").await;

    browser
        .wait_for_text(".sync-note", |t| t.starts_with("Synced"))
        .await;
    // The sync itself is one request of the Basic plan's 30 this minute.
    browser
        .wait_for_text("[data-limit=minute] .gauge-text", |t| t == "29 / 30 left")
        .await;
    browser.close().await;
}
