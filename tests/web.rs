//! Components mounted in a real Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use credit_gauge::components::Gauge;
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

#[wasm_bindgen_test]
async fn gauge_shows_what_is_left_and_follows_its_signals() {
    let root = test_root();
    let (remaining, set_remaining) = signal(18u32);
    let (limit, _) = signal(30u32);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <Gauge label="Requests this minute" remaining=remaining limit=limit /> }
    });
    leptos::task::tick().await;

    let text = root.query_selector(".gauge-text").unwrap().unwrap();
    assert_eq!(text.text_content().unwrap(), "18 / 30 left");
    let meter = root.query_selector("meter").unwrap().unwrap();
    assert_eq!(meter.get_attribute("value").as_deref(), Some("18"));
    assert_eq!(meter.get_attribute("max").as_deref(), Some("30"));

    set_remaining.set(3);
    leptos::task::tick().await;
    assert_eq!(text.text_content().unwrap(), "3 / 30 left");
    assert_eq!(meter.get_attribute("value").as_deref(), Some("3"));
}
