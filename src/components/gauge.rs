use credit_gauge_core::gauge::Gauge as GaugeData;
use credit_gauge_core::UnixMillis;
use leptos::prelude::*;

use crate::format;
use crate::presentation::{limit_label, limit_slug};

/// One limit: what is left of it, as an accessible `<meter>` and as text, coloured by level,
/// with a live countdown to its reset.
#[component]
pub fn Gauge(
    /// The limit's figures.
    #[prop(into)]
    data: Signal<GaugeData>,
    /// The current time, for the countdown.
    #[prop(into)]
    now: Signal<UnixMillis>,
    /// Where the limit's figures come from, in words (none: not said).
    #[prop(optional, into)]
    source: Option<Signal<Option<&'static str>>>,
) -> impl IntoView {
    move || {
        let source = source.map(|s| s.get().unwrap_or_default());
        data.with(|d| gauge_row(d, now.get(), source))
    }
}

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
            Some(at) if at > now => format!("resets in {}", format::duration(at.0 - now.0)),
            Some(_) => "resetting…".to_string(),
            None => "unused this window".to_string(),
        };
        let millis = d.size.millis();
        RowFigures {
            level,
            slug: limit_slug(d.limit),
            label: limit_label(d.limit),
            spoken: format!("{left} of {size} left"),
            left: format!("{left} / {size} left"),
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

/// The row of one limit at time `now`; `source` is the line saying where its figures come from
/// (`None`: no such line).
///
/// A plain view of plain values: whoever shows it re-renders it when the figures or the clock
/// change (the countdown ticks each second), and only the strings that changed are written to
/// the page.
pub fn gauge_row(d: &GaugeData, now: UnixMillis, source: Option<&'static str>) -> impl IntoView {
    let RowFigures {
        level,
        slug,
        label,
        left,
        spoken,
        reset,
        meter: [max, low, high, optimum, value],
    } = RowFigures::of(d, now);
    // Element Timing (`elementtiming`, which the view macro does not know): a page can observe
    // when the first gauge was painted.
    let text =
        view! { <span class="gauge-text">{left}</span> }.attr("elementtiming", "credit-gauge");
    view! {
        <div class=level data-limit=slug>
            <span class="gauge-label">{label}</span>
            <meter
                aria-label=label
                aria-valuetext=spoken
                min="0"
                max=max
                low=low
                high=high
                optimum=optimum
                value=value
            ></meter>
            {text}
            <span class="gauge-reset">{reset}</span>
            {source.map(|source| view! { <span class="gauge-source">{source}</span> })}
        </div>
    }
}
