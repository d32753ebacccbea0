//! The store in a real Chromium: localStorage, Web Locks, change notifications, fallbacks.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use credit_gauge::changes::{subscribe, PAGE_EVENT};
use credit_gauge::locks::with_lock;
use credit_gauge::store::{fingerprint, page_store, storage_key, Notice, Store};
use credit_gauge_core::{load, save, Account, CmcPlan, Ledger, LoadWarning};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What a listener heard: each key and its new value.
type Heard = Rc<RefCell<Vec<(String, Option<String>)>>>;

/// A listener for keys starting with `prefix` that records what it hears, and its subscription.
fn recording(prefix: &str) -> (Heard, credit_gauge::changes::Subscription) {
    let heard = Heard::default();
    let subscription = {
        let heard = heard.clone();
        subscribe(prefix, move |key, value| {
            heard
                .borrow_mut()
                .push((key.to_owned(), value.map(str::to_owned)))
        })
    };
    (heard, subscription)
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen(inline_js = "
export function throwing_detail() {
  return new Proxy([], { get() { throw new Error('hostile'); } });
}
export function send_page_event(type, detail) {
  window.dispatchEvent(new CustomEvent(type, { detail }));
}
export function hold_lock(name) {
  let release;
  const held = new Promise(resolve => { release = resolve; });
  const granted = new Promise(resolve => {
    navigator.locks.request(name, () => { resolve(); return held; });
  });
  return [granted, release];
}
")]
extern "C" {
    fn hold_lock(name: &str) -> js_sys::Array;
    fn send_page_event(kind: &str, detail: &JsValue);
    fn throwing_detail() -> JsValue;
}

/// A store with `value` under a ledger key for `who`, and that key's lock taken by another
/// context (granted before this returns); call the returned function to let it go.
async fn store_with_held_lock(who: &str, value: &str) -> (Store, String, js_sys::Function) {
    let store = Store::open();
    let key = storage_key("cmc", who, "ledger");
    store.write(&key, value);
    let held = hold_lock(&format!("{key}:lock"));
    JsFuture::from(js_sys::Promise::from(held.get(0)))
        .await
        .unwrap();
    (store, key, held.get(1).unchecked_into())
}

async fn yield_to_browser() {
    gloo_timers_sleep(20).await;
}

async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
fn keys_are_versioned_and_never_contain_the_api_key() {
    let key = storage_key("cmc", "my-secret-key-123", "ledger");
    assert!(key.starts_with("credit-gauge:v1:cmc:"), "{key}");
    assert!(key.ends_with(":ledger"), "{key}");
    assert!(!key.contains("my-secret-key-123"), "{key}");
    assert_eq!(fingerprint("a"), fingerprint("a"));
    assert_ne!(fingerprint("a"), fingerprint("b"));
}

#[wasm_bindgen_test]
fn a_write_lands_in_local_storage_and_reads_back() {
    let store = Store::open();
    assert_eq!(store.notice(), None);
    let key = storage_key("cmc", "roundtrip", "ledger");
    store.write(&key, "{\"v\":1,\"accounts\":[]}");
    assert_eq!(
        local_storage().get_item(&key).unwrap().as_deref(),
        Some("{\"v\":1,\"accounts\":[]}")
    );
    assert_eq!(
        store.read(&key).as_deref(),
        Some("{\"v\":1,\"accounts\":[]}")
    );
    store.remove(&key);
    assert_eq!(store.read(&key), None);
}

#[wasm_bindgen_test]
async fn concurrent_updates_under_the_lock_lose_no_increment() {
    let store = Store::open();
    let key = storage_key("cmc", "counter", "ledger");
    store.remove(&key);
    let done = Rc::new(RefCell::new(0));
    for _ in 0..40 {
        let (store, key, done) = (store.clone(), key.clone(), done.clone());
        wasm_bindgen_futures::spawn_local(async move {
            store
                .update(&key, |old| {
                    let n: u32 = old.and_then(|s| s.parse().ok()).unwrap_or(0);
                    (Some((n + 1).to_string()), ())
                })
                .await;
            *done.borrow_mut() += 1;
        });
    }
    while *done.borrow() < 40 {
        yield_to_browser().await;
    }
    assert_eq!(store.read(&key).as_deref(), Some("40"));
    store.remove(&key);
}

#[wasm_bindgen_test]
async fn an_update_waits_while_another_context_holds_the_lock() {
    let (store, key, release) = store_with_held_lock("held", "before").await;

    let finished = Rc::new(RefCell::new(false));
    {
        let (store, key, finished) = (store.clone(), key.clone(), finished.clone());
        wasm_bindgen_futures::spawn_local(async move {
            store.update(&key, |_| (Some("after".into()), ())).await;
            *finished.borrow_mut() = true;
        });
    }
    yield_to_browser().await;
    assert!(
        !*finished.borrow(),
        "the update ran while the lock was held"
    );
    assert_eq!(store.read(&key).as_deref(), Some("before"));

    release.call0(&JsValue::UNDEFINED).unwrap();
    while !*finished.borrow() {
        yield_to_browser().await;
    }
    assert_eq!(store.read(&key).as_deref(), Some("after"));
    store.remove(&key);
}

#[wasm_bindgen_test]
async fn a_lock_held_for_good_delays_an_update_by_the_bound_only_and_says_so() {
    // A same-origin script takes the widget's lock and never lets go.
    let (store, key, release) = store_with_held_lock("held-for-good", "1").await;
    credit_gauge::locks::set_lock_patience(300, 100);

    let finished = Rc::new(RefCell::new(0));
    for _ in 0..3 {
        let (store, key, finished) = (store.clone(), key.clone(), finished.clone());
        wasm_bindgen_futures::spawn_local(async move {
            store
                .update(&key, |v| {
                    let n: i64 = v.and_then(|v| v.parse().ok()).unwrap_or(0);
                    (Some((n + 1).to_string()), ())
                })
                .await;
            *finished.borrow_mut() += 1;
        });
    }
    // Every update goes through without the lock, and none is lost.
    let mut waited = 0;
    while *finished.borrow() < 3 {
        assert!(waited < 5_000, "updates still stalled after {waited} ms");
        gloo_timers_sleep(50).await;
        waited += 50;
    }
    assert_eq!(store.read(&key).as_deref(), Some("4"));
    assert_eq!(store.notice(), Some(Notice::LockHeld));

    // Once the lock is free again, updates take it and the notice goes.
    release.call0(&JsValue::UNDEFINED).unwrap();
    store.update(&key, |_| (Some("5".into()), ())).await;
    assert_eq!(store.read(&key).as_deref(), Some("5"));
    assert_eq!(store.notice(), None);
    credit_gauge::locks::set_lock_patience(
        credit_gauge::locks::LOCK_PATIENCE_MS,
        credit_gauge::locks::LOCK_PATIENCE_WHILE_HELD_MS,
    );
    store.remove(&key);
}

#[wasm_bindgen_test]
async fn taking_budget_waits_for_a_held_lock_instead_of_racing_without_it() {
    let (store, key, release) = store_with_held_lock("held-for-budget", "1").await;
    credit_gauge::locks::set_lock_patience(200, 100);
    let taken = store
        .update_if_locked(&key, |_| (Some("2".into()), ()))
        .await;
    assert_eq!(taken, None, "the change ran without the lock");
    assert_eq!(store.read(&key).as_deref(), Some("1"));
    assert_eq!(store.notice(), Some(Notice::LockHeld));
    release.call0(&JsValue::UNDEFINED).unwrap();
    let taken = store
        .update_if_locked(&key, |_| (Some("2".into()), ()))
        .await;
    assert_eq!(taken, Some(()));
    assert_eq!(store.read(&key).as_deref(), Some("2"));
    credit_gauge::locks::set_lock_patience(
        credit_gauge::locks::LOCK_PATIENCE_MS,
        credit_gauge::locks::LOCK_PATIENCE_WHILE_HELD_MS,
    );
    store.remove(&key);
}

#[wasm_bindgen_test]
async fn an_update_that_changes_nothing_writes_nothing() {
    let store = Store::open();
    let key = storage_key("cmc", "unchanged", "ledger");
    store.remove(&key);
    let seen = Rc::new(RefCell::new(Vec::<Option<String>>::new()));
    let log = seen.clone();
    let _subscription = subscribe(&key, move |_, value| {
        log.borrow_mut().push(value.map(String::from))
    });
    store.update(&key, |_| (Some("1".to_string()), ())).await;
    // Waiting requests re-check their limits this way; they must not rewrite the same value.
    let before = store
        .update(&key, |current| (current.clone(), current))
        .await;
    assert_eq!(before.as_deref(), Some("1"));
    store.update(&key, |_| (Some("2".to_string()), ())).await;
    assert_eq!(
        *seen.borrow(),
        vec![Some("1".to_string()), Some("2".to_string())]
    );
    assert_eq!(
        local_storage().get_item(&key).unwrap().as_deref(),
        Some("2")
    );
    store.remove(&key);
}

#[wasm_bindgen_test]
async fn with_lock_returns_the_critical_sections_result() {
    assert_eq!(with_lock("credit-gauge:test", || 7 * 6).await, 42);
}

#[wasm_bindgen_test]
fn full_storage_keeps_the_value_in_memory_with_a_notice() {
    let storage = local_storage();
    let store = Store::open();
    let key = storage_key("cmc", "full", "ledger");
    // Fill this origin's storage until it refuses more.
    let chunk = "x".repeat(512 * 1024);
    let mut fillers = Vec::new();
    for i in 0..64 {
        let filler = format!("filler-{i}");
        if storage.set_item(&filler, &chunk).is_err() {
            break;
        }
        fillers.push(filler);
    }
    let big = "y".repeat(600 * 1024);
    store.write(&key, &big);
    assert_eq!(store.notice(), Some(Notice::StorageFull));
    assert_eq!(store.read(&key).map(|s| s.len()), Some(big.len()));
    assert!(!Notice::StorageFull.message().is_empty());
    for filler in fillers {
        storage.remove_item(&filler).unwrap();
    }
    store.remove(&key);
}

#[wasm_bindgen_test]
fn a_memory_only_store_works_and_says_why() {
    let store = Store::memory_only();
    assert_eq!(store.notice(), Some(Notice::StorageUnavailable));
    store.write("credit-gauge:v1:cmc:x:ledger", "kept");
    assert_eq!(
        store.read("credit-gauge:v1:cmc:x:ledger").as_deref(),
        Some("kept")
    );
    assert_eq!(
        local_storage()
            .get_item("credit-gauge:v1:cmc:x:ledger")
            .unwrap(),
        None
    );
}

#[wasm_bindgen_test]
fn corrupt_old_and_future_data_load_as_a_fresh_ledger_with_a_warning() {
    let store = Store::open();
    let key = storage_key("cmc", "corrupt", "ledger");
    for (text, warning) in [
        ("{\"v\":1,\"accounts\":[", LoadWarning::NotJson),
        ("<html>", LoadWarning::NotJson),
        ("{\"accounts\":[]}", LoadWarning::UnknownShape),
        ("{\"v\":99,\"accounts\":[]}", LoadWarning::NewerVersion(99)),
    ] {
        store.write(&key, text);
        let loaded = load(&store.read(&key).unwrap());
        assert_eq!(loaded.warning, Some(warning), "{text}");
        assert_eq!(loaded.ledger, Ledger::default());
    }
    // A good ledger round-trips through storage unchanged.
    let mut ledger = Ledger::default();
    ledger.accounts.push(Account::cmc("main", CmcPlan::Basic));
    store.write(&key, &save(&ledger));
    let loaded = load(&store.read(&key).unwrap());
    assert_eq!(loaded.warning, None);
    assert_eq!(loaded.ledger, ledger);
    store.remove(&key);
}

#[wasm_bindgen_test]
fn listeners_hear_writes_on_this_page_until_dropped() {
    let store = Store::open();
    let (heard, subscription) = recording("credit-gauge:v1:cw:");
    store.write("credit-gauge:v1:cw:abc:ledger", "1");
    store.write("credit-gauge:v1:cmc:abc:ledger", "ignored: other prefix");
    drop(subscription);
    store.write("credit-gauge:v1:cw:abc:ledger", "2");
    assert_eq!(
        *heard.borrow(),
        vec![(
            "credit-gauge:v1:cw:abc:ledger".to_owned(),
            Some("1".to_owned())
        )]
    );
    store.remove("credit-gauge:v1:cw:abc:ledger");
    store.remove("credit-gauge:v1:cmc:abc:ledger");
}

/// The page's other module (a compact gauge beside a full widget) writes to storage and says so
/// with a window event: this module hears it, with the value storage holds. Its own writes are
/// heard once (not again through its own event), and an event of another shape is ignored.
#[wasm_bindgen_test]
fn listeners_hear_the_other_module_of_the_page() {
    let store = Store::open();
    let key = "credit-gauge:v1:cw:other-module:ledger";
    let (heard, subscription) = recording("credit-gauge:v1:cw:");
    store.write(key, "mine");
    // What the other module does: write, then send its event with its own mark.
    local_storage().set_item(key, "theirs").unwrap();
    let other = js_sys::Object::new();
    send_page_event(PAGE_EVENT, &js_sys::Array::of2(&key.into(), &other));
    // Shapes no module sends: heard by nobody, and no panic.
    for detail in [
        JsValue::NULL,
        JsValue::from_str(key),
        js_sys::Array::of1(&JsValue::from_f64(1.0)).into(),
    ] {
        send_page_event(PAGE_EVENT, &detail);
    }
    // A detail that throws when read (a proxy): ignored, and the module keeps working (an
    // exception thrown through the module's frames would leak its stack, and some 20,000 of
    // them would break it).
    for _ in 0..25_000 {
        send_page_event(PAGE_EVENT, &throwing_detail());
    }
    // Where storage would not take a value, the other module sends it along: it is kept in
    // this module's memory too (so both count alike), until the other says it is gone.
    let kept = "credit-gauge:v1:cw:other-module:history";
    let page = page_store();
    send_page_event(
        PAGE_EVENT,
        &js_sys::Array::of3(&kept.into(), &other, &"in memory".into()),
    );
    assert_eq!(page.read(kept).as_deref(), Some("in memory"));
    send_page_event(
        PAGE_EVENT,
        &js_sys::Array::of3(&kept.into(), &other, &JsValue::NULL),
    );
    assert_eq!(page.read(kept), None);
    drop(subscription);
    send_page_event(PAGE_EVENT, &js_sys::Array::of2(&key.into(), &other));
    assert_eq!(
        *heard.borrow(),
        vec![
            (key.to_owned(), Some("mine".to_owned())),
            (key.to_owned(), Some("theirs".to_owned())),
            (kept.to_owned(), Some("in memory".to_owned())),
            (kept.to_owned(), None),
        ]
    );
    // This module's own memory writes go out with their value, in a frozen detail.
    let sent = Rc::new(RefCell::new(Vec::<JsValue>::new()));
    let listener = {
        let sent = sent.clone();
        Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            sent.borrow_mut().push(e.detail())
        })
    };
    let window = web_sys::window().unwrap();
    window
        .add_event_listener_with_callback(PAGE_EVENT, listener.as_ref().unchecked_ref())
        .unwrap();
    store.write(key, "to storage");
    Store::memory_only().write(key, "to memory");
    window
        .remove_event_listener_with_callback(PAGE_EVENT, listener.as_ref().unchecked_ref())
        .unwrap();
    let sent = sent.borrow();
    assert_eq!(sent.len(), 2);
    assert!(js_sys::Object::is_frozen(
        sent[0].unchecked_ref::<js_sys::Object>()
    ));
    let third = |d: &JsValue| js_sys::Reflect::get_u32(d, 2).unwrap();
    assert!(third(&sent[0]).is_undefined(), "read from storage");
    assert_eq!(third(&sent[1]).as_string().as_deref(), Some("to memory"));
    store.remove(key);
}
