//! Components read signals and render them; they do not compute limits. The panels (and the
//! single-page app that shows them) are built only with the `panels` feature: the compact
//! module has the gauges, warnings and queue.

#[cfg(feature = "panels")]
mod answer;
mod app;
#[cfg(feature = "panels")]
mod form;
pub(crate) mod gauge;
#[cfg(feature = "panels")]
mod history;
#[cfg(feature = "panels")]
mod panels;
#[cfg(feature = "panels")]
mod planner;
#[cfg(feature = "panels")]
mod settings;
#[cfg(feature = "panels")]
mod usage;

pub use app::WidgetView;
pub use gauge::Gauge;
#[cfg(feature = "panels")]
pub use {
    answer::AnswerView, app::App, form::RequestForm, history::History, planner::Planner,
    settings::SettingsPanel, usage::UsageView,
};
