//! A full widget's panels (settings, the request form, the answer, the month's usage, the
//! history), mounted once its gauges are painted. Only in builds with the `panels` feature.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::{AnswerView, History, RequestForm, SettingsPanel, UsageView};
use crate::widget::Widget;

/// Mounts a full widget's panels (settings and the form above the queue; the answer, the usage
/// and the history below it) once the gauges have been painted: the limits, which are what a
/// visitor opens the widget for, show without waiting for the larger part of the page to be
/// built. `requestAnimationFrame` runs just before the frame that paints the gauges, and a
/// timeout from there runs once it has been painted.
///
/// The panels are mounted on their own rather than shown by a signal: a signal would compile
/// code to re-render them, which never happens. They are unmounted with the widget (their
/// handles are dropped with its `StoredValue`), and never mounted if it has gone by then.
pub(super) fn mount_after_paint(
    widget: Widget,
    initial: Option<credit_gauge_core::Request>,
    above: web_sys::Element,
    below: web_sys::Element,
) {
    let mounted = StoredValue::new_local(Vec::<Box<dyn std::any::Any>>::new());
    request_animation_frame(move || {
        set_timeout(
            move || {
                // Gone with its widget: nothing to mount into.
                if mounted.is_disposed() {
                    return;
                }
                let first = leptos::mount::mount_to(above.unchecked_into(), move || {
                    view! {
                        <SettingsPanel widget=widget />
                        <RequestForm widget=widget initial=initial />
                    }
                });
                let second = leptos::mount::mount_to(below.unchecked_into(), move || {
                    view! {
                        <AnswerView widget=widget />
                        <UsageView widget=widget />
                        <History widget=widget />
                    }
                });
                mounted.update_value(|m| {
                    m.push(Box::new(first));
                    m.push(Box::new(second));
                });
            },
            std::time::Duration::ZERO,
        );
    });
}
