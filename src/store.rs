//! Persistence of the limits state and history: `localStorage` under a versioned key per API
//! and key fingerprint, every read-modify-write under a Web Lock so tabs and widgets on one
//! origin never double-spend, change notifications across tabs (`storage` event) and within a
//! page, and a memory fallback with a visible notice where storage is disabled or full.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The prefix and schema version of every key this widget writes.
pub const KEY_PREFIX: &str = "credit-gauge:v1";

// `navigator.locks` is behind web-sys's unstable-API flag; declaring the one method we call
// keeps that flag (and a rebuild of all of web-sys with it) out of the build.
#[wasm_bindgen]
extern "C" {
    type LockManager;

    #[wasm_bindgen(method, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &Function,
    ) -> Promise;
}

/// A short, one-way fingerprint of an API key (64-bit FNV-1a, hex): enough to keep two keys'
/// counts apart, without writing the key itself to storage.
pub fn fingerprint(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The storage key of one API and key: `credit-gauge:v1:<api>:<fingerprint>:<what>`.
pub fn storage_key(api: &str, key: &str, what: &str) -> String {
    format!("{KEY_PREFIX}:{api}:{}:{what}", fingerprint(key))
}

/// Why the store keeps data in memory only; shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// `localStorage` cannot be used at all (disabled, private mode, sandboxed frame).
    StorageUnavailable,
    /// A write failed, most likely because storage is full.
    StorageFull,
    /// Web Locks are missing (an insecure page): tabs may race each other.
    NoLocks,
    /// The lock was not granted in time: something on this origin holds it.
    LockHeld,
}

impl Notice {
    /// A sentence for the user.
    pub fn message(&self) -> &'static str {
        match self {
            Notice::StorageUnavailable => {
                "This browser does not let the widget store anything (private mode or storage \
                 disabled): counts are kept in memory and are lost when the page closes."
            }
            Notice::StorageFull => {
                "This site's storage is full: new counts are kept in memory until the page \
                 closes. Free some space for this site to keep counts across reloads."
            }
            Notice::NoLocks => {
                "This page is not a secure context, so tabs cannot coordinate: use one tab \
                 per key, or serve the page over https or from localhost."
            }
            Notice::LockHeld => {
                "Another script on this site has held credit-gauge's storage lock for too \
                 long: new requests wait for it, and answers are counted without it, so tabs \
                 may briefly disagree. Reload the page if this stays."
            }
        }
    }
}

type Listener = Rc<dyn Fn(&str, Option<&str>)>;

thread_local! {
    static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: RefCell<u64> = const { RefCell::new(0) };
}

fn notify_page(key: &str, value: Option<&str>) {
    let listeners: Vec<Listener> =
        LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener(key, value);
    }
}

/// The widget's storage. Cheap to clone: clones share one memory fallback.
#[derive(Clone)]
pub struct Store {
    area: Option<web_sys::Storage>,
    memory: Rc<RefCell<HashMap<String, String>>>,
    notice: Rc<RefCell<Option<Notice>>>,
}

impl Store {
    /// Opens `localStorage`, or memory with a notice where it cannot be used.
    pub fn open() -> Self {
        let area = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .filter(|s| {
                // Some browsers hand out a storage object that throws on every write.
                let probe = format!("{KEY_PREFIX}:probe");
                s.set_item(&probe, "1").is_ok() && s.remove_item(&probe).is_ok()
            });
        let notice = if area.is_none() {
            Some(Notice::StorageUnavailable)
        } else if lock_manager().is_none() {
            Some(Notice::NoLocks)
        } else {
            None
        };
        Store::with_area(area, notice)
    }

    /// A store that keeps everything in memory (used where storage is unavailable).
    pub fn memory_only() -> Self {
        Store::with_area(None, Some(Notice::StorageUnavailable))
    }

    fn with_area(area: Option<web_sys::Storage>, notice: Option<Notice>) -> Self {
        Store {
            area,
            memory: Rc::new(RefCell::new(HashMap::new())),
            notice: Rc::new(RefCell::new(notice)),
        }
    }

    /// Why data is not persisted, if it is not.
    pub fn notice(&self) -> Option<Notice> {
        self.notice.borrow().clone()
    }

    /// Reads a value. Memory wins over storage: it holds what storage refused to take.
    pub fn read(&self, key: &str) -> Option<String> {
        if let Some(value) = self.memory.borrow().get(key) {
            return Some(value.clone());
        }
        self.area
            .as_ref()
            .and_then(|a| a.get_item(key).ok().flatten())
    }

    /// Writes a value and tells every listener on this page. A write that storage refuses
    /// (full, or disabled since the page opened) is kept in memory, with a notice.
    pub fn write(&self, key: &str, value: &str) {
        let stored = match &self.area {
            Some(area) => area.set_item(key, value).is_ok(),
            None => false,
        };
        if stored {
            self.memory.borrow_mut().remove(key);
        } else {
            self.memory
                .borrow_mut()
                .insert(key.to_owned(), value.to_owned());
            let mut notice = self.notice.borrow_mut();
            if self.area.is_some() {
                *notice = Some(Notice::StorageFull);
            } else if notice.is_none() {
                *notice = Some(Notice::StorageUnavailable);
            }
        }
        notify_page(key, Some(value));
    }

    /// Removes a value everywhere.
    pub fn remove(&self, key: &str) {
        self.memory.borrow_mut().remove(key);
        if let Some(area) = &self.area {
            let _ = area.remove_item(key);
        }
        notify_page(key, None);
    }

    /// Read-modify-write of one key under the origin-wide Web Lock of that key, so no other
    /// tab or widget reads the value between this read and this write. `change` gets the
    /// current value (if any) and returns the new value (or `None` to leave it) and a result.
    ///
    /// If the lock is not granted and the value stays unchanged for the patience bound (a
    /// holder that writes nothing, see [`LOCK_PATIENCE_MS`]), the change runs without it, so
    /// nothing this page knows is lost (use it to record what already happened), and the
    /// notice says tabs may disagree.
    pub async fn update<R: 'static>(
        &self,
        key: &str,
        change: impl FnOnce(Option<String>) -> (Option<String>, R) + 'static,
    ) -> R {
        match self.update_with(key, true, change).await {
            Some(result) => result,
            None => unreachable!("an update that may run unlocked always runs"),
        }
    }

    /// [`Store::update`] for a change that must not race another tab (taking budget before a
    /// request goes): `None`, and nothing changed, when the lock is not granted in time.
    pub async fn update_if_locked<R: 'static>(
        &self,
        key: &str,
        change: impl FnOnce(Option<String>) -> (Option<String>, R) + 'static,
    ) -> Option<R> {
        self.update_with(key, false, change).await
    }

    async fn update_with<R: 'static>(
        &self,
        key: &str,
        run_unlocked: bool,
        change: impl FnOnce(Option<String>) -> (Option<String>, R) + 'static,
    ) -> Option<R> {
        let store = self.clone();
        let key_owned = key.to_owned();
        let critical = move || {
            let current = store.read(&key_owned);
            let (new_value, result) = change(current.clone());
            // An unchanged value is not written, so the lock is not held after it either:
            // requests that wait re-check their limits often, and would otherwise keep the
            // lock busy for every other tab.
            let wrote = match new_value {
                Some(value) if Some(&value) != current.as_ref() => {
                    store.write(&key_owned, &value);
                    true
                }
                _ => false,
            };
            (result, wrote)
        };
        let progress: Progress = {
            let (store, key) = (self.clone(), key.to_owned());
            Rc::new(move || store.read(&key))
        };
        let outcome = locked(
            &format!("{key}:lock"),
            run_unlocked,
            Some(progress),
            critical,
        )
        .await;
        let granted = matches!(outcome, Some((_, true)));
        let mut notice = self.notice.borrow_mut();
        if !granted {
            *notice = Some(Notice::LockHeld);
        } else if *notice == Some(Notice::LockHeld) {
            *notice = None;
        }
        outcome.map(|(result, _)| result)
    }
}

fn lock_manager() -> Option<LockManager> {
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
pub const HOLD_AFTER_WRITE_MS: i32 = 25;

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
    /// The locks whose last wait ran out.
    static LOCKS_HELD: RefCell<std::collections::HashSet<String>> =
        RefCell::new(std::collections::HashSet::new());
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
type Progress = Rc<dyn Fn() -> Option<String>>;

/// An `{ signal }` option that aborts a lock request once `progress` (or, without one, the
/// clock) has not moved for the current patience, and the timer that checks (dropping it
/// stops the checks).
fn patience_signal(
    name: &str,
    progress: Option<Progress>,
) -> Option<(JsValue, gloo_timers::callback::Interval)> {
    let controller = web_sys::AbortController::new().ok()?;
    let held = LOCKS_HELD.with(|h| h.borrow().contains(name));
    let (normal, while_held) = PATIENCE.with(|p| *p.borrow());
    let patience = f64::from(if held { while_held } else { normal }.max(0));
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"signal".into(), &controller.signal()).ok()?;
    let seen = RefCell::new((progress.as_ref().and_then(|p| p()), js_sys::Date::now()));
    let every = (patience / 4.0).clamp(50.0, 1_000.0) as u32;
    let timer = gloo_timers::callback::Interval::new(every, move || {
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
    });
    Some((options.into(), timer))
}

/// Runs `critical` while holding the Web Lock `name` (exclusive across every tab and frame
/// of this origin). Without Web Locks, if the request fails, or if the lock is not granted
/// within the patience bound of [`LOCK_PATIENCE_MS`] (another script holds it), it runs unlocked: the page keeps
/// working, and `Store::notice` says tabs may race.
pub async fn with_lock<R: 'static>(name: &str, critical: impl FnOnce() -> R + 'static) -> R {
    match locked(name, true, None, move || (critical(), true)).await {
        Some((result, _)) => result,
        None => unreachable!("a section that may run unlocked always runs"),
    }
}

/// [`with_lock`], where `critical` also says whether it wrote: the lock is held
/// `HOLD_AFTER_WRITE_MS` longer only after a write. Returns the result and whether the lock
/// was held; when the lock is not granted in time, `critical` runs unlocked if `run_unlocked`,
/// and not at all (`None`) otherwise.
async fn locked<R: 'static>(
    name: &str,
    run_unlocked: bool,
    progress: Option<Progress>,
    critical: impl FnOnce() -> (R, bool) + 'static,
) -> Option<(R, bool)> {
    let critical = Rc::new(RefCell::new(Some(critical)));
    let result: Rc<RefCell<Option<R>>> = Rc::new(RefCell::new(None));
    if let Some(locks) = lock_manager() {
        let (task, out) = (critical.clone(), result.clone());
        // The lock is held until the callback's return value settles: for the read-modify-write,
        // and then `HOLD_AFTER_WRITE_MS` more (see there).
        let callback = Closure::once_into_js(move |_lock: JsValue| {
            let mut hold = false;
            if let Some(f) = task.borrow_mut().take() {
                let (value, wrote) = f();
                *out.borrow_mut() = Some(value);
                hold = wrote;
            }
            if !hold {
                return JsValue::UNDEFINED;
            }
            JsValue::from(Promise::new(&mut |resolve, _| {
                let released = web_sys::window().and_then(|w| {
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        &resolve,
                        HOLD_AFTER_WRITE_MS,
                    )
                    .ok()
                });
                if released.is_none() {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            }))
        });
        let request = match patience_signal(name, progress) {
            Some((options, timer)) => {
                let granted = JsFuture::from(locks.request_with_options(
                    name,
                    &options,
                    callback.unchecked_ref(),
                ))
                .await;
                drop(timer);
                granted
            }
            None => {
                JsFuture::from(locks.request_with_options(
                    name,
                    &JsValue::UNDEFINED,
                    callback.unchecked_ref(),
                ))
                .await
            }
        };
        let granted = result.borrow().is_some();
        LOCKS_HELD.with(|h| {
            let mut held = h.borrow_mut();
            if granted {
                held.remove(name);
            } else {
                held.insert(name.to_owned());
            }
        });
        if let Some(value) = result.borrow_mut().take() {
            return Some((value, true));
        }
        // Not granted in time (or the request failed).
        let _ = request;
        if !run_unlocked {
            return None;
        }
        let f = critical.borrow_mut().take()?;
        return Some((f().0, false));
    }
    let f = critical.borrow_mut().take()?;
    Some((f().0, true))
}

type StorageListener = (web_sys::Window, Closure<dyn Fn(web_sys::StorageEvent)>);

/// Keeps a change listener registered; dropping it unregisters.
pub struct Subscription {
    id: u64,
    storage_listener: Option<StorageListener>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let id = self.id;
        LISTENERS.with(|l| l.borrow_mut().retain(|(i, _)| *i != id));
        if let Some((window, closure)) = self.storage_listener.take() {
            let _ = window
                .remove_event_listener_with_callback("storage", closure.as_ref().unchecked_ref());
        }
    }
}

/// Calls `on_change(key, new_value)` whenever a key starting with `prefix` changes, in this
/// page (another widget) or in another tab (the `storage` event).
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
    let storage_listener = web_sys::window().map(|window| {
        let closure =
            Closure::<dyn Fn(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
                // `key` is null when another tab cleared all of storage.
                if let Some(key) = event.key() {
                    on_change(&key, event.new_value().as_deref());
                }
            });
        let _ =
            window.add_event_listener_with_callback("storage", closure.as_ref().unchecked_ref());
        (window, closure)
    });
    Subscription {
        id,
        storage_listener,
    }
}
