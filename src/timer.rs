//! The page's timers, each stopped when its handle is dropped: a callback every so often
//! (`Interval`), one after a while (`Timeout`), and a wait (`sleep`). Bound to the global
//! functions directly, with one closure type for both kinds.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: u32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: i32);
    #[wasm_bindgen(js_name = setInterval)]
    fn set_interval(handler: &JsValue, ms: u32) -> i32;
    #[wasm_bindgen(js_name = clearInterval)]
    fn clear_interval(id: i32);
}

/// A timer and the callback it calls, stopped (by `clear`) when dropped.
struct Timer {
    id: i32,
    clear: fn(i32),
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Timer {
    fn drop(&mut self) {
        (self.clear)(self.id);
    }
}

/// Calls a callback every `ms` milliseconds until dropped.
pub struct Interval {
    _timer: Timer,
}

impl Interval {
    pub fn new(ms: u32, callback: impl FnMut() + 'static) -> Interval {
        let callback = Closure::<dyn FnMut()>::new(callback);
        let id = set_interval(callback.as_ref(), ms);
        Interval {
            _timer: Timer {
                id,
                clear: clear_interval,
                _callback: callback,
            },
        }
    }
}

/// Calls a callback once after `ms` milliseconds, unless dropped before.
pub struct Timeout {
    _timer: Timer,
}

impl Timeout {
    pub fn new(ms: u32, callback: impl FnOnce() + 'static) -> Timeout {
        let mut callback = Some(callback);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = callback.take() {
                f();
            }
        });
        let id = set_timeout(callback.as_ref(), ms);
        Timeout {
            _timer: Timer {
                id,
                clear: clear_timeout,
                _callback: callback,
            },
        }
    }
}

/// Calls the JavaScript function `f` once after `ms` milliseconds, for good (a promise's
/// `resolve`, or a callback that frees itself once called).
pub fn call_after(f: &JsValue, ms: u32) {
    set_timeout(f, ms);
}

/// A promise that resolves (with `undefined`) after `ms` milliseconds.
pub fn resolved_after(ms: u32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| call_after(&resolve, ms))
}

/// Resolves after `ms` milliseconds: a promise on the timer, which needs no channel or waker
/// of its own. A wait given up early leaves its timer to resolve a promise nobody awaits.
pub async fn sleep(ms: u32) {
    let _ = crate::task::settled(&resolved_after(ms)).await;
}
