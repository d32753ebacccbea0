//! Every request's way in: which API it is for (or `/_emulator`, or the built app), CORS, the
//! per-request faults and the fault switch, then the emulated API.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;

use crate::clock::iso;
use crate::faults::{self, Api, Fault};
use crate::{cmc, control, cryptowatch, http, query, static_files, Shared};

/// The part of `path` below `prefix`, if `path` is `prefix` or below it.
fn below<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// The query parameter that asks for a fault.
const FAULT_PARAM: &str = "emulator_fault";

/// Splits the fault parameter off a query string (under any percent-encoded spelling of its
/// name), so the API never sees it.
fn take_fault_param(query: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(query) = query else {
        return (None, None);
    };
    let mut fault = None;
    let mut kept = Vec::new();
    for part in query.split('&') {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        if query::decode(name).as_deref() == Some(FAULT_PARAM) {
            // Undecodable text names no fault, so it answers 400 like an unknown one.
            fault = Some(query::decode(value).unwrap_or_else(|| "?".into()));
        } else {
            kept.push(part);
        }
    }
    let kept = (!kept.is_empty()).then(|| kept.join("&"));
    (kept, fault)
}

pub(crate) async fn dispatch(State(app): State<Arc<Shared>>, request: Request) -> Response {
    let started = Instant::now();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let path = request.uri().path().to_string();
    let api = if below(&path, "/cmc").is_some() {
        Api::Cmc
    } else if below(&path, "/cryptowatch").is_some() {
        Api::Cryptowatch
    } else if let Some(rest) = below(&path, "/_emulator") {
        let cors = app.cors.clone();
        let headers = request.headers().clone();
        if request.method() == Method::OPTIONS {
            return cors.preflight(&headers);
        }
        let mut response = control::handle(&app, rest, request).await;
        cors.decorate(&headers, &mut response);
        return response;
    } else {
        // The app's files carry the same CORS headers as the APIs, so another origin's page
        // can load the embed script (a module) and its wasm.
        let headers = request.headers().clone();
        let mut response = static_files::serve(app.static_dir.as_deref(), request).await;
        app.cors.decorate(&headers, &mut response);
        return response;
    };
    let (parts, _body) = request.into_parts();
    let cors = &app.cors;
    if parts.method == Method::OPTIONS {
        return cors.preflight(&parts.headers);
    }
    let now = app.clock.now();
    let mut response = match answer(&app, api, &parts, &path, peer, started, now).await {
        Ok(r) | Err(r) => r,
    };
    let scale = app.clock.scale();
    if scale != 1 {
        // Its timestamps run `scale` times faster than real time from `origin`: a widget on
        // this machine can follow that clock; nobody should set theirs by it.
        let value = format!("{scale}; origin={}", app.clock.origin());
        if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(TIME_SCALE_HEADER, value);
        }
    }
    cors.decorate(&parts.headers, &mut response);
    response
}

/// Sent on every API answer of an emulator whose clock is scaled (`--time-scale`):
/// `<scale>; origin=<the real Unix milliseconds its clock started from>`.
pub const TIME_SCALE_HEADER: &str = "x-emulator-time-scale";

fn api_error(api: Api, status: StatusCode, message: &str, now: i64, started: Instant) -> Response {
    match api {
        Api::Cmc => cmc::error(now, started, status, status.as_u16().into(), message),
        Api::Cryptowatch => http::error_json(status, message),
    }
}

async fn answer(
    app: &Shared,
    api: Api,
    parts: &axum::http::request::Parts,
    path: &str,
    peer: Option<std::net::IpAddr>,
    started: Instant,
    now: i64,
) -> Result<Response, Response> {
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return Err(api_error(
            api,
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            now,
            started,
        ));
    }
    let (query, param_fault) = take_fault_param(parts.uri.query());
    let mut faults: Vec<Fault> = Vec::new();
    let header_fault = parts
        .headers
        .get("x-emulator-fault")
        .map(|v| v.to_str().unwrap_or("?"));
    // A fault list the emulator cannot take is the caller's mistake: a 400 that says why.
    let bad_faults = |e: String| {
        api_error(
            api,
            StatusCode::BAD_REQUEST,
            &format!("Emulator: {e}"),
            now,
            started,
        )
    };
    for spec in [header_fault, param_fault.as_deref()].into_iter().flatten() {
        faults.extend(faults::parse_list(spec).map_err(bad_faults)?);
    }
    faults::check(&faults).map_err(bad_faults)?;
    if faults.is_empty() {
        if let Some(switch) = app.lock_faults().as_mut() {
            faults = switch.take(path).unwrap_or_default();
        }
    }
    if let Some(response) = faults::apply(&faults, api, &iso(now)).await {
        return Ok(response);
    }
    Ok(match api {
        Api::Cmc => {
            let rest = below(path, "/cmc").unwrap_or("");
            cmc::handle(app, rest, query.as_deref(), &parts.headers, started)
        }
        Api::Cryptowatch => {
            let rest = below(path, "/cryptowatch").unwrap_or("");
            cryptowatch::handle(app, rest, query.as_deref(), &parts.headers, peer)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fault_parameter_is_taken_out_of_the_query() {
        let (q, f) = take_fault_param(Some("limit=5&emulator_fault=latency%3D10&convert=EUR"));
        assert_eq!(q.as_deref(), Some("limit=5&convert=EUR"));
        assert_eq!(f.as_deref(), Some("latency=10"));
        let (q, f) = take_fault_param(Some("emulator_fault=drop"));
        assert_eq!((q, f.as_deref()), (None, Some("drop")));
        // Other spellings of the same name are the same parameter.
        let (q, f) = take_fault_param(Some("emulator%5Ffault=drop&limit=5"));
        assert_eq!(
            (q.as_deref(), f.as_deref()),
            (Some("limit=5"), Some("drop"))
        );
    }

    #[test]
    fn below_needs_a_whole_segment() {
        assert_eq!(below("/cmc/v1/key/info", "/cmc"), Some("/v1/key/info"));
        assert_eq!(below("/cmc", "/cmc"), Some(""));
        assert_eq!(below("/cmcx", "/cmc"), None);
    }
}
