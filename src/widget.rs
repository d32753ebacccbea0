//! The widget's state and the one way a request travels:
//! form → `decide` (preview) → queue (waits visibly) → `client::send` → `reconcile` → `store`
//! (under the lock) → every gauge on every tab re-renders.
//!
//! Components read the signals here; only this module writes the ledger.

use std::cell::RefCell;

use credit_gauge_core::catalog::CostBasis;
use credit_gauge_core::decide::Decision;
use credit_gauge_core::decide::LimitKind;
use credit_gauge_core::explain::RefusedCode;
use credit_gauge_core::gauge::credits_left;
use credit_gauge_core::{
    advance, estimate, explain, load, reserve, save, set_plan, Account, ApiKind, CmcPlan, Code,
    Credits, EndpointId, Explanation, Ledger, Outcome, Request, Settlement, UnixMillis,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::client;
use crate::format;
use crate::keys;
use crate::store::{self, Store, Subscription};

/// The current time, UTC milliseconds.
pub fn now() -> UnixMillis {
    UnixMillis(js_sys::Date::now() as i64)
}

/// The short name of an API in storage keys and attributes.
pub fn api_slug(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "cmc",
        ApiKind::Cryptowatch => "cw",
    }
}

/// The API of a short name.
pub fn api_from_slug(slug: &str) -> Option<ApiKind> {
    match slug {
        "cmc" | "coinmarketcap" => Some(ApiKind::CoinMarketCap),
        "cw" | "cryptowatch" => Some(ApiKind::Cryptowatch),
        _ => None,
    }
}

/// Where the emulator serves each API on the page's own origin.
pub fn emulator_base(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "/cmc",
        ApiKind::Cryptowatch => "/cryptowatch",
    }
}

/// The real hosts, for the presets (with an honest note in the form).
pub fn real_base(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "https://pro-api.coinmarketcap.com",
        ApiKind::Cryptowatch => "https://api.cryptowat.ch",
    }
}

/// What the user chose. Keys are kept apart: they are stored only when asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub api: ApiKind,
    pub base_cmc: String,
    pub base_cw: String,
    #[serde(skip)]
    pub key_cmc: String,
    #[serde(skip)]
    pub key_cw: String,
    pub remember: bool,
    pub plan: CmcPlan,
    pub theme: String,
    /// The emulator's origin for the "emulator" preset: empty on the app's own page (same
    /// origin), the script's origin for a widget embedded in another page.
    #[serde(skip)]
    pub emulator_origin: String,
    /// How long an answer may take before the widget gives up on it (the embed's `timeout`).
    #[serde(skip, default = "default_timeout_ms")]
    pub timeout_ms: u32,
}

fn default_timeout_ms() -> u32 {
    client::TIMEOUT_MS
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api: ApiKind::CoinMarketCap,
            base_cmc: emulator_base(ApiKind::CoinMarketCap).into(),
            base_cw: emulator_base(ApiKind::Cryptowatch).into(),
            // The emulator's Basic key, so a first visit works without typing anything.
            key_cmc: "demo-basic".into(),
            key_cw: String::new(),
            remember: false,
            plan: CmcPlan::Basic,
            theme: "auto".into(),
            emulator_origin: String::new(),
            timeout_ms: client::TIMEOUT_MS,
        }
    }
}

impl Settings {
    pub fn base(&self) -> &str {
        match self.api {
            ApiKind::CoinMarketCap => &self.base_cmc,
            ApiKind::Cryptowatch => &self.base_cw,
        }
    }

    pub fn key(&self) -> &str {
        match self.api {
            ApiKind::CoinMarketCap => &self.key_cmc,
            ApiKind::Cryptowatch => &self.key_cw,
        }
    }

    /// The account's name in the ledger: a fingerprint of the key, never the key.
    pub fn key_label(&self) -> String {
        if self.key().is_empty() {
            "anonymous".into()
        } else {
            store::fingerprint(self.key())
        }
    }

    fn ledger_key(&self) -> String {
        store::storage_key(api_slug(self.api), self.key(), "ledger")
    }

    fn history_key(&self) -> String {
        store::storage_key(api_slug(self.api), self.key(), "history")
    }

    fn fresh_account(&self) -> Account {
        match self.api {
            ApiKind::CoinMarketCap => Account::cmc(&self.key_label(), self.plan),
            ApiKind::Cryptowatch => {
                Account::cryptowatch(&self.key_label(), !self.key_cw.is_empty())
            }
        }
    }
}

const SETTINGS_KEY: &str = "credit-gauge:v1:settings";

/// One line of the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: UnixMillis,
    pub endpoint: String,
    pub estimated: Credits,
    pub charged: Credits,
    pub outcome: String,
    pub ok: bool,
}

/// Saves the app's settings, and its keys only where the user asked, each for its server.
fn save_settings(store: &Store, s: &Settings) {
    if let Ok(text) = serde_json::to_string(s) {
        store.write(SETTINGS_KEY, &text);
    }
    for (api, base, key) in [
        (ApiKind::CoinMarketCap, &s.base_cmc, &s.key_cmc),
        (ApiKind::Cryptowatch, &s.base_cw, &s.key_cw),
    ] {
        if s.remember {
            keys::remember(store, api, base, key);
        } else {
            keys::forget(store, api);
        }
    }
}

/// An embedded widget saves no settings; its key only when the user ticks "remember" in it
/// (or changes the key or server while it is ticked), and forgets it only when they untick it.
fn save_embedded_key(store: &Store, before: &Settings, s: &Settings) {
    let asked = s.remember != before.remember
        || (s.remember && (s.key() != before.key() || s.base() != before.base()));
    if !asked {
        return;
    }
    if s.remember {
        keys::remember(store, s.api, s.base(), s.key());
    } else {
        keys::forget(store, s.api);
    }
}

/// What a read-modify-write of an account came to.
enum AccountChange<R> {
    Done(R),
    /// The stored counts could not be read; nothing was written.
    Unreadable,
    /// The lock was not granted in time; nothing was changed.
    LockHeld,
}

/// How often a waiting request re-decides even before its limit's reset.
const RECHECK_MS: i64 = 5_000;
/// The shortest wait before a request re-decides.
const MIN_RECHECK_MS: i64 = 250;

/// How many history lines are kept per API and key.
pub const HISTORY_LEN: usize = 200;

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
    pub state: QueueState,
}

/// What the last answer was, for the response view.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub title: &'static str,
    pub endpoint: EndpointId,
    pub estimated: Option<Credits>,
    pub settlement: Option<Settlement>,
    pub status: Option<u16>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub explanation: Option<Explanation>,
    pub body: Option<String>,
    /// For a sync: how much the server corrected the local count.
    pub sync_note: Option<String>,
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
    next_id: StoredValue<u64>,
    /// Whether settings and remembered keys are saved: the app's own, yes; an embedded
    /// widget's, no — its settings come from its host, and a change in it must not rewrite
    /// the app's settings or forget the user's keys.
    persist: bool,
    /// Where `credit-gauge:*` events go (the host element of an embedded widget).
    events: StoredValue<Option<web_sys::EventTarget>, LocalStorage>,
}

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// The page's one store (widgets on a page share its memory fallback).
pub fn page_store() -> Store {
    STORE.with(|s| s.borrow_mut().get_or_insert_with(Store::open).clone())
}

impl Widget {
    /// A widget with the given settings; `restore` also reads the saved settings and keys.
    pub fn new(initial: Settings, restore: bool) -> Widget {
        let store = page_store();
        let mut settings = initial;
        if restore {
            if let Some(saved) = store
                .read(SETTINGS_KEY)
                .and_then(|t| serde_json::from_str::<Settings>(&t).ok())
            {
                let (key_cmc, key_cw) = (settings.key_cmc.clone(), settings.key_cw.clone());
                settings = Settings {
                    key_cmc,
                    key_cw,
                    emulator_origin: settings.emulator_origin,
                    ..saved
                };
            }
            if settings.remember {
                // Each key only for the server it was remembered with: the stored settings
                // may have been written by another script.
                if let Some(key) =
                    keys::remembered_key(&store, ApiKind::CoinMarketCap, &settings.base_cmc)
                {
                    settings.key_cmc = key;
                }
                if let Some(key) =
                    keys::remembered_key(&store, ApiKind::Cryptowatch, &settings.base_cw)
                {
                    settings.key_cw = key;
                }
            }
        }
        let w = Widget {
            settings: RwSignal::new(settings),
            account: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            queue: RwSignal::new(Vec::new()),
            answer: RwSignal::new(None),
            now: RwSignal::new(now()),
            notice: RwSignal::new(store.notice().map(|n| n.message())),
            load_warning: RwSignal::new(None),
            next_id: StoredValue::new(1),
            persist: restore,
            events: StoredValue::new_local(None),
        };
        w.reload();
        w
    }

    /// Sends this widget's `credit-gauge:cost`, `:warning` and `:error` events to `target`.
    pub fn set_events_target(self, target: web_sys::EventTarget) {
        self.events.set_value(Some(target));
    }

    /// Dispatches `credit-gauge:<name>` with `detail` (bubbling, and crossing shadow roots).
    pub fn emit(self, name: &str, detail: &[(&str, JsValue)]) {
        let Some(target) = self.events.get_value() else {
            return;
        };
        let object = js_sys::Object::new();
        let api = api_slug(self.settings.with_untracked(|s| s.api));
        let _ = js_sys::Reflect::set(&object, &"api".into(), &api.into());
        for (key, value) in detail {
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&object);
        if let Ok(event) =
            web_sys::CustomEvent::new_with_event_init_dict(&format!("credit-gauge:{name}"), &init)
        {
            let _ = target.dispatch_event(&event);
        }
    }

    /// Starts the clock that drives countdowns, and listens to changes from other widgets and
    /// tabs. Both stop when the returned guard is dropped (the component's cleanup).
    pub fn start(self) -> (gloo_timers::callback::Interval, Subscription) {
        let tick = gloo_timers::callback::Interval::new(250, move || {
            self.now.set(now());
        });
        let sub = store::subscribe(store::KEY_PREFIX, move |key, _| {
            let s = self.settings.get_untracked();
            if key == s.ledger_key() || key == s.history_key() {
                self.reload();
            }
        });
        (tick, sub)
    }

    /// Reads this API and key's account and history from the store.
    pub fn reload(self) {
        let s = self.settings.get_untracked();
        let store = page_store();
        let loaded = load(&store.read(&s.ledger_key()).unwrap_or_default());
        if let Some(w) = loaded.warning {
            // Not fully read: neither shown as if it were, nor written over (see `with_account`).
            self.load_warning.set(Some(format!(
                "Stored counts could not be read: {w}. Nothing is sent until they are reset."
            )));
            self.account.set(None);
        } else {
            self.load_warning.set(None);
            let mut account = loaded
                .ledger
                .account(s.api, &s.key_label())
                .cloned()
                .unwrap_or_else(|| s.fresh_account());
            // Settle what has expired (a closed tab's reservations, ended windows) for display.
            advance(&mut account, now());
            self.account.set(Some(account));
        }
        let history = store
            .read(&s.history_key())
            .and_then(|t| serde_json::from_str::<Vec<HistoryEntry>>(&t).ok())
            .unwrap_or_default();
        self.history.set(history);
        self.notice.set(store.notice().map(|n| n.message()));
    }

    /// Changes the settings, saves them (keys only when asked) and reloads the account.
    pub fn update_settings(self, change: impl FnOnce(&mut Settings)) {
        let before = self.settings.get_untracked();
        let mut s = before.clone();
        let plan_before = s.plan;
        change(&mut s);
        if self.persist {
            save_settings(&page_store(), &s);
        } else {
            save_embedded_key(&page_store(), &before, &s);
        }
        self.settings.set(s.clone());
        self.reload();
        // Only a chosen plan changes the ledger; other settings must not write it.
        if s.api == ApiKind::CoinMarketCap && s.plan != plan_before {
            let plan = s.plan;
            spawn_local(async move {
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
    async fn with_account<R: 'static>(
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
    async fn change_account<R: 'static>(
        self,
        s: &Settings,
        only_locked: bool,
        change: impl FnOnce(&mut Account, UnixMillis) -> R + 'static,
    ) -> AccountChange<R> {
        let (api, label, fresh) = (s.api, s.key_label(), s.fresh_account());
        let change = move |text: Option<String>| {
            let loaded = load(&text.unwrap_or_default());
            if loaded.warning.is_some() {
                return (None, None);
            }
            let mut ledger: Ledger = loaded.ledger;
            let account = ledger.account_or_insert_with(api, &label, || fresh);
            let t = now();
            advance(account, t);
            let result = change(account, t);
            let snapshot = account.clone();
            (Some(save(&ledger)), Some((result, snapshot)))
        };
        let store = page_store();
        let changed = if only_locked {
            store.update_if_locked(&s.ledger_key(), change).await
        } else {
            Some(store.update(&s.ledger_key(), change).await)
        };
        self.notice.set(store.notice().map(|n| n.message()));
        let (result, account) = match changed {
            None => return AccountChange::LockHeld,
            Some(None) => {
                self.reload();
                return AccountChange::Unreadable;
            }
            Some(Some(done)) => done,
        };
        // Only show it if the user is still looking at this account.
        if self
            .settings
            .with_untracked(|now| now.ledger_key() == s.ledger_key())
        {
            self.account.set(Some(account));
        }
        AccountChange::Done(result)
    }

    /// Replaces stored counts that could not be read with a fresh account that spends nothing
    /// until the server's counts are read, and reads them (Sync). The user's choice: it writes
    /// over what another version or script stored.
    pub fn reset_counts(self) {
        let s = self.settings.get_untracked();
        let fresh = s.fresh_account().awaiting_sync();
        spawn_local(async move {
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

    /// The cost preview line for a request, e.g.
    /// "3 credits: 201 coins at 200 per credit, + 1 extra convert · 9,761 left this month".
    pub fn preview(self, request: &Request) -> Result<String, String> {
        let p = estimate(request).map_err(|e| {
            let mut text = e.to_string();
            if let Some(first) = text.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            text
        })?;
        let unit = |c: Credits| {
            if c == Credits::from_whole(1) {
                "1 credit".to_string()
            } else {
                format!("{} credits", format::credits(c))
            }
        };
        let mut line = match p.basis {
            CostBasis::Free => "Free (0 credits), but it counts as a request this minute".into(),
            CostBasis::Fixed => unit(p.credits),
            CostBasis::PerCall => format!("{}: 1 per call", unit(p.credits)),
            CostBasis::Batched {
                items,
                batch_size,
                unit: what,
            } => format!(
                "{}: {} {what} at {} per credit",
                unit(p.credits),
                format::thousands(i64::from(items)),
                batch_size
            ),
        };
        if p.extra_converts > 0 {
            line.push_str(&format!(
                ", + {} extra convert{}",
                p.extra_converts,
                if p.extra_converts == 1 { "" } else { "s" }
            ));
        }
        if let Some(account) = self.account.get() {
            let t = self.now.get();
            match credit_gauge_core::decide(&account, request, t) {
                Decision::SendNow { .. } => {}
                Decision::WaitUntil { at, .. } => line.push_str(&format!(
                    " · would wait {} for its limit",
                    format::duration(at.0 - t.0)
                )),
                refused @ Decision::Refuse { .. } => {
                    if let Some(code) = Code::of_decision(&refused) {
                        let e = explain(code, None);
                        return Err(format!("{line} · {}: {}", e.title, e.what_to_do));
                    }
                }
            }
        }
        if let Some(left) = self.left_line() {
            line.push_str(" · ");
            line.push_str(&left);
        }
        Ok(line)
    }

    fn left_line(self) -> Option<String> {
        let account = self.account.get()?;
        let t = self.now.get();
        let (limit, what) = match account.api {
            ApiKind::CoinMarketCap => (LimitKind::CmcMonthly, "this month"),
            ApiKind::Cryptowatch => (LimitKind::CwAllowance, "of the 24-hour allowance"),
        };
        let left = credits_left(&account, limit, t)?;
        Some(format!("{} left {what}", format::credits(left)))
    }

    fn next_id(self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    fn set_queue_state(self, id: u64, state: QueueState) {
        self.queue.update(|q| {
            if let Some(item) = q.iter_mut().find(|i| i.id == id) {
                item.state = state;
            }
        });
    }

    fn in_queue(self, id: u64) -> bool {
        self.queue.with_untracked(|q| q.iter().any(|i| i.id == id))
    }

    /// Shows queued request `id` as waiting (with `code` explained) and waits until `until`,
    /// at least a moment (an instant already past, from odd stored counts, must not make the
    /// queue spin), and no longer once the request is cancelled.
    async fn wait_visibly(self, id: u64, until: UnixMillis, code: Code) {
        self.set_queue_state(
            id,
            QueueState::Waiting {
                until,
                explanation: explain(code, Some(until)),
            },
        );
        let until = until.max(now().plus(MIN_RECHECK_MS));
        while self.in_queue(id) && now() < until {
            // Short steps, to notice a cancel.
            let ms = (until.0 - now().0).clamp(1, 250) as u32;
            gloo_timers::future::TimeoutFuture::new(ms).await;
        }
    }

    /// Takes a queued request out; it is not sent.
    pub fn cancel(self, id: u64) {
        self.queue.update(|q| q.retain(|i| i.id != id));
    }

    /// Sends `request` as soon as every limit allows it, then folds the answer in.
    pub fn submit(self, request: Request) {
        spawn_local(self.run(request, false));
    }

    /// Asks the server for the truth: key/info (CoinMarketCap) or the root path (Cryptowatch).
    pub fn sync(self) {
        let endpoint = match self.settings.get_untracked().api {
            ApiKind::CoinMarketCap => EndpointId::CmcKeyInfo,
            ApiKind::Cryptowatch => EndpointId::CwRoot,
        };
        spawn_local(self.run(Request::new(endpoint), true));
    }

    async fn run(self, request: Request, is_sync: bool) {
        // One snapshot of the settings for the whole journey: the key and account a request
        // was reserved on are the ones it is sent with and settled on.
        let s = self.settings.get_untracked();
        let spec = request.endpoint.spec();
        let id = self.next_id();
        self.queue.update(|q| {
            q.push(QueueItem {
                id,
                title: spec.title,
                state: QueueState::Deciding,
            })
        });
        let estimated = estimate(&request).ok().map(|p| p.credits);
        // Wait until every limit allows the request, or it is refused, or cancelled.
        let reservation = loop {
            if !self.in_queue(id) {
                return;
            }
            let req = request.clone();
            // Taking budget only under the lock: without it, two tabs could take the same.
            let outcome = match self
                .change_account(&s, true, move |a, t| reserve(a, &req, t))
                .await
            {
                AccountChange::Done(outcome) => Some(outcome),
                AccountChange::Unreadable => None,
                AccountChange::LockHeld => {
                    let code = Code::Wait(credit_gauge_core::explain::WaitCode::LockHeld);
                    self.wait_visibly(id, now().plus(RECHECK_MS), code).await;
                    continue;
                }
            };
            // Why the request can never go as it is: the explanation, and which parameter.
            let (explanation, detail) = match outcome {
                Some(Ok(reservation)) => break reservation,
                Some(Err(decision @ Decision::WaitUntil { at, .. })) => {
                    // Re-decide at `at`, or within a few seconds: other tabs' requests in
                    // flight may settle for less, and a sync may free budget.
                    if let Some(code) = Code::of_decision(&decision) {
                        self.wait_visibly(id, at.min(now().plus(RECHECK_MS)), code)
                            .await;
                    }
                    continue;
                }
                Some(Err(decision)) => {
                    let detail = match &decision {
                        // The explanation says why; a parameter problem also says which.
                        Decision::Refuse {
                            reason: credit_gauge_core::decide::RefuseReason::InvalidParams(e),
                        } => Some(e.to_string()),
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
            self.queue.update(|q| q.retain(|i| i.id != id));
            self.answer.set(Some(Answer {
                title: spec.title,
                endpoint: request.endpoint,
                estimated,
                settlement: None,
                status: None,
                error_code: None,
                error_message: detail,
                explanation,
                body: None,
                sync_note: None,
            }));
            self.record(&s, spec.title, estimated, Credits::ZERO, "refused", false)
                .await;
            return;
        };
        if !self.in_queue(id) {
            // Cancelled while the lock was being taken: give the slot back.
            self.with_account(&s, move |a, _| credit_gauge_core::cancel(a, reservation))
                .await;
            return;
        }
        self.set_queue_state(id, QueueState::Sending);
        let used_before = self.month_used();
        let reply = client::send(s.base(), &request, s.key(), s.timeout_ms).await;
        let outcome = reply.outcome.clone();
        let reserved = self.account.get_untracked();
        let settled = {
            let outcome = outcome.clone();
            self.with_account(&s, move |a, t| {
                credit_gauge_core::reconcile(a, reservation, &outcome, t)
            })
            .await
        };
        let settlement = match (settled, reserved) {
            (Some(settlement), _) => settlement,
            // The stored counts became unreadable while the request was out: count it in
            // memory, on the account as it was when the request left.
            (None, Some(mut account)) => {
                let settlement =
                    credit_gauge_core::reconcile(&mut account, reservation, &outcome, now());
                self.account.set(Some(account));
                settlement
            }
            (None, None) => {
                credit_gauge_core::reconcile(&mut s.fresh_account(), reservation, &outcome, now())
            }
        };
        self.queue.update(|q| q.retain(|i| i.id != id));
        let explanation = settlement.code.map(|c| explain(c, settlement.retry_at));
        let (error_code, error_message) = match &reply.outcome {
            Outcome::Cmc(a) => (a.error_code.filter(|c| *c != 0), a.error_message.clone()),
            Outcome::Cw(a) => (None, a.error.clone()),
            Outcome::Failed { failure, .. } => (None, Some(failure.to_string())),
        };
        let sync_note = is_sync.then(|| self.sync_note(used_before, &settlement));
        let credits = |c: Credits| JsValue::from_f64(c.millis() as f64 / 1000.0);
        let endpoint = JsValue::from_str(spec.path);
        let status = reply.status.map_or(JsValue::NULL, JsValue::from);
        self.emit(
            "cost",
            &[
                ("endpoint", endpoint.clone()),
                ("estimated", estimated.map_or(JsValue::NULL, credits)),
                ("charged", credits(settlement.charged)),
                ("fromServer", JsValue::from_bool(settlement.from_server)),
                ("status", status.clone()),
            ],
        );
        if let Some(e) = &explanation {
            self.emit(
                "error",
                &[
                    ("endpoint", endpoint),
                    ("status", status),
                    (
                        "code",
                        error_code.map_or(JsValue::NULL, |c| JsValue::from_f64(c as f64)),
                    ),
                    (
                        "message",
                        error_message.clone().map_or(JsValue::NULL, JsValue::from),
                    ),
                    ("title", JsValue::from_str(e.title)),
                    ("explanation", JsValue::from_str(e.explanation)),
                    ("whatToDo", JsValue::from_str(e.what_to_do)),
                    (
                        "retryAt",
                        settlement
                            .retry_at
                            .map_or(JsValue::NULL, |t| JsValue::from_f64(t.0 as f64)),
                    ),
                ],
            );
        }
        let ok = settlement.code.is_none();
        let label = match (&explanation, reply.status) {
            (None, Some(status)) => format!("{status} OK"),
            (Some(e), Some(status)) => format!("{status} {}", e.title),
            (Some(e), None) => e.title.to_string(),
            (None, None) => "OK".into(),
        };
        self.answer.set(Some(Answer {
            title: spec.title,
            endpoint: request.endpoint,
            estimated,
            settlement: Some(settlement),
            status: reply.status,
            error_code,
            error_message,
            explanation,
            body: reply.body,
            sync_note,
        }));
        self.record(&s, spec.title, estimated, settlement.charged, &label, ok)
            .await;
    }

    fn month_used(self) -> Option<Credits> {
        let account = self.account.get_untracked()?;
        let t = now();
        match &account.limits {
            credit_gauge_core::ledger::Limits::Cmc(l) => Some(l.month.used_at(t)),
            credit_gauge_core::ledger::Limits::Cw(l) => {
                Some(l.allowance.saturating_sub(l.remaining_at(t)))
            }
        }
    }

    fn sync_note(self, before: Option<Credits>, settlement: &Settlement) -> String {
        if !settlement.from_server {
            return "The server did not report usage, so nothing was corrected.".into();
        }
        match (before, self.month_used()) {
            (Some(b), Some(a)) if a != b => {
                let d = a - b;
                let sign = if d.millis() > 0 { "+" } else { "" };
                format!(
                    "Synced: the server's count differed from ours by {sign}{} credits; corrected.",
                    format::credits(d)
                )
            }
            _ => "Synced: the server agrees with our count.".into(),
        }
    }

    async fn record(
        self,
        s: &Settings,
        title: &'static str,
        estimated: Option<Credits>,
        charged: Credits,
        outcome: &str,
        ok: bool,
    ) {
        let entry = HistoryEntry {
            at: now(),
            endpoint: title.into(),
            estimated: estimated.unwrap_or(Credits::ZERO),
            charged,
            outcome: outcome.into(),
            ok,
        };
        let key = s.history_key();
        let showing = self.settings.with_untracked(|now| now.history_key() == key);
        let history = page_store()
            .update(&key, move |text| {
                let mut history: Vec<HistoryEntry> = text
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default();
                history.push(entry);
                let excess = history.len().saturating_sub(HISTORY_LEN);
                history.drain(..excess);
                let text = serde_json::to_string(&history).ok();
                (text, history)
            })
            .await;
        if showing {
            self.history.set(history);
        }
    }

    /// Forgets the history of this API and key (not the counts: those are the server's).
    pub fn clear_history(self) {
        let key = self.settings.get_untracked().history_key();
        page_store().remove(&key);
        self.history.set(Vec::new());
    }
}

/// The history as CSV (RFC 4180 quoting).
///
/// The history is read back from storage, which any script of the page can write, and a
/// spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula: such a text
/// cell is opened with a `'`, which spreadsheets read as "this is text".
pub fn history_csv(history: &[HistoryEntry]) -> String {
    let quote = |s: &str| {
        let guard = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            "'"
        } else {
            ""
        };
        format!("\"{guard}{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("time,endpoint,estimated,charged,outcome\n");
    for h in history {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            format::instant(h.at),
            quote(&h.endpoint),
            h.estimated,
            h.charged,
            quote(&h.outcome)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, charged: i64) -> HistoryEntry {
        HistoryEntry {
            at: UnixMillis(at),
            endpoint: "Listings, \"latest\"".into(),
            estimated: Credits::from_whole(charged),
            charged: Credits::from_whole(charged),
            outcome: "200 OK".into(),
            ok: true,
        }
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_as_formulas_are_text() {
        let mut hostile = entry(0, 3);
        hostile.endpoint = "=HYPERLINK(\"https://attacker.example\",\"x\")".into();
        hostile.outcome = "@SUM(1+1)".into();
        let mut more = entry(0, 3);
        more.endpoint = "+1".into();
        more.outcome = "-1".into();
        let csv = history_csv(&[hostile, more]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[1],
            "1970-01-01 00:00:00 UTC,\"'=HYPERLINK(\"\"https://attacker.example\"\",\"\"x\"\")\",3.000,3.000,\"'@SUM(1+1)\""
        );
        assert_eq!(
            lines[2],
            "1970-01-01 00:00:00 UTC,\"'+1\",3.000,3.000,\"'-1\""
        );
    }

    #[test]
    fn csv_quotes_text_fields() {
        let csv = history_csv(&[entry(0, 3)]);
        assert_eq!(
            csv,
            "time,endpoint,estimated,charged,outcome\n\
             1970-01-01 00:00:00 UTC,\"Listings, \"\"latest\"\"\",3.000,3.000,\"200 OK\"\n"
        );
    }
}
