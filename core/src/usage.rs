//! Usage over time, from the requests a device remembers: credits per UTC day of the month,
//! the even pace that spends the monthly credits exactly by the reset, and which endpoints
//! spent them. Pure: the lines in, figures out.

use crate::credits::Credits;
use crate::ledger::{window_at, Account, Span};
use crate::time::{UnixMillis, DAY_MS};

/// One remembered request: when, to which endpoint (its title), charged what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spent<'a> {
    pub at: UnixMillis,
    pub endpoint: &'a str,
    pub charged: Credits,
}

/// The window of `account`'s monthly credits holding at `now` (CoinMarketCap only).
pub fn month_window(account: &Account, now: UnixMillis) -> Option<Span> {
    let month = &account.cmc_limits()?.month;
    Some(match month.window {
        Some(w) if w.holds_at(now) => w,
        _ => window_at(month.schedule, month.period, now),
    })
}

/// The most days a month has: a bound on the days counted, whatever a window says.
const MAX_DAYS: i64 = 31;

/// Credits charged on each UTC day from `start`'s day to `end` (exclusive), at most 31 days;
/// requests outside are left out.
pub fn per_day(lines: &[Spent<'_>], start: UnixMillis, end: UnixMillis) -> Vec<Credits> {
    if end <= start {
        return Vec::new();
    }
    let first = start.0.div_euclid(DAY_MS);
    let days = ((end.0 - 1).div_euclid(DAY_MS) - first + 1).clamp(0, MAX_DAYS);
    let mut totals = vec![Credits::ZERO; days as usize];
    for line in lines {
        if line.at < start || line.at >= end {
            continue;
        }
        let day = line.at.0.div_euclid(DAY_MS) - first;
        if let Some(total) = usize::try_from(day).ok().and_then(|d| totals.get_mut(d)) {
            *total = total.saturating_add(line.charged);
        }
    }
    totals
}

/// The credits a day that spend `limit` exactly over the window from `start` to `end`.
pub fn even_pace(limit: Credits, start: UnixMillis, end: UnixMillis) -> Credits {
    let days = ((end.0 - start.0).max(DAY_MS) + DAY_MS - 1) / DAY_MS;
    Credits::from_millis(limit.millis() / days)
}

/// Calls and credits per endpoint, the most credits first (then the most calls, then the name).
pub fn by_endpoint<'a>(lines: &[Spent<'a>]) -> Vec<(&'a str, u32, Credits)> {
    let mut rows: Vec<(&'a str, u32, Credits)> = Vec::new();
    for line in lines {
        match rows.iter_mut().find(|r| r.0 == line.endpoint) {
            Some(row) => {
                row.1 = row.1.saturating_add(1);
                row.2 = row.2.saturating_add(line.charged);
            }
            None => rows.push((line.endpoint, 1, line.charged)),
        }
    }
    // An insertion sort: a few dozen endpoints at most, and far less code in the widget than
    // the standard library's sorts.
    let before =
        |a: &(&str, u32, Credits), b: &(&str, u32, Credits)| (b.2, b.1, a.0) < (a.2, a.1, b.0);
    for i in 1..rows.len() {
        let mut j = i;
        while j > 0 && before(&rows[j], &rows[j - 1]) {
            rows.swap(j, j - 1);
            j -= 1;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> UnixMillis {
        UnixMillis::parse_iso8601(text).expect("instant")
    }

    fn line(when: &str, endpoint: &'static str, credits: i64) -> Spent<'static> {
        Spent {
            at: at(when),
            endpoint,
            charged: Credits::from_whole(credits),
        }
    }

    #[test]
    fn credits_add_up_per_utc_day_of_the_window() {
        let lines = [
            line("2026-10-31T23:59:59.000Z", "Listings", 9),
            line("2026-11-01T00:00:00.000Z", "Listings", 2),
            line("2026-11-01T23:59:59.999Z", "Quotes", 3),
            line("2026-11-03T12:00:00.000Z", "Listings", 1),
            line("2026-12-01T00:00:00.000Z", "Listings", 7),
        ];
        let days = per_day(
            &lines,
            at("2026-11-01T00:00:00.000Z"),
            at("2026-12-01T00:00:00.000Z"),
        );
        assert_eq!(days.len(), 30);
        assert_eq!(days[0], Credits::from_whole(5));
        assert_eq!(days[1], Credits::ZERO);
        assert_eq!(days[2], Credits::from_whole(1));
        assert_eq!(
            days.iter().copied().sum::<Credits>(),
            Credits::from_whole(6)
        );
    }

    #[test]
    fn a_basic_month_is_the_calendar_month() {
        let account = Account::cmc("k", crate::catalog::CmcPlan::Basic);
        let w = month_window(&account, at("2026-11-17T08:00:00.000Z")).expect("a month");
        assert_eq!(
            (w.start, w.end),
            (
                at("2026-11-01T00:00:00.000Z"),
                at("2026-12-01T00:00:00.000Z")
            )
        );
        assert!(month_window(&Account::cryptowatch("a", false), UnixMillis(0)).is_none());
    }

    #[test]
    fn the_even_pace_spends_the_month_by_its_reset() {
        // Basic: 10,000 credits over November's 30 days is 333.333 a day.
        let pace = even_pace(
            Credits::from_whole(10_000),
            at("2026-11-01T00:00:00.000Z"),
            at("2026-12-01T00:00:00.000Z"),
        );
        assert_eq!(pace, Credits::from_millis(333_333));
    }

    #[test]
    fn endpoints_are_ranked_by_what_they_spent() {
        let lines = [
            line("2026-11-01T00:00:00.000Z", "Listings", 1),
            line("2026-11-01T00:01:00.000Z", "Quotes", 5),
            line("2026-11-01T00:02:00.000Z", "Listings", 1),
            line("2026-11-01T00:03:00.000Z", "Key info", 0),
        ];
        assert_eq!(
            by_endpoint(&lines),
            vec![
                ("Quotes", 1, Credits::from_whole(5)),
                ("Listings", 2, Credits::from_whole(2)),
                ("Key info", 1, Credits::ZERO),
            ]
        );
    }

    #[test]
    fn a_window_of_any_length_counts_at_most_a_month_of_days() {
        let days = per_day(&[], UnixMillis(0), UnixMillis(1_000 * DAY_MS));
        assert_eq!(days.len(), 31);
        assert!(per_day(&[], UnixMillis(10), UnixMillis(5)).is_empty());
    }
}
