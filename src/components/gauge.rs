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
    let level = move || {
        let share = data.with(|d| d.used_share());
        if share >= 0.95 {
            "gauge crit"
        } else if share >= 0.80 {
            "gauge warn"
        } else {
            "gauge ok"
        }
    };
    let amount = |c: credit_gauge_core::Credits| format::credits(c);
    // Element Timing (`elementtiming`, which the view macro does not know): a page can observe
    // when the first gauge was painted.
    let text = view! {
        <span class="gauge-text">
            {move || data.with(|d| format!("{} / {} left", amount(d.left), amount(d.size)))}
        </span>
    }
    .attr("elementtiming", "credit-gauge");
    view! {
        <div class=level data-limit=move || data.with(|d| limit_slug(d.limit))>
            <span class="gauge-label">{move || data.with(|d| limit_label(d.limit))}</span>
            <meter
                aria-label=move || data.with(|d| limit_label(d.limit))
                aria-valuetext=move || data.with(|d| format!("{} of {} left", amount(d.left), amount(d.size)))
                min="0"
                max=move || data.with(|d| format::millis_plain(d.size.millis()))
                low=move || data.with(|d| format::millis_plain(d.size.millis() / 20))
                high=move || data.with(|d| format::millis_plain(d.size.millis() / 5))
                optimum=move || data.with(|d| format::millis_plain(d.size.millis()))
                value=move || data.with(|d| format::millis_plain(d.left.millis()))
            ></meter>
            {text}
            <span class="gauge-reset">
                {move || {
                    let t = now.get();
                    data.with(|d| match d.resets_at {
                        Some(at) if at > t => format!("resets in {}", format::duration(at.0 - t.0)),
                        Some(_) => "resetting…".to_string(),
                        None => "unused this window".to_string(),
                    })
                }}
            </span>
            {source.map(|source| view! { <span class="gauge-source">{move || source.get()}</span> })}
        </div>
    }
}
