//! Accessibility: axe-core's WCAG 2.0/2.1/2.2 A and AA rules on every page the project serves
//! — the app, the embedding page, the iframe page and the market board — report nothing.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::PathBuf;

use common::{dist_dir, Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::Value;

/// axe-core, installed by `scripts/setup --test` (pinned there).
fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: scripts/setup --test installs axe-core",
            path.display()
        )
    })
}

/// The violations axe-core finds on the page the browser shows, as `rule: targets` lines.
async fn violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser
        .client
        .execute(axe, vec![])
        .await
        .expect("axe loads");
    let found = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] })
               .then((r) => done(r.violations.map((v) => ({ id: v.id, help: v.help,
                 targets: v.nodes.map((n) => n.target.join(' ')) }))), (e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("axe runs");
    let Value::Array(found) = found else {
        panic!("axe failed: {found}");
    };
    found
        .iter()
        .map(|v| format!("{} ({}): {}", v["id"], v["help"], v["targets"]))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_the_wcag_rules() {
    let axe = axe_source();
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_dir()),
        ..Config::default()
    })
    .await;
    let browser = Browser::start().await;
    let mut report = Vec::new();
    for (page, ready, shot) in [
        ("/", "[data-limit=month]", "first-visit-light"),
        ("/embedding.html", "credit-gauge", "embedding-page"),
        (
            "/embed.html?api=cmc",
            "credit-gauge-frame, body",
            "iframe-light",
        ),
        (
            "/embed.html?api=cmc&theme=dark",
            "credit-gauge-frame, body",
            "iframe-dark",
        ),
        ("/dashboard.html?every=60", "credit-gauge", "market-board"),
    ] {
        browser.client.goto(&emulator.url(page)).await.unwrap();
        browser
            .wait_until(
                page,
                &format!("return document.querySelector('{ready}') !== null"),
            )
            .await;
        // Let the widgets render their first state.
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
        browser.screenshot(shot).await;
        for v in violations(&browser, &axe).await {
            report.push(format!("{page}: {v}"));
        }
    }
    // The app once it has answered: the answer view, the history, an explanation.
    browser.client.goto(&emulator.url("/")).await.unwrap();
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#endpoint", "/v1/fiat/map").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".actual-cost", |t| t.starts_with("charged"))
        .await;
    browser
        .set("#endpoint", "/v2/cryptocurrency/quotes/historical")
        .await;
    browser.set("#param-symbol", "BTC").await;
    browser.screenshot("app-after-an-answer-light").await;
    for v in violations(&browser, &axe).await {
        report.push(format!("/ (answered): {v}"));
    }
    // A phone's width: the rules hold, and the page never scrolls sideways.
    browser.client.set_window_size(375, 800).await.unwrap();
    browser.client.goto(&emulator.url("/")).await.unwrap();
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    let sideways = browser
        .js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await;
    assert_eq!(
        sideways,
        serde_json::json!(0),
        "the page scrolls sideways at 375 px"
    );
    browser.screenshot("first-visit-narrow").await;
    for v in violations(&browser, &axe).await {
        report.push(format!("/ (375 px): {v}"));
    }
    browser.close().await;
    assert!(
        report.is_empty(),
        "accessibility violations:\n{}",
        report.join("\n")
    );
}
