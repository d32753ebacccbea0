use crate::reactive::*;
use credit_gauge_core::cat;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::dom::{self, add, add_text, attrs, document, el, set_attr, Slot};
use crate::format;
use crate::history::{history_csv, history_json, HistoryEntry};
use crate::widget::Widget;

const SHOWN: usize = 20;
const SPARK: usize = 50;

/// The last requests' credits as a polyline's points, in the sparkline's 200 × 30 box.
fn spark_points(history: &[HistoryEntry]) -> String {
    // In tenths of the box, with integers: no float printer needed.
    let recent: Vec<i64> = history
        .iter()
        .rev()
        .take(SPARK)
        .rev()
        .map(|e| e.charged.millis().max(0))
        .collect();
    let max = recent.iter().copied().max().unwrap_or(0).max(1000);
    let last = (SPARK as i64 - 1).max(1);
    let points = recent
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = i as i64 * 2000 / last;
            let y = 280 - v.saturating_mul(260) / max;
            cat![format::tenths(x), ',', format::tenths(y)]
        })
        .collect::<Vec<_>>();
    format::join(&points, " ")
}

/// The last requests, a usage sparkline, export and clear.
pub fn history_view(widget: Widget) -> Element {
    let section = el("section", "history");
    attrs(&section, &[("id", "history"), ("aria-label", "History")]);
    add_text(&add(&section, el("h2", "")), "History");
    let spark = Slot::new(&section);
    let actions = add(&section, el("div", "history-actions"));
    for (id, text) in [
        ("export-csv", "Export CSV"),
        ("export-json", "Export JSON"),
        ("clear-history", "Clear"),
    ] {
        let button = add(&actions, el("button", ""));
        attrs(&button, &[("id", id), ("type", "button")]);
        add_text(&button, text);
    }
    let table = add(&section, el("table", "history-table"));
    let head = add(&add(&table, el("thead", "")), el("tr", ""));
    for title in ["Time", "Endpoint", "Estimated", "Charged", "Outcome"] {
        add_text(&add(&head, el("th", "")), title);
    }
    let body = add(&table, el("tbody", ""));
    effect(move || {
        widget.history.with(|h| {
            // A line needs two requests to draw.
            if let Some(svg) = spark.show(h.len() > 1, &sparkline) {
                if let Some(line) = svg.first_element_child() {
                    set_attr(&line, "points", Some(&spark_points(h)));
                }
            }
            body.set_text_content(None);
            for e in h.iter().rev().take(SHOWN) {
                history_row(&body, e);
            }
        })
    });
    dom::listen(&section, "click", move |event| {
        if dom::closest(&event, "#export-csv").is_some() {
            let csv = widget.history.with_untracked(|h| history_csv(h));
            download("credit-gauge-history.csv", "text/csv", &csv);
        } else if dom::closest(&event, "#export-json").is_some() {
            let json = widget.history.with_untracked(|h| history_json(h));
            download("credit-gauge-history.json", "application/json", &json);
        } else if dom::closest(&event, "#clear-history").is_some() {
            widget.clear_history();
        }
    });
    section
}

fn sparkline() -> Element {
    let svg = dom::svg("svg", "sparkline");
    attrs(
        &svg,
        &[
            ("viewBox", "0 0 200 30"),
            ("width", "200"),
            ("height", "30"),
            ("role", "img"),
            ("aria-label", "Credits per request"),
        ],
    );
    let line = add(&svg, dom::svg("polyline", ""));
    attrs(
        &line,
        &[
            ("fill", "none"),
            ("stroke", "currentColor"),
            ("stroke-width", "1.5"),
        ],
    );
    svg
}

fn history_row(body: &Element, e: &HistoryEntry) {
    let row = add(body, el("tr", if e.ok { "ok" } else { "failed" }));
    let cell = |class: &str, text: &str| {
        let cell = add(&row, el("td", class));
        add_text(&cell, text);
        cell
    };
    cell("", &format::clock(e.at));
    let endpoint = cell("", &e.endpoint);
    if e.from_page {
        add_text(
            &add(&endpoint, el("span", "asked-by-page")),
            " · by the page",
        );
    }
    cell("num", &format::credits(e.estimated));
    cell("num", &format::credits(e.charged));
    cell("", &e.outcome);
}

fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
