//! The queue of one widget's requests: what each is doing (deciding, waiting and why, sending),
//! how it waits where the user can see it, how it leaves (sent, refused, cancelled), and which
//! goes first when several wait (interactive before background).

use std::cell::RefCell;

use credit_gauge_core::{explain, Code, Credits, Explanation, UnixMillis};

use crate::widget::{now, Widget};

/// How often a waiting request re-decides even before its limit's reset (real time).
pub(crate) const RECHECK_MS: i64 = 5_000;
/// The shortest wait before a request re-decides (real time).
pub(crate) const MIN_RECHECK_MS: i64 = 250;

/// Which of the waiting requests takes the budget first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Priority {
    /// Someone is waiting for the answer (a click, the page's default): goes first.
    #[default]
    Interactive,
    /// A refresh on a timer: lets every interactive request that waits go before it.
    Background,
}

impl Priority {
    /// `"interactive"` or `"background"`; anything else is `None`.
    pub fn from_name(name: &str) -> Option<Priority> {
        match name {
            "interactive" => Some(Priority::Interactive),
            "background" => Some(Priority::Background),
            _ => None,
        }
    }
}

thread_local! {
    /// How many interactive requests wait for budget, per account (its storage key), across
    /// every widget of this page: a background request of any of them lets them go first.
    /// One entry per waiting request (a handful at most: a list compiles smaller than a map).
    static INTERACTIVE_WAITING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// An interactive request waiting for budget on an account; counted while it lives.
pub(crate) struct InteractiveWaiting(String);

impl InteractiveWaiting {
    pub(crate) fn new(account: String) -> InteractiveWaiting {
        INTERACTIVE_WAITING.with_borrow_mut(|w| w.push(account.clone()));
        InteractiveWaiting(account)
    }

    /// Whether an interactive request waits for budget on `account`.
    pub(crate) fn any_on(account: &str) -> bool {
        INTERACTIVE_WAITING.with_borrow(|w| w.iter().any(|a| a == account))
    }
}

impl Drop for InteractiveWaiting {
    fn drop(&mut self) {
        INTERACTIVE_WAITING.with_borrow_mut(|w| {
            if let Some(i) = w.iter().position(|a| *a == self.0) {
                w.swap_remove(i);
            }
        });
    }
}

/// Where a queued request is.
#[derive(Clone, Debug, PartialEq)]
pub enum QueueState {
    Deciding,
    Waiting {
        until: UnixMillis,
        explanation: Explanation,
    },
    Sending,
}

/// A request on its way.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueItem {
    pub id: u64,
    pub title: &'static str,
    /// What it is estimated to cost, shown before it goes.
    pub estimated: Option<Credits>,
    /// Asked for by the host page (`fetch`).
    pub from_page: bool,
    pub state: QueueState,
}

impl Widget {
    /// Puts a request to `title`, estimated at `estimated`, in the queue, deciding; returns
    /// its id.
    pub(crate) fn enqueue(
        self,
        title: &'static str,
        estimated: Option<Credits>,
        from_page: bool,
    ) -> u64 {
        let id = self.next_id();
        self.queue.update(|q| {
            q.push(QueueItem {
                id,
                title,
                estimated,
                from_page,
                state: QueueState::Deciding,
            })
        });
        id
    }

    fn next_id(self) -> u64 {
        let id = self.next_id.try_get_value().unwrap_or(0);
        self.next_id.set_value(id + 1);
        id
    }

    pub(crate) fn set_queue_state(self, id: u64, state: QueueState) {
        self.queue.update(|q| {
            if let Some(item) = q.iter_mut().find(|i| i.id == id) {
                item.state = state;
            }
        });
    }

    pub(crate) fn in_queue(self, id: u64) -> bool {
        // A widget taken off the page while its request waited has no queue: the request is
        // as good as cancelled.
        self.queue
            .try_with_untracked(|q| q.iter().any(|i| i.id == id))
            .unwrap_or(false)
    }

    pub(crate) fn dequeue(self, id: u64) {
        self.queue.update(|q| q.retain(|i| i.id != id));
    }

    /// Shows queued request `id` as waiting until `until` (with `code` explained) and waits
    /// until then, or only until `recheck` when that comes first (the request decides again
    /// then, but the countdown shows the instant it is expected to go); at least a moment (an
    /// instant already past, from odd stored counts, must not make the queue spin), and no
    /// longer once the request is cancelled.
    pub(crate) async fn wait_visibly(
        self,
        id: u64,
        until: UnixMillis,
        recheck: UnixMillis,
        code: Code,
    ) {
        self.set_queue_state(
            id,
            QueueState::Waiting {
                until,
                explanation: explain(code, Some(until)),
            },
        );
        let wake = until
            .min(recheck)
            .max(now().plus(crate::clock::span(MIN_RECHECK_MS)));
        while self.in_queue(id) && now() < wake {
            // Short steps, to notice a cancel; in real time (an emulator's clock may run faster).
            let ms = crate::clock::real_ms(wake.0 - now().0).clamp(1, 250) as u32;
            crate::timer::sleep(ms).await;
        }
    }

    /// Takes a queued request out; it is not sent.
    pub fn cancel(self, id: u64) {
        self.dequeue(id);
    }
}
