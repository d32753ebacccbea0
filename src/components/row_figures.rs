//! What the row of one limit shows, in words and figures: the one source of both renderings
//! of a gauge row (the widget's plain-DOM view and the Leptos `Gauge` component).

use credit_gauge_core::cat;
use credit_gauge_core::gauge::Gauge as GaugeData;
use credit_gauge_core::UnixMillis;

use crate::format;
use crate::presentation::{limit_label, limit_slug};

/// What the row of one limit shows at time `now`: its level (the row's class), its words and
/// its meter's figures. Both renderings of a gauge row read this: the `Gauge` component and the
/// widget's own plain-DOM view.
pub struct RowFigures {
    pub level: &'static str,
    pub slug: &'static str,
    pub label: &'static str,
    pub left: String,
    pub spoken: String,
    pub reset: String,
    /// `max`, `low`, `high`, `optimum` and `value` of the meter, as written in its attributes.
    pub meter: [String; 5],
}

impl RowFigures {
    pub fn of(d: &GaugeData, now: UnixMillis) -> RowFigures {
        let share = d.used_share();
        let level = if share >= 0.95 {
            "gauge crit"
        } else if share >= 0.80 {
            "gauge warn"
        } else {
            "gauge ok"
        };
        let (left, size) = (format::credits(d.left), format::credits(d.size));
        let reset = match d.resets_at {
            Some(at) if at > now => cat!["resets in ", format::duration(at.0 - now.0)],
            Some(_) => "resetting…".to_string(),
            None => "unused this window".to_string(),
        };
        let millis = d.size.millis();
        RowFigures {
            level,
            slug: limit_slug(d.limit),
            label: limit_label(d.limit),
            spoken: cat![left, " of ", size, " left"],
            left: cat![left, " / ", size, " left"],
            reset,
            meter: [
                format::millis_plain(millis),
                format::millis_plain(millis / 20),
                format::millis_plain(millis / 5),
                format::millis_plain(millis),
                format::millis_plain(d.left.millis()),
            ],
        }
    }
}
