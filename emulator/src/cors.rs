//! CORS for the emulated APIs.
//!
//! The real CoinMarketCap sends no CORS headers on purpose (browsers must not hold keys);
//! the emulator adds them as a convenience so the widget can run in a browser, and
//! `--no-cors` takes them away again so the widget's explanation of that refusal can be tested.

use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Which origins may read the emulator's answers from a browser.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Cors {
    /// Every origin (`Access-Control-Allow-Origin: *`); the default.
    #[default]
    Any,
    /// Only these origins (`scheme://host[:port]`), echoed back one at a time.
    Origins(Vec<String>),
    /// No CORS headers at all, like the real CoinMarketCap.
    Off,
}

const ALLOW_HEADERS: &str =
    "X-CMC_PRO_API_KEY, X-CW-API-Key, X-Emulator-Fault, X-Credit-Gauge, Accept, Content-Type";

impl Cors {
    /// Whether a request's `Origin` (if any) is one this policy lets read answers.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        match headers.get(ORIGIN) {
            None => true,
            Some(origin) => match self {
                Cors::Any => true,
                Cors::Origins(list) => list.iter().any(|o| o.as_bytes() == origin.as_bytes()),
                Cors::Off => false,
            },
        }
    }

    /// Adds the CORS headers this policy grants the request to an answer.
    pub fn decorate(&self, request: &HeaderMap, response: &mut Response) {
        let h = response.headers_mut();
        match self {
            Cors::Off => return,
            Cors::Any => {
                h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            }
            Cors::Origins(list) => {
                h.append(VARY, HeaderValue::from_static("Origin"));
                match request.get(ORIGIN) {
                    Some(origin) if list.iter().any(|o| o.as_bytes() == origin.as_bytes()) => {
                        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
                    }
                    _ => return,
                }
            }
        }
        // The Date header is Cryptowatch's only server clock; Retry-After is an optional extra;
        // a scaled clock says so, so a widget does not take it for the server's real time.
        h.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Date, Retry-After, X-Emulator-Time-Scale"),
        );
    }

    /// The answer to a preflight `OPTIONS` request.
    pub fn preflight(&self, request: &HeaderMap) -> Response {
        let mut response = StatusCode::NO_CONTENT.into_response();
        self.decorate(request, &mut response);
        if response.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) {
            let h = response.headers_mut();
            h.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
            );
            h.insert(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        response
    }
}
