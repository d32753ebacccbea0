//! Components read signals and render them; they do not compute limits.

mod app;
mod gauge;

pub use app::App;
pub use gauge::Gauge;
