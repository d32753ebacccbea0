use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::format;
use crate::history::{history_csv, history_json};
use crate::widget::Widget;

const SHOWN: usize = 20;
const SPARK: usize = 50;

/// The last requests, a usage sparkline, export and clear.
#[component]
pub fn History(widget: Widget) -> impl IntoView {
    let spark = move || {
        widget.history.with(|h| {
            // In tenths of the 200 × 30 box, with integers: no float printer needed.
            let recent: Vec<i64> = h
                .iter()
                .rev()
                .take(SPARK)
                .rev()
                .map(|e| e.charged.millis().max(0))
                .collect();
            let max = recent.iter().copied().max().unwrap_or(0).max(1000);
            let last = (SPARK as i64 - 1).max(1);
            recent
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let x = i as i64 * 2000 / last;
                    let y = 280 - v.saturating_mul(260) / max;
                    format!("{},{}", format::tenths(x), format::tenths(y))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    view! {
        <section id="history" class="history" aria-label="History">
            <h2>"History"</h2>
            // A line needs two requests to draw.
            {move || widget.history.with(|h| h.len() > 1).then(|| view! {
                <svg class="sparkline" viewBox="0 0 200 30" width="200" height="30" role="img" aria-label="Credits per request">
                    <polyline fill="none" stroke="currentColor" stroke-width="1.5" points=spark />
                </svg>
            })}
            <div class="history-actions">
                <button id="export-csv" type="button" on:click=move |_| {
                    let csv = widget.history.with_untracked(|h| history_csv(h));
                    download("credit-gauge-history.csv", "text/csv", &csv);
                }>"Export CSV"</button>
                <button id="export-json" type="button" on:click=move |_| {
                    let json = widget.history.with_untracked(|h| history_json(h));
                    download("credit-gauge-history.json", "application/json", &json);
                }>"Export JSON"</button>
                <button id="clear-history" type="button" on:click=move |_| widget.clear_history()>"Clear"</button>
            </div>
            <table class="history-table">
                <thead>
                    <tr><th>"Time"</th><th>"Endpoint"</th><th>"Estimated"</th><th>"Charged"</th><th>"Outcome"</th></tr>
                </thead>
                <tbody>
                    {move || widget.history.with(|h| {
                        h.iter().rev().take(SHOWN).map(|e| view! {
                            <tr class=if e.ok { "ok" } else { "failed" }>
                                <td>{format::clock(e.at)}</td>
                                <td>
                                    {e.endpoint.clone()}
                                    {e.from_page.then(|| view! { <span class="asked-by-page">" · by the page"</span> })}
                                </td>
                                <td class="num">{format::credits(e.estimated)}</td>
                                <td class="num">{format::credits(e.charged)}</td>
                                <td>{e.outcome.clone()}</td>
                            </tr>
                        }).collect_view()
                    })}
                </tbody>
            </table>
        </section>
    }
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
