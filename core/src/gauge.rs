//! What is left of each limit of an account at an instant — the one place it is computed, for
//! the gauges, the warnings and the decisions — and when a limit deserves a warning.

use crate::credits::Credits;
use crate::ledger::{Account, Limits};
use crate::time::UnixMillis;

/// Which limit a wait or a refusal is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// CoinMarketCap requests per UTC minute.
    CmcMinute,
    /// CoinMarketCap daily credits.
    CmcDaily,
    /// CoinMarketCap monthly credits.
    CmcMonthly,
    /// CoinMarketCap's IP limit (1011).
    CmcIp,
    /// Cryptowatch's 24-hour allowance.
    CwAllowance,
}

/// What a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Requests (CoinMarketCap's minute).
    Requests,
    /// Credits.
    Credits,
}

/// One limit as a gauge shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gauge {
    /// Which limit.
    pub limit: LimitKind,
    /// What is left of it; requests in flight count as spent. Never below zero.
    pub left: Credits,
    /// The whole limit.
    pub size: Credits,
    /// What it counts.
    pub unit: Unit,
    /// When it resets; `None` while no window is open (Cryptowatch before its first request)
    /// or the minute holds no request.
    pub resets_at: Option<UnixMillis>,
}

impl Gauge {
    /// The share of the limit already used, 0.0–1.0.
    pub fn used_share(&self) -> f64 {
        if self.size.millis() <= 0 {
            return 1.0;
        }
        1.0 - (self.left.millis() as f64 / self.size.millis() as f64).clamp(0.0, 1.0)
    }
}

/// The credits left under `limit` at `now` once the requests in flight are paid for: negative
/// when they already exceed it, `None` when the account has no such credit limit (no daily cap
/// on the plan, the other API, or a limit counted in requests).
pub fn credits_left(account: &Account, limit: LimitKind, now: UnixMillis) -> Option<Credits> {
    let reserved = account.reserved();
    match (&account.limits, limit) {
        (Limits::Cmc(l), LimitKind::CmcDaily) => Some(l.day.limit? - l.day.used_at(now) - reserved),
        (Limits::Cmc(l), LimitKind::CmcMonthly) => {
            Some(l.month.limit? - l.month.used_at(now) - reserved)
        }
        (Limits::Cw(l), LimitKind::CwAllowance) => Some(l.remaining_at(now) - reserved),
        _ => None,
    }
}

/// The gauges of an account at `now`: CoinMarketCap's requests this minute, then its daily and
/// monthly credits where the plan caps them; Cryptowatch's 24-hour allowance.
pub fn gauges(account: &Account, now: UnixMillis) -> Vec<Gauge> {
    let credit_gauge = |limit: LimitKind, size: Credits, resets_at: Option<UnixMillis>| {
        credits_left(account, limit, now).map(|left| Gauge {
            limit,
            left: left.max(Credits::ZERO),
            size,
            unit: Unit::Credits,
            resets_at,
        })
    };
    match &account.limits {
        Limits::Cmc(l) => {
            let used = l.minute.requests_at(now);
            let minute = Gauge {
                limit: LimitKind::CmcMinute,
                left: Credits::from_whole(i64::from(l.minute.limit) - i64::from(used))
                    .max(Credits::ZERO),
                size: Credits::from_whole(i64::from(l.minute.limit)),
                unit: Unit::Requests,
                resets_at: (used > 0).then(|| l.minute.resets_at(now)),
            };
            let day = l.day.limit.and_then(|size| {
                credit_gauge(LimitKind::CmcDaily, size, Some(l.day.resets_at(now)))
            });
            let month = l.month.limit.and_then(|size| {
                credit_gauge(LimitKind::CmcMonthly, size, Some(l.month.resets_at(now)))
            });
            std::iter::once(minute).chain(day).chain(month).collect()
        }
        Limits::Cw(l) => credit_gauge(LimitKind::CwAllowance, l.allowance, l.resets_at(now))
            .into_iter()
            .collect(),
    }
}

/// Where a limit's size and reset come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetSource {
    /// The server's own figures (key/info, or the allowance its answers report).
    Server,
    /// The plan's published figures, assumed until the server confirms them.
    Plan,
}

/// Where `limit`'s figures come from for `account`, when it has that limit.
pub fn reset_source(account: &Account, limit: LimitKind) -> Option<ResetSource> {
    match (&account.limits, limit) {
        (Limits::Cmc(l), LimitKind::CmcDaily | LimitKind::CmcMonthly | LimitKind::CmcMinute) => {
            Some(if l.confirmed {
                ResetSource::Server
            } else {
                ResetSource::Plan
            })
        }
        (Limits::Cw(_), LimitKind::CwAllowance) => Some(ResetSource::Server),
        _ => None,
    }
}

/// How close a limit is to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WarningLevel {
    /// 80 % used.
    Eighty,
    /// 95 % used.
    NinetyFive,
}

/// When a limit runs out at the recent rate of spending.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RunsOut {
    /// Before it resets, at this instant.
    At(UnixMillis),
    /// Not before it resets.
    AfterReset,
}

/// A warning about one limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warning {
    /// The limit's gauge.
    pub gauge: Gauge,
    /// How close it is to its end.
    pub level: WarningLevel,
    /// When it runs out at the last hour's rate; `None` when nothing was spent lately.
    pub runs_out: Option<RunsOut>,
}

/// Warnings at 80 % and 95 % of each credit limit, with when it runs out at the rate of the
/// last hour's `spending` (when and how much). The minute limit is handled by waiting, a few
/// seconds at most: a warning about it would flash on every busy minute and say nothing the
/// queue does not already show.
pub fn warnings(
    gauges: &[Gauge],
    spending: &[(UnixMillis, Credits)],
    now: UnixMillis,
) -> Vec<Warning> {
    let hour_ago = now.plus(-3_600_000);
    let recent: Vec<&(UnixMillis, Credits)> =
        spending.iter().filter(|(at, _)| *at >= hour_ago).collect();
    let spent: i64 = recent.iter().map(|(_, c)| c.millis()).sum();
    // The rate over the time since the first recent charge, a minute at least.
    let span = recent
        .first()
        .map(|(at, _)| (now.0 - at.0).max(60_000))
        .unwrap_or(3_600_000);
    gauges
        .iter()
        .filter(|g| g.limit != LimitKind::CmcMinute)
        .filter_map(|g| {
            let share = g.used_share();
            let level = if share >= 0.95 {
                WarningLevel::NinetyFive
            } else if share >= 0.80 {
                WarningLevel::Eighty
            } else {
                return None;
            };
            let runs_out = (spent > 0 && g.left.millis() > 0).then(|| {
                let ms = g.left.millis() as f64 / spent as f64 * span as f64;
                let at = now.plus(ms as i64);
                if g.resets_at.is_none_or(|r| at < r) {
                    RunsOut::At(at)
                } else {
                    RunsOut::AfterReset
                }
            });
            Some(Warning {
                gauge: *g,
                level,
                runs_out,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_s_figures_are_assumed_until_the_server_confirms_them() {
        let mut account = Account::cmc("k", crate::catalog::CmcPlan::Basic);
        assert_eq!(
            reset_source(&account, LimitKind::CmcMonthly),
            Some(ResetSource::Plan)
        );
        let info = crate::envelope::cmc_outcome(
            200,
            r#"{"status":{"error_code":0,"credit_count":0},"data":{"plan":{"credit_limit_monthly":10000,"rate_limit_minute":30},"usage":{"current_month":{"credits_used":5}}}}"#,
        );
        let now = crate::time::UnixMillis(1_764_583_200_000);
        let id = crate::decide::reserve(
            &mut account,
            &crate::catalog::Request::new(crate::catalog::EndpointId::CmcKeyInfo),
            now,
        )
        .expect("fits");
        crate::reconcile::reconcile(&mut account, id, &info, now);
        assert_eq!(
            reset_source(&account, LimitKind::CmcMonthly),
            Some(ResetSource::Server)
        );
        assert_eq!(reset_source(&account, LimitKind::CwAllowance), None);
    }
    use crate::catalog::{CmcPlan, EndpointId, Request};
    use crate::decide::reserve;

    const T: UnixMillis = UnixMillis(1_759_054_864_716);

    #[test]
    fn a_fresh_basic_account_has_minute_and_month_gauges_full() {
        let a = Account::cmc("k", CmcPlan::Basic);
        let g = gauges(&a, T);
        let kinds: Vec<_> = g.iter().map(|g| g.limit).collect();
        assert!(
            kinds.contains(&LimitKind::CmcMinute) && kinds.contains(&LimitKind::CmcMonthly),
            "{kinds:?}"
        );
        for gauge in &g {
            assert_eq!(gauge.left, gauge.size, "{gauge:?}");
        }
    }

    #[test]
    fn requests_in_flight_count_as_spent_and_what_is_left_never_shows_below_zero() {
        let mut a = Account::cmc("k", CmcPlan::Basic);
        let listing = Request::new(EndpointId::CmcListingsLatest).with("limit", "201");
        reserve(&mut a, &listing, T).unwrap();
        let of = |kind| gauges(&a, T).into_iter().find(|g| g.limit == kind).unwrap();
        assert_eq!(
            of(LimitKind::CmcMonthly).left,
            Credits::from_whole(10_000 - 2)
        );
        assert_eq!(
            credits_left(&a, LimitKind::CmcMonthly, T),
            Some(Credits::from_whole(9_998))
        );
        assert_eq!(
            credits_left(&a, LimitKind::CmcDaily, T).map(|d| d + Credits::from_whole(2)),
            Some(of(LimitKind::CmcDaily).size)
        );
        assert_eq!(credits_left(&a, LimitKind::CwAllowance, T), None);
        let minute = of(LimitKind::CmcMinute);
        assert_eq!(minute.left, Credits::from_whole(29));
        assert_eq!(minute.unit, Unit::Requests);

        let mut cw = Account::cryptowatch("k", false);
        let price = Request::new(EndpointId::CwPrice)
            .with("exchange", "kraken")
            .with("pair", "btcusd");
        while reserve(&mut cw, &price, T).is_ok() {}
        let allowance = gauges(&cw, T)[0];
        assert!(allowance.left >= Credits::ZERO);
        assert!(credits_left(&cw, LimitKind::CwAllowance, T).is_some());
    }

    fn month(left: i64) -> Gauge {
        Gauge {
            limit: LimitKind::CmcMonthly,
            left: Credits::from_whole(left),
            size: Credits::from_whole(10_000),
            unit: Unit::Credits,
            resets_at: Some(UnixMillis(10 * 86_400_000)),
        }
    }

    #[test]
    fn warnings_start_at_eighty_percent_and_say_when_the_limit_runs_out() {
        let t = UnixMillis(3_600_000);
        let spending = [
            (UnixMillis(0), Credits::from_whole(500)),
            (UnixMillis(1_800_000), Credits::from_whole(1_000)),
        ];
        let w = warnings(&[month(1_500)], &spending, t);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].level, WarningLevel::Eighty);
        // 1,500 spent in the hour: 1,500 left last one more hour.
        assert_eq!(w[0].runs_out, Some(RunsOut::At(UnixMillis(7_200_000))));
        assert_eq!(
            warnings(&[month(400)], &spending, t)[0].level,
            WarningLevel::NinetyFive
        );
        assert!(warnings(&[month(5_000)], &spending, t).is_empty());
        assert_eq!(warnings(&[month(1_500)], &[], t)[0].runs_out, None);
        let minute = Gauge {
            limit: LimitKind::CmcMinute,
            unit: Unit::Requests,
            ..month(0)
        };
        assert!(warnings(&[minute], &spending, t).is_empty());
    }
}
