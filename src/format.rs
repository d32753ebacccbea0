//! Small text helpers for numbers, durations and instants, without a formatting library.

use credit_gauge_core::cat;
use credit_gauge_core::text::{zero_padded, ZeroPadded};
use credit_gauge_core::{Credits, UnixMillis};
use wasm_bindgen::JsValue;

/// `parts` with `sep` between them: the standard library's `join` compiled once per part type
/// is four times the size of this loop.
pub fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(part.as_ref());
    }
    out
}

/// `9761` → `9,761`.
pub fn thousands(n: i64) -> String {
    let digits = cat![n.unsigned_abs()];
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Credits as people read them: whole credits without decimals (`9,761`), fractional ones
/// with the three decimals the server uses (`9.895`).
pub fn credits(c: Credits) -> String {
    if c.millis() % 1000 == 0 {
        thousands(c.millis() / 1000)
    } else {
        c.text()
    }
}

/// A countdown: `23 s`, `4 min 05 s`, `3 h 12 min`, `2 d 4 h`.
pub fn duration(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    match s {
        0..=59 => cat![s, " s"],
        60..=3599 => cat![s / 60, " min ", two_digits(s % 60), " s"],
        3600..=86_399 => cat![s / 3600, " h ", two_digits((s % 3600) / 60), " min"],
        _ => cat![s / 86_400, " d ", (s % 86_400) / 3600, " h"],
    }
}

/// `2025-09-28 10:21:04 UTC`.
pub fn instant(t: UnixMillis) -> String {
    let c = t.to_civil();
    cat![
        c.year,
        '-',
        two_digits(c.month),
        '-',
        two_digits(c.day),
        ' ',
        two_digits(c.hour),
        ':',
        two_digits(c.minute),
        ':',
        two_digits(c.second),
        " UTC",
    ]
}

/// Milli-units as a plain decimal for an attribute: `30`, `0.005`, `1.5` (no grouping).
pub fn millis_plain(millis: i64) -> String {
    let sign = if millis < 0 { "-" } else { "" };
    let (whole, frac) = (millis.unsigned_abs() / 1000, millis.unsigned_abs() % 1000);
    if frac == 0 {
        cat![sign, whole]
    } else {
        let digits = cat![zero_padded(frac, 3)];
        cat![sign, whole, '.', digits.trim_end_matches('0')]
    }
}

/// Tenths as a decimal: `283` → `28.3`.
pub fn tenths(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    cat![sign, n.unsigned_abs() / 10, '.', n.unsigned_abs() % 10]
}

/// A JavaScript number as JavaScript writes it (`1.5`, `100`): the browser's formatting, so
/// the widget carries no float printer of its own.
pub fn js_number(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// A JSON number's text as a price: two decimals from 1 up, six below. The browser reads and
/// prints it, so the widget carries no float parser or printer of its own.
pub fn price(number: &str) -> String {
    let n = js_sys::Number::parse_float(number);
    fixed(n, if n >= 1.0 { 2 } else { 6 })
}

/// `n` with `digits` decimals, as the browser writes it (`Number.prototype.toFixed`).
pub fn fixed(n: f64, digits: u8) -> String {
    js_sys::Number::from(n)
        .to_fixed(digits)
        .map(String::from)
        .unwrap_or_default()
}

/// Compact JSON indented by two spaces, by the browser (`JSON.stringify`): the widget's own
/// documents (an exported history) need no pretty printer of their own. Text that is not JSON
/// comes back as it is.
pub fn indented_json(compact: &str) -> String {
    js_sys::JSON::parse(compact)
        .and_then(|v| {
            js_sys::JSON::stringify_with_replacer_and_space(&v, &JsValue::NULL, &JsValue::from(2))
        })
        .map(String::from)
        .unwrap_or_else(|_| compact.to_string())
}

/// `10:21:04`.
pub fn clock(t: UnixMillis) -> String {
    let c = t.to_civil();
    cat![
        two_digits(c.hour),
        ':',
        two_digits(c.minute),
        ':',
        two_digits(c.second),
    ]
}

/// `{:02}` of a non-negative number: `5` → `05`.
fn two_digits(n: impl Into<i64>) -> ZeroPadded {
    zero_padded(n.into().unsigned_abs(), 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_puts_the_separator_between_parts_only() {
        assert_eq!(join::<&str>(&[], ", "), "");
        assert_eq!(join(&["a"], ", "), "a");
        assert_eq!(join(&["a", "", "c"], " · "), "a ·  · c");
        let owned = vec!["x".to_string(), "y".to_string()];
        assert_eq!(join(&owned, " "), "x y");
    }

    #[test]
    fn plain_numbers_for_attributes_need_no_float_printer() {
        assert_eq!(millis_plain(30_000), "30");
        assert_eq!(millis_plain(1_500), "1.5");
        assert_eq!(millis_plain(5), "0.005");
        assert_eq!(millis_plain(-250), "-0.25");
        assert_eq!(tenths(283), "28.3");
        assert_eq!(tenths(0), "0.0");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(9761), "9,761");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }

    #[test]
    fn credits_drop_decimals_only_when_whole() {
        assert_eq!(credits(Credits::from_whole(9761)), "9,761");
        assert_eq!(credits(Credits::from_millis(9895)), "9.895");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(23_000), "23 s");
        assert_eq!(duration(22_001), "23 s");
        assert_eq!(duration(245_000), "4 min 05 s");
        assert_eq!(duration(3 * 3_600_000 + 12 * 60_000), "3 h 12 min");
        assert_eq!(duration(2 * 86_400_000 + 4 * 3_600_000), "2 d 4 h");
        assert_eq!(duration(-5), "0 s");
    }
}
