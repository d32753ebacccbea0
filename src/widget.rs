//! One widget's state: its settings, its account as stored, its history, queue and last
//! answer, as signals the components read; and the read-modify-write of its account.
//!
//! Where the rest lives: `settings` (what the user chose), `pipeline` (the one way a request
//! travels), `history`, `events` (what the host page hears), `presentation` (the words),
//! `store` and `locks` (storage shared by tabs), `client` (the network).

use credit_gauge_core::{
    advance, load, save, set_clock, set_plan, Account, ApiKind, Ledger, Request, UnixMillis,
};
use std::cell::Cell;
use std::rc::Rc;

use crate::timer::Interval;
use credit_gauge_core::cat;
use credit_gauge_core::gauge::{self, Gauge};

use crate::reactive::*;

use crate::answer::Answer;
use crate::history::HistoryEntry;
use crate::presentation::{self, ShownWarning};
use crate::queue::QueueItem;
use crate::settings::{self, Settings};
use crate::store::{self, page_store};
use crate::task;

/// What a view of a widget shows that is derived from its signals (see [`Widget::start`]).
#[derive(Clone, Copy)]
pub struct Live {
    pub gauges: Memo<Vec<Gauge>>,
    pub warnings: Memo<Vec<ShownWarning>>,
}

/// The current time, UTC milliseconds, on the API server's clock (see `clock`).
pub use crate::clock::now;

/// A change to an account, at a time (see [`Widget::change_account`]).
type AccountEdit = Box<dyn FnOnce(&mut Account, UnixMillis)>;

/// What a read-modify-write of an account came to.
pub(crate) enum AccountChange<R> {
    Done(R),
    /// The stored counts could not be read; nothing was written.
    Unreadable,
    /// The lock was not granted in time; nothing was changed.
    LockHeld,
}

/// Every signal of one widget. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct Widget {
    pub settings: RwSignal<Settings>,
    pub account: RwSignal<Option<Account>>,
    pub history: RwSignal<Vec<HistoryEntry>>,
    pub queue: RwSignal<Vec<QueueItem>>,
    pub answer: RwSignal<Option<Answer>>,
    pub now: RwSignal<UnixMillis>,
    pub notice: RwSignal<Option<&'static str>>,
    pub load_warning: RwSignal<Option<String>>,
    /// Whether the server is a team gateway whose figures count every client of the key.
    pub team: RwSignal<bool>,
    pub(crate) next_id: StoredValue<u64>,
    /// Whether settings and remembered keys are saved: the app's own, yes; an embedded
    /// widget's, no — its settings come from its host, and a change in it must not rewrite
    /// the app's settings or forget the user's keys.
    pub(crate) persist: bool,
    /// Where `credit-gauge:*` events go (the host element of an embedded widget).
    pub(crate) events: StoredValue<Option<web_sys::EventTarget>>,
}

impl Widget {
    /// A widget with the given settings; `restore` (the app's own widget) also reads the saved
    /// settings and keys, and saves changes. An embedded widget does neither.
    pub fn new(initial: Settings, restore: bool) -> Widget {
        let store = page_store();
        let settings = if restore {
            settings::restored(initial, &store)
        } else {
            initial
        };
        let w = Widget {
            settings: RwSignal::new(settings),
            account: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            queue: RwSignal::new(Vec::new()),
            answer: RwSignal::new(None),
            now: RwSignal::new(now()),
            notice: RwSignal::new(store.notice().map(|n| n.message())),
            load_warning: RwSignal::new(None),
            team: RwSignal::new(false),
            next_id: StoredValue::new(1),
            persist: restore,
            events: StoredValue::new(None),
        };
        w.reload();
        w
    }

    /// Starts what a view of this widget needs for as long as it lives (the owner's cleanup
    /// stops it): the clock that drives countdowns, the listener for changes from other
    /// widgets and tabs, the gauges and warnings derived from the account, and the warnings'
    /// announcement to the host page.
    pub fn start(self) -> Live {
        let tick = Interval::new(250, move || self.now.set(now()));
        on_cleanup(move || drop(tick));
        let changes = crate::changes::subscribe(store::KEY_PREFIX, move |key, _| {
            let s = self.settings.get_untracked();
            if key == crate::clock::offset_key() || key == crate::clock::scale_key() {
                // Another tab learnt the server's clock: count on it here too.
                crate::clock::forget();
                self.reload();
            } else if key == s.ledger_key() || key == s.history_key() {
                self.reload();
            }
        });
        let changes = StoredValue::new(Some(changes));
        on_cleanup(move || changes.set_value(None));
        let gauges = Memo::new(move |_| {
            let t = self.now.get();
            self.account
                .with(|a| a.as_ref().map(|a| gauge::gauges(a, t)).unwrap_or_default())
        });
        let warnings = Memo::new(move |_| {
            let t = self.now.get();
            gauges.with(|g| self.history.with(|h| presentation::warnings(g, h, t)))
        });
        self.announce_warnings(warnings);
        Live { gauges, warnings }
    }

    /// Reads this API and key's account and history from the store.
    pub fn reload(self) {
        // Nothing to show on a widget already taken off the page.
        let Some(s) = self.settings.try_get_untracked() else {
            return;
        };
        let store = page_store();
        let loaded = load(&store.read(&s.ledger_key()).unwrap_or_default());
        if let Some(w) = loaded.warning {
            // Not fully read: neither shown as if it were, nor written over (see `with_account`).
            self.load_warning.set(Some(cat![
                "Stored counts could not be read: ",
                w.text(),
                ". Nothing is sent until they are reset.",
            ]));
            self.account.set(None);
        } else {
            self.load_warning.set(None);
            let mut account = loaded
                .ledger
                .account(s.api, &s.key_label())
                .cloned()
                .unwrap_or_else(|| s.fresh_account());
            // Settle what has expired (a closed tab's reservations, ended windows) for display.
            set_clock(
                &mut account,
                crate::clock::ledger_offset(),
                crate::clock::minute_edge_ms(),
            );
            advance(&mut account, now());
            self.account.set(Some(account));
        }
        let history = store
            .read_json::<Vec<HistoryEntry>>(&s.history_key())
            .unwrap_or_default();
        self.history.set(history);
        self.notice.set(store.notice().map(|n| n.message()));
    }

    /// Changes the settings, saves them (keys only when asked) and reloads the account.
    pub fn update_settings(self, change: impl FnOnce(&mut Settings)) {
        let mut s = self.settings.get_untracked();
        change(&mut s);
        self.apply_settings(s);
    }

    /// The work of [`Widget::update_settings`], compiled once rather than once per control
    /// that changes a setting.
    fn apply_settings(self, s: Settings) {
        let before = self.settings.get_untracked();
        let plan_before = before.plan;
        if self.persist {
            settings::save_settings(&page_store(), &s);
        } else {
            settings::save_embedded_key(&page_store(), &before, &s);
        }
        self.settings.set(s.clone());
        self.reload();
        // Only a chosen plan changes the ledger; other settings must not write it.
        if s.api == ApiKind::CoinMarketCap && s.plan != plan_before {
            let plan = s.plan;
            task::spawn(async move {
                self.with_account(&s, move |a, _| set_plan(a, plan)).await;
            });
        }
    }

    /// Read-modify-write of this widget's account under the store's lock, for what has
    /// happened already (a settled answer, a cancel): if the lock is held too long elsewhere,
    /// it is written without it rather than lost.
    ///
    /// `None` when the stored document could not be read: it is left as it is (a newer
    /// version's or another tab's counts are not written over) and nothing is changed; the
    /// widget shows why until the user resets the counts.
    pub(crate) async fn with_account<R: 'static>(
        self,
        s: &Settings,
        change: impl FnOnce(&mut Account, UnixMillis) -> R + 'static,
    ) -> Option<R> {
        match self.change_account(s, false, change).await {
            AccountChange::Done(result) => Some(result),
            AccountChange::Unreadable | AccountChange::LockHeld => None,
        }
    }

    /// The read-modify-write behind [`Widget::with_account`]; with `only_locked`, nothing
    /// changes unless the lock was granted (taking budget must not race another tab).
    pub(crate) async fn change_account<R: 'static>(
        self,
        s: &Settings,
        only_locked: bool,
        change: impl FnOnce(&mut Account, UnixMillis) -> R + 'static,
    ) -> AccountChange<R> {
        // The change's result travels through a slot, so the work below is compiled once
        // rather than once per kind of change.
        let slot = Rc::new(Cell::new(None));
        let out = slot.clone();
        let change: AccountEdit = Box::new(move |account, t| out.set(Some(change(account, t))));
        match self.change_account_once(s, only_locked, change).await {
            AccountChange::Done(()) => match slot.take() {
                Some(result) => AccountChange::Done(result),
                None => AccountChange::Unreadable,
            },
            AccountChange::Unreadable => AccountChange::Unreadable,
            AccountChange::LockHeld => AccountChange::LockHeld,
        }
    }

    async fn change_account_once(
        self,
        s: &Settings,
        only_locked: bool,
        change: AccountEdit,
    ) -> AccountChange<()> {
        let (api, label, fresh) = (s.api, s.key_label(), s.fresh_account());
        let change = move |text: Option<String>| {
            let loaded = load(&text.unwrap_or_default());
            if loaded.warning.is_some() {
                return (None, None);
            }
            let mut ledger: Ledger = loaded.ledger;
            let account = ledger.account_or_insert_with(api, &label, || fresh);
            // Windows on the server's clock, as well as it is known (see `clock`).
            set_clock(
                account,
                crate::clock::ledger_offset(),
                crate::clock::minute_edge_ms(),
            );
            let t = now();
            advance(account, t);
            change(account, t);
            let snapshot = account.clone();
            (Some(save(&ledger)), Some(snapshot))
        };
        let store = page_store();
        let changed = if only_locked {
            store.update_if_locked(&s.ledger_key(), change).await
        } else {
            Some(store.update(&s.ledger_key(), change).await)
        };
        self.notice.set(store.notice().map(|n| n.message()));
        let account = match changed {
            None => return AccountChange::LockHeld,
            Some(None) => {
                self.reload();
                return AccountChange::Unreadable;
            }
            Some(Some(account)) => account,
        };
        // Only show it if the user is still looking at this account.
        if self
            .settings
            .try_with_untracked(|now| now.ledger_key() == s.ledger_key())
            .unwrap_or(false)
        {
            self.account.set(Some(account));
        }
        AccountChange::Done(())
    }

    /// Replaces stored counts that could not be read with a fresh account that spends nothing
    /// until the server's counts are read, and reads them (Sync). The user's choice: it writes
    /// over what another version or script stored.
    pub fn reset_counts(self) {
        let s = self.settings.get_untracked();
        let fresh = s.fresh_account().awaiting_sync();
        task::spawn(async move {
            page_store()
                .update(&s.ledger_key(), move |_| {
                    (
                        Some(save(&Ledger {
                            accounts: vec![fresh],
                        })),
                        (),
                    )
                })
                .await;
            self.reload();
            self.sync();
        });
    }

    /// The cost preview line for a request (see [`presentation::preview_line`]).
    pub fn preview(self, request: &Request) -> Result<String, String> {
        let account = self.account.get();
        presentation::preview_line(request, account.as_ref(), self.now.get())
    }
}
