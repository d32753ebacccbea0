//! The widget's futures, run on the page's microtask queue: `spawn` starts one, `settled`
//! awaits a JavaScript promise and `promise` hands a future to JavaScript as one.
//!
//! The module is single-threaded (no atomics), so a task is an `Rc` and its waker a pointer to
//! it. This is all the widget needs of an executor; a general one (threads, JSPI) is code
//! every host page would download for nothing.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = queueMicrotask)]
    fn queue_microtask(callback: &JsValue) -> Result<(), JsValue>;
}

type Job = Pin<Box<dyn Future<Output = ()>>>;

/// A spawned future, until it is done.
struct Task {
    future: RefCell<Option<Job>>,
    /// In the queue already: a second wake before its poll adds nothing.
    queued: Cell<bool>,
}

/// The tasks woken, polled in the order they were woken.
struct Queue {
    tasks: RefCell<VecDeque<Rc<Task>>>,
    /// A microtask will run the queue.
    scheduled: Cell<bool>,
    /// What that microtask calls: made once, for the page's lifetime.
    run: RefCell<Option<JsValue>>,
}

thread_local! {
    static QUEUE: Queue = const {
        Queue {
            tasks: RefCell::new(VecDeque::new()),
            scheduled: Cell::new(false),
            run: RefCell::new(None),
        }
    };
}

/// Runs `future` to its end, starting in a microtask.
pub fn spawn(future: impl Future<Output = ()> + 'static) {
    start(Box::pin(future));
}

// Not generic: each spawning site only boxes its future.
#[inline(never)]
fn start(future: Job) {
    wake(Rc::new(Task {
        future: RefCell::new(Some(future)),
        queued: Cell::new(false),
    }));
}

/// Queues `task` to be polled, and the queue to run in a microtask if it is not due already.
fn wake(task: Rc<Task>) {
    if task.queued.replace(true) {
        return;
    }
    QUEUE.with(|q| {
        q.tasks.borrow_mut().push_back(task);
        if q.scheduled.replace(true) {
            return;
        }
        let run = q
            .run
            .borrow_mut()
            .get_or_insert_with(|| Closure::<dyn FnMut()>::new(run_queue).into_js_value())
            .clone();
        if queue_microtask(&run).is_err() {
            // The page replaced `queueMicrotask` with something that throws: a timer instead.
            crate::timer::call_after(&run, 0);
        }
    });
}

/// Polls the tasks woken before this microtask; those woken meanwhile wait for the next one,
/// so a task that keeps waking itself lets the page's other microtasks run in between.
fn run_queue() {
    let due = QUEUE.with(|q| {
        q.scheduled.set(false);
        q.tasks.borrow().len()
    });
    for _ in 0..due {
        let Some(task) = QUEUE.with(|q| q.tasks.borrow_mut().pop_front()) else {
            break;
        };
        task.queued.set(false);
        poll(&task);
    }
}

fn poll(task: &Rc<Task>) {
    let waker = waker_of(task.clone());
    let mut cx = Context::from_waker(&waker);
    // Taken out while it runs: a wake from inside its own poll only queues it again.
    let Some(mut future) = task.future.borrow_mut().take() else {
        return;
    };
    if future.as_mut().poll(&mut cx).is_pending() {
        *task.future.borrow_mut() = Some(future);
    }
}

// A waker is an `Rc<Task>` given away as a raw pointer: cloning it counts one more owner,
// dropping it one less, waking it queues the task.
const VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

fn waker_of(task: Rc<Task>) -> Waker {
    let raw = RawWaker::new(Rc::into_raw(task).cast(), &VTABLE);
    // SAFETY: the vtable's functions treat the pointer as the `Rc<Task>` it came from, and the
    // module has one thread, so the waker never meets another.
    unsafe { Waker::from_raw(raw) }
}

unsafe fn clone_raw(ptr: *const ()) -> RawWaker {
    // SAFETY: `ptr` is a live `Rc<Task>` of a waker (`waker_of`).
    unsafe { Rc::increment_strong_count(ptr.cast::<Task>()) };
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake_raw(ptr: *const ()) {
    // SAFETY: as in `clone_raw`; waking by value consumes the waker's count.
    wake(unsafe { Rc::from_raw(ptr.cast::<Task>()) });
}

unsafe fn wake_by_ref_raw(ptr: *const ()) {
    // SAFETY: as in `clone_raw`.
    unsafe { Rc::increment_strong_count(ptr.cast::<Task>()) };
    // SAFETY: the count just added is the one this `Rc` owns.
    wake(unsafe { Rc::from_raw(ptr.cast::<Task>()) });
}

unsafe fn drop_raw(ptr: *const ()) {
    // SAFETY: as in `clone_raw`; the waker's count goes with it.
    drop(unsafe { Rc::from_raw(ptr.cast::<Task>()) });
}

/// A promise's two callbacks: for its value and for its reason.
type Callbacks = [Closure<dyn FnMut(JsValue)>; 2];

/// What a promise settled with, the task waiting for it, and the two callbacks JavaScript calls
/// (one of them, once).
#[derive(Default)]
struct Outcome {
    result: Option<Result<JsValue, JsValue>>,
    waiting: Option<Waker>,
    // Held here, not by the wait: a wait given up before the promise settles must leave the
    // callbacks callable (a dropped one throws into the page when the promise settles). The
    // first call lets both go.
    callbacks: Option<Callbacks>,
}

/// A promise awaited: its value, or what it rejected with.
pub struct Settled {
    outcome: Rc<RefCell<Outcome>>,
}

/// Awaits `promise`.
pub fn settled(promise: &Promise) -> Settled {
    let outcome = Rc::new(RefCell::new(Outcome::default()));
    let callback = |fulfilled: bool| {
        let outcome = outcome.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
            let (waiting, callbacks) = {
                let mut outcome = outcome.borrow_mut();
                outcome.result = Some(if fulfilled { Ok(value) } else { Err(value) });
                (outcome.waiting.take(), outcome.callbacks.take())
            };
            // Freed once this call returns (wasm-bindgen defers it), which ends the cycle
            // between the callbacks and the outcome they hold.
            drop(callbacks);
            if let Some(waker) = waiting {
                waker.wake();
            }
        })
    };
    let callbacks = [callback(true), callback(false)];
    let _ = promise.then2(&callbacks[0], &callbacks[1]);
    outcome.borrow_mut().callbacks = Some(callbacks);
    Settled { outcome }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut outcome = self.outcome.borrow_mut();
        match outcome.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                outcome.waiting = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// A promise of `future`'s outcome, for JavaScript: it resolves with the `Ok` value and
/// rejects with the `Err` one. The future starts in a microtask.
pub fn promise(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let mut future = Some(future);
    Promise::new(&mut |resolve, reject| {
        if let Some(future) = future.take() {
            spawn(async move {
                let (settle, value): (Function, JsValue) = match future.await {
                    Ok(value) => (resolve, value),
                    Err(reason) => (reject, reason),
                };
                let _ = settle.call1(&JsValue::UNDEFINED, &value);
            });
        }
    })
}
