//! What came back: the typed outcome of a request, and pure parsers from response bodies.
//!
//! The parsers take the body text and the HTTP status and never panic: an HTML error page, a
//! truncated body or a field of the wrong type gives a typed failure or a field left empty. The
//! shell fills [`Outcome::Failed`] itself for failures that have no body (network, CORS, timeout).

use crate::json::{self, Json, Object};
use serde::{Deserialize, Serialize};

use crate::credits::Credits;
use crate::time::UnixMillis;

/// A failure on the client's side of the wire, or a body that cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClientFailure {
    /// The request could not reach the server (network down, DNS, connection dropped).
    Network,
    /// The browser refused the answer because the server sent no CORS permission.
    CorsRefused,
    /// No answer in time.
    Timeout,
    /// The body is not JSON (an HTML error page, a truncated body).
    NotJson,
    /// JSON, but not the envelope the API sends.
    WrongShape,
    /// The body is larger than the widget reads; it was not read to its end.
    TooLarge,
    /// The caller withdrew the request after it was sent (the page's `AbortSignal`): the
    /// server may have received, answered and charged it.
    Withdrawn,
    /// The browser would not send the request as given: a key with characters a request
    /// header cannot carry (a line break, a character outside Latin-1). Nothing left.
    Unsendable,
}

impl ClientFailure {
    /// What failed, in a few words: "timed out".
    pub const fn text(self) -> &'static str {
        match self {
            ClientFailure::Network => "network failure",
            ClientFailure::CorsRefused => "refused by the browser (CORS)",
            ClientFailure::Timeout => "timed out",
            ClientFailure::NotJson => "the body is not JSON",
            ClientFailure::WrongShape => "the body has an unexpected shape",
            ClientFailure::TooLarge => "the body is too large to read",
            ClientFailure::Withdrawn => "withdrawn after it was sent",
            ClientFailure::Unsendable => "the key cannot be sent in a header",
        }
    }
}

impl std::fmt::Display for ClientFailure {
    /// [`ClientFailure::text`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl std::error::Error for ClientFailure {}

/// A CoinMarketCap answer: the `status` envelope, and key/info's figures when it was key/info.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmcAnswer {
    /// The HTTP status.
    pub http_status: u16,
    /// `status.error_code` (0 on success; a 10xx code or the HTTP status on errors).
    pub error_code: Option<i64>,
    /// `status.error_message`.
    pub error_message: Option<String>,
    /// `status.credit_count`: what the call was charged.
    pub credit_count: Option<i64>,
    /// The `/v1/key/info` figures, when the body carried them.
    pub key_info: Option<KeyInfo>,
    /// `status.timestamp`: the server's clock when it answered.
    #[serde(default)]
    pub timestamp: Option<UnixMillis>,
}

/// The figures of `/v1/key/info`; any may be missing (the shape changed over the years).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// `plan.credit_limit_monthly`.
    pub monthly_limit: Option<i64>,
    /// `plan.credit_limit_monthly_reset_timestamp`.
    pub monthly_reset: Option<UnixMillis>,
    /// `plan.credit_limit_daily` (absent in current payloads).
    pub daily_limit: Option<i64>,
    /// `plan.credit_limit_daily_reset_timestamp`.
    pub daily_reset: Option<UnixMillis>,
    /// `plan.rate_limit_minute`.
    pub minute_limit: Option<u32>,
    /// `usage.current_minute.requests_made`.
    pub minute_requests: Option<u32>,
    /// `usage.current_day.credits_used`.
    pub day_used: Option<i64>,
    /// `usage.current_month.credits_used`.
    pub month_used: Option<i64>,
    /// `usage.current_month.credits_left`.
    pub month_left: Option<i64>,
}

/// A Cryptowatch answer: the allowance, and the error text if any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CwAnswer {
    /// The HTTP status.
    pub http_status: u16,
    /// `allowance.cost`.
    pub cost: Option<Credits>,
    /// `allowance.remaining`.
    pub remaining: Option<Credits>,
    /// `allowance.remainingPaid`.
    pub remaining_paid: Option<Credits>,
    /// The `error` text.
    pub error: Option<String>,
}

/// What became of a sent request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// CoinMarketCap answered.
    Cmc(CmcAnswer),
    /// Cryptowatch answered.
    Cw(CwAnswer),
    /// No readable answer.
    Failed {
        /// What went wrong.
        failure: ClientFailure,
        /// The HTTP status, when a response arrived at all.
        http_status: Option<u16>,
    },
}

fn object<'a>(value: &'a Json, key: &str) -> Option<&'a Object> {
    value.get(key).and_then(Json::as_object)
}

/// A whole number, however written (`4000` or `4000.0`).
fn int(map: Option<&Object>, key: &str) -> Option<i64> {
    let v = map?.get(key)?;
    v.as_i64().or_else(|| v.whole())
}

fn small(map: Option<&Object>, key: &str) -> Option<u32> {
    int(map, key).and_then(|i| u32::try_from(i).ok())
}

fn instant(map: Option<&Object>, key: &str) -> Option<UnixMillis> {
    map?.get(key)?.as_str().and_then(UnixMillis::parse_iso8601)
}

fn credits(map: Option<&Object>, key: &str) -> Option<Credits> {
    match map?.get(key)? {
        n @ Json::Number(_) => Credits::from_json_number(n),
        Json::String(s) => Credits::parse_decimal(s).ok(),
        _ => None,
    }
}

fn parse_json(body: &str) -> Result<Json, ClientFailure> {
    json::parse(body).ok_or(ClientFailure::NotJson)
}

/// Reads a CoinMarketCap response.
///
/// A JSON body without a `status` object is `WrongShape`; a non-JSON body is `NotJson` (the shell
/// then reports [`Outcome::Failed`] with the HTTP status it saw).
pub fn parse_cmc(http_status: u16, body: &str) -> Result<CmcAnswer, ClientFailure> {
    let root = parse_json(body)?;
    let status = object(&root, "status").ok_or(ClientFailure::WrongShape)?;
    let key_info = object(&root, "data").and_then(|data| {
        let plan = data.get("plan").and_then(Json::as_object);
        let usage = data.get("usage").and_then(Json::as_object);
        plan.or(usage)?;
        let sub = |name: &str| usage.and_then(|u| u.get(name)).and_then(Json::as_object);
        Some(KeyInfo {
            monthly_limit: int(plan, "credit_limit_monthly"),
            monthly_reset: instant(plan, "credit_limit_monthly_reset_timestamp"),
            daily_limit: int(plan, "credit_limit_daily"),
            daily_reset: instant(plan, "credit_limit_daily_reset_timestamp"),
            minute_limit: small(plan, "rate_limit_minute"),
            minute_requests: small(sub("current_minute"), "requests_made"),
            day_used: int(sub("current_day"), "credits_used"),
            month_used: int(sub("current_month"), "credits_used"),
            month_left: int(sub("current_month"), "credits_left"),
        })
    });
    Ok(CmcAnswer {
        http_status,
        error_code: int(Some(status), "error_code"),
        error_message: status
            .get("error_message")
            .and_then(Json::as_str)
            .map(str::to_owned),
        credit_count: int(Some(status), "credit_count"),
        key_info,
        timestamp: status
            .get("timestamp")
            .and_then(Json::as_str)
            .and_then(UnixMillis::parse_iso8601),
    })
}

/// Reads a Cryptowatch response.
///
/// A JSON object with neither `result`, `error` nor `allowance` is `WrongShape`.
pub fn parse_cw(http_status: u16, body: &str) -> Result<CwAnswer, ClientFailure> {
    let root = parse_json(body)?;
    let map = root.as_object().ok_or(ClientFailure::WrongShape)?;
    let allowance = map.get("allowance").and_then(Json::as_object);
    let error = map.get("error").and_then(Json::as_str).map(str::to_owned);
    if allowance.is_none() && error.is_none() && !map.contains_key("result") {
        return Err(ClientFailure::WrongShape);
    }
    Ok(CwAnswer {
        http_status,
        cost: credits(allowance, "cost"),
        remaining: credits(allowance, "remaining"),
        remaining_paid: credits(allowance, "remainingPaid"),
        error,
    })
}

/// Parses a CoinMarketCap response straight into an [`Outcome`].
pub fn cmc_outcome(http_status: u16, body: &str) -> Outcome {
    match parse_cmc(http_status, body) {
        Ok(a) => Outcome::Cmc(a),
        Err(failure) => Outcome::Failed {
            failure,
            http_status: Some(http_status),
        },
    }
}

/// Parses a Cryptowatch response straight into an [`Outcome`].
pub fn cw_outcome(http_status: u16, body: &str) -> Outcome {
    match parse_cw(http_status, body) {
        Ok(a) => Outcome::Cw(a),
        Err(failure) => Outcome::Failed {
            failure,
            http_status: Some(http_status),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cmc_success_envelope_gives_its_credit_count() {
        let body = r#"{"status":{"timestamp":"2023-07-13T19:19:08.554Z","error_code":0,"error_message":null,"elapsed":29,"credit_count":1,"notice":null},"data":{"ETC":[]}}"#;
        let a = parse_cmc(200, body).unwrap();
        assert_eq!(
            (a.error_code, a.credit_count, a.error_message),
            (Some(0), Some(1), None)
        );
        assert_eq!(a.key_info, None);
        // The server's clock, for the offset to ours.
        assert_eq!(
            a.timestamp,
            UnixMillis::parse_iso8601("2023-07-13T19:19:08.554Z")
        );
    }

    #[test]
    fn a_cmc_429_gives_its_code_and_message() {
        let body = r#"{"status":{"timestamp":"2018-06-02T22:51:28.209Z","error_code":1008,"error_message":"You've exceeded your API Key's HTTP request rate limit. Rate limits reset every minute.","elapsed":10,"credit_count":0}}"#;
        let a = parse_cmc(429, body).unwrap();
        assert_eq!(
            (a.http_status, a.error_code, a.credit_count),
            (429, Some(1008), Some(0))
        );
    }

    #[test]
    fn classic_key_info_gives_daily_and_monthly_figures() {
        let body = r#"{"data":{"plan":{"credit_limit_daily":4000,"credit_limit_daily_reset":"In 19 hours, 56 minutes","credit_limit_daily_reset_timestamp":"2019-08-29T00:00:00.000Z","credit_limit_monthly":120000,"credit_limit_monthly_reset":"In 3 days","credit_limit_monthly_reset_timestamp":"2019-09-01T00:00:00.000Z","rate_limit_minute":60},"usage":{"current_minute":{"requests_made":1,"requests_left":59},"current_day":{"credits_used":1,"credits_left":3999},"current_month":{"credits_used":1,"credits_left":119999}}},"status":{"timestamp":"x","error_code":0,"error_message":"","elapsed":10,"credit_count":1,"notice":""}}"#;
        let k = parse_cmc(200, body).unwrap().key_info.unwrap();
        assert_eq!(k.daily_limit, Some(4000));
        assert_eq!(
            k.daily_reset,
            UnixMillis::parse_iso8601("2019-08-29T00:00:00.000Z")
        );
        assert_eq!(
            (k.monthly_limit, k.minute_limit, k.minute_requests),
            (Some(120_000), Some(60), Some(1))
        );
        assert_eq!(
            (k.day_used, k.month_used, k.month_left),
            (Some(1), Some(1), Some(119_999))
        );
    }

    #[test]
    fn current_key_info_has_no_daily_limit() {
        let body = r#"{"status":{"timestamp":"2025-09-28T10:21:04.716Z","error_code":0,"error_message":null,"elapsed":5,"credit_count":0,"notice":null},"data":{"plan":{"credit_limit_monthly":10000,"credit_limit_monthly_reset":"In 2 days","credit_limit_monthly_reset_timestamp":"2025-10-01T00:00:00.000Z","rate_limit_minute":30},"usage":{"current_minute":{"requests_made":0,"requests_left":30},"current_day":{"credits_used":18},"current_month":{"credits_used":239,"credits_left":9761}}}}"#;
        let k = parse_cmc(200, body).unwrap().key_info.unwrap();
        assert_eq!(
            (k.daily_limit, k.day_used, k.month_used),
            (None, Some(18), Some(239))
        );
    }

    #[test]
    fn wrongly_typed_fields_are_left_empty_not_fatal() {
        let body = r#"{"status":{"error_code":"1008","credit_count":null,"error_message":5}}"#;
        let a = parse_cmc(429, body).unwrap();
        assert_eq!(
            (a.error_code, a.credit_count, a.error_message),
            (None, None, None)
        );
    }

    #[test]
    fn an_html_error_page_is_not_json() {
        assert_eq!(
            parse_cmc(502, "<html><body>Bad gateway</body></html>"),
            Err(ClientFailure::NotJson)
        );
        assert_eq!(
            parse_cw(502, "<!doctype html>"),
            Err(ClientFailure::NotJson)
        );
        assert_eq!(
            cmc_outcome(502, "<html>"),
            Outcome::Failed {
                failure: ClientFailure::NotJson,
                http_status: Some(502)
            }
        );
    }

    #[test]
    fn a_truncated_body_is_not_json() {
        assert_eq!(
            parse_cmc(200, r#"{"status":{"error_code":0,"#),
            Err(ClientFailure::NotJson)
        );
        assert_eq!(parse_cmc(200, ""), Err(ClientFailure::NotJson));
    }

    #[test]
    fn json_without_an_envelope_is_the_wrong_shape() {
        assert_eq!(parse_cmc(200, "[1,2,3]"), Err(ClientFailure::WrongShape));
        assert_eq!(
            parse_cmc(200, r#"{"data":{}}"#),
            Err(ClientFailure::WrongShape)
        );
        assert_eq!(
            parse_cw(200, r#"{"price":1}"#),
            Err(ClientFailure::WrongShape)
        );
        assert_eq!(parse_cw(200, "42"), Err(ClientFailure::WrongShape));
    }

    #[test]
    fn cryptowatch_allowance_is_read_exactly() {
        let body = r#"{"result":{"price":24063.4},"allowance":{"cost":0.005,"remaining":9.895,"upgrade":"For unlimited API access, create an account at https://cryptowat.ch"}}"#;
        let a = parse_cw(200, body).unwrap();
        assert_eq!(a.cost, Some(Credits::from_millis(5)));
        assert_eq!(a.remaining, Some(Credits::from_millis(9895)));
        assert_eq!(a.remaining_paid, None);
    }

    #[test]
    fn cryptowatch_errors_keep_their_text_and_allowance() {
        let a = parse_cw(
            404,
            r#"{"error":"Instrument not found","allowance":{"cost":0.002,"remaining":9.5}}"#,
        )
        .unwrap();
        assert_eq!(a.error.as_deref(), Some("Instrument not found"));
        assert_eq!(a.cost, Some(Credits::from_millis(2)));
        let a = parse_cw(429, r#"{"error":"Out of allowance"}"#).unwrap();
        assert_eq!(
            (a.error.as_deref(), a.remaining),
            (Some("Out of allowance"), None)
        );
    }

    #[test]
    fn an_amount_text_past_the_largest_amount_is_left_empty_not_a_panic() {
        // Found by fuzzing (credits_decimal): decimal text whose decimals overflowed the amount.
        let a = parse_cw(
            200,
            r#"{"result":{},"allowance":{"cost":"0.002","remaining":"9223372036854775.808"}}"#,
        )
        .unwrap();
        assert_eq!((a.cost, a.remaining), (Some(Credits::from_millis(2)), None));
    }

    #[test]
    fn keyed_cryptowatch_answers_report_the_paid_balance() {
        let a = parse_cw(200, r#"{"result":{},"allowance":{"cost":0,"remaining":10,"remainingPaid":9999999999,"account":"x"}}"#).unwrap();
        assert_eq!(a.remaining_paid, Some(Credits::from_whole(9_999_999_999)));
    }
}
