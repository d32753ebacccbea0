//! When the effects due run: in a microtask after a turn's writes, one at a time, and, should
//! they keep waking each other, paused until a later task so that the page gets its events and
//! frames in between.

use super::graph::{refresh, runtime};

/// Runs the effects due in a microtask, once for all the writes of this turn.
pub(super) fn schedule_flush() {
    let schedule = runtime(|rt| {
        let schedule = !rt.queue.is_empty() && !rt.flush_scheduled && !rt.paused;
        rt.flush_scheduled |= schedule;
        schedule
    });
    // Natively (the unit tests, `tests.rs`) nothing runs by itself: the tests flush.
    if schedule && cfg!(target_arch = "wasm32") {
        crate::task::spawn(async { flush() });
    }
}

/// Runs the effects due, and those their writes make due.
pub(super) fn flush() {
    // A flush starts from the top: nothing runs, nothing owns, whatever a panicked run left.
    let paused = runtime(|rt| {
        rt.observer = None;
        rt.owner = None;
        rt.flush_scheduled = false;
        rt.paused
    });
    if paused {
        return;
    }
    // One at a time off the queue: what a failed run leaves stays queued for the next flush.
    for _ in 0..MAX_RUNS {
        let Some(id) = runtime(|rt| rt.queue.pop_front()) else {
            return;
        };
        refresh(id);
    }
    // Effects that keep waking each other: the rest waits for a later task (no microtask
    // flush runs meanwhile), so the page gets its events and frames in between.
    runtime(|rt| rt.paused = true);
    if cfg!(target_arch = "wasm32") {
        crate::timer::call_after(&wasm_bindgen::closure::Closure::once_into_js(resume), 0);
    }
}

/// Runs the effects a paused flush left.
pub(super) fn resume() {
    runtime(|rt| rt.paused = false);
    flush();
}

/// Effect runs in one flush before it lets the page breathe.
const MAX_RUNS: usize = 100_000;
