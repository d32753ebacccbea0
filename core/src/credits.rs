//! Exact credit amounts.
//!
//! Cryptowatch prices requests in thousandths of a credit (0.005, 0.015) and CoinMarketCap in whole
//! credits. Both fit one fixed-point type counted in milli-credits, so that a million additions of
//! 0.005 land exactly on 5000 — a float would drift and, one day, show "9.894999" to a user.

use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};

use serde::{Deserialize, Serialize};

use crate::cat;
use crate::text::zero_padded;

/// An amount of credits, stored as a whole number of milli-credits (1 credit = 1000).
///
/// Arithmetic saturates instead of overflowing: amounts come from servers and storage, and a
/// hostile or corrupt number must never panic the widget.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Credits(i64);

/// Why a text could not be read as an amount of credits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseCreditsError {
    /// The text is empty or is not a plain decimal number.
    #[error("not a decimal number")]
    NotANumber,
    /// The number does not fit the range of [`Credits`].
    #[error("number out of range")]
    OutOfRange,
}

/// Milli-credits per credit.
const MILLIS_PER_CREDIT: i64 = 1000;

impl Credits {
    /// No credits.
    pub const ZERO: Credits = Credits(0);
    /// The largest representable amount; used as "unlimited" where a bound is needed.
    pub const MAX: Credits = Credits(i64::MAX);

    /// An amount from milli-credits (`5` is 0.005 credits).
    pub const fn from_millis(millis: i64) -> Credits {
        Credits(millis)
    }

    /// An amount of whole credits (saturating).
    pub const fn from_whole(credits: i64) -> Credits {
        Credits(credits.saturating_mul(MILLIS_PER_CREDIT))
    }

    /// The amount in milli-credits.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// The whole-credit part, rounded up: what a counter in whole credits must reserve.
    pub const fn whole_ceil(self) -> i64 {
        let q = self.0.div_euclid(MILLIS_PER_CREDIT);
        if self.0.rem_euclid(MILLIS_PER_CREDIT) == 0 {
            q
        } else {
            q + 1
        }
    }

    /// True when the amount is exactly zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Sum that stops at the bounds instead of overflowing.
    pub const fn saturating_add(self, other: Credits) -> Credits {
        Credits(self.0.saturating_add(other.0))
    }

    /// Difference that stops at the bounds instead of overflowing.
    pub const fn saturating_sub(self, other: Credits) -> Credits {
        Credits(self.0.saturating_sub(other.0))
    }

    /// Difference floored at zero: what is left of a budget.
    pub fn remaining_after(self, spent: Credits) -> Credits {
        Credits(self.0.saturating_sub(spent.0).max(0))
    }

    /// The amount times a whole factor (saturating).
    pub const fn times(self, factor: i64) -> Credits {
        Credits(self.0.saturating_mul(factor))
    }

    /// Reads a JSON-style float such as `9.895` exactly, rounding to the nearest milli-credit.
    ///
    /// Servers send three-decimal amounts as JSON numbers, which arrive as the nearest `f64`
    /// (9.895 is stored as 9.89499999…); rounding to the nearest milli recovers the decimal the
    /// server wrote. Non-finite or out-of-range values give `None`.
    pub fn from_f64_rounded(value: f64) -> Option<Credits> {
        if !value.is_finite() {
            return None;
        }
        let scaled = (value * MILLIS_PER_CREDIT as f64).round();
        // 2^62 keeps well inside i64 and far beyond any real balance.
        if scaled.abs() >= 4.611_686_018_427_388e18 {
            return None;
        }
        Some(Credits(scaled as i64))
    }

    /// Reads a JSON number (integer, decimal or with an exponent) exactly, rounded to the
    /// nearest milli-credit; `None` when it is not a number or beyond ±2^62 milli-credits.
    pub fn from_json_number(number: &crate::json::Json) -> Option<Credits> {
        number.scaled(3).map(Credits)
    }

    /// Parses a plain decimal text such as `"9.895"`, `"-0.5"` or `"10"`, exactly.
    ///
    /// Digits beyond the third decimal are rounded half away from zero.
    pub fn parse_decimal(text: &str) -> Result<Credits, ParseCreditsError> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if (whole.is_empty() && frac.is_empty())
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParseCreditsError::NotANumber);
        }
        let mut millis: i64 = 0;
        for b in whole.bytes() {
            millis = millis
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or(ParseCreditsError::OutOfRange)?;
        }
        millis = millis
            .checked_mul(MILLIS_PER_CREDIT)
            .ok_or(ParseCreditsError::OutOfRange)?;
        let frac = frac.as_bytes();
        let mut scale = 100;
        for &b in frac.iter().take(3) {
            millis = millis
                .checked_add(i64::from(b - b'0') * scale)
                .ok_or(ParseCreditsError::OutOfRange)?;
            scale /= 10;
        }
        if frac.len() > 3 && frac[3] >= b'5' {
            millis = millis.checked_add(1).ok_or(ParseCreditsError::OutOfRange)?;
        }
        Ok(Credits(if negative { -millis } else { millis }))
    }
}

impl Credits {
    /// Three decimals always (`9.895`, `1.000`, `-0.005`): the precision the servers use, so a
    /// gauge never hides a thousandth that will be charged.
    pub fn text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / MILLIS_PER_CREDIT as u64;
        let frac = abs % MILLIS_PER_CREDIT as u64;
        cat![sign, whole, '.', zero_padded(frac, 3)]
    }
}

impl fmt::Display for Credits {
    /// [`Credits::text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Add for Credits {
    type Output = Credits;
    fn add(self, rhs: Credits) -> Credits {
        self.saturating_add(rhs)
    }
}

impl Sub for Credits {
    type Output = Credits;
    fn sub(self, rhs: Credits) -> Credits {
        self.saturating_sub(rhs)
    }
}

impl AddAssign for Credits {
    fn add_assign(&mut self, rhs: Credits) {
        *self = self.saturating_add(rhs);
    }
}

impl SubAssign for Credits {
    fn sub_assign(&mut self, rhs: Credits) {
        *self = self.saturating_sub(rhs);
    }
}

impl core::iter::Sum for Credits {
    fn sum<I: Iterator<Item = Credits>>(iter: I) -> Credits {
        iter.fold(Credits::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_three_decimals() {
        assert_eq!(Credits::from_millis(9895).to_string(), "9.895");
        assert_eq!(Credits::from_whole(1).to_string(), "1.000");
        assert_eq!(Credits::from_millis(-5).to_string(), "-0.005");
        assert_eq!(Credits::ZERO.to_string(), "0.000");
    }

    #[test]
    fn a_json_float_like_9_895_is_read_exactly() {
        let n = |text| crate::json::parse(text).unwrap();
        assert_eq!(
            Credits::from_json_number(&n("9.895")),
            Some(Credits::from_millis(9895))
        );
        assert_eq!(
            Credits::from_json_number(&n("0.005")),
            Some(Credits::from_millis(5))
        );
        assert_eq!(
            Credits::from_json_number(&n("10")),
            Some(Credits::from_whole(10))
        );
        assert_eq!(
            Credits::from_json_number(&n("5e-3")),
            Some(Credits::from_millis(5))
        );
        assert_eq!(Credits::from_json_number(&n("\"10\"")), None);
    }

    #[test]
    fn a_huge_or_non_finite_float_is_rejected_not_wrapped() {
        assert_eq!(Credits::from_f64_rounded(f64::NAN), None);
        assert_eq!(Credits::from_f64_rounded(f64::INFINITY), None);
        assert_eq!(Credits::from_f64_rounded(1e300), None);
        let n = crate::json::parse("18446744073709551615").unwrap();
        assert_eq!(Credits::from_json_number(&n), None);
    }

    #[test]
    fn a_million_thousandths_add_up_exactly() {
        let step = Credits::from_millis(5);
        let mut total = Credits::ZERO;
        let mut remaining = Credits::from_whole(10_000);
        for _ in 0..1_000_000 {
            total += step;
            remaining -= step;
        }
        assert_eq!(total, Credits::from_whole(5000));
        assert_eq!(remaining, Credits::from_whole(5000));
    }

    #[test]
    fn decimal_text_is_parsed_exactly_and_rounded_at_the_fourth_decimal() {
        assert_eq!(
            Credits::parse_decimal("9.895"),
            Ok(Credits::from_millis(9895))
        );
        assert_eq!(
            Credits::parse_decimal("-0.5"),
            Ok(Credits::from_millis(-500))
        );
        assert_eq!(Credits::parse_decimal("10"), Ok(Credits::from_whole(10)));
        assert_eq!(Credits::parse_decimal(".5"), Ok(Credits::from_millis(500)));
        assert_eq!(
            Credits::parse_decimal("0.0015"),
            Ok(Credits::from_millis(2))
        );
        assert_eq!(
            Credits::parse_decimal("0.0014"),
            Ok(Credits::from_millis(1))
        );
    }

    #[test]
    fn garbage_text_is_an_error_not_a_panic() {
        for bad in [
            "",
            ".",
            "-",
            "1e3",
            "abc",
            "1.2.3",
            "--1",
            "9999999999999999999999",
        ] {
            assert!(Credits::parse_decimal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimals_past_the_largest_amount_are_out_of_range_not_a_panic() {
        // Found by fuzzing (credits_decimal): the whole part fits, the decimals overflowed.
        for text in [
            "9223372036854775.8857",
            "9223372036854775.808",
            "-9223372036854775.9",
            "9223372036854775.8075",
        ] {
            assert_eq!(
                Credits::parse_decimal(text),
                Err(ParseCreditsError::OutOfRange),
                "{text}"
            );
        }
        assert_eq!(
            Credits::parse_decimal("9223372036854775.807"),
            Ok(Credits::MAX)
        );
        assert_eq!(
            Credits::parse_decimal("9223372036854775.8074"),
            Ok(Credits::MAX)
        );
    }

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(Credits::MAX + Credits::from_millis(1), Credits::MAX);
        assert_eq!(Credits::from_whole(i64::MAX), Credits::MAX);
    }

    #[test]
    fn whole_ceil_rounds_partial_credits_up() {
        assert_eq!(Credits::from_millis(1).whole_ceil(), 1);
        assert_eq!(Credits::from_millis(1000).whole_ceil(), 1);
        assert_eq!(Credits::from_millis(1001).whole_ceil(), 2);
    }

    #[test]
    fn remaining_after_never_goes_below_zero() {
        assert_eq!(
            Credits::from_whole(1).remaining_after(Credits::from_whole(3)),
            Credits::ZERO
        );
    }
}
