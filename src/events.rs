//! The `credit-gauge:*` events a widget sends to its host page, and their details: the only
//! place they are made.

use crate::reactive::*;
use credit_gauge_core::cat;
use credit_gauge_core::{Credits, Explanation, Settlement};
use wasm_bindgen::JsValue;

use crate::presentation::{limit_slug, ShownWarning};
use crate::settings::api_slug;
use crate::widget::Widget;

/// What an answer tells the host page.
pub(crate) struct AnswerEvent<'a> {
    pub path: &'a str,
    pub estimated: Option<Credits>,
    pub settlement: &'a Settlement,
    pub status: Option<u16>,
    pub error_code: Option<i64>,
    pub error_message: Option<&'a str>,
    pub explanation: Option<&'a Explanation>,
}

impl Widget {
    /// Sends this widget's `credit-gauge:cost`, `:warning` and `:error` events to `target`.
    pub fn set_events_target(self, target: web_sys::EventTarget) {
        self.events.set_value(Some(target));
    }

    /// Dispatches `credit-gauge:<name>` with `detail` (bubbling, and crossing shadow roots).
    fn emit(self, name: &str, detail: &[(&str, JsValue)]) {
        // A widget already taken off the page tells no one.
        let Some(target) = self.events.try_get_value().flatten() else {
            return;
        };
        let Some(api) = self.settings.try_with_untracked(|s| s.api) else {
            return;
        };
        let object = js_sys::Object::new();
        let api = api_slug(api);
        let _ = js_sys::Reflect::set(&object, &"api".into(), &api.into());
        for (key, value) in detail {
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&object);
        if let Ok(event) =
            web_sys::CustomEvent::new_with_event_init_dict(&cat!["credit-gauge:", name], &init)
        {
            let _ = target.dispatch_event(&event);
        }
    }

    /// `credit-gauge:cost` after every answer, and `credit-gauge:error` after a failed one.
    pub(crate) fn announce_answer(self, a: AnswerEvent<'_>) {
        let endpoint = JsValue::from_str(a.path);
        let status = a.status.map_or(JsValue::NULL, JsValue::from);
        self.emit(
            "cost",
            &[
                ("endpoint", endpoint.clone()),
                (
                    "estimated",
                    a.estimated.map_or(JsValue::NULL, credits_value),
                ),
                ("charged", credits_value(a.settlement.charged)),
                ("fromServer", JsValue::from_bool(a.settlement.from_server)),
                ("status", status.clone()),
            ],
        );
        let Some(e) = a.explanation else {
            return;
        };
        self.emit(
            "error",
            &[
                ("endpoint", endpoint),
                ("status", status),
                (
                    "code",
                    a.error_code
                        .map_or(JsValue::NULL, |c| JsValue::from_f64(c as f64)),
                ),
                (
                    "message",
                    a.error_message.map_or(JsValue::NULL, JsValue::from_str),
                ),
                ("title", JsValue::from_str(e.title)),
                ("explanation", JsValue::from_str(e.explanation)),
                ("whatToDo", JsValue::from_str(e.what_to_do)),
                (
                    "retryAt",
                    a.settlement
                        .retry_at
                        .map_or(JsValue::NULL, |t| JsValue::from_f64(t.0 as f64)),
                ),
            ],
        );
    }

    /// `credit-gauge:warning` once per warning text, as `warnings` change.
    pub(crate) fn announce_warnings(self, warnings: Memo<Vec<ShownWarning>>) {
        let announced = StoredValue::new(Vec::<String>::new());
        effect_after(move || {
            let current = warnings.get();
            for w in &current {
                // A host's handler may have taken the widget off the page meanwhile.
                if announced.try_with_value(|a| a.contains(&w.text)) == Some(false) {
                    self.emit(
                        "warning",
                        &[
                            ("limit", limit_slug(w.warning.gauge.limit).into()),
                            ("share", w.warning.gauge.used_share().into()),
                            ("message", w.text.as_str().into()),
                        ],
                    );
                }
            }
            announced.set_value(current.into_iter().map(|w| w.text).collect());
        });
    }
}

/// Credits as the host page reads them: a number of credits, with fractions (Cryptowatch
/// charges thousandths of a credit, 0.005 a request).
pub(crate) fn credits_value(c: Credits) -> JsValue {
    JsValue::from_f64(c.millis() as f64 / 1000.0)
}
