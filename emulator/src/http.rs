//! What both emulated APIs (and the emulator's own endpoints) share at the HTTP level: JSON
//! answers, the `{"error": …}` body, and reading a caller's key from a header or the query.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::query::Query;

/// An answer of JSON text already written out (which need not be valid JSON: faults send
/// broken bodies under the same content type).
pub fn json_text(http: StatusCode, body: String) -> Response {
    (
        http,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A JSON answer.
pub fn json_response(http: StatusCode, body: &Value) -> Response {
    json_text(http, body.to_string())
}

/// `{"error": message}`: Cryptowatch's error shape, also used by `/_emulator`.
pub fn error_json(http: StatusCode, message: &str) -> Response {
    json_response(http, &json!({ "error": message }))
}

/// The caller's key from the `header` (preferred) or the query parameter `param`, trimmed.
/// `None` when neither names one (or it is empty); `Err` when the header is not text, which
/// cannot name any key. A header, even an empty one, is read in preference to the query.
pub fn key_of(
    headers: &HeaderMap,
    header: &str,
    q: &Query,
    param: &str,
) -> Option<Result<String, ()>> {
    match headers.get(header) {
        Some(v) => Some(v.to_str().map(|s| s.trim().to_string()).map_err(|_| ())),
        None => q.get(param).map(|s| Ok(s.trim().to_string())),
    }
    .filter(|k| !matches!(k, Ok(s) if s.is_empty()))
}
