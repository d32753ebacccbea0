use credit_gauge_core::UnixMillis;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::gauge::gauge_row;
use crate::format;
use crate::presentation::{self, api_name};
use crate::queue::{QueueItem, QueueState};
use crate::widget::Widget;

/// The single-page app: the whole widget, with settings restored from this device.
#[cfg(feature = "panels")]
#[component]
pub fn App() -> impl IntoView {
    let widget = Widget::new(crate::settings::Settings::default(), true);
    view! { <WidgetView widget=widget full=true /> }
}

/// One widget. `full` adds settings, the form, the answer and the history to the gauges.
#[component]
pub fn WidgetView(
    widget: Widget,
    #[prop(optional)] full: bool,
    /// The request the form starts with (an embed's `endpoint` and `params`).
    #[prop(default = None)]
    initial: Option<credit_gauge_core::Request>,
) -> impl IntoView {
    // A build without the panels (the compact module) shows every widget as compact.
    let full = full && cfg!(feature = "panels");
    let live = widget.start();
    let queue_section = NodeRef::<leptos::html::Section>::new();
    let (panels_above, panels_below) = (NodeRef::new(), NodeRef::new());
    #[cfg(feature = "panels")]
    if full {
        super::panels::mount_after_paint(widget, initial, panels_above, panels_below);
    }
    #[cfg(not(feature = "panels"))]
    let _ = initial;
    let (gauge_list, warning_list) = (live.gauges, live.warnings);
    let theme = move || widget.settings.with(|s| s.theme.clone());

    view! {
        <div class="cg" data-theme=theme>
            <header class="cg-head">
                <h1>"credit-gauge"</h1>
                <span class="cg-api">
                    {move || api_name(widget.settings.with(|s| s.api))}
                </span>
            </header>
            // A first visit (the emulator, no key of one's own) says what it is looking at.
            {move || {
                let demo = full && widget.settings.with(presentation::on_the_demo);
                demo.then(|| view! {
                    <p class="intro">{widget.settings.with(|s| presentation::demo_intro(s.api))}</p>
                })
            }}
            {move || widget.notice.get().map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
            {move || {
                widget.load_warning.get().map(|warning| view! {
                    <p class="notice" role="status">
                        {warning}
                        " "
                        <button id="reset-counts" type="button" on:click=move |_| widget.reset_counts()>
                            "Reset counts and sync"
                        </button>
                    </p>
                })
            }}
            <section class="gauges" aria-label="Limits">
                // All gauges in one closure: a row per limit, re-rendered in place as the
                // figures and the countdowns change (see `gauge_row`).
                {move || {
                    let now = widget.now.get();
                    widget.account.with(|account| {
                        gauge_list.with(|gauges| {
                            gauges
                                .iter()
                                .map(|g| {
                                    let source = account
                                        .as_ref()
                                        .and_then(|a| credit_gauge_core::gauge::reset_source(a, g.limit))
                                        .map(presentation::source_words)
                                        .unwrap_or_default();
                                    gauge_row(g, now, Some(source))
                                })
                                .collect_view()
                        })
                    })
                }}
                {move || widget.team.get().then(|| view! {
                    <p class="team-note">
                        "Team budget: the gateway counts every client's requests on this key."
                    </p>
                })}
                <div class="sync-row">
                    <button id="sync" type="button" on:click=move |_| widget.sync()>
                        "Sync"
                    </button>
                    <span class="sync-note">
                        {move || {
                            widget
                                .answer
                                .with(|a| a.as_ref().and_then(|a| a.sync_note.clone()))
                                .unwrap_or_default()
                        }}
                    </span>
                </div>
            </section>
            // A polite live region: a warning is read out when it appears, without cutting off
            // what a screen reader is saying.
            <div class="warnings" role="status" aria-live="polite">
                // A slot per limit, in the gauges' order, empty and hidden while its limit has no
                // warning: a warning that stays is never rewritten (nor read out again) when
                // another one comes or goes.
                {move || {
                    warning_list.with(|warnings| {
                        gauge_list.with(|gauges| {
                            gauges
                                .iter()
                                .map(|g| {
                                    let text = warnings
                                        .iter()
                                        .find(|w| w.warning.gauge.limit == g.limit)
                                        .map(|w| w.text.clone());
                                    let hidden = text.is_none();
                                    view! { <p class="warning" hidden=hidden>{text}</p> }
                                })
                                .collect_view()
                        })
                    })
                }}
            </div>
            // `full` never changes: the panels' places are there or not, with nothing to watch.
            {full.then(|| view! { <div class="cg-panels" node_ref=panels_above></div> })}
            <section class="queue" aria-label="Queued requests" node_ref=queue_section>
                // One closure for the whole queue: rows are re-rendered in place as states and
                // countdowns change (a row's Cancel is re-attached for the item now in its place,
                // and a focused one is kept with its request: see `keep_cancel_focus`).
                {move || {
                    let now = widget.now.get();
                    // Whose Cancel has the focus, read before the rows change.
                    let focused = cancel_button(queue_section, ".cancel:focus")
                        .and_then(|b| b.get_attribute("data-id"));
                    let rows = widget.queue.with(|queue| {
                        queue.iter().map(|item| queue_row(widget, item, now)).collect_view()
                    });
                    if let Some(id) = focused {
                        queue_microtask(move || keep_cancel_focus(queue_section, &id));
                    }
                    rows
                }}
            </section>
            {full.then(|| view! { <div class="cg-panels" node_ref=panels_below></div> })}
        </div>
    }
}

/// One queued request at time `now`: what it is, what it waits for, and Cancel (not once it
/// is being sent).
fn queue_row(widget: Widget, item: &QueueItem, now: UnixMillis) -> impl IntoView {
    let id = item.id;
    let (class, what, countdown) = match &item.state {
        QueueState::Deciding => ("queue-state", "deciding…".to_string(), None),
        QueueState::Sending => ("queue-state", "sending…".to_string(), None),
        QueueState::Waiting { until, explanation } => (
            "queue-state waiting",
            format!("{} — ", explanation.title),
            Some(format!(
                "sends itself in {}",
                format::duration(until.0 - now.0)
            )),
        ),
    };
    view! {
        <div class="queue-item">
            <span class="queue-title">
                {item.title}
                {item.estimated.map(|c| format!(" · {}", presentation::credits_phrase(c)))}
                {item.from_page.then_some(" · the page's")}
            </span>
            <span class=class>
                {what}
                {countdown.map(|c| view! { <span class="countdown">{c}</span> })}
            </span>
            {(!matches!(item.state, QueueState::Sending)).then(|| view! {
                <button
                    type="button"
                    class="cancel"
                    data-id=id.to_string()
                    on:click=move |_| widget.cancel(id)
                >
                    "Cancel"
                </button>
            })}
        </div>
    }
}

/// Queue rows are matched to requests by position, so when a request before it leaves, a
/// focused Cancel would find itself under the next request, and a second key press would cancel
/// a request nobody chose. Run after a render that found request `id`'s Cancel focused: focus
/// follows the request to its new row, or leaves the queue when the request has no Cancel any
/// more (as if its row had gone).
fn keep_cancel_focus(section: NodeRef<leptos::html::Section>, id: &str) {
    if let Some(own) = cancel_button(section, &format!(".cancel[data-id=\"{id}\"]")) {
        let _ = own.focus();
    } else if let Some(other) = cancel_button(section, ".cancel:focus") {
        let _ = other.blur();
    }
}

/// The queue's first button that `selector` matches.
fn cancel_button(
    section: NodeRef<leptos::html::Section>,
    selector: &str,
) -> Option<web_sys::HtmlElement> {
    section
        .get_untracked()?
        .query_selector(selector)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}
