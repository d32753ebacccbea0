use credit_gauge_core::json::{self, Json};
use credit_gauge_core::Retry;
use leptos::prelude::*;

use crate::answer::Answer;
use crate::format;
use crate::widget::Widget;

/// The longest body shown as JSON; more would make the page slow for nothing.
const JSON_SHOWN: usize = 20_000;
const ROWS_SHOWN: usize = 50;

/// The last answer: actual cost beside the estimate, the data, and for a failure the core's
/// explanation with the raw status, code and message. Everything from the server is text.
#[component]
pub fn AnswerView(widget: Widget) -> impl IntoView {
    view! {
        <section id="result" class="result" aria-label="Answer" aria-live="polite">
            {move || widget.answer.get().map(|a| view! { <AnswerBody answer=a widget=widget /> })}
        </section>
    }
}

#[component]
fn AnswerBody(answer: Answer, widget: Widget) -> impl IntoView {
    let estimate = answer
        .estimated
        .map(|e| format!("estimated {}", format::credits(e)))
        .unwrap_or_else(|| "no estimate".into());
    let actual = match &answer.settlement {
        Some(s) if s.from_server => format!(
            "charged {} (the server's figure)",
            format::credits(s.charged)
        ),
        Some(s) => format!(
            "charged {} (our estimate: the server gave no figure)",
            format::credits(s.charged)
        ),
        None => "not sent".into(),
    };
    let raw = {
        let mut parts = Vec::new();
        if let Some(status) = answer.status {
            parts.push(format!("HTTP {status}"));
        }
        if let Some(code) = answer.error_code {
            parts.push(format!("error_code {code}"));
        }
        if let Some(message) = &answer.error_message {
            parts.push(message.clone());
        }
        parts.join(" · ")
    };
    // Parsed once: the body may be large (up to the client's bound), and a deep one is costly
    // to walk, so every view of it below works from this one value and is bounded itself.
    let parsed = answer.body.as_deref().and_then(json::parse);
    let credit_count = answer.credit_count;
    let explanation = answer.explanation.map(|e| {
        let retry = move || match e.retry {
            Retry::No => {
                "Retrying the same request will not help until something changes.".to_string()
            }
            Retry::Soon => "Retrying may help in a moment.".to_string(),
            Retry::Later => "Retrying helps later; the server did not say when.".to_string(),
            Retry::At(at) => {
                let t = widget.now.get();
                if at > t {
                    format!(
                        "Retrying helps from {} (in {}).",
                        format::instant(at),
                        format::duration(at.0 - t.0)
                    )
                } else {
                    "Retrying helps now.".to_string()
                }
            }
        };
        view! {
            <div class="explanation" role="alert">
                <h3 class="explanation-title">{e.title}</h3>
                <p class="explanation-what">{e.explanation}</p>
                <p class="explanation-todo"><strong>"What to do: "</strong>{e.what_to_do}</p>
                <p class="explanation-retry">{retry}</p>
            </div>
        }
    });
    let table = parsed.as_ref().and_then(table_rows);
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
    view! {
        <h2>{answer.title}</h2>
        <p class="costs">
            <span class="estimate">{estimate}</span>
            " · "
            <span class="actual-cost">{actual}</span>
            {credit_count.map(|c| view! { " · " <span class="credit-count">{format!("credit_count {c}")}</span> })}
        </p>
        <p class="raw">{raw}</p>
        {explanation}
        {table.map(|rows| view! {
            <table class="data">
                <thead><tr><th>"#"</th><th>"Name"</th><th>"Symbol"</th><th>"Price"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr><td>{r.0}</td><td>{r.1}</td><td>{r.2}</td><td class="num">{r.3}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!pretty.is_empty()).then(|| view! {
            <details class="json">
                <summary>"JSON"</summary>
                <pre>{pretty}</pre>
            </details>
        })}
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
        .map(|r| r.to_string())
        .unwrap_or_else(|| (i + 1).to_string());
    let text = |k: &str| coin.get(k).and_then(Json::as_str).unwrap_or("").to_string();
    Some((
        rank,
        text("name"),
        text("symbol"),
        format!("{} {currency}", price_text(q.get("price"))),
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
                .map(|(i, (k, p))| {
                    (
                        (i + 1).to_string(),
                        k.clone(),
                        String::new(),
                        price_text(Some(p)),
                    )
                })
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
