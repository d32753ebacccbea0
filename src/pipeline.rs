//! The one way a request travels, whoever asks (the form, `refresh`, Sync, the page's
//! `fetch`): queue → take its budget under the lock, waiting visibly while a limit says so
//! (`queue`) → send → settle the answer into the ledger (`settle`) → show it, tell the host
//! page, record it (`answer`).

use credit_gauge_core::code::RefusedCode;
use credit_gauge_core::decide::{Decision, RefuseReason, WaitReason};
use credit_gauge_core::{
    estimate, explain, reserve, ClientFailure, Code, Credits, EndpointId, Outcome, Request,
    ReservationId, UnixMillis,
};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;

use crate::answer::{Answer, Sent};
use crate::client;
use crate::presentation;
use crate::queue::{InteractiveWaiting, Priority, QueueState, MIN_RECHECK_MS, RECHECK_MS};
use crate::settings::Settings;
use crate::task;
use crate::widget::{now, AccountChange, Widget};

/// Who asked for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Asker {
    /// The widget itself: its form or its `refresh`.
    Widget,
    /// Sync, whose answer also says how far the count was corrected.
    Sync,
    /// The host page, through `fetch`.
    Page,
}

/// The terms a caller sets for a request (the page's `priority`, `maxWait` and `signal`).
#[derive(Clone, Default)]
pub struct Terms {
    /// Whether it goes before or after other requests that wait.
    pub priority: Priority,
    /// Give up, saying when it could go, rather than wait longer than this.
    pub max_wait_ms: Option<i64>,
    /// Withdraw the request once this aborts: out of the queue while it waits; aborted, and
    /// counted as the server may have charged it, once it has left.
    pub abort: Option<web_sys::AbortSignal>,
}

/// How a request's journey ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ended {
    /// Sent and answered, or refused by a limit that can never allow it: as shown.
    Answered(Box<Answer>),
    /// Taken out of the queue (cancelled, aborted, or its widget taken off the page) before
    /// it went, or aborted by its caller on the way (then counted and shown as withdrawn).
    Cancelled,
    /// A limit would have kept it waiting past the caller's bound; it could go at this instant.
    TooLate(UnixMillis),
}

impl Widget {
    /// Sends `request` as soon as every limit allows it, then folds the answer in.
    pub fn submit(self, request: Request) {
        self.submit_with(request, Priority::Interactive);
    }

    /// [`Widget::submit`] at `priority` (a refresh on a timer is background).
    pub fn submit_with(self, request: Request, priority: Priority) {
        task::spawn(async move {
            let terms = Terms {
                priority,
                ..Terms::default()
            };
            self.run_bounded(request, Asker::Widget, terms).await;
        });
    }

    /// [`Widget::submit`] for the host page, which wants the outcome and sets its terms.
    pub async fn fetch(self, request: Request, terms: Terms) -> Ended {
        self.run_bounded(request, Asker::Page, terms).await
    }

    /// Asks the server for the truth: key/info (CoinMarketCap) or the root path (Cryptowatch).
    pub fn sync(self) {
        let endpoint = match self.settings.get_untracked().api {
            credit_gauge_core::ApiKind::CoinMarketCap => EndpointId::CmcKeyInfo,
            credit_gauge_core::ApiKind::Cryptowatch => EndpointId::CwRoot,
        };
        task::spawn(async move {
            self.run(Request::new(endpoint), Asker::Sync).await;
        });
    }

    async fn run(self, request: Request, asker: Asker) -> Ended {
        self.run_bounded(request, asker, Terms::default()).await
    }

    async fn run_bounded(self, request: Request, asker: Asker, terms: Terms) -> Ended {
        // One snapshot of the settings for the whole journey: the key and account a request
        // was reserved on are the ones it is sent with and settled on.
        let Some(s) = self.settings.try_get_untracked() else {
            return Ended::Cancelled;
        };
        let title = request.endpoint.spec().title;
        let estimated = estimate(&request).ok().map(|p| p.credits);
        let id = self.enqueue(title, estimated, asker == Asker::Page);
        if let Some(signal) = &terms.abort {
            if signal.aborted() {
                self.dequeue(id);
                return Ended::Cancelled;
            }
            // Withdrawn while it waits: out of the queue, which every step checks.
            let withdraw = Closure::once_into_js(move || self.cancel(id));
            let _ = signal.add_event_listener_with_callback("abort", withdraw.unchecked_ref());
        }
        let reservation = {
            // Counted as waiting until it has its budget (or leaves): background requests of
            // this page's widgets let it go first.
            let _waiting = (terms.priority == Priority::Interactive)
                .then(|| InteractiveWaiting::new(s.ledger_key()));
            match self
                .take_budget(&s, &request, id, estimated, &terms, asker)
                .await
            {
                Ok(reservation) => reservation,
                Err(ended) => return ended,
            }
        };
        if !self.in_queue(id) {
            // Cancelled while the lock was being taken: give the slot back.
            self.with_account(&s, move |a, _| credit_gauge_core::cancel(a, reservation))
                .await;
            return Ended::Cancelled;
        }
        self.set_queue_state(id, QueueState::Sending);
        let used_before = self.month_used();
        let reply = client::send(
            s.base(),
            &request,
            s.key(),
            s.timeout_ms,
            terms.abort.as_ref(),
        )
        .await;
        let withdrawn = matches!(
            reply.outcome,
            Outcome::Failed {
                failure: ClientFailure::Withdrawn,
                ..
            }
        );
        let settlement = self.settle(&s, reservation, &reply).await;
        self.dequeue(id);
        let sync_note = (asker == Asker::Sync).then(|| {
            presentation::sync_note(used_before, self.month_used(), settlement.from_server)
        });
        let answer = self
            .show_answer(
                &s,
                &request,
                Sent {
                    estimated,
                    settlement,
                    reply,
                },
                sync_note,
                asker,
            )
            .await;
        if withdrawn {
            // Counted and shown as withdrawn; the caller asked for no answer.
            return Ended::Cancelled;
        }
        Ended::Answered(Box::new(answer))
    }

    /// Waits until every limit allows `request` and reserves its budget under the lock; or
    /// shows why it can never go (an answer), gives up once it is cancelled, or, when a
    /// limit would keep it waiting longer than the terms' `max_wait_ms`, says when it could go.
    /// A background request lets interactive ones that wait go first.
    async fn take_budget(
        self,
        s: &Settings,
        request: &Request,
        id: u64,
        estimated: Option<Credits>,
        terms: &Terms,
        asker: Asker,
    ) -> Result<ReservationId, Ended> {
        let max_wait_ms = terms.max_wait_ms;
        loop {
            if !self.in_queue(id) {
                return Err(Ended::Cancelled);
            }
            if terms.priority == Priority::Background && InteractiveWaiting::any_on(&s.ledger_key())
            {
                let code = Code::Wait(WaitReason::InteractiveFirst);
                let soon = now().plus(crate::clock::span(MIN_RECHECK_MS));
                self.wait_visibly(id, soon, soon, code).await;
                continue;
            }
            let req = request.clone();
            // Taking budget only under the lock: without it, two tabs could take the same.
            let outcome = match self
                .change_account(s, true, move |a, t| reserve(a, &req, t))
                .await
            {
                AccountChange::Done(outcome) => Some(outcome),
                AccountChange::Unreadable => None,
                AccountChange::LockHeld => {
                    let code = Code::Wait(WaitReason::LockHeld);
                    let recheck = now().plus(crate::clock::span(RECHECK_MS));
                    self.wait_visibly(id, recheck, recheck, code).await;
                    continue;
                }
            };
            // Why the request can never go as it is: the explanation, and which parameter.
            let (explanation, detail) = match outcome {
                Some(Ok(reservation)) => return Ok(reservation),
                Some(Err(Decision::WaitUntil { at, .. }))
                    if max_wait_ms.is_some_and(|max| at.0 - now().0 > crate::clock::span(max)) =>
                {
                    self.dequeue(id);
                    return Err(Ended::TooLate(at));
                }
                Some(Err(decision @ Decision::WaitUntil { at, .. })) => {
                    // Re-decide at `at`, or within a few seconds: other tabs' requests in
                    // flight may settle for less, and a sync may free budget.
                    if let Some(code) = Code::of_decision(&decision) {
                        let recheck = now().plus(crate::clock::span(RECHECK_MS));
                        self.wait_visibly(id, at, recheck, code).await;
                    }
                    continue;
                }
                Some(Err(decision)) => {
                    let detail = match &decision {
                        // The explanation says why; a parameter problem also says which.
                        Decision::Refuse {
                            reason: RefuseReason::InvalidParams(e),
                        } => Some(e.text()),
                        _ => None,
                    };
                    (
                        Code::of_decision(&decision).map(|c| explain(c, None)),
                        detail,
                    )
                }
                // The stored counts could not be read: nothing may be spent on a guess.
                None => (
                    Some(explain(Code::Refused(RefusedCode::CountsUnreadable), None)),
                    None,
                ),
            };
            self.dequeue(id);
            let answer = self
                .show_refusal(s, request, estimated, explanation, detail, asker)
                .await;
            return Err(Ended::Answered(Box::new(answer)));
        }
    }

    /// Credits used this month (CoinMarketCap) or of the allowance (Cryptowatch), for the
    /// note a sync shows.
    fn month_used(self) -> Option<Credits> {
        let account = self.account.try_get_untracked().flatten()?;
        let t = now();
        match &account.limits {
            credit_gauge_core::ledger::Limits::Cmc(l) => Some(l.month.used_at(t)),
            credit_gauge_core::ledger::Limits::Cw(l) => {
                Some(l.allowance.saturating_sub(l.remaining_at(t)))
            }
        }
    }
}
