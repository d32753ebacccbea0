//! One widget's view: the header, the notices, the gauges, the warnings and the queue, as plain
//! DOM (`crate::dom`) updated in place by one render effect per part; a full widget's panels
//! are mounted into their places once this is painted (`panels.rs`).

use crate::reactive::*;
use credit_gauge_core::cat;
use credit_gauge_core::gauge::Gauge;
use credit_gauge_core::{Request, UnixMillis};
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::components::row_figures::RowFigures;
use crate::dom::{self, add, add_text, el, set_attr, set_text, Rows, Slot};
use crate::format;
use crate::presentation::{self, api_name};
use crate::queue::{QueueItem, QueueState};
use crate::widget::Widget;

/// The view of `widget`. `full` adds settings, the form, the answer, the usage and the history
/// (in a build with the `panels` feature; without it every widget is compact); `initial` is the
/// request the form starts with (an embed's `endpoint` and `params`). Its effects and listeners
/// belong to the current reactive owner.
pub fn widget_view(widget: Widget, full: bool, initial: Option<Request>) -> Element {
    let full = full && cfg!(feature = "panels");
    let live = widget.start();
    let root = el("div", "cg");
    {
        let root = root.clone();
        effect(move || {
            let theme = widget.settings.with(|s| s.theme.clone());
            set_attr(&root, "data-theme", Some(&theme));
        });
    }

    let head = add(&root, el("header", "cg-head"));
    add_text(&add(&head, el("h1", "")), "credit-gauge");
    let api = add(&head, el("span", "cg-api"));
    effect(move || set_text(&api, api_name(widget.settings.with(|s| s.api))));

    notices(&root, widget, full);

    let gauges = add(&root, el("section", "gauges"));
    let _ = gauges.set_attribute("aria-label", "Limits");
    gauge_rows(&gauges, widget, live.gauges);
    let team = Slot::new(&gauges);
    effect(move || {
        let note = team.show(widget.team.get(), &|| el("p", "team-note"));
        if let Some(note) = note {
            set_text(
                &note,
                "Team budget: the gateway counts every client's requests on this key.",
            );
        }
    });
    let sync_row = add(&gauges, el("div", "sync-row"));
    let sync = add(&sync_row, el("button", ""));
    let _ = sync.set_attribute("id", "sync");
    let _ = sync.set_attribute("type", "button");
    add_text(&sync, "Sync");
    let sync_note = add(&sync_row, el("span", "sync-note"));
    effect(move || {
        let note = widget
            .answer
            .with(|a| a.as_ref().and_then(|a| a.sync_note.clone()))
            .unwrap_or_default();
        set_text(&sync_note, &note);
    });

    // A polite live region: a warning is read out when it appears, without cutting off what a
    // screen reader is saying.
    let warnings = add(&root, el("div", "warnings"));
    let _ = warnings.set_attribute("role", "status");
    let _ = warnings.set_attribute("aria-live", "polite");
    warning_slots(&warnings, live.gauges, live.warnings);

    let above = full.then(|| add(&root, el("div", "cg-panels")));
    let queue = add(&root, el("section", "queue"));
    let _ = queue.set_attribute("aria-label", "Queued requests");
    queue_rows(&queue, widget);
    let below = full.then(|| add(&root, el("div", "cg-panels")));
    #[cfg(feature = "panels")]
    if let (Some(above), Some(below)) = (above, below) {
        super::panels::mount_after_paint(widget, initial, above, below);
    }
    #[cfg(not(feature = "panels"))]
    let _ = (initial, above, below);

    on_clicks(&root, widget);
    root
}

/// The first visit's line (a full widget on the demo key), the store's notice, and the warning
/// that stored counts could not be read (with the button that resets them).
fn notices(root: &Element, widget: Widget, full: bool) {
    let intro = Slot::new(root);
    effect(move || {
        let demo = full && widget.settings.with(presentation::on_the_demo);
        if let Some(p) = intro.show(demo, &|| el("p", "intro")) {
            set_text(
                &p,
                widget.settings.with(|s| presentation::demo_intro(s.api)),
            );
        }
    });
    let notice = Slot::new(root);
    effect(move || {
        let text = widget.notice.get();
        if let Some(p) = notice.show(text.is_some(), &status_line) {
            set_text(&p, text.unwrap_or_default());
        }
    });
    let unreadable = Slot::new(root);
    effect(move || {
        let warning = widget.load_warning.get();
        let make = || {
            let p = status_line();
            add_text(&p, "");
            add_text(&p, " ");
            let reset = add(&p, el("button", ""));
            let _ = reset.set_attribute("id", "reset-counts");
            let _ = reset.set_attribute("type", "button");
            add_text(&reset, "Reset counts and sync");
            p
        };
        if let Some(p) = unreadable.show(warning.is_some(), &make) {
            if let Some(text) = p.first_child() {
                set_text(&text, &warning.unwrap_or_default());
            }
        }
    });
}

fn status_line() -> Element {
    let p = el("p", "notice");
    let _ = p.set_attribute("role", "status");
    p
}

/// A row per limit, re-rendered in place as the figures and the countdowns change.
fn gauge_rows(section: &Element, widget: Widget, gauges: Memo<Vec<Gauge>>) {
    let rows = Rows::new(section);
    effect(move || {
        let now = widget.now.get();
        widget.account.with(|account| {
            gauges.with(|gauges| {
                let shown = rows.resize(gauges.len(), &gauge_row);
                for (row, g) in shown.iter().zip(gauges) {
                    let source = account
                        .as_ref()
                        .and_then(|a| credit_gauge_core::gauge::reset_source(a, g.limit))
                        .map(presentation::source_words)
                        .unwrap_or_default();
                    update_gauge_row(row, &RowFigures::of(g, now), source);
                }
            })
        })
    });
}

/// An empty gauge row: label, meter, figures (observed by Element Timing, so a page can tell
/// when the first gauge was painted), countdown, and a place for where its figures come from.
fn gauge_row() -> Element {
    let row = el("div", "");
    add(&row, el("span", "gauge-label"));
    let meter = add(&row, el("meter", ""));
    let _ = meter.set_attribute("min", "0");
    let text = add(&row, el("span", "gauge-text"));
    let _ = text.set_attribute("elementtiming", "credit-gauge");
    add(&row, el("span", "gauge-reset"));
    row
}

/// A meter's figures, in the order of `RowFigures::meter`.
const METER: [&str; 5] = ["max", "low", "high", "optimum", "value"];

fn update_gauge_row(row: &Element, figures: &RowFigures, source: &str) {
    set_attr(row, "class", Some(figures.level));
    set_attr(row, "data-limit", Some(figures.slug));
    let children = row.children();
    let part = |i| children.item(i);
    if let Some(label) = part(0) {
        set_text(&label, figures.label);
    }
    if let Some(meter) = part(1) {
        set_attr(&meter, "aria-label", Some(figures.label));
        set_attr(&meter, "aria-valuetext", Some(&figures.spoken));
        for (name, value) in METER.iter().zip(&figures.meter) {
            set_attr(&meter, name, Some(value));
        }
    }
    if let Some(text) = part(2) {
        set_text(&text, &figures.left);
    }
    if let Some(reset) = part(3) {
        set_text(&reset, &figures.reset);
    }
    // Where the figures come from: a line of its own, when there is something to say.
    match (part(4), source.is_empty()) {
        (Some(line), true) => line.remove(),
        (Some(line), false) => set_text(&line, source),
        (None, false) => {
            add_text(&add(row, el("span", "gauge-source")), source);
        }
        (None, true) => {}
    }
}

/// A slot per limit, in the gauges' order, empty and hidden while its limit has no warning: a
/// warning that stays is never rewritten (nor read out again) when another one comes or goes.
fn warning_slots(
    region: &Element,
    gauges: Memo<Vec<Gauge>>,
    warnings: Memo<Vec<presentation::ShownWarning>>,
) {
    let slots = Rows::new(region);
    effect(move || {
        warnings.with(|warnings| {
            gauges.with(|gauges| {
                let shown = slots.resize(gauges.len(), &|| el("p", "warning"));
                for (slot, g) in shown.iter().zip(gauges) {
                    let text = warnings
                        .iter()
                        .find(|w| w.warning.gauge.limit == g.limit)
                        .map(|w| w.text.as_str());
                    set_attr(slot, "hidden", text.is_none().then_some(""));
                    set_text(slot, text.unwrap_or_default());
                }
            })
        })
    });
}

/// The queue's rows, re-rendered in place as states and countdowns change. Rows are matched to
/// requests by position, so a focused Cancel is kept with its request (`keep_cancel_focus`).
fn queue_rows(section: &Element, widget: Widget) {
    let rows = Rows::new(section);
    let section = section.clone();
    effect(move || {
        let now = widget.now.get();
        // Whose Cancel has the focus, read before the rows change.
        let focused =
            cancel_button(&section, ".cancel:focus").and_then(|b| b.get_attribute("data-id"));
        widget.queue.with(|queue| {
            let shown = rows.resize(queue.len(), &queue_row);
            for (row, item) in shown.iter().zip(queue) {
                update_queue_row(row, item, now);
            }
        });
        if let Some(id) = focused {
            keep_cancel_focus(&section, &id);
        }
    });
}

/// An empty queue row: what it is, what it is doing, and a place for its Cancel.
fn queue_row() -> Element {
    let row = el("div", "queue-item");
    add(&row, el("span", "queue-title"));
    let state = add(&row, el("span", ""));
    add_text(&state, "");
    row
}

fn update_queue_row(row: &Element, item: &QueueItem, now: UnixMillis) {
    let (class, what, countdown) = match &item.state {
        QueueState::Deciding => ("queue-state", "deciding…".to_string(), None),
        QueueState::Sending => ("queue-state", "sending…".to_string(), None),
        QueueState::Waiting { until, explanation } => (
            "queue-state waiting",
            cat![explanation.title, " — "],
            Some(cat!["sends itself in ", format::duration(until.0 - now.0)]),
        ),
    };
    let children = row.children();
    if let Some(title) = children.item(0) {
        let mut text = item.title.to_string();
        if let Some(c) = item.estimated {
            text.push_str(" · ");
            text.push_str(&presentation::credits_phrase(c));
        }
        if item.from_page {
            text.push_str(" · the page's");
        }
        set_text(&title, &text);
    }
    if let Some(state) = children.item(1) {
        set_attr(&state, "class", Some(class));
        if let Some(first) = state.first_child() {
            set_text(&first, &what);
        }
        let shown = state.query_selector(".countdown").ok().flatten();
        match (shown, countdown) {
            (Some(c), Some(text)) => set_text(&c, &text),
            (Some(c), None) => c.remove(),
            (None, Some(text)) => {
                add_text(&add(&state, el("span", "countdown")), &text);
            }
            (None, None) => {}
        }
    }
    // Cancel, until the request is being sent; it names its request for the click handler.
    let cancel = row.query_selector(".cancel").ok().flatten();
    let cancellable = !matches!(item.state, QueueState::Sending);
    match (cancel, cancellable) {
        (Some(button), true) => set_attr(&button, "data-id", Some(&cat![item.id])),
        (Some(button), false) => button.remove(),
        (None, true) => {
            let button = add(row, el("button", "cancel"));
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-id", &cat![item.id]);
            add_text(&button, "Cancel");
        }
        (None, false) => {}
    }
}

/// Queue rows are matched to requests by position, so when a request before it leaves, a
/// focused Cancel would find itself under the next request, and a second key press would cancel
/// a request nobody chose. Run after a render that found request `id`'s Cancel focused: focus
/// follows the request to its new row, or leaves the queue when the request has no Cancel any
/// more (as if its row had gone).
fn keep_cancel_focus(section: &Element, id: &str) {
    if let Some(own) = cancel_button(section, &cat![".cancel[data-id=\"", id, "\"]"]) {
        let _ = own.focus();
    } else if let Some(other) = cancel_button(section, ".cancel:focus") {
        let _ = other.blur();
    }
}

/// The queue's first button that `selector` matches.
fn cancel_button(section: &Element, selector: &str) -> Option<web_sys::HtmlElement> {
    section
        .query_selector(selector)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// The widget's buttons, one listener for all (rows come and go; their buttons need no
/// listener of their own): Sync, "Reset counts and sync", and each queued request's Cancel.
fn on_clicks(root: &Element, widget: Widget) {
    dom::listen(root, "click", move |event: web_sys::Event| {
        if dom::closest(&event, ".sync-row > #sync").is_some() {
            widget.sync();
        } else if dom::closest(&event, "#reset-counts").is_some() {
            widget.reset_counts();
        } else if let Some(cancel) = dom::closest(&event, ".queue .cancel") {
            if let Some(id) = cancel
                .get_attribute("data-id")
                .and_then(|id| credit_gauge_core::integer::parse_u64(&id))
            {
                widget.cancel(id);
            }
        }
    });
}
