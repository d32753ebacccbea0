//! `Credits::parse_decimal`: any text.
//!
//! Properties: it never panics; it agrees with a reference written in 128-bit arithmetic (the same
//! grammar, rounding half away from zero at the fourth decimal, the range of `i64` milli-credits);
//! and what it reads prints and parses back to itself.
#![no_main]

use credit_gauge_core::credits::ParseCreditsError;
use credit_gauge_core::Credits;
use libfuzzer_sys::fuzz_target;

/// The reference: milli-credits as an `i128`, or the error.
fn reference(text: &str) -> Result<i128, ParseCreditsError> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
        return Err(ParseCreditsError::NotANumber);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 20 {
        return Err(ParseCreditsError::OutOfRange);
    }
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().unwrap()
    };
    let mut millis = whole * 1000;
    let mut fdigits = frac.bytes().map(|b| i128::from(b - b'0'));
    for scale in [100, 10, 1] {
        millis += fdigits.next().unwrap_or(0) * scale;
    }
    if fdigits.next().is_some_and(|d| d >= 5) {
        millis += 1;
    }
    if millis > i128::from(i64::MAX) {
        return Err(ParseCreditsError::OutOfRange);
    }
    Ok(if negative { -millis } else { millis })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let got = Credits::parse_decimal(text);
    let want = reference(text);
    assert_eq!(
        got.clone().map(|c| i128::from(c.millis())),
        want,
        "{text:?}"
    );
    if let Ok(c) = got {
        assert_eq!(Credits::parse_decimal(&c.to_string()), Ok(c), "{text:?}");
    }
});
