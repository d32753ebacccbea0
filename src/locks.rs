//! The origin-wide Web Lock that makes a read-modify-write of shared storage safe across tabs
//! and widgets: held a little after a write (the cross-tab storage race), and given up when
//! its holder makes no progress (a script that holds it for good).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::task::settled;
use crate::timer::Interval;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// `navigator.locks` is behind web-sys's unstable-API flag; declaring the one method we call
// keeps that flag (and a rebuild of all of web-sys with it) out of the build.
#[wasm_bindgen]
extern "C" {
    pub(crate) type LockManager;

    #[wasm_bindgen(method, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &Function,
    ) -> Promise;
}

pub(crate) fn lock_manager() -> Option<LockManager> {
    let navigator = web_sys::window()?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    if locks.is_undefined() || locks.is_null() {
        None
    } else {
        Some(locks.unchecked_into())
    }
}

/// How long the lock stays held after the critical section.
///
/// Chromium applies a `localStorage` write to the other tabs' copies asynchronously, and the
/// lock's release travels on another channel than the write: a tab granted the lock at once
/// can still read the value from before the previous holder's write. Measured with two tabs
/// and 400 locked increments: one update lost when the lock was released at once, none in
/// 1,200 with a 3 ms hold. A loaded machine stretches that gap, so the hold is 25 ms: a
/// read-modify-write then costs about 25 ms, far below any API's request rate.
pub const HOLD_AFTER_WRITE_MS: u32 = 25;

/// How long a wait for the lock may see no progress before it gives up.
///
/// Progress is the guarded value changing: every holder that writes changes it, so eight busy
/// tabs, whose queue for the lock can be twenty seconds long, keep a waiter waiting, while a
/// script that holds the lock and writes nothing is given up on after this long. A bound on
/// the whole wait would give up on the busy tabs too, and then race them.
pub const LOCK_PATIENCE_MS: i32 = 10_000;
/// The same bound after a wait for that lock gave up, until it is granted again, so a script
/// that holds it for good costs each update one second.
pub const LOCK_PATIENCE_WHILE_HELD_MS: i32 = 1_000;

thread_local! {
    /// The locks whose last wait ran out (a few names: a list compiles smaller than a set).
    static LOCKS_HELD: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// The bound in force (the constants above; tests shorten it).
    static PATIENCE: RefCell<(i32, i32)> =
        const { RefCell::new((LOCK_PATIENCE_MS, LOCK_PATIENCE_WHILE_HELD_MS)) };
}

/// Sets how long lock waits last (normally, and after one ran out), for tests that hold the
/// lock on purpose.
pub fn set_lock_patience(normal_ms: i32, while_held_ms: i32) {
    PATIENCE.with(|p| *p.borrow_mut() = (normal_ms, while_held_ms));
}

/// What a waiter watches for progress: the value the lock guards.
pub(crate) type Progress = Rc<dyn Fn() -> Option<String>>;

/// An `{ signal }` option that aborts a lock request once `progress` (or, without one, the
/// clock) has not moved for the current patience, and the timer that checks (dropping it
/// stops the checks).
fn patience_signal(name: &str, progress: Option<Progress>) -> Option<(JsValue, Interval)> {
    let controller = web_sys::AbortController::new().ok()?;
    let held = LOCKS_HELD.with(|h| h.borrow().iter().any(|n| n == name));
    let (normal, while_held) = PATIENCE.with(|p| *p.borrow());
    let patience = f64::from(if held { while_held } else { normal }.max(0));
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"signal".into(), &controller.signal()).ok()?;
    let seen = RefCell::new((progress.as_ref().and_then(|p| p()), js_sys::Date::now()));
    let every = (patience / 4.0).clamp(50.0, 1_000.0) as u32;
    let check = move || {
        let now = js_sys::Date::now();
        let mut seen = seen.borrow_mut();
        if let Some(p) = &progress {
            let value = p();
            if value != seen.0 {
                *seen = (value, now);
                return;
            }
        }
        if now - seen.1 >= patience {
            controller.abort();
        }
    };
    let timer = Interval::new(every, check);
    Some((options.into(), timer))
}

/// Runs `critical` while holding the Web Lock `name` (exclusive across every tab and frame
/// of this origin). Without Web Locks, if the request fails, or if the lock is not granted
/// within the patience bound of [`LOCK_PATIENCE_MS`] (another script holds it), it runs unlocked: the page keeps
/// working, and `Store::notice` says tabs may race.
pub async fn with_lock<R: 'static>(name: &str, critical: impl FnOnce() -> R + 'static) -> R {
    let slot: Rc<RefCell<Option<R>>> = Rc::default();
    let out = slot.clone();
    let critical = move || {
        *out.borrow_mut() = Some(critical());
        true
    };
    locked(name, true, None, Box::new(critical)).await;
    match slot.take() {
        Some(result) => result,
        None => unreachable!("a section that may run unlocked always runs"),
    }
}

/// The section a lock guards: it says whether it wrote (its result, if any, goes through the
/// caller's own slot, so that this machinery is compiled once).
pub(crate) type Critical = Box<dyn FnOnce() -> bool>;

/// [`with_lock`], where `critical` also says whether it wrote: the lock is held
/// `HOLD_AFTER_WRITE_MS` longer only after a write. Returns whether the lock was held once
/// `critical` ran; when the lock is not granted in time, `critical` runs unlocked
/// (`Some(false)`) if `run_unlocked`, and not at all (`None`) otherwise.
pub(crate) async fn locked(
    name: &str,
    run_unlocked: bool,
    progress: Option<Progress>,
    critical: Critical,
) -> Option<bool> {
    let critical = Rc::new(RefCell::new(Some(critical)));
    let ran = Rc::new(Cell::new(false));
    if let Some(locks) = lock_manager() {
        let (task, out) = (critical.clone(), ran.clone());
        // The lock is held until the callback's return value settles: for the read-modify-write,
        // and then `HOLD_AFTER_WRITE_MS` more (see there).
        let callback = Closure::once_into_js(move |_lock: JsValue| {
            let mut hold = false;
            if let Some(f) = task.borrow_mut().take() {
                hold = f();
                out.set(true);
            }
            if !hold {
                return JsValue::UNDEFINED;
            }
            JsValue::from(crate::timer::resolved_after(HOLD_AFTER_WRITE_MS))
        });
        let request = match patience_signal(name, progress) {
            Some((options, timer)) => {
                let granted =
                    settled(&locks.request_with_options(name, &options, callback.unchecked_ref()))
                        .await;
                drop(timer);
                granted
            }
            None => {
                settled(&locks.request_with_options(
                    name,
                    &JsValue::UNDEFINED,
                    callback.unchecked_ref(),
                ))
                .await
            }
        };
        let granted = ran.get();
        LOCKS_HELD.with(|h| {
            let mut held = h.borrow_mut();
            held.retain(|n| n != name);
            if !granted {
                held.push(name.to_owned());
            }
        });
        if granted {
            return Some(true);
        }
        // Not granted in time (or the request failed).
        let _ = request;
        if !run_unlocked {
            return None;
        }
        let f = critical.borrow_mut().take()?;
        f();
        return Some(false);
    }
    let f = critical.borrow_mut().take()?;
    f();
    Some(true)
}
