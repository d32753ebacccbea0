//! Property tests against simple reference models of both servers.
//!
//! Each model is written from the API reference, independently of the core: it counts what the
//! server would count at the instant a request arrives, and answers as the server would.

use credit_gauge_core::catalog::{CmcPlan, EndpointId, Request};
use credit_gauge_core::decide::reserve;
use credit_gauge_core::decide::{decide, Decision, LimitKind};
use credit_gauge_core::envelope::{cmc_outcome, cw_outcome, parse_cmc, parse_cw};
use credit_gauge_core::from_json::checks;
use credit_gauge_core::ledger::{
    Account, KeyProblem, KeyStatus, Ledger, Limits, ReservationId, Schedule,
};
use credit_gauge_core::reconcile::reconcile;
use credit_gauge_core::stored::{load, save};
use credit_gauge_core::time::{UnixMillis, DAY_MS};
use credit_gauge_core::to_json;
use credit_gauge_core::{ApiKind, Credits};
use proptest::prelude::*;

/// One step of a random scenario.
#[derive(Clone, Debug)]
enum Op {
    /// Try to send request kind `kind`; its answer arrives `latency` ms later.
    Send { kind: u8, latency: i64 },
    /// Real time passes.
    Tick(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..6, 0i64..3_000).prop_map(|(kind, latency)| Op::Send { kind, latency }),
        2 => (0i64..5_000).prop_map(Op::Tick),
        1 => (0i64..2 * DAY_MS).prop_map(Op::Tick),
    ]
}

const START: i64 = 1_759_054_864_716; // 2025-09-28T10:21:04.716Z

fn cmc_request(kind: u8) -> Request {
    match kind {
        0 => Request::new(EndpointId::CmcKeyInfo),
        1 => Request::new(EndpointId::CmcListingsLatest).with("limit", "5000"),
        2 => Request::new(EndpointId::CmcQuotesLatest).with("id", "1,2,3"),
        3 => Request::new(EndpointId::CmcListingsLatest).with("limit", "1000"),
        _ => Request::new(EndpointId::CmcGlobalMetricsLatest),
    }
}

/// CoinMarketCap as the reference describes it for the Basic plan (with the 333 daily cap).
#[derive(Default)]
struct CmcServer {
    minute: (i64, u32),
    day: (i64, i64),
    month: (i64, i64),
}

impl CmcServer {
    /// Answers a request arriving at `t`; `items_back` says how much of the estimate is returned.
    fn answer(&mut self, t: i64, estimate: i64, items_back: i64) -> (u16, i64, i64) {
        let minute = t.div_euclid(60_000);
        if self.minute.0 != minute {
            self.minute = (minute, 0);
        }
        self.minute.1 += 1;
        if self.minute.1 > 30 {
            return (429, 1008, 0);
        }
        let day = t.div_euclid(DAY_MS);
        if self.day.0 != day {
            self.day = (day, 0);
        }
        let month = UnixMillis(t).month_start().0;
        if self.month.0 != month {
            self.month = (month, 0);
        }
        // The server charges what it returns: at most the estimate, at least one credit.
        let cost = if estimate == 0 {
            0
        } else {
            (estimate - items_back).max(1)
        };
        if self.day.1 + cost > 333 {
            return (429, 1009, 0);
        }
        if self.month.1 + cost > 10_000 {
            return (429, 1010, 0);
        }
        self.day.1 += cost;
        self.month.1 += cost;
        (200, 0, cost)
    }
}

/// Cryptowatch's anonymous allowance: 10 credits per 24 h from the first request, charged before
/// answering; the root path while spent is refused like any other call.
#[derive(Default)]
struct CwServer {
    window: Option<(i64, i64)>, // (end, remaining milli-credits)
}

impl CwServer {
    fn answer(&mut self, t: i64, cost: i64) -> (u16, String) {
        let remaining = match self.window {
            Some((end, r)) if t < end => r,
            _ => {
                self.window = Some((t + DAY_MS, 10_000));
                10_000
            }
        };
        if remaining < cost {
            return (429, r#"{"error":"Out of allowance"}"#.to_owned());
        }
        let left = remaining - cost;
        if let Some(w) = &mut self.window {
            w.1 = left;
        }
        let body = format!(
            r#"{{"result":{{}},"allowance":{{"cost":{},"remaining":{}}}}}"#,
            Credits::from_millis(cost),
            Credits::from_millis(left)
        );
        (200, body)
    }
}

fn cw_request(kind: u8) -> Request {
    let market = |id| {
        Request::new(id)
            .with("exchange", "kraken")
            .with("pair", "btceur")
    };
    match kind {
        0 => Request::new(EndpointId::CwRoot),
        1 => market(EndpointId::CwOhlc),
        2 => market(EndpointId::CwPrice),
        3 => Request::new(EndpointId::CwPairs),
        4 => market(EndpointId::CwTrades),
        _ => Request::new(EndpointId::CwPrices),
    }
}

struct InFlight {
    arrives: i64,
    id: ReservationId,
    estimate: Credits,
    kind: u8,
    probe: bool,
}

/// A ledger after a random scenario on both APIs: reservations in flight, settled answers,
/// windows opened at random times.
fn scenario_ledger(ops: &[Op]) -> Ledger {
    let mut ledger = Ledger::default();
    let mut now = START;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Send { kind, latency } => {
                let cmc = i % 2 == 0;
                let (api, label) = if cmc {
                    (ApiKind::CoinMarketCap, "k")
                } else {
                    (ApiKind::Cryptowatch, "anon")
                };
                let account = ledger.account_or_insert_with(api, label, || {
                    if cmc {
                        Account::cmc("k", CmcPlan::Startup)
                    } else {
                        Account::cryptowatch("anon", false)
                    }
                });
                let request = if cmc {
                    cmc_request(*kind)
                } else {
                    cw_request(*kind)
                };
                if let Ok(id) = reserve(account, &request, UnixMillis(now)) {
                    if latency % 3 != 0 {
                        let outcome = if cmc {
                            cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":2}}"#)
                        } else {
                            cw_outcome(
                                200,
                                r#"{"result":{},"allowance":{"cost":0.005,"remaining":9.123}}"#,
                            )
                        };
                        reconcile(account, id, &outcome, UnixMillis(now + latency));
                    }
                }
            }
            Op::Tick(dt) => now += dt,
        }
    }
    ledger
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn cmc_send_now_decisions_never_hit_a_server_limit(ops in prop::collection::vec(op(), 1..250), returned in prop::collection::vec(0i64..3, 250)) {
        let mut account = Account::cmc("k", CmcPlan::Basic);
        let mut server = CmcServer::default();
        let mut now = START;
        let mut flight: Vec<InFlight> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Send { kind, latency } => {
                    let request = cmc_request(*kind);
                    if let Ok(id) = reserve(&mut account, &request, UnixMillis(now)) {
                        let estimate = account.reservations.last().map_or(Credits::ZERO, |r| r.cost);
                        flight.push(InFlight { arrives: now + latency, id, estimate, kind: *kind, probe: false });
                    }
                }
                Op::Tick(dt) => now += dt,
            }
            flight.sort_by_key(|f| f.arrives);
            while flight.first().is_some_and(|f| f.arrives <= now) {
                let f = flight.remove(0);
                let (status, code, credits) = server.answer(f.arrives, f.estimate.whole_ceil(), returned[i % returned.len()]);
                prop_assert_eq!(code, 0, "a SendNow request hit limit {} (kind {})", code, f.kind);
                let body = format!(r#"{{"status":{{"error_code":{code},"credit_count":{credits}}}}}"#);
                reconcile(&mut account, f.id, &cmc_outcome(status, &body), UnixMillis(f.arrives));
            }
            let l = account.cmc_limits().expect("cmc");
            let t = UnixMillis(now);
            prop_assert!(l.month.used_at(t) <= l.month.limit.unwrap_or(Credits::MAX));
            prop_assert!(l.day.used_at(t) <= l.day.limit.unwrap_or(Credits::MAX));
            prop_assert!(l.minute.requests_at(t) <= l.minute.limit);
        }
    }

    #[test]
    fn cw_send_now_decisions_never_run_out_of_allowance(ops in prop::collection::vec(op(), 1..400)) {
        let mut account = Account::cryptowatch("anon", false);
        let mut server = CwServer::default();
        let mut now = START;
        let mut flight: Vec<InFlight> = Vec::new();
        for op in &ops {
            match op {
                Op::Send { kind, latency } => {
                    let request = cw_request(*kind);
                    if let Ok(id) = reserve(&mut account, &request, UnixMillis(now)) {
                        let r = account.reservations.last().expect("reserved");
                        flight.push(InFlight { arrives: now + latency, id, estimate: r.cost, kind: *kind, probe: r.probe });
                    }
                }
                Op::Tick(dt) => now += dt,
            }
            flight.sort_by_key(|f| f.arrives);
            while flight.first().is_some_and(|f| f.arrives <= now) {
                let f = flight.remove(0);
                let (status, body) = server.answer(f.arrives, f.estimate.millis());
                // Only the hourly probe may be refused: finding out is its job.
                prop_assert!(status == 200 || f.probe, "a SendNow request (kind {}) ran out of allowance", f.kind);
                reconcile(&mut account, f.id, &cw_outcome(status, &body), UnixMillis(f.arrives));
            }
            let l = account.cw_limits().expect("cw");
            prop_assert!(l.remaining_at(UnixMillis(now)) <= l.allowance);
            prop_assert!(l.remaining_at(UnixMillis(now)) >= Credits::ZERO);
        }
    }

    #[test]
    fn a_clock_jumping_backwards_never_unlocks_a_wait(ops in prop::collection::vec(op(), 1..150), back in 1i64..(40 * DAY_MS), kind in 0u8..6) {
        let mut account = Account::cmc("k", CmcPlan::Basic);
        let mut server = CmcServer::default();
        let mut now = START;
        for op in &ops {
            match op {
                Op::Send { kind, .. } => {
                    if let Ok(id) = reserve(&mut account, &cmc_request(*kind), UnixMillis(now)) {
                        let est = account.reservations.last().map_or(0, |r| r.cost.whole_ceil());
                        let (status, code, credits) = server.answer(now, est, 0);
                        let body = format!(r#"{{"status":{{"error_code":{code},"credit_count":{credits}}}}}"#);
                        reconcile(&mut account, id, &cmc_outcome(status, &body), UnixMillis(now));
                    }
                }
                Op::Tick(dt) => now += dt,
            }
        }
        let request = cmc_request(kind);
        if let Decision::WaitUntil { limit, .. } = decide(&account, &request, UnixMillis(now)) {
            if limit != LimitKind::CmcIp {
                let earlier = decide(&account, &request, UnixMillis(now - back));
                prop_assert!(!matches!(earlier, Decision::SendNow { .. }), "{:?} unlocked by going back {} ms", limit, back);
            }
        }
    }

    #[test]
    fn stored_state_round_trips_exactly(ops in prop::collection::vec(op(), 0..80)) {
        let ledger = scenario_ledger(&ops);
        // Written byte for byte as serde wrote it before the hand writer, so a tab running an
        // older build reads it.
        #[derive(serde::Serialize)]
        struct Stored<'a> {
            v: u64,
            accounts: &'a [Account],
        }
        let by_serde = serde_json::to_string(&Stored { v: 1, accounts: &ledger.accounts }).unwrap();
        prop_assert_eq!(save(&ledger), by_serde);
        let loaded = load(&save(&ledger));
        prop_assert_eq!(loaded.warning, None);
        prop_assert_eq!(loaded.ledger, ledger);
    }

    #[test]
    fn the_hand_reader_and_writer_treat_accounts_as_serde_does(
        ops in prop::collection::vec(op(), 0..40),
        edits in prop::collection::vec((any::<usize>(), 0u8..4, any::<usize>()), 0..4),
    ) {
        let ledger = scenario_ledger(&ops);
        for account in &ledger.accounts {
            prop_assert!(to_json::checks::writes_alike(account), "{:?}", account);
            let mut doc = serde_json::to_value(account).unwrap();
            for (at, kind, pick) in &edits {
                checks::edit(&mut doc, *at, *kind, *pick);
            }
            prop_assert!(checks::reads_alike::<Account>(&doc), "{}", doc);
        }
    }

    #[test]
    fn random_text_never_panics_the_loader_or_the_parsers(text in ".{0,200}", bytes in prop::collection::vec(any::<u8>(), 0..200), status in 100u16..600) {
        let lossy = String::from_utf8_lossy(&bytes);
        for t in [text.as_str(), lossy.as_ref()] {
            let _ = load(t);
            let _ = parse_cmc(status, t);
            let _ = parse_cw(status, t);
        }
    }

    #[test]
    fn mutated_stored_state_never_panics_the_loader(cut in 0usize..2000, flip in 0usize..2000, byte in any::<u8>()) {
        let mut ledger = Ledger::default();
        let a = ledger.account_or_insert_with(ApiKind::CoinMarketCap, "k", || Account::cmc("k", CmcPlan::Basic));
        let _ = reserve(a, &Request::new(EndpointId::CmcListingsLatest), UnixMillis(START));
        let mut bytes = save(&ledger).into_bytes();
        if !bytes.is_empty() {
            let i = flip % bytes.len();
            bytes[i] = byte;
        }
        bytes.truncate(cut.min(bytes.len()));
        let _ = load(&String::from_utf8_lossy(&bytes));
    }
}

/// Every single edit of a stored account (each field removed, each node replaced by each
/// candidate, an unknown field added to each object) is read the same by hand and by serde.
#[test]
fn every_single_edit_of_an_account_is_read_by_hand_as_by_serde() {
    let ops: Vec<Op> = (0..40)
        .map(|i| {
            if i % 5 == 4 {
                Op::Tick(61_000)
            } else {
                Op::Send {
                    kind: (i % 6) as u8,
                    latency: i64::from(i) * 7,
                }
            }
        })
        .collect();
    let mut ledger = scenario_ledger(&ops);
    // An anchored schedule, a rejected key and a refused endpoint, so every shape is stored.
    let mut anchored = Account::cmc("anchored", CmcPlan::Basic);
    if let Limits::Cmc(l) = &mut anchored.limits {
        l.day.schedule = Schedule::Anchored(UnixMillis(START));
        l.refused_endpoints.push(EndpointId::CmcListingsLatest);
    }
    anchored.key = KeyStatus::Rejected(KeyProblem::Expired);
    ledger.accounts.push(anchored);
    let (mut checked, mut refused) = (0, 0);
    for account in &ledger.accounts {
        assert!(to_json::checks::writes_alike(account), "{account:?}");
        let (c, r) = checks::single_edits_read_alike(account);
        checked += c;
        refused += r;
    }
    // Both kinds of answer were compared, many times over.
    assert!(
        checked > 5_000 && refused > 1_000 && checked - refused > 300,
        "{checked} {refused}"
    );
}

#[test]
fn a_million_cryptowatch_charges_do_not_drift() {
    let mut total = Credits::ZERO;
    for i in 0..1_000_000i64 {
        total += Credits::from_millis(if i % 2 == 0 { 5 } else { 15 });
    }
    assert_eq!(total, Credits::from_whole(10_000));
}
