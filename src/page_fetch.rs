//! The host page's own requests through the gauge: `handle.fetch(path, options)` (and the
//! `<credit-gauge>` element's `fetch`). Each goes the one way every request goes (the
//! pipeline): previewed, queued while a limit says wait, counted, reconciled, shown.

use credit_gauge_core::cat;
use credit_gauge_core::UnixMillis;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::embed::MountHandle;
use crate::events::credits_value;
use crate::handle::{request_for, CreditGauge, GaugeReply, Refusal};
use crate::pipeline::Terms;
use crate::queue::Priority;

/// Why an option is wrong, as the page reads it.
fn bad_option(what: &str) -> String {
    cat!["credit-gauge: ", what, ", so the request was not sent"]
}

/// `options[name]`, or `None` when it is absent (undefined or null).
fn option(options: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(options, &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `options.params`: an object of names to strings, numbers or booleans, or a query string.
fn params_of(options: &JsValue) -> Result<Vec<(String, String)>, String> {
    let Some(params) = option(options, "params") else {
        return Ok(Vec::new());
    };
    if let Some(text) = params.as_string() {
        return crate::embed::parse_params_strictly(&text).map_err(|e| bad_option(&e));
    }
    let Some(object) = params.dyn_ref::<Object>().filter(|_| !params.is_function()) else {
        return Err(bad_option(
            "options.params must be an object or a query string",
        ));
    };
    Object::entries(object)
        .iter()
        .map(|entry| {
            let pair = js_sys::Array::from(&entry);
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1);
            let text = value
                .as_string()
                .or_else(|| {
                    value
                        .as_f64()
                        .filter(|n| n.is_finite())
                        .map(crate::format::js_number)
                })
                .or_else(|| value.as_bool().map(|b| cat![b]));
            let shown: String = name.chars().take(40).collect();
            text.map(|text| (name, text)).ok_or_else(|| {
                bad_option(&cat![
                    "options.params.",
                    shown,
                    " must be a string, a finite number or a boolean",
                ])
            })
        })
        .collect()
}

/// `options.priority` (`"interactive"`, the default, or `"background"`), `options.maxWait`
/// (milliseconds, 0 or more) and `options.signal` (an `AbortSignal`); or why they are wrong.
fn terms_of(options: &JsValue) -> Result<Terms, String> {
    let priority = match option(options, "priority") {
        None => Priority::Interactive,
        Some(v) => v
            .as_string()
            .and_then(|p| Priority::from_name(&p))
            .ok_or_else(|| {
                bad_option("options.priority must be \"interactive\" or \"background\"")
            })?,
    };
    let max_wait_ms = match option(options, "maxWait") {
        None => None,
        Some(v) => Some(
            v.as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .map(|ms| ms.min(1e12) as i64)
                .ok_or_else(|| {
                    bad_option("options.maxWait must be a number of milliseconds, 0 or more")
                })?,
        ),
    };
    let abort = match option(options, "signal") {
        None => None,
        Some(v) => Some(
            v.dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| bad_option("options.signal must be an AbortSignal"))?,
        ),
    };
    Ok(Terms {
        priority,
        max_wait_ms,
        abort,
    })
}

/// The rejection of a request its signal withdrew: an `AbortError`, as `fetch` gives.
fn aborted() -> JsValue {
    web_sys::DomException::new_with_message_and_name(
        "credit-gauge: the request was withdrawn (if it had already left, it is counted as the server may have charged it)",
        "AbortError",
    )
    .map(JsValue::from)
    .unwrap_or_else(|e| e)
}

/// The rejection of a request a limit would have kept waiting past `maxWait`: an `Error` whose
/// `retryAt` (UTC milliseconds) says when it could go.
fn too_late(refusal: &Refusal, at: UnixMillis) -> JsValue {
    let error = js_sys::Error::new(&refusal.text());
    set(&error, "retryAt", &JsValue::from_f64(at.0 as f64));
    error.into()
}

/// How a refusal reaches the page: rejected with an `Error` (an `AbortError` for a withdrawal).
fn rejection(refusal: Refusal) -> JsValue {
    match refusal {
        Refusal::Withdrawn => aborted(),
        Refusal::TooLate(at) => too_late(&refusal, at),
        Refusal::Uncostable(_) | Refusal::Gone => js_sys::Error::new(&refusal.text()).into(),
    }
}

fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

/// `{ ok, status, data, charged, estimated, fromServer, explanation }` for the page.
fn reply_object(reply: &GaugeReply) -> JsValue {
    let object = Object::new();
    let explanation = reply.explanation.map(|e| {
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
    set(&object, "ok", &JsValue::from_bool(reply.ok));
    set(
        &object,
        "status",
        &reply.status.map_or(JsValue::NULL, JsValue::from),
    );
    // Parsed by the browser, which is smaller and faster here than building it in Rust.
    let data = reply
        .body
        .as_deref()
        .and_then(|body| js_sys::JSON::parse(body).ok())
        .and_then(|v| Reflect::get(&v, &reply.payload_field().into()).ok())
        .filter(|v| !v.is_undefined())
        .unwrap_or(JsValue::NULL);
    set(&object, "data", &data);
    set(&object, "charged", &credits_value(reply.charged));
    set(
        &object,
        "estimated",
        &reply.estimated.map_or(JsValue::NULL, credits_value),
    );
    set(
        &object,
        "fromServer",
        &JsValue::from_bool(reply.from_server),
    );
    set(
        &object,
        "explanation",
        &explanation.unwrap_or(JsValue::NULL),
    );
    object.into()
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
        let Some(gauge) = self.widget().map(CreditGauge::over) else {
            return Promise::reject(&rejection(Refusal::Gone));
        };
        let Some(api) = gauge.api() else {
            return Promise::reject(&rejection(Refusal::Gone));
        };
        let (params, terms) = match params_of(&options).and_then(|p| Ok((p, terms_of(&options)?))) {
            Ok(read) => read,
            Err(message) => return Promise::reject(&js_sys::Error::new(&message).into()),
        };
        let request = match request_for(api, &path, params) {
            Ok(request) => request,
            Err(refusal) => return Promise::reject(&rejection(refusal)),
        };
        crate::task::promise(async move {
            gauge
                .fetch(request, terms)
                .await
                .map(|reply| reply_object(&reply))
                .map_err(rejection)
        })
    }
}
