//! Fault injection: the failures a real network and a real API produce, on demand.
//!
//! Per request with the `X-Emulator-Fault` header or the `emulator_fault` query parameter, or
//! for every matching request with the server-wide switch (`POST /_emulator/faults`), so
//! browser tests can inject faults without changing the widget's requests. A faulted request
//! is answered before any accounting: nothing is counted or charged (except `latency`, which
//! only delays a normal answer).

use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::json_text;

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

/// Markup that runs script if a client ever parses server text as HTML.
pub const INJECTED: &str =
    "<img src=x onerror=\"window.__injected=1\"><script>window.__injected=1</script><b>bold</b>";

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

/// Which API's error shapes to imitate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Cmc,
    Cryptowatch,
}

/// The server-wide switch, as posted to `/_emulator/faults`.
#[derive(Clone, Debug, Deserialize)]
pub struct SwitchRequest {
    pub fault: String,
    /// How many matching requests to fault; absent = until cleared.
    pub count: Option<u32>,
    /// Only requests whose path starts with this (e.g. `/cmc/v1/key/info`); absent = all API paths.
    pub path_prefix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Switch {
    pub faults: Vec<Fault>,
    pub remaining: Option<u32>,
    pub path_prefix: Option<String>,
}

impl Switch {
    pub fn from_request(r: SwitchRequest) -> Result<Switch, String> {
        let faults = parse_list(&r.fault)?;
        if faults.is_empty() {
            return Err("no fault named".into());
        }
        Ok(Switch {
            faults,
            remaining: r.count,
            path_prefix: r.path_prefix,
        })
    }

    pub fn describe(&self) -> Value {
        json!({
            "fault": self.faults.iter().map(Fault::name).collect::<Vec<_>>().join(","),
            "count": self.remaining,
            "path_prefix": self.path_prefix,
        })
    }

    /// Takes the faults for a request on `path`, if this switch applies, counting it down.
    pub fn take(&mut self, path: &str) -> Option<Vec<Fault>> {
        if self.remaining == Some(0) {
            return None;
        }
        if let Some(prefix) = &self.path_prefix {
            if !path.starts_with(prefix.as_str()) {
                return None;
            }
        }
        if let Some(n) = self.remaining.as_mut() {
            *n -= 1;
        }
        Some(self.faults.clone())
    }
}

/// Sleeps for the latency faults and returns the answer of the first terminal one, if any.
pub async fn apply(faults: &[Fault], api: Api, timestamp: &str) -> Option<Response> {
    for f in faults {
        if let Fault::Latency(ms) = f {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    let terminal = faults.iter().find(|f| !matches!(f, Fault::Latency(_)))?;
    Some(answer(*terminal, api, timestamp))
}

fn answer(fault: Fault, api: Api, timestamp: &str) -> Response {
    match fault {
        Fault::Latency(_) => StatusCode::NO_CONTENT.into_response(),
        Fault::Status500 => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": timestamp, "error_code": 500,
                    "error_message": "An internal server error occurred", "elapsed": 0,
                    "credit_count": 0, "notice": null}}),
                Api::Cryptowatch => json!({"error": "Internal Server Error"}),
            };
            json_text(StatusCode::INTERNAL_SERVER_ERROR, body.to_string())
        }
        Fault::Html502 => (
            StatusCode::BAD_GATEWAY,
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
             <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
             </body>\r\n</html>\r\n",
        )
            .into_response(),
        Fault::MalformedJson => {
            let body = match api {
                Api::Cmc => format!(
                    "{{\"status\":{{\"timestamp\":\"{timestamp}\",\"error_code\":0,\"credit_count\":1,"
                ),
                Api::Cryptowatch => "{\"result\":{\"price\":1234.5,\"allowance\":".to_string(),
            };
            json_text(StatusCode::OK, body)
        }
        Fault::HtmlInMessage => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": timestamp, "error_code": 400,
                    "error_message": INJECTED, "elapsed": 0, "credit_count": 0, "notice": null}}),
                Api::Cryptowatch => json!({"error": INJECTED}),
            };
            json_text(StatusCode::BAD_REQUEST, body.to_string())
        }
        Fault::HtmlInData => {
            let body = match api {
                Api::Cmc => json!({
                    "status": {"timestamp": timestamp, "error_code": 0, "error_message": null,
                        "elapsed": 0, "credit_count": 0, "notice": INJECTED},
                    "data": [{"id": 1, "name": INJECTED, "symbol": INJECTED, "cmc_rank": 1,
                        "quote": {"USD": {"price": 1.5}}}]
                }),
                Api::Cryptowatch => json!({
                    "result": {INJECTED: 1.5},
                    "allowance": {"cost": 0.015, "remaining": 9.985, "upgrade": INJECTED}
                }),
            };
            json_text(StatusCode::OK, body.to_string())
        }
        Fault::WrongTypes => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": 12, "error_code": "0",
                    "error_message": false, "elapsed": "fast", "credit_count": "one"},
                    "data": "not a list"}),
                Api::Cryptowatch => json!({"result": "not a price",
                    "allowance": {"cost": "0.005", "remaining": [9.995]}}),
            };
            json_text(StatusCode::OK, body.to_string())
        }
        Fault::MissingFields => {
            let body = match api {
                Api::Cmc => json!({"data": []}),
                Api::Cryptowatch => json!({"result": {}}),
            };
            json_text(StatusCode::OK, body.to_string())
        }
        Fault::TooManyNoCode => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": timestamp,
                    "error_message": "Too Many Requests", "elapsed": 0, "credit_count": 0}}),
                Api::Cryptowatch => json!({"error": "Too Many Requests"}),
            };
            json_text(StatusCode::TOO_MANY_REQUESTS, body.to_string())
        }
        Fault::Truncated => {
            let full = match api {
                Api::Cmc => format!(
                    "{{\"status\":{{\"timestamp\":\"{timestamp}\",\"error_code\":0,\"error_message\":null,\
                     \"elapsed\":0,\"credit_count\":1,\"notice\":null}},\"data\":{{\"padding\":\"{}\"}}}}",
                    "x".repeat(512)
                ),
                Api::Cryptowatch => format!(
                    "{{\"result\":{{\"price\":1234.5}},\"allowance\":{{\"cost\":0.005,\"remaining\":9.995,\"padding\":\"{}\"}}}}",
                    "x".repeat(512)
                ),
            };
            let half = Bytes::from(full.as_bytes()[..full.len() / 2].to_vec());
            // The promised length is the whole body; the stream fails halfway, so the server
            // closes the connection and the client sees a body that ends too early.
            // The pause lets the head and the first half reach the client before the cut.
            let first =
                futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) });
            let cut = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "truncated",
                ))
            });
            let stream = futures_util::StreamExt::chain(first, cut);
            let mut response = Response::new(Body::from_stream(stream));
            let h = response.headers_mut();
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            h.insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
            response
        }
        Fault::Drop => {
            // A body that fails before its first byte: the server abandons the connection
            // before the head is flushed, so the client sees it closed with no answer.
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "dropped",
            ))];
            Response::new(Body::from_stream(futures_util::stream::iter(chunks)))
        }
    }
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

    #[test]
    fn a_counted_switch_runs_out() {
        let mut s = Switch {
            faults: vec![Fault::Status500],
            remaining: Some(1),
            path_prefix: Some("/cmc".into()),
        };
        assert!(s.take("/cryptowatch/assets").is_none());
        assert!(s.take("/cmc/v1/key/info").is_some());
        assert!(s.take("/cmc/v1/key/info").is_none());
    }
}
