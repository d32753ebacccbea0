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
    // One render of the whole row per change (the countdown ticks each second), rather than a
    // reactive closure per attribute and text: the row's few strings are compared and only
    // what changed is written to the page, and the widget carries one closure, not ten.
    move || {
        let t = now.get();
        // The source's line is there whenever a source is watched, empty while it says nothing.
        let source = source.map(|s| s.get().unwrap_or_default());
        data.with(|d| {
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
                Some(at) if at > t => format!("resets in {}", format::duration(at.0 - t.0)),
                Some(_) => "resetting…".to_string(),
                None => "unused this window".to_string(),
            };
            let millis = d.size.millis();
            // Element Timing (`elementtiming`, which the view macro does not know): a page can
            // observe when the first gauge was painted.
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
        })
    }
}
