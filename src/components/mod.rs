//! Components read signals and render them; they do not compute limits.

mod answer;
mod app;
mod form;
pub(crate) mod gauge;
mod history;
mod planner;
mod settings;
mod usage;

pub use answer::AnswerView;
pub use app::{App, WidgetView};
pub use form::RequestForm;
pub use gauge::Gauge;
pub use history::History;
pub use planner::Planner;
pub use settings::SettingsPanel;
pub use usage::UsageView;
