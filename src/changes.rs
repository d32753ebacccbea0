//! Who hears that a stored key changed: the widgets of this module (told directly), those of
//! the page's other module (a compact gauge and a full widget on one page are two wasm modules,
//! each with its own memory: told by a window event) and those of other tabs (the browser's
//! `storage` event).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};

use crate::dom::{listen_to_window, WindowListener};
use crate::store::{page_store, KEY_PREFIX};

/// The window event by which a module tells the page's other module that it wrote a key. Its
/// `detail` is a frozen `[key, sender, kept]`: the value is read from storage, except where the
/// sender had to keep it in memory (storage unavailable or full): then `kept` carries it (a
/// string), or says it is gone (`null`), and the receiver keeps the same in its memory. Any
/// script on the page can send one: the worst it can do is make the widgets read again, or
/// give them counts, as it could by writing storage itself.
pub const PAGE_EVENT: &str = "credit-gauge:stored";

type Listener = Rc<dyn Fn(&str, Option<&str>)>;

thread_local! {
    static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: RefCell<u64> = const { RefCell::new(0) };
    /// This module's mark on the events it sends: it hears its own writes directly.
    static SENDER: js_sys::Object = js_sys::Object::new();
}

/// Tells every listener of this page that `key` now holds `value` (`None`: removed);
/// `in_memory`: the change is in this module's memory, not (only) in storage.
pub(crate) fn notify(key: &str, value: Option<&str>, in_memory: bool) {
    let listeners: Vec<Listener> =
        LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener(key, value);
    }
    let kept = match (in_memory, value) {
        (false, _) => JsValue::UNDEFINED,
        (true, Some(value)) => JsValue::from_str(value),
        (true, None) => JsValue::NULL,
    };
    tell_other_module(key, &kept);
}

fn tell_other_module(key: &str, kept: &JsValue) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let detail = SENDER.with(|sender| js_sys::Array::of3(&JsValue::from_str(key), sender, kept));
    // Frozen: a listener on the page cannot rewrite it for the module that hears it next.
    js_sys::Object::freeze(&detail);
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(PAGE_EVENT, &init) {
        let _ = window.dispatch_event(&event);
    }
}

/// Where the other module's new value for a key is.
enum Kept {
    /// In storage: read it there.
    InStorage,
    /// In its memory (storage would not take it): this value.
    InMemory(String),
    /// Removed, from its memory too.
    Gone,
}

/// What a page event says, unless this module sent it (or it is not one of ours): the key,
/// and where the other module's value for it is.
fn foreign_change(event: &web_sys::Event) -> Option<(String, Kept)> {
    let detail = event.dyn_ref::<web_sys::CustomEvent>()?.detail();
    // Read through `Reflect`, which catches what a hostile detail (a proxy) throws.
    let item = |i: u32| js_sys::Reflect::get_u32(&detail, i).ok();
    let own = SENDER.with(|sender| item(1).is_some_and(|s| js_sys::Object::is(&s, sender)));
    if own {
        return None;
    }
    let key = item(0)?.as_string()?;
    let kept = item(2)?;
    let kept = if kept.is_undefined() {
        Kept::InStorage
    } else if kept.is_null() {
        Kept::Gone
    } else {
        Kept::InMemory(kept.as_string()?)
    };
    Some((key, kept))
}

/// Keeps a change listener registered; dropping it unregisters.
pub struct Subscription {
    id: u64,
    /// Removed as they are dropped.
    _window_listeners: [WindowListener; 2],
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let id = self.id;
        LISTENERS.with(|l| l.borrow_mut().retain(|(i, _)| *i != id));
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
        listen_to_window("storage", move |event| {
            let Some(event) = event.dyn_ref::<web_sys::StorageEvent>() else {
                return;
            };
            // `key` is null when another tab cleared all of storage.
            if let Some(key) = event.key() {
                on_change(&key, event.new_value().as_deref());
            }
        })
    };
    let other_module = listen_to_window(PAGE_EVENT, move |event| {
        if let Some((key, kept)) = foreign_change(&event) {
            let store = page_store();
            if key.starts_with(KEY_PREFIX) {
                match kept {
                    Kept::InStorage => {}
                    Kept::InMemory(value) => store.adopt(&key, Some(&value)),
                    Kept::Gone => store.adopt(&key, None),
                }
            }
            on_change(&key, store.read(&key).as_deref());
        }
    });
    Subscription {
        id,
        _window_listeners: [other_tabs, other_module],
    }
}
