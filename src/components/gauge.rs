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

/// The row of one limit at time `now`; `source` is the line saying where its figures come from
/// (`None`: no such line).
///
/// A plain view of plain values: whoever shows it re-renders it when the figures or the clock
/// change (the countdown ticks each second), and only the strings that changed are written to
/// the page. One closure per list of gauges, not ten per gauge, keeps the widget small.
pub fn gauge_row(d: &GaugeData, now: UnixMillis, source: Option<&'static str>) -> impl IntoView {
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
    // Element Timing (`elementtiming`, which the view macro does not know): a page can observe
    // when the first gauge was painted.
    let text = view! { <span class="gauge-text">{format!("{left} / {size} left")}</span> }
        .attr("elementtiming", "credit-gauge");
    view! {
        <div class=level data-limit=limit_slug(d.limit)>
            <span class="gauge-label">{limit_label(d.limit)}</span>
            <meter
                aria-label=limit_label(d.limit)
                aria-valuetext=format!("{left} of {size} left")
                min="0"
                max=format::millis_plain(millis)
                low=format::millis_plain(millis / 20)
                high=format::millis_plain(millis / 5)
                optimum=format::millis_plain(millis)
                value=format::millis_plain(d.left.millis())
            ></meter>
            {text}
            <span class="gauge-reset">{reset}</span>
            {source.map(|source| view! { <span class="gauge-source">{source}</span> })}
        </div>
    }
}
