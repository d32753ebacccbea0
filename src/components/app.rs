use leptos::prelude::*;

use crate::components::{AnswerView, Gauge, History, RequestForm, SettingsPanel, UsageView};
use crate::format;
use crate::presentation::{self, api_name};
use crate::queue::QueueState;
use crate::settings::Settings;
use crate::widget::Widget;

/// The single-page app: the whole widget, with settings restored from this device.
#[component]
pub fn App() -> impl IntoView {
    let widget = Widget::new(Settings::default(), true);
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
    let live = widget.start();
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
                <For
                    each=move || gauge_list.get()
                    key=|g| g.limit
                    children=move |first| {
                        // This limit's gauge as it changes (as it was, while its row goes).
                        let data = Signal::derive(move || {
                            gauge_list
                                .with(|g| g.iter().find(|g| g.limit == first.limit).copied())
                                .unwrap_or(first)
                        });
                        let source = Signal::derive(move || {
                            widget.account.with(|a| {
                                a.as_ref()
                                    .and_then(|a| credit_gauge_core::gauge::reset_source(a, first.limit))
                                    .map(presentation::source_words)
                            })
                        });
                        view! { <Gauge data=data now=widget.now source=source /> }
                    }
                />
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
                <For
                    each=move || warning_list.with(|w| w.iter().map(|w| w.text.clone()).collect::<Vec<_>>())
                    key=|w| w.clone()
                    children=|w| view! { <p class="warning">{w}</p> }
                />
            </div>
            // `full` never changes: the panels are there or not, with nothing to watch.
            {full.then(|| view! {
                <SettingsPanel widget=widget />
                <RequestForm widget=widget initial=initial.clone() />
            })}
            <section class="queue" aria-label="Queued requests">
                <For
                    each=move || widget.queue.get()
                    key=|q| {
                        let state = match &q.state {
                            QueueState::Deciding => 0,
                            QueueState::Waiting { until, .. } => until.0,
                            QueueState::Sending => -1,
                        };
                        (q.id, state)
                    }
                    children=move |item| {
                        let id = item.id;
                        let state = item.state.clone();
                        view! {
                            <div class="queue-item">
                                <span class="queue-title">
                                    {item.title}
                                    {item.estimated.map(|c| format!(" · {}", presentation::credits_phrase(c)))}
                                    {item.from_page.then_some(" · the page's")}
                                </span>
                                {match state {
                                    QueueState::Deciding => view! { <span class="queue-state">"deciding…"</span> }.into_any(),
                                    QueueState::Sending => view! { <span class="queue-state">"sending…"</span> }.into_any(),
                                    QueueState::Waiting { until, explanation } => view! {
                                        <span class="queue-state waiting">
                                            {format!("{} — ", explanation.title)}
                                            <span class="countdown">
                                                {move || {
                                                    let t = widget.now.get();
                                                    format!("sends itself in {}", format::duration(until.0 - t.0))
                                                }}
                                            </span>
                                        </span>
                                    }.into_any(),
                                }}
                                // A row is made anew when its state changes (see its key).
                                {(!matches!(item.state, QueueState::Sending)).then(|| view! {
                                    <button type="button" class="cancel" on:click=move |_| widget.cancel(id)>
                                        "Cancel"
                                    </button>
                                })}
                            </div>
                        }
                    }
                />
            </section>
            {full.then(|| view! {
                <AnswerView widget=widget />
                <UsageView widget=widget />
                <History widget=widget />
            })}
        </div>
    }
}
