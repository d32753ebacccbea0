use crate::reactive::*;
use credit_gauge_core::cat;
use credit_gauge_core::catalog::{EndpointId, ParamKind, ParamSpec, ENDPOINTS};
use credit_gauge_core::{ApiKind, Request};
use web_sys::Element;

use crate::components::planner::planner;
use crate::dom::{self, add, add_text, attrs, el, label, set_attr, set_text};
use crate::widget::Widget;

/// What the user typed, by parameter name.
type Values = Vec<(String, String)>;

/// The endpoint picker, its parameters with inline validation, the live cost preview, Send.
/// `initial` is the endpoint and parameters the form starts with.
pub fn request_form(widget: Widget, initial: Option<Request>) -> Element {
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
    let preview = Memo::new(move |_| request.get().map(|r| widget.preview(&r)));

    let section = el("section", "request");
    let _ = section.set_attribute("aria-label", "Request");
    let picker = dom::select(&label(&section, "", "Endpoint "), "endpoint", &[]);
    let params = add(&section, el("div", "params"));
    let line = add(&section, el("p", ""));
    attrs(&line, &[("id", "preview"), ("aria-live", "polite")]);
    planner(&section, widget, request);
    let send = add(&section, el("button", ""));
    attrs(&send, &[("id", "send"), ("type", "button")]);
    add_text(&send, "Send");

    // The picker lists the current API's endpoints, made anew only when the API changes.
    let mut listed = None::<ApiKind>;
    effect(move || {
        let a = api();
        if listed != Some(a) {
            let paths: Vec<(&str, String)> = ENDPOINTS
                .iter()
                .filter(|e| e.api == a)
                .map(|e| (e.path, cat![e.title, " — ", e.path]))
                .collect();
            dom::set_options(&picker, paths.iter().map(|(p, t)| (*p, t.as_str())));
            listed = Some(a);
        }
        let path = current.get().map(|e| e.spec().path).unwrap_or_default();
        dom::set_value(&picker, path);
    });
    // A field per parameter of the current endpoint, made anew when it changes; what was
    // typed is kept in `values`.
    let mut shown = None::<EndpointId>;
    effect(move || {
        let id = current.get();
        if id != shown {
            params.set_text_content(None);
            for p in id.map(|id| id.spec().params).unwrap_or_default() {
                param_field(&params, p);
            }
            shown = id;
        }
        // The fields are in the order of the endpoint's parameters, each in its label.
        let fields = params.children();
        let names = id.map(|id| id.spec().params).unwrap_or_default();
        values.with(|v| {
            for (i, p) in names.iter().enumerate() {
                let field = fields
                    .item(i as u32)
                    .and_then(|row| row.last_element_child());
                if let Some(field) = field {
                    let typed = v.iter().find(|(n, _)| n == p.name).map(|(_, v)| v.as_str());
                    dom::set_value(&field, typed.unwrap_or_default());
                }
            }
        });
    });
    effect(move || {
        preview.with(|p| {
            let valid = matches!(p, Some(Ok(_)));
            set_attr(
                &line,
                "class",
                Some(if valid { "preview" } else { "preview invalid" }),
            );
            let text = match p {
                Some(Ok(text) | Err(text)) => text.as_str(),
                None => "",
            };
            set_text(&line, text);
            set_attr(&send, "disabled", (!valid).then_some(""));
        })
    });

    dom::listen(&section, "change", move |event| {
        if let Some((field, _)) = dom::target(&event).filter(|(_, id)| id == "endpoint") {
            let path = dom::value(&field);
            let chosen = ENDPOINTS.iter().find(|e| e.path == path).map(|e| e.id);
            values.set(Values::new());
            endpoint.set(chosen);
        }
    });
    dom::listen(&section, "input", move |event| {
        let Some((field, id)) = dom::target(&event) else {
            return;
        };
        let Some(name) = id.strip_prefix("param-") else {
            return;
        };
        let value = dom::value(&field);
        values.update(|v| {
            v.retain(|(n, _)| n != name);
            v.push((name.to_string(), value));
        })
    });
    dom::listen(&section, "click", move |event| {
        if dom::closest(&event, "#send").is_some() {
            if let Some(r) = request.get_untracked() {
                widget.submit(r);
            }
        }
    });
    section
}

/// A parameter's field: its label (`*` when required), and a hint of what it takes.
fn param_field(parent: &Element, p: &ParamSpec) {
    let name = p.name;
    let hint = match p.kind {
        ParamKind::Integer { min, max } if max >= 1_000_000_000 => cat!["≥ ", min],
        ParamKind::Integer { min, max } => cat![min, '–', max],
        ParamKind::List { max_items } => cat!["comma list, up to ", max_items],
        ParamKind::OneOf(v) | ParamKind::ListOf(v) => crate::format::join(v, ", "),
        ParamKind::PositiveDecimal => "number".into(),
        ParamKind::Slug | ParamKind::Token => String::new(),
    };
    let row = label(parent, "param", p.label);
    add_text(&row, if p.required { " *" } else { "" });
    add_text(&row, " ");
    let field = add(&row, el("input", ""));
    attrs(
        &field,
        &[
            ("id", &cat!["param-", name]),
            ("name", name),
            ("placeholder", &hint),
        ],
    );
}
