//! credit-gauge: a credit gauge for paid market-data APIs.
//!
//! The browser shell: Leptos components and the I/O they need (`client`). Every decision
//! about limits and costs lives in `credit_gauge_core`.

pub mod client;
pub mod components;
pub mod embed;
pub mod format;
pub mod store;
pub mod widget;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The element the single-page app mounts into, when the page has one.
pub const APP_ELEMENT_ID: &str = "credit-gauge-app";

/// Runs when the module is loaded: mounts the app where the page asks for it.
///
/// Pages without the app element (a host page that only embeds the widget) load the module
/// without anything being mounted.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let Some(target) = document()
        .get_element_by_id(APP_ELEMENT_ID)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    // The app lives as long as the page: keep it mounted.
    leptos::mount::mount_to(target, components::App).forget();
}
