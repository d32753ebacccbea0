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
        .wait_for_text(".status", |t| t == "Not synced yet.")
        .await;

    browser.click("#sync").await;

    browser
        .wait_for_text(".status", |t| t == "Synced with the server.")
        .await;
    // The sync itself is one request of the Basic plan's 30 this minute.
    let gauge = browser
        .wait_for_text(".gauge-text", |t| t.ends_with("/ 30 left"))
        .await;
    assert!(
        gauge == "29 / 30 left" || gauge == "30 / 30 left",
        "gauge shows {gauge:?}"
    );
    browser.close().await;
}
