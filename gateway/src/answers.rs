//! The gateway's own answers, in CoinMarketCap's envelope so every client already reads them:
//! a refusal before spending (429 with `Retry-After`), a request it cannot forward, an
//! upstream it could not reach, a shared ledger it cannot reach.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use credit_gauge_core::UnixMillis;
use serde_json::json;

/// An answer the gateway gives itself: HTTP status, CoinMarketCap `error_code`, message, and
/// when a retry can succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    pub retry_at: Option<UnixMillis>,
}

impl Refusal {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
            retry_at: None,
        }
    }

    /// With the instant a retry can succeed (sent as `Retry-After`, whole seconds, rounded up).
    pub fn retry_at(mut self, at: UnixMillis) -> Refusal {
        self.retry_at = Some(at);
        self
    }

    /// The answer at `now`.
    pub fn into_response_at(self, now: UnixMillis) -> Response {
        let body = json!({
            "status": {
                "timestamp": now.to_iso8601(),
                "error_code": self.code,
                "error_message": self.message,
                "elapsed": 0,
                "credit_count": 0,
                "notice": null,
            }
        });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(at) = self.retry_at {
            let seconds = ((at.0 - now.0).max(0) as u64).div_ceil(1000).max(1);
            if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                headers.insert(RETRY_AFTER, v);
            }
        }
        response
    }
}
