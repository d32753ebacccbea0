//! The Leptos `Gauge` component, for Rust apps built with Leptos (the `leptos` feature); the
//! widget's own view draws its rows in plain DOM from the same `RowFigures`.

use credit_gauge_core::gauge::Gauge as GaugeData;
use credit_gauge_core::UnixMillis;
use leptos::prelude::*;

use super::row_figures::RowFigures;

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
