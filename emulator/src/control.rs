//! `/_emulator/…`: the ledger (read-only) and the fault switch, with the checks that keep
//! other sites from changing anything.

use std::time::Duration;

use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use credit_gauge_serve::is_loopback_host;
use serde_json::{json, Map, Value};

use crate::clock::iso;
use crate::faults::{Switch, SwitchRequest};
use crate::{cmc, cryptowatch, http, Shared};

fn control_json(status: StatusCode, body: Value) -> Response {
    http::json_response(status, &body)
}

/// How long a control request's body may take to arrive.
const CONTROL_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a request that would change the emulator's state is refused as coming from another
/// site: a `Sec-Fetch-Site` of `cross-site`/`same-site`, or an `Origin` that is not the
/// emulator's own (`http://` + the `Host` it was addressed to), whatever the CORS setting.
/// Requests with neither header (curl, native tests) and same-origin pages pass.
fn from_another_site(headers: &HeaderMap) -> Option<&'static str> {
    // A page on a rebinding DNS name would be "same-origin" with its own Host: only requests
    // addressed to a loopback name may change anything.
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !is_loopback_host(host) {
        return Some("The emulator's control endpoints take changes only when addressed to a loopback name (127.0.0.1, localhost, [::1]).");
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("cross-site");
        if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
            return Some("The emulator's control endpoints do not take changes from other sites (Sec-Fetch-Site).");
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if host.is_empty() || origin.as_bytes() != format!("http://{host}").as_bytes() {
            return Some("The emulator's control endpoints take changes only from the emulator's own origin.");
        }
    }
    None
}

/// Whether the body is declared as JSON (`application/json`, with or without parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// `/_emulator/…`: the ledger (read-only) and the fault switch.
pub(crate) async fn handle(app: &Shared, rest: &str, request: Request) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        if let Some(why) = from_another_site(request.headers()) {
            return control_json(StatusCode::FORBIDDEN, json!({ "error": why }));
        }
    }
    match (rest, method) {
        ("/ledger", Method::GET) => control_json(StatusCode::OK, ledger_json(app)),
        ("/faults", Method::GET) => {
            let current = app.lock_faults().as_ref().map(Switch::describe);
            control_json(StatusCode::OK, json!({ "switch": current }))
        }
        ("/faults", Method::DELETE) => {
            *app.lock_faults() = None;
            control_json(StatusCode::OK, json!({ "switch": null }))
        }
        ("/faults", Method::POST) => {
            // Pages can send text/plain, forms and multipart to any site without asking;
            // only a JSON body needs the browser's permission first.
            if !is_json(request.headers()) {
                return control_json(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    json!({"error": "the body must be JSON, sent as Content-Type: application/json"}),
                );
            }
            let read = axum::body::to_bytes(request.into_body(), 64 * 1024);
            let body = match tokio::time::timeout(CONTROL_BODY_TIMEOUT, read).await {
                Ok(Ok(b)) => b,
                Ok(Err(_)) => {
                    return control_json(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "body too large"}),
                    )
                }
                Err(_) => {
                    return control_json(
                        StatusCode::REQUEST_TIMEOUT,
                        json!({"error": "the body did not arrive in time"}),
                    )
                }
            };
            let parsed = serde_json::from_slice::<SwitchRequest>(&body)
                .map_err(|e| format!("expected {{\"fault\": \"…\", \"count\": n, \"path_prefix\": \"/cmc\"}}: {e}"))
                .and_then(Switch::from_request);
            match parsed {
                Ok(switch) => {
                    let described = switch.describe();
                    *app.lock_faults() = Some(switch);
                    control_json(StatusCode::OK, json!({ "switch": described }))
                }
                Err(e) => control_json(StatusCode::BAD_REQUEST, json!({ "error": e })),
            }
        }
        ("/ledger", _) | ("/faults", _) => control_json(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"error": "method not allowed"}),
        ),
        _ => control_json(
            StatusCode::NOT_FOUND,
            json!({"error": "not found; see /_emulator/ledger and /_emulator/faults"}),
        ),
    }
}

fn ledger_json(app: &Shared) -> Value {
    let now = app.clock.now();
    let ledger = app.lock_ledger();
    let mut cmc_keys = Map::new();
    for (key, usage) in &ledger.cmc {
        cmc_keys.insert(key.clone(), cmc::ledger_entry(app, key, usage, now));
    }
    let mut cw = Map::new();
    for (who, balance) in &ledger.cw {
        cw.insert(who.clone(), cryptowatch::ledger_entry(balance, now));
    }
    json!({
        "now": iso(now),
        "time_scale": app.clock.scale(),
        "cmc": cmc_keys,
        "cryptowatch": cw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, value.parse().expect("header value"));
        }
        h
    }

    #[test]
    fn changes_are_taken_only_when_addressed_to_a_loopback_name_from_no_other_site() {
        assert_eq!(
            from_another_site(&headers(&[("host", "127.0.0.1:8787")])),
            None
        );
        assert_eq!(
            from_another_site(&headers(&[
                ("host", "localhost:8787"),
                ("origin", "http://localhost:8787"),
                ("sec-fetch-site", "same-origin"),
            ])),
            None
        );
        // A rebinding DNS name, a request without a Host, another site, another origin.
        assert!(from_another_site(&headers(&[("host", "evil.example:8787")])).is_some());
        assert!(from_another_site(&headers(&[])).is_some());
        assert!(from_another_site(&headers(&[
            ("host", "127.0.0.1:8787"),
            ("sec-fetch-site", "cross-site"),
        ]))
        .is_some());
        assert!(from_another_site(&headers(&[
            ("host", "127.0.0.1:8787"),
            ("origin", "http://evil.example"),
        ]))
        .is_some());
    }
}
