use crate::reactive::*;
use credit_gauge_core::cat;
use credit_gauge_core::planner::{room, runway, shortest_interval};
use credit_gauge_core::Request;
use web_sys::Element;

use crate::dom::{self, add, add_text, attrs, el, set_text, Slot};
use crate::plan_text;
use crate::widget::Widget;

/// The default interval the planner starts with, in seconds.
const DEFAULT_EVERY_S: i64 = 60;
/// The longest interval the planner reads (a year), so a typo cannot ask for nonsense.
const MAX_EVERY_S: i64 = 366 * 86_400;

/// The planner for the request in the form, at the end of `form`: how many more fit, what a
/// schedule does to the budget, and the shortest interval that lasts. The core computes; this
/// only shows.
pub(super) fn planner(form: &Element, widget: Widget, request: Memo<Option<Request>>) {
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
        Some([
            plan_text::room_line(&room(&account, &request, now)),
            plan_text::runway_line(s, &runway(&account, &request, now, s * 1000), now),
            plan_text::shortest_line(shortest_interval(&account, &request, now)),
        ])
    });
    // Shown or not as the figures come and go; not made anew each time they change (the
    // field being typed in stays as it is).
    let slot = Slot::new(form);
    // The interval last written to the field (none while it is hidden): written again only
    // when the interval changes, never while someone types (the figures change with time).
    let mut written = None::<i64>;
    effect(move || {
        figures.with(|figures| {
            let Some(figures) = figures else {
                slot.show(false, &planner_element);
                written = None;
                return;
            };
            let Some(shown) = slot.show(true, &planner_element) else {
                return;
            };
            // The room, the runway and the shortest interval, around the interval's field.
            let lines = shown.children();
            for (i, text) in [(0, &figures[0]), (2, &figures[1]), (3, &figures[2])] {
                if let Some(line) = lines.item(i) {
                    set_text(&line, text);
                }
            }
            let chosen = every.get();
            if written != Some(chosen) {
                if let Some(field) = shown.query_selector("#planner-every").ok().flatten() {
                    dom::set_value(&field, &cat![chosen]);
                }
                written = Some(chosen);
            }
        })
    });
    dom::listen(form, "change", move |event| {
        let Some((field, _)) = dom::target(&event).filter(|(_, id)| id == "planner-every") else {
            return;
        };
        let typed = credit_gauge_core::integer::parse_i64(dom::value(&field).trim());
        match typed.filter(|s| (1..=MAX_EVERY_S).contains(s)) {
            Some(s) => every.set(s),
            // Refused: the field shows again the interval the figures use.
            None => dom::set_value(&field, &cat![every.get_untracked()]),
        }
    });
}

fn planner_element() -> Element {
    let planner = el("div", "planner");
    let _ = planner.set_attribute("aria-label", "Planner");
    let _ = add(&planner, el("p", "")).set_attribute("id", "planner-room");
    let every = add(&add(&planner, el("p", "")), el("label", ""));
    add_text(&every, "Every ");
    let field = add(&every, el("input", ""));
    attrs(
        &field,
        &[
            ("id", "planner-every"),
            ("type", "number"),
            ("min", "1"),
            ("max", &cat![MAX_EVERY_S]),
        ],
    );
    add_text(&every, " seconds");
    let runway = add(&planner, el("p", ""));
    attrs(
        &runway,
        &[("id", "planner-runway"), ("aria-live", "polite")],
    );
    let _ = add(&planner, el("p", "")).set_attribute("id", "planner-shortest");
    planner
}
