//! Who hears that a stored key changed: the widgets of this module (told directly), those of
//! the page's other module (a compact gauge and a full widget on one page are two wasm modules,
//! each with its own memory: told by a window event) and those of other tabs (the browser's
//! `storage` event).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::{window_event_listener, window_event_listener_untyped, WindowListenerHandle};
use wasm_bindgen::{JsCast, JsValue};

use crate::store::page_store;

/// The window event by which a module tells the page's other module that it wrote a key. Its
/// `detail` is `[key, sender]`; the value is read from storage, not taken from the event (any
/// script on the page can send one: the worst it can do is make the widgets read again).
pub const PAGE_EVENT: &str = "credit-gauge:stored";

type Listener = Rc<dyn Fn(&str, Option<&str>)>;

thread_local! {
    static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: RefCell<u64> = const { RefCell::new(0) };
    /// This module's mark on the events it sends: it hears its own writes directly.
    static SENDER: js_sys::Object = js_sys::Object::new();
}

/// Tells every listener of this page that `key` now holds `value` (`None`: removed).
pub(crate) fn notify(key: &str, value: Option<&str>) {
    let listeners: Vec<Listener> =
        LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener(key, value);
    }
    tell_other_module(key);
}

fn tell_other_module(key: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let detail = SENDER.with(|sender| js_sys::Array::of2(&JsValue::from_str(key), sender));
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(PAGE_EVENT, &init) {
        let _ = window.dispatch_event(&event);
    }
}

/// The key a page event names, unless this module sent it (or it is not one of ours).
fn foreign_key(event: &web_sys::Event) -> Option<String> {
    let detail: js_sys::Array = event
        .dyn_ref::<web_sys::CustomEvent>()?
        .detail()
        .dyn_into()
        .ok()?;
    let own = SENDER.with(|sender| js_sys::Object::is(&detail.get(1), sender));
    if own {
        return None;
    }
    detail.get(0).as_string()
}

/// Keeps a change listener registered; dropping it unregisters.
pub struct Subscription {
    id: u64,
    window_listeners: Vec<WindowListenerHandle>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let id = self.id;
        LISTENERS.with(|l| l.borrow_mut().retain(|(i, _)| *i != id));
        for listener in self.window_listeners.drain(..) {
            listener.remove();
        }
    }
}

/// Calls `on_change(key, new_value)` whenever a key starting with `prefix` changes, in this
/// page (another widget, of this module or the other) or in another tab (the `storage` event).
pub fn subscribe(prefix: &str, on_change: impl Fn(&str, Option<&str>) + 'static) -> Subscription {
    let prefix = prefix.to_owned();
    let on_change: Listener = Rc::new(move |key: &str, value: Option<&str>| {
        if key.starts_with(&prefix) {
            on_change(key, value);
        }
    });
    let id = NEXT_LISTENER.with(|n| {
        let mut n = n.borrow_mut();
        *n += 1;
        *n
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, on_change.clone())));
    let other_tabs = {
        let on_change = on_change.clone();
        window_event_listener(leptos::ev::storage, move |event: web_sys::StorageEvent| {
            // `key` is null when another tab cleared all of storage.
            if let Some(key) = event.key() {
                on_change(&key, event.new_value().as_deref());
            }
        })
    };
    let other_module = window_event_listener_untyped(PAGE_EVENT, move |event| {
        if let Some(key) = foreign_key(&event) {
            on_change(&key, page_store().read(&key).as_deref());
        }
    });
    Subscription {
        id,
        window_listeners: vec![other_tabs, other_module],
    }
}
