//! Fault injection: the failures a real network and a real API produce, on demand.
//!
//! Per request with the `X-Emulator-Fault` header or the `emulator_fault` query parameter, or
//! for every matching request with the server-wide switch (`POST /_emulator/faults`), so
//! browser tests can inject faults without changing the widget's requests. A faulted request
//! is answered before any accounting: nothing is counted or charged (except `latency`, which
//! only delays a normal answer).
//!
//! Here: the fault names, their parsing and the bounds on a list. `switch` is the server-wide
//! switch, `answers` applies a list and builds the faulted answers.

mod answers;
mod switch;

pub use answers::{apply, Api, INJECTED};
pub use switch::{Switch, SwitchRequest};

/// One injected failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait this many (real) milliseconds, then answer normally.
    Latency(u64),
    /// 500 in the API's own error shape.
    Status500,
    /// A 502 HTML page, as a gateway in front of the API sends.
    Html502,
    /// 200 with `application/json` that is not JSON.
    MalformedJson,
    /// Headers promise a body the connection then cuts short.
    Truncated,
    /// The connection closes without an answer.
    Drop,
    /// 429 whose body carries no error code.
    TooManyNoCode,
    /// 400 whose `error_message` (or Cryptowatch `error`) is HTML with script, to check that
    /// clients render server text as text.
    HtmlInMessage,
    /// 200 whose data (coin names and symbols, or market keys) is HTML with script.
    HtmlInData,
    /// 200 with the envelope's fields of the wrong types (numbers as strings, data a string).
    WrongTypes,
    /// 200 without the envelope (`status` or `allowance`) at all.
    MissingFields,
}

impl Fault {
    pub fn parse(s: &str) -> Option<Fault> {
        let s = s.trim();
        if let Some(ms) = s.strip_prefix("latency=") {
            // Capped so that a typo cannot hang a test run.
            return ms
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms <= 60_000)
                .map(Fault::Latency);
        }
        Some(match s {
            "status-500" => Fault::Status500,
            "html-502" => Fault::Html502,
            "malformed-json" => Fault::MalformedJson,
            "truncated" => Fault::Truncated,
            "drop" => Fault::Drop,
            "429-no-code" => Fault::TooManyNoCode,
            "html-in-message" => Fault::HtmlInMessage,
            "html-in-data" => Fault::HtmlInData,
            "wrong-types" => Fault::WrongTypes,
            "missing-fields" => Fault::MissingFields,
            _ => return None,
        })
    }

    pub fn name(&self) -> String {
        match self {
            Fault::Latency(ms) => format!("latency={ms}"),
            Fault::Status500 => "status-500".into(),
            Fault::Html502 => "html-502".into(),
            Fault::MalformedJson => "malformed-json".into(),
            Fault::Truncated => "truncated".into(),
            Fault::Drop => "drop".into(),
            Fault::TooManyNoCode => "429-no-code".into(),
            Fault::HtmlInMessage => "html-in-message".into(),
            Fault::HtmlInData => "html-in-data".into(),
            Fault::WrongTypes => "wrong-types".into(),
            Fault::MissingFields => "missing-fields".into(),
        }
    }
}

/// The most faults one request (or the switch) may name.
pub const MAX_FAULTS: usize = 16;
/// The most latency one request may be given in all, whatever the number of entries.
pub const MAX_TOTAL_LATENCY_MS: u64 = 60_000;

/// A comma-separated list of faults: `latency=300,status-500`; at most [`MAX_FAULTS`] of
/// them and [`MAX_TOTAL_LATENCY_MS`] of latency in all.
pub fn parse_list(s: &str) -> Result<Vec<Fault>, String> {
    let mut list = Vec::new();
    for p in s.split(',').filter(|p| !p.trim().is_empty()) {
        if list.len() == MAX_FAULTS {
            return Err(format!("at most {MAX_FAULTS} faults in one list"));
        }
        let fault = Fault::parse(p).ok_or_else(|| {
            // The name comes from the caller and may be huge or full of control characters:
            // echo it cut short, those replaced (not escaped, which could make it six times
            // longer).
            let name: String = p
                .trim()
                .chars()
                .take(40)
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            format!("unknown fault \"{name}\"")
        })?;
        list.push(fault);
    }
    check(&list)?;
    Ok(list)
}

/// Whether a list (possibly joined from a header and a parameter) stays within the bounds.
pub fn check(list: &[Fault]) -> Result<(), String> {
    if list.len() > MAX_FAULTS {
        return Err(format!("at most {MAX_FAULTS} faults in one request"));
    }
    let total = list
        .iter()
        .map(|f| match f {
            Fault::Latency(ms) => *ms,
            _ => 0,
        })
        .fold(0u64, u64::saturating_add);
    if total > MAX_TOTAL_LATENCY_MS {
        return Err(format!(
            "latency adds up to {total} ms; at most {MAX_TOTAL_LATENCY_MS} ms in all"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_fault_name() {
        let list = parse_list(
            "latency=250, status-500,html-502,malformed-json,truncated,drop,429-no-code,\
             html-in-message,html-in-data,wrong-types,missing-fields",
        )
        .expect("all known");
        assert_eq!(list.len(), 11);
        for f in &list {
            assert_eq!(Fault::parse(&f.name()).as_ref(), Some(f), "{f:?}");
        }
        assert_eq!(list[0], Fault::Latency(250));
        assert!(parse_list("latency=999999").is_err());
        assert!(parse_list("explode").is_err());
    }

    #[test]
    fn a_fault_list_is_bounded_in_entries_and_in_total_latency() {
        let many = vec!["status-500"; 17].join(",");
        let err = parse_list(&many).expect_err("17 entries");
        assert!(err.contains("at most 16"), "{err}");
        let thousand = vec!["latency=60000"; 1000].join(",");
        assert!(parse_list(&thousand).is_err());
        let err = parse_list("latency=40000,latency=40000").expect_err("80 s in all");
        assert!(err.contains("60000"), "{err}");
        assert!(parse_list(&vec!["latency=3750"; 16].join(",")).is_ok());
        // Two lists that pass alone (a header and a parameter) are checked together.
        let mut both = parse_list("latency=40000").expect("ok");
        both.extend(parse_list("latency=40000").expect("ok"));
        assert!(check(&both).is_err());
        // An unknown name is echoed cut short.
        let err = parse_list(&"x".repeat(10_000)).expect_err("unknown");
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn the_fault_list_parser_never_panics_and_keeps_its_bounds() {
        const PIECES: &[&str] = &[
            ",",
            " ",
            "latency=",
            "0",
            "1",
            "9",
            "60000",
            "99999999999999999999999",
            "-",
            "+",
            "status-500",
            "html-502",
            "drop",
            "truncated",
            "=",
            "é",
            "latency",
            "%2C",
        ];
        let mut g = crate::query::tests::Gen::new(0xfa17);
        for _ in 0..20_000 {
            let text = g.text(PIECES, 60);
            match parse_list(&text) {
                Ok(list) => {
                    assert!(list.len() <= MAX_FAULTS, "{text:?}");
                    assert!(check(&list).is_ok(), "{text:?}");
                    // What was read reads back the same from its names.
                    let names: Vec<String> = list.iter().map(Fault::name).collect();
                    assert_eq!(parse_list(&names.join(",")).as_ref(), Ok(&list));
                }
                Err(e) => assert!(e.len() < 200, "{e}"),
            }
        }
    }

    #[test]
    fn an_unknown_fault_is_echoed_short_whatever_its_characters() {
        // Found by fuzzing: control characters were echoed escaped (`\u{14}`, 6 bytes each).
        let input = format!("html{}-in-message", "\u{14}".repeat(100));
        let err = parse_list(&input).expect_err("unknown");
        assert!(err.len() < 200, "{} bytes: {err}", err.len());
        assert!(!err.contains('\u{14}') && !err.contains("\\u"), "{err}");
        let emoji = "😀".repeat(100);
        let err = parse_list(&emoji).expect_err("unknown");
        assert!(err.len() < 200, "{} bytes: {err}", err.len());
    }
}
