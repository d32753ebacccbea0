//! A full widget's panels (settings, the request form, the answer, the month's usage, the
//! history), mounted once its gauges are painted. Only in builds with the `panels` feature.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::reactive::*;

use crate::components::{answer_view, history_view, request_form, settings_panel, usage_view};
use crate::dom::add;
use crate::widget::Widget;

/// Mounts a full widget's panels (settings and the form above the queue; the answer, the usage
/// and the history below it) once the gauges have been painted: the limits, which are what a
/// visitor opens the widget for, show without waiting for the larger part of the page to be
/// built. `requestAnimationFrame` runs just before the frame that paints the gauges, and a
/// timeout from there runs once it has been painted.
///
/// The panels belong to the widget's reactive owner, so they go with it; a widget that has
/// gone by then gets none.
pub(super) fn mount_after_paint(
    widget: Widget,
    initial: Option<credit_gauge_core::Request>,
    above: web_sys::Element,
    below: web_sys::Element,
) {
    let Some(owner) = Owner::current() else {
        return;
    };
    // Disposed with the widget's owner: tells the timeout that the widget has gone.
    let alive = StoredValue::new(());
    let after_paint = move || {
        if alive.is_disposed() {
            return;
        }
        owner.with(|| {
            add(&above, settings_panel(widget));
            add(&above, request_form(widget, initial));
            add(&below, answer_view(widget));
            add(&below, usage_view(widget));
            add(&below, history_view(widget));
        });
    };
    let before_paint = Closure::once_into_js(move || {
        crate::timer::call_after(&Closure::once_into_js(after_paint), 0);
    });
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(before_paint.unchecked_ref());
    }
}
