//! credit-gauge: a credit gauge for paid market-data APIs.
//!
//! The browser shell: views in plain DOM on reactive cells of its own (`dom`, `reactive`,
//! `components`) and the I/O they need (`client`). Every decision about limits and costs lives
//! in `credit_gauge_core`. The `leptos` feature (default) adds the `Gauge` component and
//! `CreditGauge::view` for Rust apps built with Leptos; the widget's own modules go without it.

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub mod allocator;
pub mod answer;
pub mod changes;
pub mod client;
pub mod clock;
pub mod components;
pub mod dom;
pub mod embed;
pub mod events;
pub mod format;
pub mod frame;
pub mod handle;
pub mod history;
pub mod keys;
pub mod locks;
pub mod page_fetch;
pub mod pipeline;
pub mod plan_text;
pub mod presentation;
pub mod queue;
pub mod reactive;
pub mod settings;
mod settle;
pub mod store;
mod styles;
pub mod task;
pub mod timer;
pub mod widget;

use wasm_bindgen::prelude::*;

/// The element the single-page app mounts into, when the page has one.
pub const APP_ELEMENT_ID: &str = "credit-gauge-app";

/// Runs when the module is loaded: mounts the app where the page asks for it (the compact
/// module has no app: it only installs the panic hook).
///
/// Pages without the app element (a host page that only embeds the widget) load the module
/// without anything being mounted.
#[wasm_bindgen(start)]
pub fn start() {
    install_panic_hook();
    #[cfg(feature = "panels")]
    mount_app();
}

/// Mounts the single-page app into its element, if the page has one.
#[cfg(feature = "panels")]
fn mount_app() {
    use crate::dom::document;
    use wasm_bindgen::JsCast;

    let Some(target) = document()
        .get_element_by_id(APP_ELEMENT_ID)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    // The styles travel inside the wasm (embedded widgets need them in their shadow roots), so
    // the app's page takes them from there rather than downloading them a second time.
    if let Ok(style) = document().create_element("style") {
        style.set_text_content(Some(styles::STYLES));
        if let Ok(Some(head)) = document().query_selector("head") {
            let _ = head.append_child(&style);
        }
    }
    // The app lives as long as the page: keep it mounted.
    let app = dom::mount(&target, || {
        let widget = widget::Widget::new(settings::Settings::default(), true);
        components::widget_view(widget, true, None)
    });
    std::mem::forget(app);
}

/// Reports a panic to the console and counts it in `window.__creditGaugePanics`, so tests (and
/// curious host pages) can see that one happened.
///
/// The shipped modules are built to stop at a panic without a word (`scripts/build`:
/// `-C panic=immediate-abort`): no message is formatted, so none of the panic sites' text and
/// formatting is downloaded. There a panic is the browser's `RuntimeError: unreachable`, and no
/// hook is installed; other builds (tests, Rust apps that link the crate) keep the hook.
pub fn install_panic_hook() {
    #[cfg(not(panic = "immediate-abort"))]
    {
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                console_error_panic_hook::hook(info);
                if let Some(window) = web_sys::window() {
                    let key = JsValue::from_str("__creditGaugePanics");
                    let seen = js_sys::Reflect::get(&window, &key)
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0);
                    let _ = js_sys::Reflect::set(&window, &key, &JsValue::from_f64(seen + 1.0));
                }
            }));
        });
    }
}

/// The allocator of both wasm modules: blocks in power-of-two size classes (`allocator`), a
/// few hundred bytes of code where the standard library's dlmalloc brings kilobytes. The widget
/// runs on one thread (no `atomics`). Only with the `allocator` feature, which the widget's own
/// builds turn on: a Rust app that links the crate keeps its own allocator.
#[cfg(all(
    feature = "allocator",
    target_arch = "wasm32",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: allocator::SizeClasses = allocator::SizeClasses::new();
