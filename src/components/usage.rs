use crate::reactive::*;
use credit_gauge_core::cat;
use credit_gauge_core::usage::{by_endpoint, even_pace, month_window, per_day, Spent};
use credit_gauge_core::Credits;
use web_sys::Element;

use crate::dom::{self, add, add_text, attrs, el, set_attr, set_text, Slot};
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
        out.push_str(&cat![
            "<rect x=\"",
            format::tenths(*x),
            "\" y=\"",
            format::tenths(*y),
            "\" width=\"",
            format::tenths(*w),
            "\" height=\"",
            format::tenths(*h),
            "\"><title>",
            credits,
            " credits</title></rect>",
        ]);
    }
    let y = format::tenths(pace_y);
    out.push_str(&cat![
        "<line class=\"pace\" x1=\"0\" x2=\"",
        format::tenths(WIDTH),
        "\" y1=\"",
        y,
        "\" y2=\"",
        y,
        "\"></line>",
    ]);
    out
}

/// The chart of the month: bars, the pace line, the chart's spoken label and the note under it.
type Chart = (Vec<Bar>, i64, String, String);

/// The month's chart from this device's history, or `None` when it spent nothing this month.
fn chart(widget: Widget) -> Option<Chart> {
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
    let label = cat![
        "Credits per day this month from this device's history: ",
        format::credits(spent),
        " in all; the even pace that lasts the month is ",
        about(pace),
        " a day",
    ];
    let note = cat![
        format::credits(spent),
        " credits so far this month from this device's history (bars, one a day); the even pace that lasts the month is ",
        about(pace),
        " a day (dashed line).",
    ];
    Some((bars, pace_y, label, note))
}

/// The month so far, from this device's history: credits per day against the even pace that
/// lasts the month, and which endpoints spent them. The core counts; this draws.
pub fn usage_view(widget: Widget) -> Element {
    let chart = Memo::new(move |_| chart(widget));
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
    let section = el("section", "usage");
    let _ = section.set_attribute("aria-label", "Usage this month");
    add_text(&add(&section, el("h2", "")), "This month");
    let drawing = Slot::new(&section);
    let note = add(&section, el("p", "usage-note"));
    // Drawn as markup of numbers only (no server text reaches it): one attribute instead of an
    // element made per bar keeps the widget small.
    let mut drawn = String::new();
    effect(move || {
        chart.with(|c| {
            let svg = drawing.show(c.is_some(), &chart_element);
            match (c, svg) {
                (Some((bars, pace_y, label, text)), Some(svg)) => {
                    set_attr(&svg, "aria-label", Some(label));
                    let bars = markup(bars, *pace_y);
                    // A new chart only: the same bars need not be parsed again.
                    if svg.inner_html().is_empty() || bars != drawn {
                        svg.set_inner_html(&bars);
                        drawn = bars;
                    }
                    set_text(&note, text);
                }
                _ => set_text(&note, "No credits spent from this device this month yet."),
            }
        })
    });
    let table = Slot::new(&section);
    effect(move || {
        endpoints.with(|rows| {
            let Some(table) = table.show(!rows.is_empty(), &endpoints_table) else {
                return;
            };
            let Some(body) = table.last_element_child() else {
                return;
            };
            body.set_text_content(None);
            for (name, calls, credits) in rows {
                let row = add(&body, el("tr", ""));
                add_text(&add(&row, el("td", "")), name);
                add_text(
                    &add(&row, el("td", "num")),
                    &format::thousands(i64::from(*calls)),
                );
                add_text(&add(&row, el("td", "num")), &format::credits(*credits));
            }
        })
    });
    section
}

fn chart_element() -> Element {
    let svg = dom::svg("svg", "usage-chart");
    let view_box = cat!["0 0 ", format::tenths(WIDTH), ' ', format::tenths(HEIGHT)];
    attrs(
        &svg,
        &[
            ("viewBox", &view_box),
            ("preserveAspectRatio", "none"),
            ("role", "img"),
        ],
    );
    svg
}

/// The endpoints' table, with its head and an empty body.
fn endpoints_table() -> Element {
    let table = el("table", "usage-endpoints");
    let head = add(&add(&table, el("thead", "")), el("tr", ""));
    for title in ["Endpoint", "Calls", "Credits"] {
        add_text(&add(&head, el("th", "")), title);
    }
    add(&table, el("tbody", ""));
    table
}
