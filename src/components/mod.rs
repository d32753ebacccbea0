//! Components read signals and render them; they do not compute limits. They are plain DOM
//! (`crate::dom`), each built once and updated in place; the `Gauge` component stays a Leptos
//! component for Rust apps (the `leptos` feature). The panels (and the single-page app that shows them) are built
//! only with the `panels` feature: the compact module has the gauges, warnings and queue.

#[cfg(feature = "panels")]
mod answer;
#[cfg(feature = "panels")]
mod form;
#[cfg(feature = "leptos")]
pub(crate) mod gauge;
#[cfg(feature = "panels")]
mod history;
#[cfg(feature = "panels")]
mod panels;
#[cfg(feature = "panels")]
mod planner;
pub(crate) mod row_figures;
#[cfg(feature = "panels")]
mod settings;
#[cfg(feature = "panels")]
mod usage;
mod widget_view;

#[cfg(feature = "leptos")]
pub use gauge::Gauge;
pub use widget_view::widget_view;
#[cfg(feature = "panels")]
pub use {
    answer::answer_view, form::request_form, history::history_view, settings::settings_panel,
    usage::usage_view,
};

/// Mounts `widget`'s view (see [`widget_view`]) at the end of `parent`; dropping the handle
/// takes it off the page.
pub fn mount_widget(
    parent: &web_sys::Node,
    widget: crate::widget::Widget,
    full: bool,
) -> crate::dom::Mounted {
    crate::dom::mount(parent, move || widget_view(widget, full, None))
}
