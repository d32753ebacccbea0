//! All network I/O of the widget: builds the request for an endpoint, sends it, and turns
//! every answer or failure into a core [`Outcome`] plus what the user may want to see raw.

use crate::task::settled;
use credit_gauge_core::cat;
use credit_gauge_core::{
    cmc_outcome, cw_outcome, ApiKind, ClientFailure, Outcome, Request, UnixMillis,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    AbortController, AbortSignal, Headers, RequestInit, RequestMode, RequestRedirect, Response,
};

/// How long an answer may take before the widget gives up on it, unless the embedding page
/// chose another time (the `timeout` attribute).
pub const TIMEOUT_MS: u32 = 20_000;

/// What came back from one call.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The typed outcome the core reconciles and explains.
    pub outcome: Outcome,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The body as text, when an answer arrived.
    pub body: Option<String>,
    /// A team gateway's `RateLimit-Policy` and `RateLimit` fields, when the answer had them.
    pub team_fields: Option<(String, String)>,
    /// When the request left and its answer's head came back, on the visitor's clock; `None`
    /// when the server's clock is not one to set by (an emulator running faster than time).
    pub exchange: Option<(UnixMillis, UnixMillis)>,
    /// An emulator's `X-Emulator-Time-Scale`, when the answer had one (see `clock::follow`).
    pub time_scale: Option<String>,
}

/// The longest `X-Emulator-Time-Scale` read: `3600; origin=` and fifteen digits fit easily.
const MAX_TIME_SCALE_BYTES: usize = 64;

/// The full URL of `request` below `base` (no trailing slash needed).
///
/// A Cryptowatch key goes in the `apikey` query parameter: a browser preflight with the
/// `X-CW-API-Key` header is likely refused by the real API (the reference's CORS notes). A
/// CoinMarketCap key never goes in the URL; see [`send`].
pub fn url(base: &str, request: &Request, key: &str) -> String {
    let base = base.trim_end_matches('/');
    let path = request.path_and_query();
    let mut url = cat![base, path];
    if request.api() == ApiKind::Cryptowatch && !key.is_empty() {
        url.push(if path.contains('?') { '&' } else { '?' });
        url.push_str("apikey=");
        url.push_str(&String::from(js_sys::encode_uri_component(key)));
    }
    url
}

/// The header that marks a request as the widget's own, so a key-holding server can refuse requests
/// without it, since a page cannot add a custom header to the requests an `<img>` or a
/// `no-cors` fetch makes on its behalf.
pub const CLIENT_HEADER: &str = "X-Credit-Gauge";

fn build(api: ApiKind, key: &str, signal: Option<&AbortSignal>) -> Result<RequestInit, JsValue> {
    let init = RequestInit::new();
    // No redirects: `fetch` keeps custom headers across a redirect to another origin, and a
    // CoinMarketCap key travels in one. Neither API redirects.
    init.set_redirect(RequestRedirect::Error);
    let headers = Headers::new()?;
    headers.set("Accept", "application/json")?;
    if api == ApiKind::CoinMarketCap {
        // Cryptowatch gets no custom header: the real API was likely to refuse the preflight.
        headers.set(CLIENT_HEADER, "1")?;
        if !key.is_empty() {
            headers.set("X-CMC_PRO_API_KEY", key)?;
        }
    }
    init.set_headers(&headers);
    init.set_signal(signal);
    Ok(init)
}

/// `fetch(url, init)` on the page's window: the response's head, or why there is none.
async fn fetch(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    settled(&window.fetch_with_str_and_init(url, init))
        .await?
        .dyn_into()
}

/// Sends `request` to `base` with `key` and waits for the answer, at most `timeout_ms`; aborts
/// it when `withdraw` (the caller's signal) aborts on the way.
pub async fn send(
    base: &str,
    request: &Request,
    key: &str,
    timeout_ms: u32,
    withdraw: Option<&AbortSignal>,
) -> Reply {
    let api = request.api();
    let url = url(base, request, key);
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let timer = controller
        .clone()
        .map(|c| crate::timer::Timeout::new(timeout_ms, move || c.abort()));
    let _follow = withdraw
        .zip(controller.clone())
        .map(|(w, c)| Follow::new(w, c));
    // Why the request was aborted, if it was: the caller's withdrawal, else the timeout.
    let aborted = || {
        if withdraw.is_some_and(|w| w.aborted()) {
            Some(ClientFailure::Withdrawn)
        } else if signal.as_ref().is_some_and(|s| s.aborted()) {
            Some(ClientFailure::Timeout)
        } else {
            None
        }
    };
    let left_at = crate::clock::local_now();
    let Ok(init) = build(api, key, signal.as_ref()) else {
        // Refused before anything left (a key a header cannot carry): no probe, no network
        // failure to report.
        drop(timer);
        return failed(ClientFailure::Unsendable, None, None);
    };
    let sent = fetch(&url, &init).await;
    let head_at = crate::clock::local_now();
    let response = match sent {
        Ok(response) => response,
        Err(_) => {
            drop(timer);
            let failure = if let Some(failure) = aborted() {
                failure
            } else if same_origin(&url) {
                // The browser never applies CORS to its own origin: the connection failed.
                ClientFailure::Network
            } else if api == ApiKind::Cryptowatch {
                // Cryptowatch charges every request it receives, so no probe: a second
                // request could cost credits nobody counts.
                ClientFailure::Network
            } else {
                classify_fetch_failure(&url).await
            };
            return failed(failure, None, None);
        }
    };
    let status = response.status();
    let team_fields = team_fields(&response);
    let time_scale =
        header(&response, "x-emulator-time-scale").filter(|v| v.len() <= MAX_TIME_SCALE_BYTES);
    let scaled = time_scale.as_ref().is_some_and(|scale| scale.trim() != "1");
    let exchange = (!scaled).then_some((left_at, head_at));
    let body = read_bounded(&response, MAX_BODY_BYTES).await;
    drop(timer);
    let body = match body {
        Ok(Some(body)) => body,
        Ok(None) => return failed(ClientFailure::TooLarge, Some(status), None),
        Err(_) => {
            // The status line arrived but the body broke off: the server answered (and may
            // have charged), so this is an unreadable answer, not a request that never arrived.
            let failure = aborted().unwrap_or(ClientFailure::NotJson);
            return failed(failure, Some(status), None);
        }
    };
    let outcome = match api {
        ApiKind::CoinMarketCap => cmc_outcome(status, &body),
        ApiKind::Cryptowatch => cw_outcome(status, &body),
    };
    Reply {
        outcome,
        status: Some(status),
        body: Some(body),
        team_fields,
        exchange,
        time_scale,
    }
}

/// A header of `response`, when it came and the page may read it.
fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}

/// The longest RateLimit field read: a gateway's three policies take about 120 bytes.
const MAX_FIELD_BYTES: usize = 2048;

/// A team gateway's `RateLimit-Policy` and `RateLimit`, when both came (a browser shows them
/// only when the gateway exposes them to this page).
fn team_fields(response: &Response) -> Option<(String, String)> {
    let field = |name: &str| header(response, name).filter(|v| v.len() <= MAX_FIELD_BYTES);
    Some((field("ratelimit-policy")?, field("ratelimit")?))
}

/// Aborts a request's own controller when the caller's signal aborts, for as long as it lives.
struct Follow {
    signal: AbortSignal,
    listener: Closure<dyn FnMut()>,
}

impl Follow {
    fn new(signal: &AbortSignal, controller: AbortController) -> Follow {
        let listener = Closure::<dyn FnMut()>::new(move || controller.abort());
        let _ = signal.add_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        Follow {
            signal: signal.clone(),
            listener,
        }
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.listener.as_ref().unchecked_ref());
    }
}

/// The most of an answer the widget reads. Answers from any server are bounded: a server that
/// sends more is cut off rather than read into memory. A listing of 5,000 coins in three
/// currencies is about 11 MiB.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The body as text, read chunk by chunk and given up (`Ok(None)`) once it passes `max` bytes;
/// `Err` when it breaks off. The chunks stay in the browser, which decodes them as
/// `Response.text()` does (bytes that are not UTF-8 are replaced).
pub async fn read_bounded(response: &Response, max: usize) -> Result<Option<String>, JsValue> {
    let Some(stream) = response.body() else {
        return Ok(Some(String::new()));
    };
    let call = |target: &JsValue, method: &str| -> Result<JsValue, JsValue> {
        let f: js_sys::Function =
            js_sys::Reflect::get(target, &JsValue::from_str(method))?.dyn_into()?;
        f.call0(target)
    };
    let reader = call(&stream, "getReader")?;
    let chunks = js_sys::Array::new();
    let mut read_bytes = 0usize;
    loop {
        let read: js_sys::Promise = call(&reader, "read")?.dyn_into()?;
        let chunk = settled(&read).await?;
        if js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
            break;
        }
        let value: js_sys::Uint8Array =
            js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))?.dyn_into()?;
        read_bytes = read_bytes.saturating_add(value.length() as usize);
        if read_bytes > max {
            // Stop the download; the promise's outcome no longer matters.
            let _ = call(&reader, "cancel");
            return Ok(None);
        }
        chunks.push(&value);
    }
    let text = web_sys::Blob::new_with_u8_array_sequence(&chunks)?.text();
    Ok(Some(settled(&text).await?.as_string().unwrap_or_default()))
}

fn failed(failure: ClientFailure, status: Option<u16>, body: Option<String>) -> Reply {
    Reply {
        outcome: Outcome::Failed {
            failure,
            http_status: status,
        },
        status,
        body,
        team_fields: None,
        exchange: None,
        time_scale: None,
    }
}

/// Whether `url` (absolute or relative) points at the page's own origin.
fn same_origin(url: &str) -> bool {
    crate::keys::origin_of(url).is_some_and(|o| Some(o) == crate::keys::page_origin())
}

/// `fetch` rejects a CORS refusal and a dead network with the same `TypeError`. A second,
/// `no-cors` request to the same URL resolves (with an opaque answer) when the server is up
/// and only CORS refused, and rejects when the network or host is down.
///
/// The probe carries no key (CoinMarketCap's key is a header, which `no-cors` cannot send) and
/// gives up after a few seconds, so a host that never answers reads as a network failure.
async fn classify_fetch_failure(url: &str) -> ClientFailure {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let _timer = controller.map(|c| crate::timer::Timeout::new(5_000, move || c.abort()));
    let init = RequestInit::new();
    init.set_mode(RequestMode::NoCors);
    init.set_signal(signal.as_ref());
    match fetch(url, &init).await {
        Ok(_) => ClientFailure::CorsRefused,
        Err(_) => ClientFailure::Network,
    }
}
