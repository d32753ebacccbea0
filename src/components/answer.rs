use crate::reactive::*;
use credit_gauge_core::cat;
use credit_gauge_core::json::{self, Json};
use credit_gauge_core::{Retry, UnixMillis};
use web_sys::Element;

use crate::answer::Answer;
use crate::dom::{add, add_text, attrs, el, set_text};
use crate::format;
use crate::widget::Widget;

/// The longest body shown as JSON; more would make the page slow for nothing.
const JSON_SHOWN: usize = 20_000;
const ROWS_SHOWN: usize = 50;

/// The last answer: actual cost beside the estimate, the data, and for a failure the core's
/// explanation with the raw status, code and message. Everything from the server is text.
pub fn answer_view(widget: Widget) -> Element {
    let section = el("section", "result");
    attrs(
        &section,
        &[
            ("id", "result"),
            ("aria-label", "Answer"),
            ("aria-live", "polite"),
        ],
    );
    // Made anew for each answer.
    {
        let section = section.clone();
        effect(move || {
            section.set_text_content(None);
            let now = widget.now.get_untracked();
            widget
                .answer
                .with(|a| a.as_ref().map(|a| answer_body(&section, a, now)));
        });
    }
    // The retry line follows the clock while it counts down to a time.
    {
        let section = section.clone();
        effect(move || {
            let Some(retry) = widget
                .answer
                .with(|a| a.as_ref()?.explanation.map(|e| e.retry))
            else {
                return;
            };
            let now = match retry {
                Retry::At(_) => widget.now.get(),
                _ => widget.now.get_untracked(),
            };
            if let Some(line) = section.query_selector(".explanation-retry").ok().flatten() {
                set_text(&line, &retry_text(retry, now));
            }
        });
    }
    section
}

/// Whether and when retrying helps, as of `now`.
fn retry_text(retry: Retry, now: UnixMillis) -> String {
    match retry {
        Retry::No => "Retrying the same request will not help until something changes.".into(),
        Retry::Soon => "Retrying may help in a moment.".into(),
        Retry::Later => "Retrying helps later; the server did not say when.".into(),
        Retry::At(at) if at > now => cat![
            "Retrying helps from ",
            format::instant(at),
            " (in ",
            format::duration(at.0 - now.0),
            ").",
        ],
        Retry::At(_) => "Retrying helps now.".into(),
    }
}

/// A `<tag class>` with `text`, appended to `parent`.
fn text_el(parent: &Element, tag: &str, class: &str, text: &str) -> Element {
    let element = add(parent, el(tag, class));
    add_text(&element, text);
    element
}

fn answer_body(section: &Element, answer: &Answer, now: UnixMillis) {
    let estimate = answer
        .estimated
        .map(|e| cat!["estimated ", format::credits(e)])
        .unwrap_or_else(|| "no estimate".into());
    let actual = match &answer.settlement {
        Some(s) if s.from_server => cat![
            "charged ",
            format::credits(s.charged),
            " (the server's figure)",
        ],
        Some(s) => cat![
            "charged ",
            format::credits(s.charged),
            " (our estimate: the server gave no figure)",
        ],
        None => "not sent".into(),
    };
    let raw = {
        let mut parts = Vec::new();
        if let Some(status) = answer.status {
            parts.push(cat!["HTTP ", status]);
        }
        if let Some(code) = answer.error_code {
            parts.push(cat!["error_code ", code]);
        }
        if let Some(message) = &answer.error_message {
            parts.push(message.clone());
        }
        format::join(&parts, " · ")
    };
    text_el(section, "h2", "", answer.title);
    let costs = add(section, el("p", "costs"));
    text_el(&costs, "span", "estimate", &estimate);
    add_text(&costs, " · ");
    text_el(&costs, "span", "actual-cost", &actual);
    if let Some(c) = answer.credit_count {
        add_text(&costs, " · ");
        text_el(&costs, "span", "credit-count", &cat!["credit_count ", c]);
    }
    text_el(section, "p", "raw", &raw);
    if let Some(e) = answer.explanation {
        let box_ = add(section, el("div", "explanation"));
        let _ = box_.set_attribute("role", "alert");
        text_el(&box_, "h3", "explanation-title", e.title);
        text_el(&box_, "p", "explanation-what", e.explanation);
        let todo = add(&box_, el("p", "explanation-todo"));
        text_el(&todo, "strong", "", "What to do: ");
        add_text(&todo, e.what_to_do);
        text_el(&box_, "p", "explanation-retry", &retry_text(e.retry, now));
    }
    // Parsed once: the body may be large (up to the client's bound), and a deep one is costly
    // to walk, so every view of it below works from this one value and is bounded itself.
    let parsed = answer.body.as_deref().and_then(json::parse);
    if let Some(rows) = parsed.as_ref().and_then(table_rows) {
        let table = add(section, el("table", "data"));
        let head = add(&add(&table, el("thead", "")), el("tr", ""));
        for title in ["#", "Name", "Symbol", "Price"] {
            text_el(&head, "th", "", title);
        }
        let body = add(&table, el("tbody", ""));
        for (rank, name, symbol, price) in rows {
            let row = add(&body, el("tr", ""));
            text_el(&row, "td", "", &rank);
            text_el(&row, "td", "", &name);
            text_el(&row, "td", "", &symbol);
            text_el(&row, "td", "num", &price);
        }
    }
    let pretty = match &parsed {
        Some(v) => json::pretty_prefix(v, JSON_SHOWN),
        None => answer
            .body
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take(JSON_SHOWN)
            .collect(),
    };
    if !pretty.is_empty() {
        let details = add(section, el("details", "json"));
        text_el(&details, "summary", "", "JSON");
        text_el(&details, "pre", "", &pretty);
    }
}

type Row = (String, String, String, String);

fn price_text(v: Option<&Json>) -> String {
    match v {
        Some(Json::Number(n)) => format::price(n),
        _ => String::new(),
    }
}

fn coin_row(i: usize, coin: &Json) -> Option<Row> {
    let quote = coin.get("quote")?.as_object()?;
    let (currency, q) = quote.iter().next()?;
    let rank = coin
        .get("cmc_rank")
        .and_then(Json::as_i64)
        .map(|r| cat![r])
        .unwrap_or_else(|| cat![i + 1]);
    let text = |k: &str| coin.get(k).and_then(Json::as_str).unwrap_or("").to_string();
    Some((
        rank,
        text("name"),
        text("symbol"),
        cat![price_text(q.get("price")), ' ', currency],
    ))
}

/// Rows of a readable table for prices, listings and quotes (the first `ROWS_SHOWN`); `None`
/// for other shapes.
pub fn table_rows(v: &Json) -> Option<Vec<Row>> {
    let rows: Vec<Row> = if let Some(data) = v.get("data") {
        match data {
            Json::Array(coins) => coins
                .iter()
                .enumerate()
                .filter_map(|(i, c)| coin_row(i, c))
                .take(ROWS_SHOWN)
                .collect(),
            Json::Object(map) => map
                .iter()
                .flat_map(|(_, c)| match c {
                    Json::Array(list) => list.iter().collect::<Vec<_>>(),
                    other => vec![other],
                })
                .enumerate()
                .filter_map(|(i, c)| coin_row(i, c))
                .take(ROWS_SHOWN)
                .collect(),
            _ => Vec::new(),
        }
    } else {
        match v.get("result")? {
            Json::Number(_) => vec![(
                "1".into(),
                "price".into(),
                String::new(),
                price_text(v.get("result")),
            )],
            Json::Object(map) if map.iter().all(|(_, p)| matches!(p, Json::Number(_))) => map
                .iter()
                .enumerate()
                .map(|(i, (k, p))| (cat![i + 1], k.clone(), String::new(), price_text(Some(p))))
                .collect(),
            Json::Object(map) => match map.get("price") {
                Some(Json::Object(p)) => vec![(
                    "1".into(),
                    "last".into(),
                    String::new(),
                    price_text(p.get("last")),
                )],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    };
    (!rows.is_empty()).then(|| rows.into_iter().take(ROWS_SHOWN).collect())
}
