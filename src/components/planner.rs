use credit_gauge_core::planner::{room, runway, shortest_interval};
use credit_gauge_core::Request;
use leptos::prelude::*;

use crate::plan_text;
use crate::widget::Widget;

/// The default interval the planner starts with, in seconds.
const DEFAULT_EVERY_S: i64 = 60;
/// The longest interval the planner reads (a year), so a typo cannot ask for nonsense.
const MAX_EVERY_S: i64 = 366 * 86_400;

/// The planner for the request in the form: how many more fit, what a schedule does to the
/// budget, and the shortest interval that lasts. The core computes; this only shows.
#[component]
pub fn Planner(widget: Widget, request: Memo<Option<Request>>) -> impl IntoView {
    let every = RwSignal::new(DEFAULT_EVERY_S);
    // Once a second is plenty: the figures move with the budget, not with each tick.
    let second = Memo::new(move |_| widget.now.get().0 / 1000);
    let figures = Memo::new(move |_| {
        second.track();
        let request = request.get()?;
        let account = widget.account.get()?;
        let now = widget.now.get_untracked();
        // Nothing to plan for a request that can never go as it is (the preview says why).
        if matches!(
            credit_gauge_core::decide(&account, &request, now),
            credit_gauge_core::Decision::Refuse { .. }
        ) {
            return None;
        }
        let s = every.get();
        Some((
            plan_text::room_line(&room(&account, &request, now)),
            plan_text::runway_line(s, &runway(&account, &request, now, s * 1000), now),
            plan_text::shortest_line(shortest_interval(&account, &request, now)),
        ))
    });
    // Shown or not as the figures come and go; not made anew each time they change (the
    // field being typed in stays as it is).
    let shown = Memo::new(move |_| figures.with(Option::is_some));
    move || {
        shown.get().then(|| view! {
            <div class="planner" aria-label="Planner">
                <p id="planner-room">{move || figures.with(|f| f.as_ref().map(|f| f.0.clone()))}</p>
                <p>
                    <label>
                        "Every "
                        <input
                            id="planner-every"
                            type="number"
                            min="1"
                            max=MAX_EVERY_S
                            prop:value=move || every.get().to_string()
                            on:change=move |ev| {
                                let typed = event_target_value(&ev).trim().parse::<i64>().ok();
                                if let Some(s) = typed.filter(|s| (1..=MAX_EVERY_S).contains(s)) {
                                    every.set(s);
                                }
                            }
                        />
                        " seconds"
                    </label>
                </p>
                <p id="planner-runway" aria-live="polite">{move || figures.with(|f| f.as_ref().map(|f| f.1.clone()))}</p>
                <p id="planner-shortest">{move || figures.with(|f| f.as_ref().map(|f| f.2.clone()))}</p>
            </div>
        })
    }
}
