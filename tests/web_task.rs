//! The widget's futures in a real browser: spawned ones run in a microtask in the order they
//! were woken, a promise is awaited to its value or its reason, and a future is handed to
//! JavaScript as a promise.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use credit_gauge::task::{promise, settled, spawn};
use credit_gauge::timer::sleep;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A turn of the microtask queue: what was queued before it has run.
async fn next_turn() {
    sleep(0).await;
}

#[wasm_bindgen_test]
async fn spawned_futures_start_later_in_the_order_spawned() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    for n in 0..3 {
        let seen = seen.clone();
        spawn(async move { seen.borrow_mut().push(n) });
    }
    assert!(seen.borrow().is_empty(), "nothing runs inside spawn");
    next_turn().await;
    assert_eq!(*seen.borrow(), [0, 1, 2]);
}

/// Wakes itself `wakes` times on its first poll; pending for good after that.
struct WakesItself {
    wakes: u32,
    polls: Rc<Cell<u32>>,
}

impl Future for WakesItself {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.set(self.polls.get() + 1);
        if self.polls.get() > 1 {
            return Poll::Pending;
        }
        for _ in 0..self.wakes {
            cx.waker().wake_by_ref();
        }
        // A clone woken by value counts the same.
        let by_value = cx.waker().clone();
        by_value.wake();
        Poll::Pending
    }
}

#[wasm_bindgen_test]
async fn a_task_woken_many_times_before_it_runs_is_polled_once() {
    let polls = Rc::new(Cell::new(0));
    spawn(WakesItself {
        wakes: 5,
        polls: polls.clone(),
    });
    next_turn().await;
    next_turn().await;
    assert_eq!(polls.get(), 2, "one poll to start, one for all its wakes");
}

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[wasm_bindgen_test]
async fn a_finished_future_is_dropped() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    spawn(async move {
        let _flag = flag;
        sleep(1).await;
    });
    sleep(30).await;
    assert!(
        dropped.get(),
        "the future and what it held are gone once it is done"
    );
}

/// Spawns a task as it is dropped, which marks its flag.
struct SpawnsOnDrop(Rc<Cell<bool>>);

impl Drop for SpawnsOnDrop {
    fn drop(&mut self) {
        let ran = self.0.clone();
        spawn(async move { ran.set(true) });
    }
}

#[wasm_bindgen_test]
async fn a_future_that_spawns_as_it_is_dropped_starts_that_task() {
    let ran = Rc::new(Cell::new(false));
    let guard = SpawnsOnDrop(ran.clone());
    spawn(async move {
        let _guard = guard;
    });
    sleep(10).await;
    assert!(
        ran.get(),
        "the task spawned from a finished future's drop ran"
    );
}

#[wasm_bindgen_test]
async fn a_task_that_keeps_waking_itself_lets_the_page_run_in_between() {
    // The page's own microtask, queued after the task: it runs while the task still loops,
    // since the task's later polls wait for later microtasks.
    let page_ran = Rc::new(Cell::new(false));
    let polls = Rc::new(Cell::new(0u32));
    {
        let page_ran = page_ran.clone();
        let polls = polls.clone();
        spawn(std::future::poll_fn(move |cx| {
            polls.set(polls.get() + 1);
            if page_ran.get() || polls.get() >= 1000 {
                return Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        }));
    }
    let mark = Closure::<dyn FnMut(JsValue)>::new({
        let page_ran = page_ran.clone();
        move |_: JsValue| page_ran.set(true)
    });
    let _ = Promise::resolve(&JsValue::NULL).then(&mark);
    sleep(20).await;
    assert!(page_ran.get());
    assert!(
        polls.get() < 10,
        "the task was polled {} times before the page's microtask ran",
        polls.get()
    );
}

#[wasm_bindgen_test]
async fn a_promise_is_awaited_to_its_value_or_its_reason() {
    let value = settled(&Promise::resolve(&JsValue::from(7))).await;
    assert_eq!(value, Ok(JsValue::from(7)));
    let reason = settled(&Promise::reject(&JsValue::from_str("no"))).await;
    assert_eq!(reason, Err(JsValue::from_str("no")));
    let later = credit_gauge::timer::resolved_after(10);
    assert_eq!(settled(&later).await, Ok(JsValue::UNDEFINED));
}

#[wasm_bindgen_test]
async fn a_wait_given_up_leaves_its_promise_to_settle_harmlessly() {
    // A callback called after it was freed would throw inside the promise's reaction: the page
    // would see an unhandled rejection.
    let rejections = Rc::new(Cell::new(0));
    let listener = Closure::<dyn FnMut(JsValue)>::new({
        let rejections = rejections.clone();
        move |_: JsValue| rejections.set(rejections.get() + 1)
    });
    let window = web_sys::window().expect("a window");
    window
        .add_event_listener_with_callback("unhandledrejection", listener.as_ref().unchecked_ref())
        .expect("listening");
    for settle in [true, false] {
        let later = Promise::new(&mut |resolve, reject| {
            credit_gauge::timer::call_after(if settle { &resolve } else { &reject }, 10)
        });
        // Both outcomes are handled by the wait's two callbacks, while they live.
        drop(settled(&later));
    }
    sleep(60).await;
    let _ = window.remove_event_listener_with_callback(
        "unhandledrejection",
        listener.as_ref().unchecked_ref(),
    );
    assert_eq!(
        rejections.get(),
        0,
        "the page saw an error from a wait given up"
    );
    // Still able to run futures and await promises.
    assert_eq!(
        settled(&Promise::resolve(&JsValue::TRUE)).await,
        Ok(JsValue::TRUE)
    );
}

#[wasm_bindgen_test]
async fn a_future_handed_to_javascript_resolves_or_rejects_its_promise() {
    let resolved = promise(async {
        sleep(1).await;
        Ok(JsValue::from_str("done"))
    });
    assert_eq!(settled(&resolved).await, Ok(JsValue::from_str("done")));
    let rejected = promise(async { Err(JsValue::from(42)) });
    assert_eq!(settled(&rejected).await, Err(JsValue::from(42)));
}
