use credit_gauge_core::catalog::{ParamKind, ENDPOINTS};
use credit_gauge_core::Request;
use leptos::prelude::*;

use crate::components::Planner;
use crate::widget::Widget;

/// The endpoint picker, its parameters with inline validation, the live cost preview, Send.
#[component]
pub fn RequestForm(
    widget: Widget,
    /// The endpoint and parameters the form starts with.
    #[prop(default = None)]
    initial: Option<Request>,
) -> impl IntoView {
    let api = move || widget.settings.with(|s| s.api);
    let endpoint = RwSignal::new(initial.as_ref().map(|r| r.endpoint));
    let values = RwSignal::new(initial.map(|r| r.params).unwrap_or_default());
    // The endpoint of the current API: the chosen one, or the API's first.
    let current = Memo::new(move |_| {
        let a = api();
        endpoint
            .get()
            .filter(|e| e.api() == a)
            .or_else(|| ENDPOINTS.iter().find(|e| e.api == a).map(|e| e.id))
    });
    let request = Memo::new(move |_| {
        let id = current.get()?;
        let mut r = Request::new(id);
        values.with(|v| {
            for (name, value) in v {
                if !value.trim().is_empty() && id.spec().params.iter().any(|p| p.name == name) {
                    r = r.clone().with(name, value.trim());
                }
            }
        });
        Some(r)
    });
    let preview = move || request.get().map(|r| widget.preview(&r));
    let valid = move || matches!(preview(), Some(Ok(_)));
    let set_value = move |name: &'static str, value: String| {
        values.update(|v| {
            v.retain(|(n, _)| n != name);
            v.push((name.to_string(), value));
        })
    };
    view! {
        <section class="request" aria-label="Request">
            <label>
                "Endpoint "
                <select
                    id="endpoint"
                    prop:value=move || current.get().map(|e| e.spec().path).unwrap_or_default()
                    on:change=move |ev| {
                        let path = event_target_value(&ev);
                        let chosen = ENDPOINTS.iter().find(|e| e.path == path).map(|e| e.id);
                        values.set(Vec::new());
                        endpoint.set(chosen);
                    }
                >
                    {move || {
                        let a = api();
                        ENDPOINTS
                            .iter()
                            .filter(|e| e.api == a)
                            .map(|e| view! { <option value=e.path>{e.title}" — "{e.path}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <div class="params">
                {move || {
                    current
                        .get()
                        .map(|id| {
                            id.spec()
                                .params
                                .iter()
                                .map(|p| {
                                    let name = p.name;
                                    let hint = match p.kind {
                                        ParamKind::Integer { min, max } if max >= 1_000_000_000 => format!("≥ {min}"),
                                        ParamKind::Integer { min, max } => format!("{min}–{max}"),
                                        ParamKind::List { max_items } => format!("comma list, up to {max_items}"),
                                        ParamKind::OneOf(v) | ParamKind::ListOf(v) => v.join(", "),
                                        ParamKind::PositiveDecimal => "number".into(),
                                        ParamKind::Slug | ParamKind::Token => String::new(),
                                    };
                                    view! {
                                        <label class="param">
                                            {p.label}
                                            {if p.required { " *" } else { "" }}
                                            " "
                                            <input
                                                id=format!("param-{name}")
                                                name=name
                                                placeholder=hint
                                                prop:value=move || {
                                                    values.with(|v| {
                                                        v.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
                                                    }).unwrap_or_default()
                                                }
                                                on:input=move |ev| set_value(name, event_target_value(&ev))
                                            />
                                        </label>
                                    }
                                })
                                .collect_view()
                        })
                }}
            </div>
            <p id="preview" class=move || if valid() { "preview" } else { "preview invalid" } aria-live="polite">
                {move || match preview() {
                    Some(Ok(line)) => line,
                    Some(Err(e)) => e,
                    None => String::new(),
                }}
            </p>
            <Planner widget=widget request=request />
            <button
                id="send"
                type="button"
                prop:disabled=move || !valid()
                on:click=move |_| {
                    if let Some(r) = request.get_untracked() {
                        widget.submit(r);
                    }
                }
            >
                "Send"
            </button>
        </section>
    }
}
