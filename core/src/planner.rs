//! The planner: what a request's schedule can afford, in the terms people think in — "how many
//! more of these fit?", "can my dashboard refresh every 30 seconds all month?", "how often can
//! it refresh and last the month?". Pure: the account, the request, the instant and the
//! interval in; figures out.
//!
//! A schedule calls at `now`, `now + interval`, `now + 2 × interval`, … Each credit window
//! (the day, the month, Cryptowatch's 24 hours) allows `left ÷ cost` more calls before it
//! resets, and a full window `size ÷ cost`; the minute allows its requests. Other clients'
//! requests are not foreseen: the figures are for this schedule alone.

use crate::catalog::{estimate, Request};
use crate::credits::Credits;
use crate::gauge::{gauges, Gauge, LimitKind};
use crate::ledger::Account;
use crate::time::{UnixMillis, DAY_MS, MINUTE_MS, SECOND_MS};

/// How many more calls of a request one limit allows before it resets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Room {
    /// Which limit.
    pub limit: LimitKind,
    /// More calls that fit; `None` when the limit does not bound this request (it is free).
    pub calls: Option<u64>,
    /// When the limit resets, when known.
    pub resets_at: Option<UnixMillis>,
}

/// What calling a request every so often does to the budget, up to the planning horizon (the
/// month's reset, or the next 24-hour window's end on Cryptowatch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runway {
    /// Every call fits until `until`.
    Lasts {
        /// The horizon.
        until: UnixMillis,
    },
    /// A limit stops the schedule at `at`; it goes on at `resumes` (its reset), if that comes
    /// before the horizon.
    RunsOut {
        /// The limit that stops it.
        limit: LimitKind,
        /// The first call that does not fit.
        at: UnixMillis,
        /// When that limit resets.
        resumes: Option<UnixMillis>,
    },
    /// Faster than the minute allows: at most this many calls a minute go.
    TooFast {
        /// The minute's requests.
        per_minute: u32,
    },
}

/// Whole calls of `cost` in `credits` (`None`: free, unbounded).
fn calls_in(credits: Credits, cost: Credits) -> Option<u64> {
    (cost.millis() > 0).then(|| (credits.millis().max(0) / cost.millis()) as u64)
}

/// The cost of one call, or `None` when the request is not valid.
fn cost_of(request: &Request) -> Option<Credits> {
    estimate(request).ok().map(|p| p.credits)
}

/// How many more calls of `request` each limit allows at `now`.
pub fn room(account: &Account, request: &Request, now: UnixMillis) -> Vec<Room> {
    let Some(cost) = cost_of(request) else {
        return Vec::new();
    };
    gauges(account, now)
        .into_iter()
        .map(|g| Room {
            limit: g.limit,
            calls: match g.limit {
                LimitKind::CmcMinute => Some(g.left.whole_ceil().max(0) as u64),
                _ => calls_in(g.left, cost),
            },
            resets_at: g.resets_at,
        })
        .collect()
}

/// The window a credit gauge starts over with after `g.resets_at`, in milliseconds: a day, or
/// Cryptowatch's 24 hours; `None` for the month (the horizon) and the minute.
fn window_ms(g: &Gauge) -> Option<i64> {
    match g.limit {
        LimitKind::CmcDaily | LimitKind::CwAllowance => Some(DAY_MS),
        _ => None,
    }
}

/// The planning horizon: the month's reset (CoinMarketCap) or the end of the next full
/// 24-hour window (Cryptowatch).
fn horizon(all: &[Gauge], now: UnixMillis) -> UnixMillis {
    let month = all
        .iter()
        .find(|g| g.limit == LimitKind::CmcMonthly)
        .and_then(|g| g.resets_at);
    month.unwrap_or_else(|| {
        let allowance = all
            .iter()
            .find(|g| g.limit == LimitKind::CwAllowance)
            .and_then(|g| g.resets_at)
            .unwrap_or(now);
        allowance.plus(DAY_MS)
    })
}

/// The most calls a minute holds at `interval`.
fn per_minute(interval_ms: i64) -> i64 {
    (MINUTE_MS + interval_ms - 1) / interval_ms
}

/// Calling `request` every `interval_ms` from `now`: does it last, and if not, what stops it
/// first.
pub fn runway(account: &Account, request: &Request, now: UnixMillis, interval_ms: i64) -> Runway {
    let interval_ms = interval_ms.max(1);
    let all = gauges(account, now);
    let until = horizon(&all, now);
    if let Some(minute) = all.iter().find(|g| g.limit == LimitKind::CmcMinute) {
        let limit = minute.size.whole_ceil();
        if per_minute(interval_ms) > limit {
            return Runway::TooFast {
                per_minute: limit.clamp(0, i64::from(u32::MAX)) as u32,
            };
        }
    }
    let Some(cost) = cost_of(request) else {
        return Runway::Lasts { until };
    };
    // The instant of the first call that does not fit, per limit.
    let mut first_stop: Option<(UnixMillis, LimitKind, Option<UnixMillis>)> = None;
    let mut stop = |at: UnixMillis, limit: LimitKind, resumes: Option<UnixMillis>| {
        if at < until && first_stop.is_none_or(|(t, _, _)| at < t) {
            first_stop = Some((at, limit, resumes));
        }
    };
    for g in all.iter().filter(|g| g.limit != LimitKind::CmcMinute) {
        let Some(fit) = calls_in(g.left, cost) else {
            continue;
        };
        let reset = g.resets_at.unwrap_or(until);
        // This window: the call after the last that fits.
        let at = now.plus((fit as i64).saturating_mul(interval_ms));
        if at < reset {
            stop(at, g.limit, Some(reset).filter(|r| *r < until));
            continue;
        }
        // The windows after it, each full: the first call in one falls on the schedule's
        // first instant at or after its start.
        if let (Some(window), Some(full)) = (window_ms(g), calls_in(g.size, cost)) {
            let mut start = reset;
            while start < until {
                let first = now.0 + (start.0 - now.0 + interval_ms - 1) / interval_ms * interval_ms;
                let at = UnixMillis(first).plus((full as i64).saturating_mul(interval_ms));
                let end = start.plus(window);
                if at < end {
                    stop(at, g.limit, Some(end).filter(|r| *r < until));
                    break;
                }
                start = end;
            }
        }
    }
    match first_stop {
        Some((at, limit, resumes)) => Runway::RunsOut { limit, at, resumes },
        None => Runway::Lasts { until },
    }
}

/// The shortest interval, in whole seconds, at which calling `request` lasts until the
/// horizon (the month's reset, or every 24-hour window on Cryptowatch); `None` when no
/// interval can (a window has no room for even one more call).
pub fn shortest_interval(account: &Account, request: &Request, now: UnixMillis) -> Option<i64> {
    let all = gauges(account, now);
    let cost = cost_of(request)?;
    let until = horizon(&all, now);
    let mut shortest = SECOND_MS;
    for g in &all {
        let needed = match g.limit {
            LimitKind::CmcMinute => {
                let limit = g.size.whole_ceil();
                if limit <= 0 {
                    return None;
                }
                MINUTE_MS.div_euclid(limit) + i64::from(MINUTE_MS % limit != 0)
            }
            _ => {
                let Some(fit) = calls_in(g.left, cost) else {
                    continue;
                };
                let reset = g.resets_at.unwrap_or(until).min(until);
                // `fit` more calls must cover what is left of this window.
                let this_window = if fit == 0 {
                    return None;
                } else {
                    ceil_div(reset.0 - now.0, fit as i64)
                };
                // And each full window after it, if one starts before the horizon.
                let full_windows = match (window_ms(g), calls_in(g.size, cost)) {
                    (Some(window), Some(full)) if reset < until => {
                        if full == 0 {
                            return None;
                        }
                        ceil_div(window, full as i64)
                    }
                    _ => 0,
                };
                this_window.max(full_windows)
            }
        };
        shortest = shortest.max(needed);
    }
    // Whole seconds, rounded up: an interval a person can type.
    Some(ceil_div(shortest, SECOND_MS))
}

fn ceil_div(a: i64, b: i64) -> i64 {
    if b <= 0 {
        return i64::MAX;
    }
    a.max(0).div_euclid(b) + i64::from(a.max(0).rem_euclid(b) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CmcPlan, EndpointId};
    use crate::decide::reserve;
    use crate::reconcile::reconcile;

    fn at(text: &str) -> UnixMillis {
        UnixMillis::parse_iso8601(text).expect("instant")
    }

    /// A listing of 100 coins: 1 credit.
    fn listing() -> Request {
        Request::new(EndpointId::CmcListingsLatest).with("limit", "100")
    }

    /// A fresh Basic key on the 1st of a 30-day month (calendar resets): 10,000 credits a month,
    /// 333 a day, 30 requests a minute.
    fn basic() -> (Account, UnixMillis) {
        (
            Account::cmc("k", CmcPlan::Basic),
            at("2026-11-01T00:00:00.000Z"),
        )
    }

    #[test]
    fn room_counts_calls_per_limit() {
        let (mut account, now) = basic();
        let spent =
            crate::envelope::cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":100}}"#);
        let id = reserve(&mut account, &listing(), now).expect("fits");
        reconcile(&mut account, id, &spent, now);
        let rooms = room(&account, &listing(), now);
        let calls = |limit| {
            rooms
                .iter()
                .find(|r| r.limit == limit)
                .and_then(|r| r.calls)
        };
        // Hand-worked: 30 − 1 requests; 333 − 100 credits; 10,000 − 100 credits.
        assert_eq!(calls(LimitKind::CmcMinute), Some(29));
        assert_eq!(calls(LimitKind::CmcDaily), Some(233));
        assert_eq!(calls(LimitKind::CmcMonthly), Some(9_900));
        // A free request is bounded by the minute only.
        let info = Request::new(EndpointId::CmcKeyInfo);
        let free = room(&account, &info, now);
        assert_eq!(
            free.iter()
                .find(|r| r.limit == LimitKind::CmcMonthly)
                .unwrap()
                .calls,
            None
        );
    }

    #[test]
    fn every_30_seconds_spends_basic_s_day_by_a_quarter_to_three() {
        let (account, now) = basic();
        // 333 calls fit today: the 334th, at 333 × 30 s = 2 h 46 min 30 s, does not.
        assert_eq!(
            runway(&account, &listing(), now, 30_000),
            Runway::RunsOut {
                limit: LimitKind::CmcDaily,
                at: at("2026-11-01T02:46:30.000Z"),
                resumes: Some(at("2026-11-02T00:00:00.000Z")),
            }
        );
    }

    #[test]
    fn every_260_seconds_lasts_basic_s_month_and_259_does_not() {
        let (account, now) = basic();
        // Hand-worked: the month needs 30 d ÷ 10,000 = 259.2 s, the day 86,400 s ÷ 333 =
        // 259.46 s; rounded up to whole seconds, 260 s.
        assert_eq!(shortest_interval(&account, &listing(), now), Some(260));
        assert_eq!(
            runway(&account, &listing(), now, 260_000),
            Runway::Lasts {
                until: at("2026-12-01T00:00:00.000Z")
            }
        );
        // At 259 s: 86,400 ÷ 259 = 333.6, so each day's 334th call is refused.
        let Runway::RunsOut {
            limit, at: stops, ..
        } = runway(&account, &listing(), now, 259_000)
        else {
            panic!("259 s should run out");
        };
        assert_eq!(limit, LimitKind::CmcDaily);
        assert_eq!(stops, at("2026-11-01T23:57:27.000Z"));
    }

    #[test]
    fn faster_than_the_minute_allows_is_said_so() {
        let (account, now) = basic();
        assert_eq!(
            runway(&account, &listing(), now, 1_500),
            Runway::TooFast { per_minute: 30 }
        );
        // Every 2 s is exactly 30 a minute.
        assert!(!matches!(
            runway(&account, &listing(), now, 2_000),
            Runway::TooFast { .. }
        ));
    }

    #[test]
    fn a_day_already_spent_leaves_no_interval_that_lasts() {
        let (mut account, now) = basic();
        let spent =
            crate::envelope::cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":333}}"#);
        let id = reserve(&mut account, &listing(), now).expect("fits");
        reconcile(&mut account, id, &spent, now);
        assert_eq!(shortest_interval(&account, &listing(), now), None);
        assert!(matches!(
            runway(&account, &listing(), now, 600_000),
            Runway::RunsOut {
                limit: LimitKind::CmcDaily,
                ..
            }
        ));
    }
}
