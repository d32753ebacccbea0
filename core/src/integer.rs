//! Decimal integers read from text, as std's `str::parse` reads them (an optional sign, then
//! ASCII digits; nothing else, no overflow), by one reader for every integer type instead of
//! std's copy per type.

/// The sign and the magnitude of `text`; `None` when it is not digits after an optional sign,
/// or the magnitude passes `u64::MAX`.
fn signed_magnitude(text: &str) -> Option<(bool, u64)> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = digits.iter().try_fold(0u64, |n, &b| {
        let digit = b.wrapping_sub(b'0');
        (digit < 10).then_some(())?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })?;
    Some((negative, magnitude))
}

/// `text` as a `u64`, as `text.parse::<u64>()` reads it.
pub fn parse_u64(text: &str) -> Option<u64> {
    match signed_magnitude(text)? {
        (false, n) => Some(n),
        (true, _) => None,
    }
}

/// `text` as an `i64`, as `text.parse::<i64>()` reads it.
pub fn parse_i64(text: &str) -> Option<i64> {
    match signed_magnitude(text)? {
        (false, n) => i64::try_from(n).ok(),
        (true, n) => 0i64.checked_sub_unsigned(n),
    }
}

/// `text` as a `u32`, as `text.parse::<u32>()` reads it.
pub fn parse_u32(text: &str) -> Option<u32> {
    u32::try_from(parse_u64(text)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EDGES: &[&str] = &[
        "",
        "+",
        "-",
        "0",
        "-0",
        "+0",
        "00",
        "007",
        "+-1",
        "-+1",
        "1 ",
        " 1",
        "1_000",
        "٣",
        "1e3",
        "1.0",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999",
        "-18446744073709551616",
    ];

    fn alike(text: &str) {
        assert_eq!(parse_u64(text), text.parse::<u64>().ok(), "u64 {text:?}");
        assert_eq!(parse_i64(text), text.parse::<i64>().ok(), "i64 {text:?}");
        assert_eq!(parse_u32(text), text.parse::<u32>().ok(), "u32 {text:?}");
    }

    #[test]
    fn edges_read_as_std_reads_them() {
        for text in EDGES {
            alike(text);
        }
    }

    proptest! {
        #[test]
        fn any_text_reads_as_std_reads_it(text in "[-+0-9a ]{0,24}") {
            alike(&text);
        }

        #[test]
        fn any_integer_reads_back(n in any::<i64>(), m in any::<u64>()) {
            alike(&n.to_string());
            alike(&m.to_string());
        }
    }
}
