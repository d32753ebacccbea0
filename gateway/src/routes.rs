//! The gateway's HTTP surface: `/healthz`, `/metrics`, CORS preflights, and every
//! CoinMarketCap path the catalog knows, forwarded through the ledger.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use credit_gauge_core::{ApiKind, ClientFailure, Outcome, Request as ApiRequest};

use crate::answers::Refusal;
use crate::spend::{patience_of, Refused, Spent};
use crate::{now, ratelimit, Gateway};

/// The most query parameters read from one request.
const MAX_PARAMS: usize = 64;

pub async fn handle(
    State(gw): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, _body) = request.into_parts();
    let path = parts.uri.path().to_string();
    match (&parts.method, path.as_str()) {
        (&Method::GET, "/healthz") => health(&gw).await,
        (&Method::GET, "/metrics") => metrics(&gw, &parts.headers, peer).await,
        (&Method::OPTIONS, _) => match gw.access.preflight(&parts.headers) {
            Ok(headers) => (StatusCode::NO_CONTENT, headers).into_response(),
            Err(refusal) => refusal.into_response_at(now()),
        },
        (&Method::GET, _) => api(&gw, &parts, peer, &path).await,
        _ => Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            405,
            "The gateway forwards only GET requests.",
        )
        .into_response_at(now()),
    }
}

/// 200 when the ledger can be read (Redis reachable), else 503 saying why.
async fn health(gw: &Gateway) -> Response {
    match gw.budget.snapshot(now).await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")).into_response(),
    }
}

/// The counters, for the same callers as the API (they name the team's tokens).
async fn metrics(gw: &Gateway, headers: &HeaderMap, peer: SocketAddr) -> Response {
    if let Err(refusal) = gw.access.caller(headers, peer) {
        return refusal.into_response_at(now());
    }
    let account = gw.budget.snapshot(now).await.ok();
    let text = gw.metrics.render(account.as_ref(), now());
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response()
}

/// `limit=10&convert=USD` as decoded pairs; an error names what cannot be read.
fn parse_query(query: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        if pairs.len() == MAX_PARAMS {
            return Err(format!("more than {MAX_PARAMS} query parameters"));
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        match (decode(name), decode(value)) {
            (Some(n), Some(v)) => pairs.push((n, v)),
            _ => return Err("the query is not valid percent-encoded UTF-8".into()),
        }
    }
    Ok(pairs)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The catalog's request for `path` and the query, or why the gateway will not send it.
fn api_request(path: &str, query: Option<&str>) -> Result<ApiRequest, Refusal> {
    let bad = |message: String| Refusal::new(StatusCode::BAD_REQUEST, 400, message);
    let mut request = ApiRequest::from_path(ApiKind::CoinMarketCap, path).ok_or_else(|| {
        let shown: String = path.chars().take(120).collect();
        Refusal::new(
            StatusCode::NOT_FOUND,
            404,
            format!("{shown} is not a CoinMarketCap endpoint the gateway forwards."),
        )
    })?;
    for (name, value) in parse_query(query).map_err(|e| bad(format!("Invalid query: {e}.")))? {
        request = request.with(&name, &value);
    }
    request
        .validate()
        .map_err(|e| bad(format!("Invalid parameter: {e}.")))?;
    Ok(request)
}

async fn api(
    gw: &Gateway,
    parts: &axum::http::request::Parts,
    peer: SocketAddr,
    path: &str,
) -> Response {
    let refuse = |refusal: Refusal, caller: &str, reason: &'static str| {
        gw.metrics.refused(caller, reason);
        let mut response = refusal.into_response_at(now());
        gw.access.cors(&parts.headers, response.headers_mut());
        response
    };
    let caller = match gw.access.caller(&parts.headers, peer) {
        Ok(caller) => caller,
        Err(refusal) => return refuse(refusal, "unknown", "access"),
    };
    // Absolute-form requests (`GET http://elsewhere/…`) ask for another host.
    if parts.uri.authority().is_some() {
        let refusal = Refusal::new(
            StatusCode::FORBIDDEN,
            403,
            "The gateway forwards only to its own upstream.",
        );
        return refuse(refusal, &caller, "params");
    }
    let request = match api_request(path, parts.uri.query()) {
        Ok(request) => request,
        Err(refusal) => return refuse(refusal, &caller, "params"),
    };
    let prefer = parts.headers.get("prefer").and_then(|p| p.to_str().ok());
    let patience = patience_of(prefer, gw.max_wait);
    let mut response = match gw.spend(&request, patience).await {
        Ok(spent) => {
            gw.metrics.forwarded(&caller, spent.reply.took);
            tracing::info!(
                token = %caller,
                path,
                status = spent.reply.answer.as_ref().map(|a| a.0),
                took_ms = spent.reply.took.as_millis() as u64,
                "forwarded"
            );
            answer(spent)
        }
        Err(Refused {
            refusal,
            reason,
            account,
        }) => {
            tracing::info!(token = %caller, path, reason, code = refusal.code, "refused before spending");
            let mut response = refuse(refusal, &caller, reason);
            if let Some(account) = account {
                ratelimit::insert(response.headers_mut(), &account, now());
            }
            return response;
        }
    };
    gw.access.cors(&parts.headers, response.headers_mut());
    response
}

/// The upstream's answer as it came (the key scrubbed), or the gateway's explanation of one
/// that did not come or could not be read; with the team's budget.
fn answer(spent: Spent) -> Response {
    let Spent { reply, account } = spent;
    let t = now();
    let mut response = match (&reply.outcome, reply.answer) {
        (
            Outcome::Failed {
                failure: ClientFailure::NotJson | ClientFailure::WrongShape,
                ..
            },
            Some((status, _, _)),
        ) => Refusal::new(
            StatusCode::BAD_GATEWAY,
            502,
            format!("The upstream answered HTTP {status} with a body that is not CoinMarketCap's JSON; it was counted as the upstream may have charged it."),
        )
        .into_response_at(t),
        (_, Some((status, content_type, body))) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            response.headers_mut().insert(
                CONTENT_TYPE,
                content_type.unwrap_or(HeaderValue::from_static("application/json")),
            );
            response
        }
        (Outcome::Failed { failure: ClientFailure::Timeout, .. }, None) => Refusal::new(
            StatusCode::GATEWAY_TIMEOUT,
            504,
            "The upstream did not answer in time; the request may have been charged, so it is counted at its estimate.",
        )
        .into_response_at(t),
        (_, None) => Refusal::new(
            StatusCode::BAD_GATEWAY,
            502,
            "The upstream could not be reached or its answer was cut short; nothing it did not serve is counted.",
        )
        .into_response_at(t),
    };
    if let Some(account) = account {
        ratelimit::insert(response.headers_mut(), &account, t);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_catalog_endpoints_and_their_parameters_are_forwarded() {
        let listing = api_request(
            "/v1/cryptocurrency/listings/latest",
            Some("limit=5&convert=EUR"),
        )
        .expect("a catalog request");
        assert_eq!(
            listing.path_and_query(),
            "/v1/cryptocurrency/listings/latest?limit=5&convert=EUR"
        );
        assert_eq!(
            api_request("/v1/nothing", None).unwrap_err().status,
            StatusCode::NOT_FOUND
        );
        let key = api_request("/v1/fiat/map", Some("CMC_PRO_API_KEY=x")).unwrap_err();
        assert_eq!(key.status, StatusCode::BAD_REQUEST);
        assert!(key.message.contains("CMC_PRO_API_KEY"), "{}", key.message);
        assert!(api_request("/v1/fiat/map", Some("limit=%ZZ")).is_err());
        let many = vec!["limit=1"; 65].join("&");
        assert!(api_request("/v1/fiat/map", Some(&many))
            .unwrap_err()
            .message
            .contains("more than 64"));
    }
}
