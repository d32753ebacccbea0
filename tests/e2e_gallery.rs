//! Every state of the app, as people see it: light and dark, at a desktop's width (1280 px) and
//! a phone's (375 px). Each shot is checked (the theme applied, nothing wider than the screen,
//! the state's panel on screen) and written to `target/screenshots/app-<state>-<theme>-<width>`;
//! `scripts/screenshots` copies them to `docs/screenshots/`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::Browser;
use credit_gauge_emulator::Config;
use serde_json::json;

const WIDTHS: [(u32, &str); 2] = [(1280, "wide"), (375, "narrow")];
const THEMES: [&str; 2] = ["light", "dark"];

/// Shows `state` with `panel` at the top of the screen in each theme and width, checks it, and
/// takes its screenshots.
async fn shoot(browser: &Browser, state: &str, panel: &str) {
    for (width, width_name) in WIDTHS {
        browser
            .client
            .set_window_size(width, 900)
            .await
            .expect("resize the window");
        for theme in THEMES {
            browser.set("#theme", theme).await;
            let seen = browser
                .js(
                    "const panel = document.querySelector(arguments[0]);
                     if (!panel) return null;
                     panel.scrollIntoView({ block: 'start' });
                     window.scrollBy(0, -8);
                     const rgb = getComputedStyle(document.querySelector('.cg')).backgroundColor
                       .match(/\\d+/g).slice(0, 3).map(Number);
                     const box = panel.getBoundingClientRect();
                     return {
                       light: (rgb[0] + rgb[1] + rgb[2]) / 3,
                       sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                       top: box.top, height: box.height, screen: window.innerHeight,
                     };",
                    vec![json!(panel)],
                )
                .await;
            let where_ = format!("{state} ({theme}, {width} px)");
            assert!(!seen.is_null(), "{where_}: no `{panel}` on the page");
            let light = seen["light"].as_f64().unwrap_or(-1.0);
            if theme == "dark" {
                assert!((0.0..64.0).contains(&light), "{where_}: background {light}");
            } else {
                assert!(light > 224.0, "{where_}: background {light}");
            }
            assert_eq!(seen["sideways"], json!(0), "{where_} scrolls sideways");
            // At the top of the screen, or as near it as the page scrolls.
            let top = seen["top"].as_f64().unwrap_or(-1.0);
            let screen = seen["screen"].as_f64().unwrap_or(0.0);
            assert!(
                (0.0..screen - 40.0).contains(&top) && seen["height"].as_f64() > Some(0.0),
                "{where_}: `{panel}` is not on screen: {seen}"
            );
            browser
                .screenshot(&format!("app-{state}-{theme}-{width_name}"))
                .await;
        }
    }
    browser.set("#theme", "light").await;
    browser.client.set_window_size(1100, 900).await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_of_the_app_reads_in_both_themes_at_both_widths() {
    let (_emulator, browser) = common::open_app_ready(Config {
        cw_anonymous_allowance_milli: 5,
        ..Config::default()
    })
    .await;

    // A newcomer's first visit: the demo key's gauges and the line that says what they are.
    shoot(&browser, "first-visit", ".cg-head").await;

    // A request being prepared: its cost before it is sent, and the planner.
    browser.set("#key", "demo-startup").await;
    browser.set("#plan", "Startup").await;
    browser
        .set("#endpoint", "/v1/cryptocurrency/listings/latest")
        .await;
    browser.set("#param-limit", "201").await;
    browser.set("#param-convert", "USD,EUR").await;
    browser
        .wait_for_text("#preview", |t| t.starts_with("3 credits"))
        .await;
    shoot(&browser, "preview", ".request").await;
    browser
        .wait_for_text("#planner-room", |t| t.starts_with("Fits"))
        .await;
    shoot(&browser, "planner", "#preview").await;

    // The answer: what it cost, the data, and the month so far.
    browser.click("#send").await;
    browser
        .wait_for_text(".actual-cost", |t| t.starts_with("charged 3"))
        .await;
    shoot(&browser, "answer", "#result").await;
    shoot(&browser, "usage", ".usage").await;
    shoot(&browser, "history", "#history").await;

    // An error explained: a disabled key.
    browser.set("#key", "demo-disabled").await;
    browser.set("#endpoint", "/v1/fiat/map").await;
    browser.wait_for_text("#preview", |t| !t.is_empty()).await;
    browser.click("#send").await;
    browser
        .wait_for_text(".explanation-title", |t| {
            t.to_lowercase().contains("disabled")
        })
        .await;
    shoot(&browser, "error", "#result").await;

    // A request that waits where the user can see it: Cryptowatch's allowance is spent.
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
    browser.click("#send").await;
    browser
        .wait_for_text("[data-limit=allowance] .gauge-text", |t| {
            t.starts_with("0 /")
        })
        .await;
    browser.click("#send").await;
    browser
        .wait_for_text(".queue-item .countdown", |t| {
            t.starts_with("sends itself in")
        })
        .await;
    shoot(&browser, "waiting", ".gauges").await;

    browser.close().await;
}
