//! Embedding in other people's pages: `mount(element, options)` for host scripts (the
//! `<credit-gauge>` element and the iframe page both use it), and the DOM events host pages
//! listen to.
//!
//! The widget renders inside a shadow root with its own copy of the styles, so the host's CSS
//! cannot break it and its CSS cannot leak out.

use std::any::Any;

use crate::timer::Interval;
use credit_gauge_core::cat;
use credit_gauge_core::{ApiKind, CmcPlan, EndpointId, Request};

use crate::reactive::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::widget_view;
use crate::dom::document;
use crate::keys;
use crate::queue::Priority;
use crate::settings::{api_from_slug, emulator_base, Settings};
use crate::store::page_store;
use crate::widget::Widget;

use crate::styles::STYLES;

/// Resets what a host page's inherited styles (color, font, line-height…) would pass into
/// the shadow root.
const HOST_RESET: &str = ":host { all: initial; display: block; }\n";

/// The options of an embedded widget: the `<credit-gauge>` attributes, or the keys of the
/// object given to `mount` (`baseUrl` or `base-url` alike).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    pub api: Option<ApiKind>,
    pub base_url: Option<String>,
    pub key: Option<String>,
    pub endpoint: Option<EndpointId>,
    /// `name=value` pairs, from a query string such as `limit=10&convert=USD`.
    pub params: Vec<(String, String)>,
    pub plan: Option<CmcPlan>,
    /// Gauges only.
    pub compact: bool,
    pub theme: Option<String>,
    /// Send the configured request every so many seconds (through the limiter, as always).
    pub refresh: Option<u32>,
    /// Seconds an answer may take before the widget gives up on it (1 to 120).
    pub timeout: Option<u32>,
    /// Where the script came from, for resolving the default base URL on a foreign page.
    pub script_origin: Option<String>,
}

/// The first of `names` that a JS options object has, as text.
fn js_option(options: &JsValue, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        let v = js_sys::Reflect::get(options, &JsValue::from_str(name)).ok()?;
        if let Some(s) = v.as_string() {
            Some(s)
        } else if let Some(b) = v.as_bool() {
            Some(cat![b])
        } else {
            v.as_f64().map(crate::format::js_number)
        }
    })
}

/// Whole seconds from an option (`30`, or `1.5` read as 1), at least 1, at most `most`;
/// anything else is `None`. Integers only: no float parser comes with the widget for this.
fn whole_seconds(text: &str, most: u32) -> Option<u32> {
    let whole = text.trim().split('.').next()?;
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Longer than any u32: as good as the most.
    let n = credit_gauge_core::integer::parse_u64(whole).unwrap_or(u64::MAX);
    (n >= 1).then(|| n.min(u64::from(most)) as u32)
}

/// Splits `limit=10&convert=USD,EUR` into pairs (percent-decoded); a pair that is not valid
/// percent-encoding is left out (an attribute is shown, not obeyed blindly).
pub fn parse_params(text: &str) -> Vec<(String, String)> {
    pairs_of(text).filter_map(Result::ok).collect()
}

/// [`parse_params`] for a request that must go exactly as asked: a pair that cannot be
/// decoded is an error naming it.
pub fn parse_params_strictly(text: &str) -> Result<Vec<(String, String)>, String> {
    pairs_of(text).collect()
}

fn pairs_of(text: &str) -> impl Iterator<Item = Result<(String, String), String>> + '_ {
    text.trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                js_sys::decode_uri_component(&s.replace('+', " "))
                    .ok()
                    .map(String::from)
            };
            match (decode(name), decode(value)) {
                (Some(n), Some(v)) => Ok((n, v)),
                _ => {
                    let shown: String = pair.chars().take(80).collect();
                    Err(cat![
                        '`',
                        shown,
                        "` in the query is not valid percent-encoding",
                    ])
                }
            }
        })
}

/// Finds an endpoint by its path (`/v1/cryptocurrency/listings/latest`) for the given API.
pub fn endpoint_by_path(api: ApiKind, path: &str) -> Option<EndpointId> {
    credit_gauge_core::catalog::ENDPOINTS
        .iter()
        .find(|e| e.api == api && e.path == path)
        .map(|e| e.id)
}

impl EmbedOptions {
    /// Reads the options from a JS object. Unknown values are ignored, never fatal.
    pub fn from_js(options: &JsValue) -> EmbedOptions {
        EmbedOptions::from_lookup(&|names| js_option(options, names))
    }

    /// Reads the options from `name=value` pairs (a query string). The last value of a name
    /// wins, as it does for an attribute set twice.
    pub fn from_pairs(pairs: &[(String, String)]) -> EmbedOptions {
        EmbedOptions::from_lookup(&|names| {
            pairs
                .iter()
                .rev()
                .find(|(n, _)| names.contains(&n.as_str()))
                .map(|(_, v)| v.clone())
        })
    }

    /// Reads the options through `get`, which gives the value of the first of the names it
    /// is asked for that is present (a `dyn`: one copy of this for both kinds of options).
    fn from_lookup(get: &dyn Fn(&[&str]) -> Option<String>) -> EmbedOptions {
        let api = get(&["api"]).and_then(|a| api_from_slug(&a.to_ascii_lowercase()));
        let endpoint = get(&["endpoint"])
            .and_then(|e| endpoint_by_path(api.unwrap_or(ApiKind::CoinMarketCap), &e));
        EmbedOptions {
            api,
            base_url: get(&["baseUrl", "base-url"]).filter(|s| !s.is_empty()),
            key: get(&["key"]),
            endpoint,
            params: get(&["params"])
                .map(|p| parse_params(&p))
                .unwrap_or_default(),
            plan: get(&["plan"]).and_then(|p| {
                CmcPlan::ALL
                    .into_iter()
                    .find(|c| c.name().eq_ignore_ascii_case(&p))
            }),
            compact: get(&["compact"]).is_some_and(|c| c != "false"),
            theme: get(&["theme"]).filter(|t| ["light", "dark", "auto"].contains(&t.as_str())),
            refresh: get(&["refresh"]).and_then(|r| whole_seconds(&r, 86_400)),
            timeout: get(&["timeout"]).and_then(|t| whole_seconds(&t, 120)),
            script_origin: get(&["scriptOrigin"]),
        }
    }

    /// The settings the widget starts with.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::default();
        if let Some(api) = self.api {
            s.api = api;
        }
        let origin = self.script_origin.clone().unwrap_or_default();
        s.emulator_origin = origin.clone();
        s.base_cmc = cat![origin, emulator_base(ApiKind::CoinMarketCap)];
        s.base_cw = cat![origin, emulator_base(ApiKind::Cryptowatch)];
        if let Some(base) = &self.base_url {
            *s.base_mut() = base.clone();
        }
        if let Some(key) = &self.key {
            *s.key_mut() = key.clone();
        }
        if let Some(plan) = self.plan {
            s.plan = plan;
        }
        if let Some(theme) = &self.theme {
            s.theme = theme.clone();
        }
        if let Some(seconds) = self.timeout {
            s.timeout_ms = seconds * 1000;
        }
        s
    }

    /// The request the widget offers (and refreshes), if an endpoint was given.
    pub fn request(&self) -> Option<Request> {
        let mut r = Request::new(self.endpoint?);
        for (name, value) in &self.params {
            r = r.with(name, value);
        }
        Some(r)
    }
}

/// An embedded widget; `unmount()` removes it.
///
/// Dropping the handle leaves the widget on the page. In JavaScript the handle is dropped when
/// the garbage collector takes it (wasm-bindgen frees it through a `FinalizationRegistry`):
/// a page that calls `mount` without keeping the handle must still keep its widget, not lose
/// it at the collector's whim.
#[wasm_bindgen]
pub struct MountHandle {
    inner: Option<Box<dyn Any>>,
    nodes: Vec<web_sys::Node>,
    /// The mounted widget, for the page's own requests (`fetch`); none once unmounted.
    widget: Option<Widget>,
}

impl MountHandle {
    /// The mounted widget, while it is mounted.
    pub(crate) fn widget(&self) -> Option<Widget> {
        self.widget
    }
}

#[wasm_bindgen]
impl MountHandle {
    /// Removes the widget and its styles from the page.
    pub fn unmount(&mut self) {
        self.inner.take();
        self.widget = None;
        for node in self.nodes.drain(..) {
            if let Some(parent) = node.parent_node() {
                let _ = parent.remove_child(&node);
            }
        }
    }
}

impl Drop for MountHandle {
    fn drop(&mut self) {
        // Not unmounted: the view lives on as the page's, as the app's does.
        if let Some(view) = self.inner.take() {
            std::mem::forget(view);
        }
    }
}

/// Mounts a widget in `target` (an element, whose shadow root is created if it has none, or a
/// shadow root) with `options` (see [`EmbedOptions`]), and returns its handle.
#[wasm_bindgen]
pub fn mount(target: &JsValue, options: &JsValue) -> Result<MountHandle, JsValue> {
    crate::install_panic_hook();
    mount_with(target, EmbedOptions::from_js(options))
}

/// The shadow root of `target`: its own when it is one, the element's (attached when missing)
/// when it is an element.
fn shadow_root_of(target: &JsValue) -> Result<web_sys::ShadowRoot, JsValue> {
    if let Some(root) = target.dyn_ref::<web_sys::ShadowRoot>() {
        Ok(root.clone())
    } else if let Some(element) = target.dyn_ref::<web_sys::Element>() {
        match element.shadow_root() {
            Some(root) => Ok(root),
            None => {
                element.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            }
        }
    } else {
        Err(JsValue::from_str("mount needs an element or a shadow root"))
    }
}

/// Shows `message` in `target`'s shadow root in place of a widget, for options the widget
/// refuses to run with.
pub(crate) fn mount_refusal(target: &JsValue, message: &str) -> Result<MountHandle, JsValue> {
    let root = shadow_root_of(target)?;
    let document = document();
    let style = document.create_element("style")?;
    style.set_text_content(Some(&cat![HOST_RESET, STYLES]));
    let container = document.create_element("div")?;
    container.set_class_name("cg-embed");
    // Inside `.cg`, so it reads in the widget's own type and colours.
    let widget = document.create_element("div")?;
    widget.set_class_name("cg");
    container.append_child(&widget)?;
    let note = document.create_element("p")?;
    note.set_class_name("notice refused");
    note.set_attribute("role", "alert")?;
    note.set_text_content(Some(message));
    widget.append_child(&note)?;
    root.append_child(&style)?;
    root.append_child(&container)?;
    Ok(MountHandle {
        inner: None,
        nodes: vec![style.into(), container.into()],
        widget: None,
    })
}

/// Mounts a widget with options already read and checked.
pub(crate) fn mount_with(target: &JsValue, options: EmbedOptions) -> Result<MountHandle, JsValue> {
    let root = shadow_root_of(target)?;
    let host: web_sys::EventTarget = root.host().into();
    let document = document();
    let style = document.create_element("style")?;
    style.set_text_content(Some(&cat![HOST_RESET, STYLES]));
    let container: web_sys::HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_class_name("cg-embed");
    root.append_child(&style)?;
    root.append_child(&container)?;

    // The widget is made inside the mounted view, so its signals belong to the view's owner
    // and go with it on unmount (a re-render does not leave the old widget's behind).
    let made = std::rc::Rc::new(std::cell::Cell::new(None));
    let mounted = crate::dom::mount(&container, {
        let made = made.clone();
        move || {
            let widget = embedded_widget(&options);
            widget.set_events_target(host);
            made.set(Some(widget));
            embedded_view(widget, &options)
        }
    });
    Ok(MountHandle {
        inner: Some(Box::new(mounted)),
        nodes: vec![style.into(), container.into()],
        widget: made.get(),
    })
}

/// An embedded widget with `options`: its settings, and a key the user chose to remember on
/// this origin when the options name none. Its signals belong to the current reactive owner.
pub(crate) fn embedded_widget(options: &EmbedOptions) -> Widget {
    let mut settings = options.settings();
    if options.key.is_none() {
        // A key the user chose to remember on this origin (the iframe's, for iframe embeds).
        if let Some(key) = keys::remembered_key(&page_store(), settings.api, settings.base()) {
            *settings.key_mut() = key;
            // Shown as remembered, so the box says what is stored.
            settings.remember = true;
        }
    }
    Widget::new(settings, false)
}

/// The view of an embedded widget: full or compact, refreshing its request on a timer (in the
/// background: a request someone waits for goes first) when the options ask for it.
pub(crate) fn embedded_view(widget: Widget, options: &EmbedOptions) -> web_sys::Element {
    let request = options.request();
    if let (Some(seconds), Some(r)) = (options.refresh, request.clone()) {
        // Within what a browser's timer takes (about 24.8 days); the options allow a day.
        let millis = seconds.saturating_mul(1000).min(i32::MAX as u32);
        let refresh = Interval::new(millis, move || {
            // One at a time: a refresh never piles up behind a waiting request.
            if widget.queue.with_untracked(|q| q.is_empty()) {
                widget.submit_with(r.clone(), Priority::Background);
            }
        });
        on_cleanup(move || drop(refresh));
    }
    widget_view(widget, !options.compact, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_options_are_whole_bounded_and_never_negative() {
        assert_eq!(whole_seconds("30", 120), Some(30));
        assert_eq!(whole_seconds(" 1.5 ", 120), Some(1));
        assert_eq!(whole_seconds("999999999999999999999", 120), Some(120));
        assert_eq!(whole_seconds("0", 120), None);
        assert_eq!(whole_seconds("0.5", 120), None);
        assert_eq!(whole_seconds("-5", 120), None);
        assert_eq!(whole_seconds("1e3", 120), None);
        assert_eq!(whole_seconds("", 120), None);
        assert_eq!(whole_seconds("NaN", 120), None);
    }
}
