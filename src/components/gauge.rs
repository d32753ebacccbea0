use leptos::prelude::*;

/// One limit: what is left of it, as an accessible `<meter>` and as text.
#[component]
pub fn Gauge(
    /// What the limit is, e.g. "Requests this minute".
    #[prop(into)]
    label: String,
    /// How much of the limit is left.
    #[prop(into)]
    remaining: Signal<u32>,
    /// The size of the limit.
    #[prop(into)]
    limit: Signal<u32>,
) -> impl IntoView {
    view! {
        <div class="gauge">
            <span class="gauge-label">{label.clone()}</span>
            <meter
                aria-label=label
                min="0"
                max=move || limit.get()
                low=move || limit.get() / 5
                high=move || limit.get() / 2
                optimum=move || limit.get()
                value=move || remaining.get()
            ></meter>
            <span class="gauge-text">
                {move || format!("{} / {} left", remaining.get(), limit.get())}
            </span>
        </div>
    }
}
