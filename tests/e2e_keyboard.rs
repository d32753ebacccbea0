//! The app by keyboard alone: Tab reaches every control on the page in order, each shows where
//! the focus is, and a request can be prepared, sent and read without a mouse.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::Browser;
use credit_gauge_emulator::Config;
use fantoccini::key::Key;
use serde_json::{json, Value};

/// Presses `key` on whatever has the focus.
async fn press(browser: &Browser, key: impl Into<char>) {
    let focused = browser
        .client
        .active_element()
        .await
        .expect("something has the focus");
    focused
        .send_keys(&key.into().to_string())
        .await
        .expect("press a key");
}

/// What has the focus: its id (or tag), and whether a focus ring shows around it.
async fn focused(browser: &Browser) -> Value {
    browser
        .js(
            "const e = document.activeElement;
             if (!e || e === document.body) return { name: 'body', ring: false };
             const s = getComputedStyle(e);
             return {
               name: e.id || e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().slice(0, 20),
               ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
             };",
            vec![],
        )
        .await
}

/// Every control a person could use, as `focused` names them.
async fn controls(browser: &Browser) -> Vec<String> {
    let names = browser
        .js(
            "return [...document.querySelectorAll('.cg button, .cg input, .cg select, .cg summary, .cg a[href], .cg [tabindex]')]
               .filter(e => !e.disabled && e.getClientRects().length > 0 && e.tabIndex >= 0)
               .map(e => e.id || e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().slice(0, 20));",
            vec![],
        )
        .await;
    serde_json::from_value(names).expect("a list of names")
}

/// Tabs from the first control of the page until the focus leaves the page or comes back
/// round; returns what it reached, and checks that each showed its focus.
async fn tab_through(browser: &Browser) -> Vec<String> {
    browser
        .js(
            "const first = [...document.querySelectorAll('.cg button, .cg input, .cg select, .cg summary, .cg a[href]')]
               .find(e => !e.disabled && e.getClientRects().length > 0);
             first.focus({ focusVisible: true });",
            vec![],
        )
        .await;
    let first = focused(browser).await;
    let mut reached = vec![first["name"].as_str().unwrap_or_default().to_string()];
    for _ in 0..200 {
        press(browser, Key::Tab).await;
        let now = focused(browser).await;
        let name = now["name"].as_str().unwrap_or_default().to_string();
        if name == "body" || reached.first() == Some(&name) {
            break;
        }
        assert_eq!(now["ring"], json!(true), "no focus ring on {name}");
        reached.push(name);
    }
    reached
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_control_is_reached_by_tab_and_a_request_is_sent_by_keyboard() {
    let (_emulator, browser) = common::open_app_ready(Config::default()).await;

    let reached = tab_through(&browser).await;
    let all = controls(&browser).await;
    let missed: Vec<&String> = all.iter().filter(|c| !reached.contains(c)).collect();
    assert!(
        missed.is_empty(),
        "not reached by Tab: {missed:?} (reached {reached:?})"
    );
    assert!(all.len() > 10, "{all:?}");

    // Choose the fiat map with the keyboard: focus the endpoint list, type its first letters.
    browser
        .js("document.querySelector('#endpoint').focus()", vec![])
        .await;
    for letter in "Fiat".chars() {
        press(&browser, letter).await;
    }
    let chosen = browser.wait_for_text("#endpoint", |_| true).await;
    let value = browser
        .js("return document.querySelector('#endpoint').value", vec![])
        .await;
    assert_eq!(value, json!("/v1/fiat/map"), "{chosen}");
    browser
        .wait_for_text("#preview", |t| t.starts_with("1 credit"))
        .await;
    // Send it with Enter on the button, reached by Tab from the form.
    browser
        .js("document.querySelector('#send').focus()", vec![])
        .await;
    press(&browser, Key::Enter).await;
    browser
        .wait_for_text(".history-table tbody tr", |t| !t.is_empty())
        .await;
    // The answer's JSON opens with the keyboard too.
    browser
        .js("document.querySelector('#result summary').focus()", vec![])
        .await;
    press(&browser, Key::Enter).await;
    let open = browser
        .js(
            "return document.querySelector('#result details').open",
            vec![],
        )
        .await;
    assert_eq!(open, json!(true), "the JSON did not open");

    // After an answer there are more controls (the answer's, the history's): all reached.
    let reached = tab_through(&browser).await;
    let all = controls(&browser).await;
    let missed: Vec<&String> = all.iter().filter(|c| !reached.contains(c)).collect();
    assert!(missed.is_empty(), "not reached by Tab: {missed:?}");

    browser.close().await;
}
