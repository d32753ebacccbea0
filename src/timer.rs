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

/// Calls a callback every `ms` milliseconds until dropped.
pub struct Interval {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Interval {
    pub fn new(ms: u32, callback: impl FnMut() + 'static) -> Interval {
        let callback = Closure::<dyn FnMut()>::new(callback);
        Interval {
            id: set_interval(callback.as_ref(), ms),
            _callback: callback,
        }
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        clear_interval(self.id);
    }
}

/// Calls a callback once after `ms` milliseconds, unless dropped before.
pub struct Timeout {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(ms: u32, callback: impl FnOnce() + 'static) -> Timeout {
        let mut callback = Some(callback);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = callback.take() {
                f();
            }
        });
        Timeout {
            id: set_timeout(callback.as_ref(), ms),
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}

/// `resolve` called after `ms` milliseconds (to settle a promise on the timer).
pub fn resolve_after(resolve: &js_sys::Function, ms: u32) {
    set_timeout(resolve, ms);
}

/// Resolves after `ms` milliseconds: a promise on the timer, which needs no channel or waker
/// of its own. A wait given up early leaves its timer to resolve a promise nobody awaits.
pub async fn sleep(ms: u32) {
    let timer = js_sys::Promise::new(&mut |resolve, _| resolve_after(&resolve, ms));
    let _ = wasm_bindgen_futures::JsFuture::from(timer).await;
}
