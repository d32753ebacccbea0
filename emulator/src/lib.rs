//! A local emulator of the CoinMarketCap Pro and Cryptowatch REST APIs, so credit-gauge works
//! offline and every test talks to a real HTTP server on loopback.
//!
//! It is deliberately independent of `credit-gauge-core`: the server's accounting is written
//! from the API reference on its own, so it cannot share the client's mistakes.

pub mod clock;
pub mod cmc;
pub mod cors;
pub mod cryptowatch;
pub mod faults;
pub mod http;
pub mod ledger;
pub mod proxy;
pub mod query;
mod static_files;
pub mod synth;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Map, Value};

pub use cors::Cors;
pub use proxy::ProxyConfig;

use clock::{iso, Clock};
use faults::{Api, Fault, Switch, SwitchRequest};
use ledger::Ledger;

/// How the emulator runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The built app to serve at `/` (Trunk's `dist/`), if any.
    pub static_dir: Option<PathBuf>,
    /// Every window (minute, day, month, 24 hours) passes this many times faster.
    pub time_scale: u32,
    /// The plans file's text; `None` uses the one shipped with the emulator.
    pub plans_json: Option<String>,
    /// Which browser origins may read the emulated APIs.
    pub cors: Cors,
    /// Forward `/cmc` to a real CoinMarketCap instead of emulating it.
    pub proxy_cmc: Option<ProxyConfig>,
    /// Cryptowatch's anonymous allowance per 24 hours, in milli-credits.
    pub cw_anonymous_allowance_milli: u64,
    /// The keyed demo caller's allowance per 24 hours, in milli-credits.
    pub cw_keyed_allowance_milli: u64,
    /// In proxy mode, still offer fault injection (the switch, and per-request faults on the
    /// proxied paths); off by default, so a proxy holding a real key cannot be faulted.
    pub proxy_faults: bool,
    /// How long a client may take to send a request's head (a connection's first, or the
    /// next one on a kept-alive connection) before the connection is closed.
    pub header_read_timeout: Duration,
    /// The most connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
}

/// The default for [`Config::header_read_timeout`].
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default for [`Config::max_connections`].
pub const MAX_CONNECTIONS: usize = 512;

impl Default for Config {
    fn default() -> Self {
        Config {
            static_dir: None,
            time_scale: 1,
            plans_json: None,
            cors: Cors::Any,
            proxy_cmc: None,
            cw_anonymous_allowance_milli: cryptowatch::ANONYMOUS_ALLOWANCE_MILLI,
            cw_keyed_allowance_milli: cryptowatch::KEYED_ALLOWANCE_MILLI,
            proxy_faults: false,
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Everything a request may read or change.
pub struct Shared {
    pub clock: Clock,
    pub plans: cmc::plans::Plans,
    pub market: cmc::data::Market,
    pub cw_catalog: cryptowatch::Catalog,
    pub cw_anonymous_allowance_milli: u64,
    pub cw_keyed_allowance_milli: u64,
    ledger: Mutex<Ledger>,
    faults: Mutex<Option<Switch>>,
    cors: Cors,
    /// In proxy mode only origins named explicitly may call `/cmc`: a proxy that holds a real
    /// key must not be usable from every page the user visits.
    proxy_cors: Cors,
    proxy: Option<proxy::Proxy>,
    /// Fault injection stays available in proxy mode (`--proxy-faults`).
    proxy_faults: bool,
    static_dir: Option<PathBuf>,
}

impl Shared {
    /// The ledger; a panic elsewhere while it was held cannot leave it half-written (every
    /// change is a few integer updates), so a poisoned lock is simply taken over.
    pub fn lock_ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_faults(&self) -> MutexGuard<'_, Option<Switch>> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The router, or why the configuration cannot run.
pub fn app(config: Config) -> Result<Router, String> {
    let plans = cmc::plans::Plans::parse(
        config
            .plans_json
            .as_deref()
            .unwrap_or(cmc::plans::DEFAULT_PLANS),
    )?;
    let proxy = config
        .proxy_cmc
        .as_ref()
        .map(proxy::Proxy::new)
        .transpose()?;
    let proxy_cors = match &config.cors {
        Cors::Any => Cors::Origins(Vec::new()),
        other => other.clone(),
    };
    let shared = Arc::new(Shared {
        clock: Clock::new(config.time_scale),
        plans,
        market: cmc::data::Market::new(),
        cw_catalog: cryptowatch::Catalog::new(),
        cw_anonymous_allowance_milli: config.cw_anonymous_allowance_milli,
        cw_keyed_allowance_milli: config.cw_keyed_allowance_milli,
        ledger: Mutex::new(Ledger::default()),
        faults: Mutex::new(None),
        cors: config.cors,
        proxy_cors,
        proxy,
        proxy_faults: config.proxy_faults,
        static_dir: config.static_dir,
    });
    Ok(Router::new().fallback(dispatch).with_state(shared))
}

/// Serves the emulator on an already bound listener until the process ends.
///
/// Each connection is HTTP/1.1 (keep-alive included) with a deadline for every request head
/// ([`Config::header_read_timeout`]), so a client that stalls mid-request is cut off; at most
/// [`Config::max_connections`] are served at once, and further ones wait in the listener's
/// queue until a place frees up.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    use tower::Service;

    let header_read_timeout = config.header_read_timeout;
    let places = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let router =
        app(config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    loop {
        let place = places
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| std::io::Error::other("the connection places were closed"))?;
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // A connection that failed before it was accepted concerns only itself; any
                // other error (out of file descriptors) is waited out instead of spun on.
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionRefused
                ) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
        };
        // The router with the peer's address for `ConnectInfo` (Cryptowatch's anonymous
        // callers are told apart by it).
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let service = hyper_util::service::TowerToHyperService::new(service);
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        tokio::spawn(async move {
            // Errors (a client gone, a head too slow) end only this connection.
            let _ = connection.await;
            drop(place);
        });
    }
}

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

async fn dispatch(State(app): State<Arc<Shared>>, request: Request) -> Response {
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
        let mut response = control(&app, rest, request).await;
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
    let proxied = api == Api::Cmc && app.proxy.is_some();
    let cors = if proxied { &app.proxy_cors } else { &app.cors };
    if parts.method == Method::OPTIONS {
        return cors.preflight(&parts.headers);
    }
    let now = app.clock.now();
    let mut response = match answer(&app, api, &parts, &path, peer, started, now).await {
        Ok(r) | Err(r) => r,
    };
    cors.decorate(&parts.headers, &mut response);
    response
}

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
    let proxied = api == Api::Cmc && app.proxy.is_some();
    if proxied && !app.proxy_faults && (header_fault.is_some() || param_fault.is_some()) {
        return Err(api_error(
            api,
            StatusCode::FORBIDDEN,
            "Emulator: fault injection is off for the proxy; start the emulator with --proxy-faults to use it.",
            now,
            started,
        ));
    }
    for spec in [header_fault, param_fault.as_deref()].into_iter().flatten() {
        match faults::parse_list(spec) {
            Ok(list) => faults.extend(list),
            Err(e) => {
                return Err(api_error(
                    api,
                    StatusCode::BAD_REQUEST,
                    &format!("Emulator: {e}"),
                    now,
                    started,
                ))
            }
        }
    }
    if let Err(e) = faults::check(&faults) {
        return Err(api_error(
            api,
            StatusCode::BAD_REQUEST,
            &format!("Emulator: {e}"),
            now,
            started,
        ));
    }
    if faults.is_empty() {
        if let Some(switch) = app.lock_faults().as_mut() {
            faults = switch.take(path).unwrap_or_default();
        }
    }
    if let Some(response) = faults::apply(&faults, api, &iso(now)).await {
        return Ok(response);
    }
    let now = app.clock.now();
    Ok(match api {
        Api::Cmc => {
            let rest = below(path, "/cmc").unwrap_or("");
            match &app.proxy {
                Some(proxy) => {
                    proxy
                        .forward(&app.proxy_cors, parts, rest, started, now)
                        .await
                }
                None => cmc::handle(app, rest, query.as_deref(), &parts.headers, started),
            }
        }
        Api::Cryptowatch => {
            let rest = below(path, "/cryptowatch").unwrap_or("");
            cryptowatch::handle(app, rest, query.as_deref(), &parts.headers, peer)
        }
    })
}

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
    if !proxy::is_loopback_host(host) {
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
async fn control(app: &Shared, rest: &str, request: Request) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        if let Some(why) = from_another_site(request.headers()) {
            return control_json(StatusCode::FORBIDDEN, json!({ "error": why }));
        }
        if rest == "/faults" && app.proxy.is_some() && !app.proxy_faults {
            return control_json(
                StatusCode::FORBIDDEN,
                json!({"error": "The fault switch is off in proxy mode; start the emulator with --proxy-faults to use it."}),
            );
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
