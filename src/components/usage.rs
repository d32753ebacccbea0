use credit_gauge_core::usage::{by_endpoint, even_pace, month_window, per_day, Spent};
use credit_gauge_core::Credits;
use leptos::either::Either;
use leptos::prelude::*;

use crate::format;
use crate::history::HistoryEntry;
use crate::widget::Widget;

/// The chart's box, in tenths of a unit (integer arithmetic: no float printer in the widget).
const WIDTH: i64 = 3000;
const HEIGHT: i64 = 600;
/// The least height of a day that spent anything, so that a small day still shows.
const MIN_BAR: i64 = 30;
/// Endpoints listed at most.
const ENDPOINTS_SHOWN: usize = 8;

/// One bar: x, y, width, height, in tenths, and its day's credits for its title.
type Bar = (i64, i64, i64, i64, String);

/// A pace as people read it: whole credits from ten a day up (`3,871`), else as counted.
fn about(c: Credits) -> String {
    if c.millis() >= 10_000 {
        format::thousands((c.millis() + 500) / 1000)
    } else {
        format::credits(c)
    }
}

/// The history's lines as the core counts them.
fn spent_lines(history: &[HistoryEntry]) -> Vec<Spent<'_>> {
    history
        .iter()
        .map(|e| Spent {
            at: e.at,
            endpoint: &e.endpoint,
            charged: e.charged,
        })
        .collect()
}

/// The bars and the pace line as SVG markup: numbers, and fixed words only.
fn markup(bars: &[Bar], pace_y: i64) -> String {
    let mut out = String::new();
    for (x, y, w, h, credits) in bars {
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{credits} credits</title></rect>",
            format::tenths(*x),
            format::tenths(*y),
            format::tenths(*w),
            format::tenths(*h)
        ));
    }
    let y = format::tenths(pace_y);
    out.push_str(&format!(
        "<line class=\"pace\" x1=\"0\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"></line>",
        format::tenths(WIDTH)
    ));
    out
}

/// The month so far, from this device's history: credits per day against the even pace that
/// lasts the month, and which endpoints spent them. The core counts; this draws.
#[component]
pub fn UsageView(widget: Widget) -> impl IntoView {
    let chart = Memo::new(move |_| {
        let account = widget.account.get()?;
        // Once a minute is often enough for a chart of days.
        let now = widget.now.with(|t| t.minute_start());
        let window = month_window(&account, now)?;
        let limit = account.cmc_limits()?.month.limit?;
        let days = widget.history.with(|h| {
            let lines = spent_lines(h);
            per_day(&lines, window.start, window.end)
        });
        if days.iter().all(|c| c.is_zero()) {
            // Nothing spent from this device this month: no chart, a sentence instead.
            return None;
        }
        let pace = even_pace(limit, window.start, window.end);
        let top = days
            .iter()
            .copied()
            .max()
            .unwrap_or(Credits::ZERO)
            .max(pace)
            .millis()
            .max(1)
            * 11
            / 10;
        let n = days.len().max(1) as i64;
        let bars: Vec<Bar> = days
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let h = c.millis() * HEIGHT / top;
                let h = if c.is_zero() { 0 } else { h.max(MIN_BAR) };
                (
                    i as i64 * WIDTH / n,
                    HEIGHT - h,
                    (WIDTH / n - 10).max(10),
                    h,
                    format::credits(*c),
                )
            })
            .collect();
        let pace_y = HEIGHT - pace.millis() * HEIGHT / top;
        let spent: Credits = days.iter().copied().sum();
        let label = format!(
            "Credits per day this month from this device's history: {} in all; the even pace that lasts the month is {} a day",
            format::credits(spent),
            about(pace)
        );
        let note = format!(
            "{} credits so far this month from this device's history (bars, one a day); the even pace that lasts the month is {} a day (dashed line).",
            format::credits(spent),
            about(pace)
        );
        Some((bars, pace_y, label, note))
    });
    let endpoints = Memo::new(move |_| {
        widget.history.with(|h| {
            let lines = spent_lines(h);
            by_endpoint(&lines)
                .into_iter()
                .take(ENDPOINTS_SHOWN)
                .map(|(name, calls, credits)| (name.to_string(), calls, credits))
                .collect::<Vec<_>>()
        })
    });
    // Drawn or not as spending comes and goes; not made anew each time the chart changes.
    let has_chart = Memo::new(move |_| chart.with(Option::is_some));
    let view_box = format!("0 0 {} {}", format::tenths(WIDTH), format::tenths(HEIGHT));
    view! {
        <section class="usage" aria-label="Usage this month">
            <h2>"This month"</h2>
            {move || if has_chart.get() { Either::Left(view! {
                // Drawn as markup of numbers only (no server text reaches it): one attribute
                // instead of a view per bar keeps the widget small.
                <svg class="usage-chart" viewBox=view_box.clone() preserveAspectRatio="none" role="img"
                    aria-label=move || chart.with(|c| c.as_ref().map(|c| c.2.clone()))
                    inner_html=move || chart.with(|c| c.as_ref().map(|(bars, pace_y, _, _)| markup(bars, *pace_y)))>
                </svg>
                <p class="usage-note">{move || chart.with(|c| c.as_ref().map(|c| c.3.clone()))}</p>
            }) } else { Either::Right(view! {
                <p class="usage-note">"No credits spent from this device this month yet."</p>
            }) }}
            {move || endpoints.with(|rows| !rows.is_empty()).then(|| view! {
            <table class="usage-endpoints">
                <thead><tr><th>"Endpoint"</th><th>"Calls"</th><th>"Credits"</th></tr></thead>
                <tbody>
                    {move || endpoints.with(|rows| rows.iter().map(|(name, calls, credits)| view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td class="num">{format::thousands(i64::from(*calls))}</td>
                            <td class="num">{format::credits(*credits)}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
            })}
        </section>
    }
}
