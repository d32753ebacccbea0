//! The emulated Cryptowatch REST API, below `/cryptowatch`.
//!
//! Every known route has its fixed cost from the reference's table; the cost is charged
//! before answering, 404s included, from a 24-hour allowance that starts at the caller's first
//! request. Balances are integer milli-credits so three-decimal arithmetic stays exact.
//!
//! Here: the caller, the order of the checks and the answer's envelope. `routes` parses paths
//! and knows their costs, `allowance` charges them, `catalog` holds the exchanges, assets,
//! pairs and markets, `endpoints` answers the lists and `market` one market's data.

mod allowance;
mod catalog;
mod endpoints;
mod market;
mod routes;

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::http::{json_response, key_of};
use crate::query::Query;
use crate::Shared;
use routes::Route;

pub use allowance::{ledger_entry, ANONYMOUS_ALLOWANCE_MILLI, KEYED_ALLOWANCE_MILLI};
pub use catalog::Catalog;

pub const KEY_HEADER: &str = "x-cw-api-key";
pub const KEY_PARAM: &str = "apikey";
/// The keyed demo caller.
pub const DEMO_KEY: &str = "demo-cw";
/// Where routes in answers point, as the real API wrote them.
const ROUTE_BASE: &str = "https://api.cryptowat.ch";

fn error_body(status: StatusCode, message: &str, allowance: Option<Value>) -> Response {
    let mut m = Map::new();
    m.insert("error".into(), json!(message));
    if let Some(a) = allowance {
        m.insert("allowance".into(), a);
    }
    json_response(status, &Value::Object(m))
}

/// Who is calling: a key, or an anonymous client address.
fn caller(headers: &HeaderMap, q: &Query, peer: Option<IpAddr>) -> Result<(String, bool), ()> {
    match key_of(headers, KEY_HEADER, q, KEY_PARAM)
        .transpose()?
        .as_deref()
    {
        None => Ok((
            format!(
                "anonymous:{}",
                peer.map(|p| p.to_string())
                    .unwrap_or_else(|| "unknown".into())
            ),
            false,
        )),
        Some(DEMO_KEY) => Ok((DEMO_KEY.to_string(), true)),
        Some(_) => Err(()),
    }
}

/// Answers one request for `path` (the part below `/cryptowatch`).
pub fn handle(
    app: &Shared,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Response {
    let now = app.clock.now();
    let Some(route) = Route::parse(path) else {
        return error_body(StatusCode::NOT_FOUND, "Route not found", None);
    };
    let Ok(q) = Query::parse(raw_query) else {
        return error_body(StatusCode::BAD_REQUEST, "Bad Request", None);
    };
    let Ok((who, keyed)) = caller(headers, &q, peer) else {
        return error_body(StatusCode::UNAUTHORIZED, "Invalid API key", None);
    };
    let cost = route.cost_milli();
    let Some(remaining) = allowance::charge(app, who, keyed, cost, now) else {
        return error_body(StatusCode::TOO_MANY_REQUESTS, "Out of allowance", None);
    };
    let allowance = allowance::shown(cost, remaining, keyed);
    match endpoints::answer(app, &route, &q, now) {
        Ok((result, cursor)) => {
            let mut m = Map::new();
            m.insert("result".into(), result);
            if let Some(c) = cursor {
                m.insert("cursor".into(), c);
            }
            // The root path showed no allowance to anonymous callers.
            if keyed || !matches!(route, Route::Root) {
                m.insert("allowance".into(), allowance);
            }
            json_response(StatusCode::OK, &Value::Object(m))
        }
        Err((status, message)) => error_body(status, message, Some(allowance)),
    }
}

/// A route's result and, on paginated lists, its cursor; or an error status and message.
type RouteResult = Result<(Value, Option<Value>), (StatusCode, &'static str)>;

fn not_found(what: &'static str) -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, what)
}

fn bad(message: &'static str) -> (StatusCode, &'static str) {
    (StatusCode::BAD_REQUEST, message)
}
