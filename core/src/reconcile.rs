//! Folding the server's answer into the state. The server is the truth; the local estimate only
//! fills the gaps it leaves, and the difference is recorded as drift.

use crate::catalog::{ApiKind, CmcPlan};
use crate::code::{CmcError, Code, CwError};
use crate::credits::Credits;
use crate::envelope::{ClientFailure, CmcAnswer, CwAnswer, KeyInfo, Outcome};
use crate::ledger::{
    advance, window_at, Account, CmcLimits, CwLimits, KeyProblem, KeyStatus, Limits, Reservation,
    ReservationId, Schedule, Span, CW_WINDOW_MS,
};
use crate::time::UnixMillis;

/// What reconciling an answer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    /// Credits booked for the request.
    pub charged: Credits,
    /// What the request was estimated to cost.
    pub estimated: Credits,
    /// Whether `charged` is the server's figure (otherwise it is the estimate or zero).
    pub from_server: bool,
    /// Charged minus estimated, when the server reported a charge.
    pub drift: Option<Credits>,
    /// What to explain to the user (`None` on success).
    pub code: Option<Code>,
    /// When a retry helps, where that is known (rate limits, exhausted allowance).
    pub retry_at: Option<UnixMillis>,
}

/// Folds `outcome`, the answer to the request reserved as `id`, into `account` at `now`.
///
/// An unknown `id` (a reservation already settled by its timeout) still applies the answer's
/// absolute figures (key/info usage, Cryptowatch's remaining, limit closures) but books no charge
/// twice.
pub fn reconcile(
    account: &mut Account,
    id: ReservationId,
    outcome: &Outcome,
    now: UnixMillis,
) -> Settlement {
    advance(account, now);
    let reservation = account
        .reservations
        .iter()
        .position(|r| r.id == id)
        .map(|i| account.reservations.swap_remove(i));
    let api = account.api;
    // An answer from the other API means the base address points at the wrong service.
    let mismatched;
    let outcome = match (api, outcome) {
        (ApiKind::CoinMarketCap, Outcome::Cw(_)) | (ApiKind::Cryptowatch, Outcome::Cmc(_)) => {
            mismatched = Outcome::Failed {
                failure: ClientFailure::WrongShape,
                http_status: None,
            };
            &mismatched
        }
        _ => outcome,
    };
    let code = Code::of_outcome(outcome, api);
    let mut s = Settlement {
        charged: Credits::ZERO,
        estimated: reservation.as_ref().map_or(Credits::ZERO, |r| r.cost),
        from_server: false,
        drift: None,
        code,
        retry_at: None,
    };
    let Account {
        limits, key, drift, ..
    } = account;
    match (limits, outcome) {
        (Limits::Cmc(l), Outcome::Cmc(a)) => {
            settle_cmc(l, key, reservation.as_ref(), a, code, now, &mut s);
        }
        (
            Limits::Cmc(l),
            Outcome::Failed {
                failure,
                http_status,
            },
        ) => {
            // CoinMarketCap charges successful answers only. A refused preflight (the key header
            // makes CORS preflight) or a dead network sends nothing; a timeout or an unreadable
            // 2xx may have been served and charged, so we book the estimate. So may a request
            // its caller withdrew in flight: nothing says whether it reached the server.
            let maybe_served = matches!(
                failure,
                ClientFailure::Timeout
                    | ClientFailure::Withdrawn
                    | ClientFailure::NotJson
                    | ClientFailure::WrongShape
                    | ClientFailure::TooLarge
            ) && http_status.is_none_or(|h| (200..300).contains(&h));
            if let (true, Some(r)) = (maybe_served, &reservation) {
                s.charged = r.cost;
                charge_cmc(l, r.cost, now);
            }
        }
        (Limits::Cw(l), Outcome::Cw(a)) => {
            settle_cw(l, reservation.as_ref(), a, code, now, &mut s);
        }
        (Limits::Cw(l), Outcome::Failed { failure, .. }) => {
            // Cryptowatch charges before answering, errors included: assume the worst, unless
            // the browser never sent the request.
            let sent = *failure != ClientFailure::Unsendable;
            if let Some(r) = reservation.as_ref().filter(|_| sent) {
                s.charged = r.cost;
                l.charge(r.cost, now);
            }
        }
        (Limits::Cmc(_), Outcome::Cw(_)) | (Limits::Cw(_), Outcome::Cmc(_)) => {}
    }
    if s.from_server && reservation.is_some() {
        s.drift = Some(drift.record(s.charged, s.estimated));
    }
    if has_server_totals(outcome) {
        account.needs_sync = false;
    }
    s
}

/// Whether `outcome` tells the account's totals as the server counts them.
fn has_server_totals(outcome: &Outcome) -> bool {
    match outcome {
        Outcome::Cmc(a) => {
            Code::of_outcome(outcome, ApiKind::CoinMarketCap).is_none()
                && a.key_info.as_ref().is_some_and(|k| {
                    k.month_used.is_some() && (k.monthly_limit.is_some() || k.month_left.is_some())
                })
        }
        Outcome::Cw(a) => {
            a.remaining.is_some()
                || Code::of_outcome(outcome, ApiKind::Cryptowatch)
                    == Some(Code::Cw(CwError::OutOfAllowance))
        }
        Outcome::Failed { .. } => false,
    }
}

fn charge_cmc(l: &mut CmcLimits, amount: Credits, now: UnixMillis) {
    if !amount.is_zero() {
        l.day.charge(amount, now);
        l.month.charge(amount, now);
    }
}

fn settle_cmc(
    l: &mut CmcLimits,
    key: &mut KeyStatus,
    r: Option<&Reservation>,
    a: &CmcAnswer,
    code: Option<Code>,
    now: UnixMillis,
    s: &mut Settlement,
) {
    if let Some(r) = r {
        // The server counts a request in the minute it receives it, which may be the minute after
        // the one we counted it in: count it in this one too (a slot lost, never a 1008).
        // Requests sent within the minute's edge of its end were counted in both already.
        let counted_in_both = r.sent_at.plus(l.minute.edge_ms) >= r.sent_at.next_utc_minute();
        if now.minute_start() > r.sent_at.minute_start() && !counted_in_both {
            l.minute.count(now);
        }
    }
    let success = code.is_none();
    let server_charge = a.credit_count.filter(|c| *c >= 0).map(Credits::from_whole);
    let charge = match (server_charge, success) {
        (Some(c), _) => {
            s.from_server = true;
            c
        }
        (None, true) => r.map_or(Credits::ZERO, |r| r.cost),
        (None, false) => Credits::ZERO,
    };
    if r.is_some() {
        s.charged = charge;
        charge_cmc(l, charge, now);
    }
    if success {
        l.ip.strikes = 0;
        if let Some(info) = &a.key_info {
            apply_key_info(l, info, now);
        }
        return;
    }
    let problem = |p| KeyStatus::Rejected(p);
    match code {
        Some(Code::Cmc(e)) => match e {
            CmcError::ApiKeyInvalid => *key = problem(KeyProblem::Invalid),
            CmcError::ApiKeyMissing => *key = problem(KeyProblem::Missing),
            CmcError::PlanRequiresPayment => *key = problem(KeyProblem::PaymentRequired),
            CmcError::PlanPaymentExpired => *key = problem(KeyProblem::Expired),
            CmcError::ApiKeyRequired => *key = problem(KeyProblem::KeyRequired),
            CmcError::ApiKeyDisabled => *key = problem(KeyProblem::Disabled),
            CmcError::PlanNotAuthorized => {
                if let Some(r) = r {
                    if !l.refused_endpoints.contains(&r.endpoint) {
                        l.refused_endpoints.push(r.endpoint);
                    }
                }
            }
            CmcError::MinuteRateLimit => {
                l.minute.fill(now);
                s.retry_at = Some(l.minute.resets_at(now));
            }
            CmcError::DailyRateLimit => {
                let until = l.day.resets_at(now);
                l.day.closed_until = Some(until);
                s.retry_at = Some(until);
            }
            CmcError::MonthlyRateLimit => {
                let until = l.month.resets_at(now);
                l.month.closed_until = Some(until);
                s.retry_at = Some(until);
            }
            CmcError::IpRateLimit => s.retry_at = Some(l.ip.strike(now)),
        },
        // A 429 without a 10xx code: we cannot tell which limit, so back off as for the IP limit.
        Some(Code::Http(crate::code::HttpStatus::TooManyRequests)) => {
            s.retry_at = Some(l.ip.strike(now))
        }
        _ => {}
    }
}

fn apply_key_info(l: &mut CmcLimits, k: &KeyInfo, now: UnixMillis) {
    let whole = |n: i64| Credits::from_whole(n.max(0));
    if let Some(m) = k.minute_limit {
        l.minute.limit = m;
    }
    let monthly = k
        .monthly_limit
        .or_else(|| Some(k.month_used? + k.month_left?));
    if let Some(monthly) = monthly {
        l.month.limit = Some(whole(monthly));
        // The plan object lists a daily cap only where one exists.
        l.day.limit = k.daily_limit.map(whole);
        if let Some(plan) = CmcPlan::from_reported(monthly, k.minute_limit) {
            l.plan = plan;
            l.max_converts = plan.limits().max_converts;
        }
        l.confirmed = true;
    }
    for (limit, reset, used) in [
        (&mut l.month, k.monthly_reset, k.month_used),
        (&mut l.day, k.daily_reset, k.day_used),
    ] {
        if let Some(reset) = reset {
            limit.schedule = Schedule::Anchored(reset);
            let w = window_at(limit.schedule, limit.period, now);
            // Keep the local count if the window is unchanged; otherwise start from the server's.
            if limit.window != Some(w) {
                limit.window = Some(w);
                limit.used = Credits::ZERO;
            }
            if limit.closed_until.is_some_and(|t| t > w.end) {
                limit.closed_until = Some(w.end);
            }
        }
        if let Some(used) = used {
            limit.set_used(whole(used), now);
        }
    }
    if let Some(made) = k.minute_requests {
        let local = l.minute.requests_at(now);
        if made > local {
            l.minute.count(now);
            l.minute.requests = made;
        }
    }
}

fn settle_cw(
    l: &mut CwLimits,
    r: Option<&Reservation>,
    a: &CwAnswer,
    code: Option<Code>,
    now: UnixMillis,
    s: &mut Settlement,
) {
    if let Some(r) = r {
        // The server's window opened when it received the first request, after we sent it:
        // starting ours at the answer keeps its end no earlier than the server's. Only the first
        // answer in the window moves it: the server had opened its window by then. Moving it
        // again with each answer would push the end out by as long as the requests in flight
        // keep answering, and leave that much of every window unused.
        let answered_in_window = l.window.zip(l.figure_at).is_some_and(|(w, f)| f >= w.start);
        if let (Some(w), false) = (&mut l.window, answered_in_window) {
            if w.start >= r.sent_at && w.start < now {
                *w = Span {
                    start: now,
                    end: now.plus(CW_WINDOW_MS),
                };
            }
        }
    }
    if code == Some(Code::Cw(CwError::OutOfAllowance)) {
        if !l.window.is_some_and(|w| w.holds_at(now)) {
            l.open_window(now);
        }
        l.remaining = Credits::ZERO;
        l.exhausted_at = Some(l.exhausted_at.unwrap_or(now));
        s.retry_at = l.resets_at(now);
        return;
    }
    let served = (200..300).contains(&a.http_status);
    if r.is_some_and(|r| r.probe) && (served || a.remaining.is_some()) {
        // The probe went through: the server reset earlier than the 24-hour rule said.
        l.open_window(now);
    }
    if l.exhausted_at.is_some() && (served || a.remaining.is_some_and(|x| x > Credits::ZERO)) {
        l.exhausted_at = None;
        l.last_probe = None;
    }
    let cost = a.cost.filter(|c| *c >= Credits::ZERO);
    if let Some(c) = cost {
        s.from_server = true;
        s.charged = c;
    } else if let Some(r) = r {
        s.charged = r.cost;
    }
    match a.remaining {
        Some(remaining) => {
            let total = remaining.max(Credits::ZERO)
                + a.remaining_paid.unwrap_or(Credits::ZERO).max(Credits::ZERO);
            if !l.window.is_some_and(|w| w.holds_at(now)) {
                l.open_window(now);
            }
            if total > l.allowance {
                l.allowance = total;
            }
            // A figure is newer than the last one only if its request left after the last one
            // arrived; otherwise the server may have handled it first, and its higher figure
            // would let requests go that the server can no longer pay for.
            let newer = r.is_some_and(|r| l.figure_at.is_none_or(|f| r.sent_at > f));
            l.remaining = if newer { total } else { total.min(l.remaining) };
            l.figure_at = Some(l.figure_at.map_or(now, |f| f.max(now)));
        }
        None => {
            if r.is_some() {
                l.charge(s.charged, now);
            }
        }
    }
}

#[cfg(test)]
mod tests;
