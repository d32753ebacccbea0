//! The host page's own requests through the gauge: `handle.fetch(path, options)` (and the
//! `<credit-gauge>` element's `fetch`). Each goes the one way every request goes (the
//! pipeline): previewed, queued while a limit says wait, counted, reconciled, shown.

use credit_gauge_core::{estimate, ApiKind, Request, UnixMillis};
use js_sys::{Object, Promise, Reflect};
use leptos::prelude::WithUntracked;
use wasm_bindgen::prelude::*;

use crate::embed::MountHandle;
use crate::pipeline::{Answer, Ended, Patience};

/// The request for `path` (an API path, optionally with a query) and extra `params`, checked
/// against the catalog; or why it cannot be sent, in a sentence that names the problem.
pub fn page_request(
    api: ApiKind,
    path: &str,
    params: Vec<(String, String)>,
) -> Result<Request, String> {
    let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
    let mut request = Request::from_path(api, path_only).ok_or_else(|| {
        let api = crate::presentation::api_name(api);
        let shown: String = path_only.chars().take(120).collect();
        format!(
            "credit-gauge: {shown} is not a {api} endpoint the widget knows, so it was not sent"
        )
    })?;
    for (name, value) in crate::embed::parse_params(query).into_iter().chain(params) {
        request = request.with(&name, &value);
    }
    request
        .validate()
        .map_err(|e| format!("credit-gauge: {e}, so the request was not sent"))?;
    estimate(&request)
        .map(|_| request)
        .map_err(|e| format!("credit-gauge: {e}, so the request was not sent"))
}

/// `options.params`: an object of names to values, or a query string.
fn params_of(options: &JsValue) -> Vec<(String, String)> {
    let Ok(params) = Reflect::get(options, &"params".into()) else {
        return Vec::new();
    };
    if let Some(text) = params.as_string() {
        return crate::embed::parse_params(&text);
    }
    let Some(object) = params.dyn_ref::<Object>() else {
        return Vec::new();
    };
    Object::entries(object)
        .iter()
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry);
            let name = pair.get(0).as_string()?;
            let value = pair.get(1);
            let value = value
                .as_string()
                .or_else(|| value.as_f64().map(|n| n.to_string()))
                .or_else(|| value.as_bool().map(|b| b.to_string()))?;
            Some((name, value))
        })
        .collect()
}

/// `options.maxWait` (milliseconds, 0 or more) and `options.signal` (an `AbortSignal`).
fn patience_of(options: &JsValue) -> Patience {
    let max_wait_ms = Reflect::get(options, &"maxWait".into())
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map(|ms| ms.min(1e12) as i64);
    let abort = Reflect::get(options, &"signal".into())
        .ok()
        .and_then(|v| v.dyn_into::<web_sys::AbortSignal>().ok());
    Patience { max_wait_ms, abort }
}

/// The rejection of a request withdrawn before it went: an `AbortError`, as `fetch` gives.
fn aborted() -> JsValue {
    web_sys::DomException::new_with_message_and_name(
        "credit-gauge: the request was withdrawn before it was sent",
        "AbortError",
    )
    .map(JsValue::from)
    .unwrap_or_else(|e| e)
}

/// The rejection of a request a limit would have kept waiting past `maxWait`: an `Error` whose
/// `retryAt` (UTC milliseconds) says when it could go.
fn too_late(at: UnixMillis) -> JsValue {
    let error = js_sys::Error::new(&format!(
        "credit-gauge: a limit keeps this request waiting until {}, longer than maxWait, so it was not sent",
        crate::format::instant(at)
    ));
    set(&error, "retryAt", &JsValue::from_f64(at.0 as f64));
    error.into()
}

fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

fn credits(c: credit_gauge_core::Credits) -> JsValue {
    JsValue::from_f64(c.millis() as f64 / 1000.0)
}

/// `{ ok, status, data, charged, estimated, fromServer, explanation }` for the page.
fn reply_object(api: ApiKind, answer: &Answer) -> JsValue {
    let reply = Object::new();
    let explanation = answer.explanation.map(|e| {
        let o = Object::new();
        set(&o, "title", &e.title.into());
        set(&o, "explanation", &e.explanation.into());
        set(&o, "whatToDo", &e.what_to_do.into());
        let retry_at = match e.retry {
            credit_gauge_core::Retry::At(t) => JsValue::from_f64(t.0 as f64),
            _ => JsValue::NULL,
        };
        set(&o, "retryAt", &retry_at);
        JsValue::from(o)
    });
    set(&reply, "ok", &JsValue::from_bool(explanation.is_none()));
    set(
        &reply,
        "status",
        &answer.status.map_or(JsValue::NULL, JsValue::from),
    );
    // The envelope's payload: CoinMarketCap's `data`, Cryptowatch's `result`.
    let field = match api {
        ApiKind::CoinMarketCap => "data",
        ApiKind::Cryptowatch => "result",
    };
    let data = answer
        .body
        .as_deref()
        .and_then(|body| js_sys::JSON::parse(body).ok())
        .and_then(|v| Reflect::get(&v, &field.into()).ok())
        .filter(|v| !v.is_undefined())
        .unwrap_or(JsValue::NULL);
    set(&reply, "data", &data);
    let settlement = answer.settlement.as_ref();
    set(
        &reply,
        "charged",
        &settlement.map_or(JsValue::from_f64(0.0), |s| credits(s.charged)),
    );
    set(
        &reply,
        "estimated",
        &answer.estimated.map_or(JsValue::NULL, credits),
    );
    set(
        &reply,
        "fromServer",
        &JsValue::from_bool(settlement.is_some_and(|s| s.from_server)),
    );
    set(&reply, "explanation", &explanation.unwrap_or(JsValue::NULL));
    reply.into()
}

#[wasm_bindgen]
impl MountHandle {
    /// Sends the page's own request for `path` (an API path such as
    /// `/v1/cryptocurrency/listings/latest` or `/markets/kraken/btcusd/price`) through the
    /// gauge, with `options.params` (an object or a query string). Resolves to
    /// `{ ok, status, data, charged, estimated, fromServer, explanation }` once it was sent
    /// and answered (or refused by a limit that can never allow it); rejects, sending
    /// nothing, when the catalog cannot cost it (an unknown path or a bad parameter).
    pub fn fetch(&self, path: String, options: JsValue) -> Promise {
        let Some(widget) = self.widget() else {
            return Promise::reject(
                &js_sys::Error::new("credit-gauge: this widget was unmounted").into(),
            );
        };
        let Some(api) = widget.settings.try_with_untracked(|s| s.api) else {
            return Promise::reject(
                &js_sys::Error::new("credit-gauge: this widget was unmounted").into(),
            );
        };
        let request = match page_request(api, &path, params_of(&options)) {
            Ok(request) => request,
            Err(message) => return Promise::reject(&js_sys::Error::new(&message).into()),
        };
        let patience = patience_of(&options);
        wasm_bindgen_futures::future_to_promise(async move {
            match widget.fetch(request, patience).await {
                Ended::Answered(answer) => Ok(reply_object(api, &answer)),
                Ended::Cancelled => Err(aborted()),
                Ended::TooLate(at) => Err(too_late(at)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credit_gauge_core::EndpointId;

    #[test]
    fn a_page_request_is_checked_before_anything_is_sent() {
        let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
        let listings = page_request(
            ApiKind::CoinMarketCap,
            "/v1/cryptocurrency/listings/latest",
            vec![pair("limit", "10")],
        )
        .unwrap();
        assert_eq!(listings.endpoint, EndpointId::CmcListingsLatest);
        assert_eq!(listings.param("limit"), Some("10"));

        let unknown = page_request(ApiKind::CoinMarketCap, "/v1/nothing", vec![]).unwrap_err();
        assert!(
            unknown.contains("/v1/nothing is not a CoinMarketCap endpoint"),
            "{unknown}"
        );
        let bad = page_request(
            ApiKind::CoinMarketCap,
            "/v1/cryptocurrency/listings/latest",
            vec![pair("limit", "0")],
        )
        .unwrap_err();
        assert!(bad.contains("`limit`"), "{bad}");
        let unknown_param = page_request(
            ApiKind::CoinMarketCap,
            "/v1/fiat/map",
            vec![pair("api_key", "x")],
        )
        .unwrap_err();
        assert!(
            unknown_param.contains("unknown parameter `api_key`"),
            "{unknown_param}"
        );
    }
}
