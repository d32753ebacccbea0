//! Components mounted in a real Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use credit_gauge::components::{Gauge, WidgetView};
use credit_gauge::widget::{GaugeData, Settings, Widget};
use credit_gauge_core::{Credits, UnixMillis};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn test_root() -> web_sys::HtmlElement {
    let document = document();
    let root = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root.unchecked_into()
}

fn text(root: &web_sys::HtmlElement, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .text_content()
        .unwrap()
}

fn minute(remaining: i64) -> GaugeData {
    GaugeData {
        name: "minute",
        label: "Requests this minute",
        remaining: Credits::from_whole(remaining),
        limit: Credits::from_whole(30),
        requests: true,
        resets_at: Some(UnixMillis(60_000)),
    }
}

#[wasm_bindgen_test]
async fn gauge_shows_what_is_left_its_level_and_its_countdown() {
    let root = test_root();
    let (data, set_data) = signal(minute(18));
    let (now, set_now) = signal(UnixMillis(37_000));
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <Gauge data=data now=now /> }
    });
    leptos::task::tick().await;

    assert_eq!(text(&root, ".gauge-text"), "18 / 30 left");
    assert_eq!(text(&root, ".gauge-reset"), "resets in 23 s");
    let meter = root.query_selector("meter").unwrap().unwrap();
    assert_eq!(meter.get_attribute("value").as_deref(), Some("18"));
    assert_eq!(meter.get_attribute("max").as_deref(), Some("30"));
    assert_eq!(
        meter.get_attribute("aria-label").as_deref(),
        Some("Requests this minute")
    );
    assert!(root.query_selector(".gauge.ok").unwrap().is_some());

    set_data.set(minute(1));
    set_now.set(UnixMillis(59_000));
    leptos::task::tick().await;
    assert_eq!(text(&root, ".gauge-text"), "1 / 30 left");
    assert_eq!(text(&root, ".gauge-reset"), "resets in 1 s");
    assert!(root.query_selector(".gauge.crit").unwrap().is_some());

    set_data.set(minute(5));
    leptos::task::tick().await;
    assert!(root.query_selector(".gauge.warn").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn the_form_previews_cost_and_refuses_what_the_plan_cannot_take() {
    let root = test_root();
    let settings = Settings {
        key_cmc: "component-test-key".into(),
        ..Settings::default()
    };
    let widget = Widget::new(settings, false);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <WidgetView widget=widget full=true /> }
    });
    leptos::task::tick().await;

    let select: web_sys::HtmlSelectElement = root
        .query_selector("#endpoint")
        .unwrap()
        .unwrap()
        .unchecked_into();
    select.set_value("/v1/cryptocurrency/listings/latest");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    leptos::task::tick().await;

    let set = |id: &str, value: &str| {
        let input: web_sys::HtmlInputElement = root
            .query_selector(&format!("#param-{id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("no #param-{id}"))
            .unchecked_into();
        input.set_value(value);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    set("limit", "201");
    leptos::task::tick().await;
    let preview = text(&root, "#preview");
    assert!(
        preview.starts_with("2 credits: 201 coins at 200 per credit"),
        "{preview}"
    );
    assert!(preview.contains("left this month"), "{preview}");

    // Basic takes one convert: the preview says so before anything is sent.
    set("convert", "USD,EUR");
    leptos::task::tick().await;
    let preview = text(&root, "#preview");
    assert!(preview.starts_with("3 credits"), "{preview}");
    assert!(
        root.query_selector("#preview.invalid").unwrap().is_some(),
        "{preview}"
    );
    let send: web_sys::HtmlButtonElement = root
        .query_selector("#send")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(send.disabled());

    set("limit", "0");
    leptos::task::tick().await;
    let preview = text(&root, "#preview");
    assert!(preview.contains("limit"), "{preview}");
    assert!(send.disabled());
}
