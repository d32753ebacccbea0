//! Whether a request may go now, when it may go, or why it never will.

use crate::catalog::{estimate_unchecked, CmcPlan, EndpointId, ParamError, Request};
use crate::credits::Credits;
use crate::gauge::credits_left;
use crate::ledger::{advance, Account, KeyProblem, KeyStatus, Limits, Reservation, ReservationId};
use crate::time::UnixMillis;

pub use crate::gauge::LimitKind;

/// Why a request must wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum WaitReason {
    /// The minute's requests are used up.
    MinuteFull,
    /// Not enough credits left today.
    DailyCreditsSpent,
    /// Not enough credits left this month.
    MonthlyCreditsSpent,
    /// The server hit us with its IP limit; backing off.
    IpBackoff,
    /// Not enough Cryptowatch allowance left in the window.
    AllowanceSpent,
    /// The server said the allowance is spent; the next cheap probe goes at the top of the hour.
    ProbeAtTopOfHour,
    /// The storage lock that keeps tabs from spending the same budget is held elsewhere. Never
    /// from [`decide`]: the shell waits for it before it can decide.
    LockHeld,
    /// A background request lets the page's interactive requests that wait take the budget
    /// first. Never from [`decide`]: the shell orders its own queue.
    InteractiveFirst,
}

/// Why a request can never go as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefuseReason {
    /// Its parameters are invalid.
    InvalidParams(ParamError),
    /// The request is for the other API than this account.
    WrongApi,
    /// The server rejected the key.
    Key(KeyProblem),
    /// The endpoint is outside the plan.
    EndpointNotInPlan {
        /// The account's plan.
        plan: CmcPlan,
        /// The smallest plan that includes it (`None` when the server refused it without one).
        needs: Option<CmcPlan>,
    },
    /// More `convert` targets than the plan accepts.
    TooManyConverts {
        /// The most the plan accepts.
        allowed: u32,
    },
    /// The counts were reset and the server's totals have not been read since: only a sync
    /// may go.
    NotSynced,
    /// The request costs more than the whole limit: it cannot fit even in a fresh window.
    CostAboveLimit {
        /// The request's cost.
        cost: Credits,
        /// The limit it exceeds.
        limit: LimitKind,
        /// The limit's size.
        max: Credits,
    },
}

/// What to do with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send it: it fits every limit. `cost` is the predicted charge.
    SendNow {
        /// Predicted cost.
        cost: Credits,
    },
    /// It fits once `at` has come.
    WaitUntil {
        /// The earliest instant it may go.
        at: UnixMillis,
        /// The limit in the way.
        limit: LimitKind,
        /// Why.
        reason: WaitReason,
    },
    /// It can never go as it is.
    Refuse {
        /// Why.
        reason: RefuseReason,
    },
}

/// Whether an answer to `endpoint` carries the server's totals for the account: key/info's
/// usage on CoinMarketCap; on Cryptowatch every answer carries the allowance left, and the
/// root path is the cheapest way to ask.
pub fn reads_server_totals(endpoint: EndpointId) -> bool {
    matches!(endpoint, EndpointId::CmcKeyInfo | EndpointId::CwRoot)
}

fn refuse(reason: RefuseReason) -> Decision {
    Decision::Refuse { reason }
}

/// Decides what to do with `request` for `account` at `now`. Pure: reads the state, changes
/// nothing (see [`reserve`] to act on a `SendNow`).
///
/// Refusals come first (nothing to wait for), then the waits in the order the server checks its
/// limits; among waits, the latest instant is returned, since every limit must allow the request.
pub fn decide(account: &Account, request: &Request, now: UnixMillis) -> Decision {
    let api = request.api();
    if api != account.api {
        return refuse(RefuseReason::WrongApi);
    }
    if let Err(e) = request.validate() {
        return refuse(RefuseReason::InvalidParams(e));
    }
    if let KeyStatus::Rejected(problem) = account.key {
        return refuse(RefuseReason::Key(problem));
    }
    if account.needs_sync && !reads_server_totals(request.endpoint) {
        return refuse(RefuseReason::NotSynced);
    }
    let cost = estimate_unchecked(request).credits;
    match &account.limits {
        Limits::Cmc(l) => {
            let needs = request.endpoint.spec().min_plan;
            if needs.is_some_and(|p| p > l.plan) {
                return refuse(RefuseReason::EndpointNotInPlan {
                    plan: l.plan,
                    needs,
                });
            }
            if l.refused_endpoints.contains(&request.endpoint) {
                return refuse(RefuseReason::EndpointNotInPlan {
                    plan: l.plan,
                    needs: None,
                });
            }
            if request.converts() > l.max_converts {
                return refuse(RefuseReason::TooManyConverts {
                    allowed: l.max_converts,
                });
            }
            for (limit, kind) in [
                (&l.day, LimitKind::CmcDaily),
                (&l.month, LimitKind::CmcMonthly),
            ] {
                if let Some(max) = limit.limit {
                    if cost > max {
                        return refuse(RefuseReason::CostAboveLimit {
                            cost,
                            limit: kind,
                            max,
                        });
                    }
                }
            }
            let mut wait: Option<(UnixMillis, LimitKind, WaitReason)> = None;
            let mut hold = |at: UnixMillis, limit: LimitKind, reason: WaitReason| {
                if wait.is_none_or(|(w, _, _)| at > w) {
                    wait = Some((at, limit, reason));
                }
            };
            if let Some(until) = l.ip.until.filter(|t| now < *t) {
                hold(until, LimitKind::CmcIp, WaitReason::IpBackoff);
            }
            if l.minute.limit == 0 {
                return refuse(RefuseReason::CostAboveLimit {
                    cost,
                    limit: LimitKind::CmcMinute,
                    max: Credits::ZERO,
                });
            }
            if l.minute.busiest_at(now) >= l.minute.limit {
                hold(
                    l.minute.opens_at(now),
                    LimitKind::CmcMinute,
                    WaitReason::MinuteFull,
                );
            }
            // Free calls (key/info) go even when credits are spent: they are how we resync.
            if !cost.is_zero() {
                for (limit, kind, reason) in [
                    (&l.day, LimitKind::CmcDaily, WaitReason::DailyCreditsSpent),
                    (
                        &l.month,
                        LimitKind::CmcMonthly,
                        WaitReason::MonthlyCreditsSpent,
                    ),
                ] {
                    if limit.is_closed_at(now) {
                        let until = limit.closed_until.unwrap_or(now).max(limit.resets_at(now));
                        hold(until, kind, reason);
                    } else if credits_left(account, kind, now).is_some_and(|left| cost > left) {
                        hold(limit.resets_at(now), kind, reason);
                    }
                }
            }
            match wait {
                Some((at, limit, reason)) => Decision::WaitUntil { at, limit, reason },
                None => Decision::SendNow { cost },
            }
        }
        Limits::Cw(l) => {
            if cost > l.allowance {
                return refuse(RefuseReason::CostAboveLimit {
                    cost,
                    limit: LimitKind::CwAllowance,
                    max: l.allowance,
                });
            }
            let window_end = l.resets_at(now).unwrap_or(now);
            if l.is_exhausted_at(now) {
                // Exhausted by the server's word: only a root probe, once per hour, may go.
                let probe_at = l.next_probe_at().unwrap_or(now);
                let probe_in_flight = account.reservations.iter().any(|r| r.probe);
                if request.endpoint == EndpointId::CwRoot {
                    if now >= probe_at && !probe_in_flight {
                        return Decision::SendNow { cost };
                    }
                    if probe_at < window_end {
                        let at = if probe_in_flight {
                            probe_at.max(now).next_utc_hour()
                        } else {
                            probe_at
                        };
                        return Decision::WaitUntil {
                            at: at.min(window_end),
                            limit: LimitKind::CwAllowance,
                            reason: WaitReason::ProbeAtTopOfHour,
                        };
                    }
                }
                return Decision::WaitUntil {
                    at: window_end,
                    limit: LimitKind::CwAllowance,
                    reason: WaitReason::AllowanceSpent,
                };
            }
            if credits_left(account, LimitKind::CwAllowance, now).is_some_and(|left| cost > left) {
                let at = match l.resets_at(now) {
                    Some(end) => end,
                    // No window holds, so the in-flight requests alone exceed a full bucket:
                    // they will open one; wait a full window from now at most.
                    None => now.plus(crate::ledger::CW_WINDOW_MS),
                };
                return Decision::WaitUntil {
                    at,
                    limit: LimitKind::CwAllowance,
                    reason: WaitReason::AllowanceSpent,
                };
            }
            Decision::SendNow { cost }
        }
    }
}

/// Decides and, when the answer is "send now", records the request as in flight — one step, so
/// that two callers under the same lock cannot both take the last slot. It lives here, beside
/// [`decide`], so that the ledger (the state) does not depend on the decisions about it.
///
/// Returns the reservation to pass to [`crate::reconcile::reconcile`] with the answer, or the
/// decision that stopped the request.
pub fn reserve(
    account: &mut Account,
    request: &Request,
    now: UnixMillis,
) -> Result<ReservationId, Decision> {
    advance(account, now);
    let cost = match decide(account, request, now) {
        Decision::SendNow { cost } => cost,
        other => return Err(other),
    };
    let id = ReservationId(account.next_reservation);
    account.next_reservation = account.next_reservation.wrapping_add(1);
    let mut probe = false;
    match &mut account.limits {
        // Every request counts toward the minute from the moment it is sent.
        Limits::Cmc(l) => l.minute.count(now),
        Limits::Cw(l) => {
            probe = l.is_exhausted_at(now);
            if probe {
                l.last_probe = Some(now);
            }
            if !l.window.is_some_and(|w| w.holds_at(now)) {
                // The window opens with the first request; reconcile moves its start to the answer.
                l.open_window(now);
            }
        }
    }
    account.reservations.push(Reservation {
        id,
        endpoint: request.endpoint,
        cost,
        sent_at: now,
        probe,
    });
    Ok(id)
}
