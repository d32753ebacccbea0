//! Persistence of the limits state and history: `localStorage` under a versioned key per API
//! and key fingerprint, every read-modify-write under the origin's Web Lock (`locks`) so tabs
//! and widgets never double-spend, and a memory fallback with a visible notice where storage
//! is disabled or full. Who hears of a write: `changes`.

use std::cell::RefCell;
use std::rc::Rc;

use credit_gauge_core::cat;
use credit_gauge_core::from_json::FromJson;
use credit_gauge_core::text::hex16;
use credit_gauge_core::to_json::{to_json, ToJson};

use crate::changes;
use crate::locks::{lock_manager, locked, Progress};

/// The prefix and schema version of every key this widget writes.
pub const KEY_PREFIX: &str = "credit-gauge:v1";

/// A short, one-way fingerprint of an API key (64-bit FNV-1a, hex): enough to keep two keys'
/// counts apart, without writing the key itself to storage.
pub fn fingerprint(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hex16(hash)
}

/// The storage key of one API and key: `credit-gauge:v1:<api>:<fingerprint>:<what>`.
pub fn storage_key(api: &str, key: &str, what: &str) -> String {
    cat![KEY_PREFIX, ':', api, ':', fingerprint(key), ':', what]
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

/// JSON text read as a `T`; `None` when it is not JSON or not a `T`.
///
/// Parsed by `credit_gauge_core::json`, as the API's answers and the stored ledger are (one
/// text parser for every kind of document), then read by the type's hand reader (see
/// `credit_gauge_core::from_json`: serde's derived readers would weigh far more).
pub fn parse_json<T: FromJson>(text: &str) -> Option<T> {
    T::from_json(&credit_gauge_core::json::parse(text)?)
}

/// The most keys, and the longest value, taken from the page's other module's memory.
const ADOPTED_KEYS_MAX: usize = 64;
const ADOPTED_VALUE_MAX: usize = 1 << 20;

/// What storage would not take: a few keys (settings, and per API and key its counts, history
/// and clock), so a list searched in order, which compiles far smaller than a hash map.
#[derive(Default)]
struct Memory(Vec<(String, String)>);

impl Memory {
    fn get(&self, key: &str) -> Option<&String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn insert(&mut self, key: String, value: String) {
        self.remove(&key);
        self.0.push((key, value));
    }

    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }
}

/// The widget's storage. Cheap to clone: clones share one memory fallback.
#[derive(Clone)]
pub struct Store {
    area: Option<web_sys::Storage>,
    memory: Rc<RefCell<Memory>>,
    notice: Rc<RefCell<Option<Notice>>>,
}

impl Store {
    /// Opens `localStorage`, or memory with a notice where it cannot be used.
    pub fn open() -> Self {
        let area = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .filter(|s| {
                // Some browsers hand out a storage object that throws on every write.
                let probe = cat![KEY_PREFIX, ":probe"];
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
            memory: Rc::new(RefCell::new(Memory::default())),
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

    /// Reads a value stored as JSON; `None` when there is none or it does not parse (any
    /// script of the origin may have written it).
    pub fn read_json<T: FromJson>(&self, key: &str) -> Option<T> {
        self.read(key).and_then(|t| parse_json(&t))
    }

    /// Writes `value` as JSON.
    pub fn write_json(&self, key: &str, value: &dyn ToJson) {
        self.write(key, &to_json(value));
    }

    /// [`Store::update`] of a value stored as JSON: `change` gets it (`None` when there is
    /// none or it does not parse) and returns the new value, which is stored and returned.
    pub async fn update_json<T>(
        &self,
        key: &str,
        change: impl FnOnce(Option<T>) -> T + 'static,
    ) -> T
    where
        T: FromJson + ToJson + 'static,
    {
        self.update(key, move |text| {
            let value = change(text.and_then(|t| parse_json(&t)));
            (Some(to_json(&value)), value)
        })
        .await
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
        changes::notify(key, Some(value), !stored);
    }

    /// Removes a value everywhere.
    pub fn remove(&self, key: &str) {
        self.memory.borrow_mut().remove(key);
        if let Some(area) = &self.area {
            let _ = area.remove_item(key);
        }
        changes::notify(key, None, true);
    }

    /// Takes into this module's memory what the page's other module keeps in its own for
    /// `key` (storage would not take it there either), or, with `None`, forgets it: the two
    /// modules of a page then count alike without storage. Bounded, since any script on the
    /// page can send such a value: a few keys (see [`Memory`]), none larger than the widget
    /// ever writes.
    pub(crate) fn adopt(&self, key: &str, kept: Option<&str>) {
        let mut memory = self.memory.borrow_mut();
        match kept {
            Some(value)
                if value.len() <= ADOPTED_VALUE_MAX
                    && (memory.get(key).is_some() || memory.0.len() < ADOPTED_KEYS_MAX) =>
            {
                memory.insert(key.to_owned(), value.to_owned());
            }
            Some(_) => {}
            None => memory.remove(key),
        }
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
        // The result goes through a slot so that the lock's machinery below is compiled
        // once, not once per kind of result.
        let slot: Rc<RefCell<Option<R>>> = Rc::default();
        let out = slot.clone();
        let change = move |current: Option<String>| {
            let (new_value, result) = change(current);
            *out.borrow_mut() = Some(result);
            new_value
        };
        self.update_text(key, run_unlocked, Box::new(change)).await;
        slot.take()
    }

    /// [`Store::update_with`] on text: runs `change` (or not, when the lock is not granted
    /// and `run_unlocked` is false) and keeps the notice.
    async fn update_text(
        &self,
        key: &str,
        run_unlocked: bool,
        change: Box<dyn FnOnce(Option<String>) -> Option<String>>,
    ) {
        let store = self.clone();
        let key_owned = key.to_owned();
        let critical = move || {
            let current = store.read(&key_owned);
            let new_value = change(current.clone());
            // An unchanged value is not written, so the lock is not held after it either:
            // requests that wait re-check their limits often, and would otherwise keep the
            // lock busy for every other tab.
            match new_value {
                Some(value) if Some(&value) != current.as_ref() => {
                    store.write(&key_owned, &value);
                    true
                }
                _ => false,
            }
        };
        let progress: Progress = {
            let (store, key) = (self.clone(), key.to_owned());
            Rc::new(move || store.read(&key))
        };
        let held = locked(
            &cat![key, ":lock"],
            run_unlocked,
            Some(progress),
            Box::new(critical),
        )
        .await;
        let mut notice = self.notice.borrow_mut();
        if held != Some(true) {
            *notice = Some(Notice::LockHeld);
        } else if *notice == Some(Notice::LockHeld) {
            *notice = None;
        }
    }
}

thread_local! {
    static PAGE_STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// The page's one store: every widget of this module shares its memory fallback (the page's
/// other module, if any, has its own).
pub fn page_store() -> Store {
    PAGE_STORE.with(|s| s.borrow_mut().get_or_insert_with(Store::open).clone())
}
