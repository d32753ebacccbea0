//! The widget against a team gateway: it sends through the gateway with no key of its own,
//! shows the team's figures (other clients' requests included) from the RateLimit fields of
//! every answer, and pages elsewhere cannot spend the gateway's key.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{dist_with, Browser, Emulator};
use credit_gauge_emulator::Config;
use serde_json::json;

/// A gateway in this process in front of `upstream`'s CoinMarketCap with the demo Basic key,
/// serving loopback callers and the browser origin `origin`.
async fn gateway(upstream: &Emulator, origin: &str) -> String {
    let mut config = credit_gauge_gateway::Config::new(upstream.url("/cmc"), "demo-basic");
    config.access.origins = vec![origin.to_string()];
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(credit_gauge_gateway::serve(
        listener,
        config,
        std::future::pending(),
    ));
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_shows_the_team_s_budget_and_other_pages_cannot_spend_the_gateway_s_key() {
    let upstream = Emulator::start(Config::default()).await;
    let app = Emulator::start(Config::default()).await;
    let app_origin = format!("http://localhost:{}", app.addr.port());
    let gateway = gateway(&upstream, &app_origin).await;
    let browser = Browser::start().await;

    // The app, pointed at the gateway, with no key of its own.
    browser
        .client
        .goto(&format!("{app_origin}/"))
        .await
        .unwrap();
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser.set("#base-url", &gateway).await;
    browser.set("#key", "").await;
    assert_eq!(
        browser
            .js("return document.querySelector('#preset').value", vec![])
            .await,
        json!("other")
    );
    browser.set("#endpoint", "/v1/fiat/map").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".actual-cost", |t| t.starts_with("charged 1"))
        .await;

    // Another client of the team spends through the gateway, in the same minute as the
    // widget's next answer (the minute gauge counts only this minute's requests).
    common::early_in_minute(35).await;
    for _ in 0..5 {
        let answer = common::get_text(&format!("{gateway}/v1/fiat/map?limit=1")).await;
        assert!(answer.contains("\"error_code\":0"), "{answer}");
    }
    // The widget's next answer carries the team's figures: its gauges count them.
    browser.click("#send").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| {
            t.starts_with("9,993 /")
        })
        .await;
    browser.screenshot("gateway-team-budget").await;
    let note = browser.text(".team-note").await;
    assert!(note.contains("every client's requests"), "{note}");
    let minute = browser.text("[data-limit=minute] .gauge-text").await;
    assert!(
        minute.starts_with("2") && minute.ends_with("/ 30 left"),
        "the minute counts the team's requests: {minute}"
    );

    // A page elsewhere tries the gateway the ways a page can without asking.
    let hostile = format!(
        r#"<!DOCTYPE html><html><body><script>
  new Image().src = "{gateway}/v1/fiat/map";
  fetch("{gateway}/v1/fiat/map", {{ mode: "no-cors" }}).catch(() => {{}});
  fetch("{gateway}/v1/fiat/map?CMC_PRO_API_KEY=x", {{ mode: "no-cors", credentials: "include" }}).catch(() => {{}});
  fetch("{gateway}/v1/fiat/map").catch(() => {{}});
  const s = document.createElement("script"); s.src = "{gateway}/v1/cryptocurrency/map"; document.body.append(s);
</script></body></html>"#
    );
    let elsewhere = Emulator::start(Config {
        static_dir: Some(dist_with("gateway-hostile", &[("hostile.html", &hostile)])),
        ..Config::default()
    })
    .await;
    browser
        .client
        .goto(&elsewhere.url("/hostile.html"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let ledger = common::get_text(&upstream.url("/_emulator/ledger")).await;
    let ledger: serde_json::Value = serde_json::from_str(&ledger).unwrap();
    assert_eq!(
        ledger["cmc"]["demo-basic"]["credits_this_month"], 7,
        "only the team's own requests spent the gateway's key: {ledger}"
    );
    assert_eq!(ledger["cmc"]["demo-basic"]["refused_429"], 0, "{ledger}");
    browser.close().await;
}
