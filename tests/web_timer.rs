//! The widget's timers in a real browser: an interval calls until dropped, a timeout once
//! unless dropped first, and a sleep lasts at least what it was asked.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use credit_gauge::timer::{sleep, Interval, Timeout};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn counter() -> Rc<Cell<u32>> {
    Rc::new(Cell::new(0))
}

fn counting(count: &Rc<Cell<u32>>) -> impl FnMut() + 'static {
    let count = count.clone();
    move || count.set(count.get() + 1)
}

#[wasm_bindgen_test]
async fn an_interval_calls_until_it_is_dropped() {
    let count = counter();
    let interval = Interval::new(10, counting(&count));
    sleep(100).await;
    let seen = count.get();
    assert!(seen >= 3, "called {seen} times in 100 ms");
    drop(interval);
    sleep(60).await;
    assert_eq!(count.get(), seen, "not called once dropped");
}

#[wasm_bindgen_test]
async fn a_timeout_calls_once_unless_dropped_first() {
    let fired = counter();
    let _kept = Timeout::new(10, counting(&fired));
    let dropped = counter();
    drop(Timeout::new(10, counting(&dropped)));
    sleep(80).await;
    assert_eq!((fired.get(), dropped.get()), (1, 0));
}

#[wasm_bindgen_test]
async fn a_sleep_lasts_at_least_what_it_was_asked() {
    let start = js_sys::Date::now();
    sleep(50).await;
    let slept = js_sys::Date::now() - start;
    assert!(slept >= 45.0, "slept {slept} ms");
}
