//! Pure bookkeeping of a run: fixed-spacing instants, accepted answers per server minute, and
//! Cryptowatch allowance windows told apart by the `remaining` figures of the answers.

use std::time::Duration;

use crate::clock::emulated_ms;

use credit_gauge_core::time::{DAY_MS, MINUTE_MS};
use credit_gauge_core::UnixMillis;

/// Fixed spacing: the emulated instant of send number `k` (from 0) when `limit` requests share
/// every `window_ms`, from `start`. Computed from `start` each time, so rounding never drifts.
pub fn spaced(start: UnixMillis, window_ms: i64, limit: u64, k: u64) -> UnixMillis {
    let offset = i128::from(window_ms) * i128::from(k) / i128::from(limit.max(1));
    start.plus(i64::try_from(offset).unwrap_or(i64::MAX))
}

/// Accepted answers binned by the server's timestamp into the complete UTC minutes of a run.
#[derive(Clone, Debug)]
pub struct MinuteTally {
    first: UnixMillis,
    limit: u32,
    /// Per minute, the offsets (ms after the minute's start) of its accepted answers.
    accepted: Vec<Vec<i64>>,
}

impl MinuteTally {
    /// `minutes` complete minutes from `first` (a minute's start), `limit` requests each.
    pub fn new(first: UnixMillis, minutes: usize, limit: u32) -> MinuteTally {
        MinuteTally {
            first: first.minute_start(),
            limit,
            accepted: vec![Vec::new(); minutes],
        }
    }

    /// Counts an answer the server accepted at `server_time`; outside the minutes, ignored.
    pub fn accept(&mut self, server_time: UnixMillis) {
        let since = server_time.0 - self.first.0;
        if since < 0 {
            return;
        }
        if let Some(m) = self.accepted.get_mut((since / MINUTE_MS) as usize) {
            m.push(since % MINUTE_MS);
        }
    }

    /// Accepted answers in the minutes.
    pub fn accepted(&self) -> usize {
        self.accepted.iter().map(Vec::len).sum()
    }

    /// Accepted answers in each minute.
    pub fn per_minute(&self) -> Vec<usize> {
        self.accepted.iter().map(Vec::len).collect()
    }

    /// Share of the budget used: accepted ÷ (limit × minutes).
    pub fn used(&self) -> f64 {
        let budget = f64::from(self.limit) * self.accepted.len() as f64;
        if budget == 0.0 {
            return 0.0;
        }
        self.accepted() as f64 / budget
    }

    /// The mean emulated time, from a minute's start, at which its last slot was taken, over
    /// the minutes that were filled (`None` when none was).
    pub fn mean_fill_ms(&self) -> Option<f64> {
        let fills: Vec<i64> = self
            .accepted
            .iter()
            .filter_map(|m| {
                let mut m = m.clone();
                m.sort_unstable();
                m.get((self.limit as usize).saturating_sub(1)).copied()
            })
            .collect();
        (!fills.is_empty()).then(|| fills.iter().sum::<i64>() as f64 / fills.len() as f64)
    }
}

/// One Cryptowatch allowance window, as the answers showed it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CwWindow {
    /// Answers with budget (200).
    pub accepted: u64,
    /// Milli-credits they were charged.
    pub spent_milli: i64,
    /// The lowest `remaining` seen.
    pub lowest_remaining_milli: i64,
    /// Real time of the first and last accepted answer since the run's start.
    pub first: Duration,
    /// See `first`.
    pub last: Duration,
}

/// Tells the server's windows apart: a window opens when `remaining` jumps up by more than half
/// the allowance. Answers arrive out of order when several requests are in flight, so an answer
/// whose `remaining` lies more than half the allowance below the current window's lowest belongs
/// to the window before.
#[derive(Clone, Debug)]
pub struct CwWindows {
    allowance_milli: i64,
    /// Windows in the order they opened.
    pub windows: Vec<CwWindow>,
}

impl CwWindows {
    /// No window yet; a full bucket holds `allowance_milli`.
    pub fn new(allowance_milli: i64) -> CwWindows {
        CwWindows {
            allowance_milli,
            windows: Vec::new(),
        }
    }

    /// Counts an accepted answer charged `cost_milli`, leaving `remaining_milli`, at `at`.
    pub fn accept(&mut self, cost_milli: i64, remaining_milli: i64, at: Duration) {
        let half = self.allowance_milli / 2;
        let index = match self.windows.last() {
            Some(w) if remaining_milli > w.lowest_remaining_milli + half => None,
            Some(w) if remaining_milli + half < w.lowest_remaining_milli => {
                Some(self.windows.len().saturating_sub(2))
            }
            Some(_) => Some(self.windows.len() - 1),
            None => None,
        };
        let index = index.unwrap_or_else(|| {
            self.windows.push(CwWindow {
                lowest_remaining_milli: remaining_milli,
                first: at,
                last: at,
                ..CwWindow::default()
            });
            self.windows.len() - 1
        });
        let w = &mut self.windows[index];
        w.accepted += 1;
        w.spent_milli += cost_milli;
        w.lowest_remaining_milli = w.lowest_remaining_milli.min(remaining_milli);
        w.first = w.first.min(at);
        w.last = w.last.max(at);
    }

    /// Share of the allowance window `w` used.
    pub fn used(&self, w: &CwWindow) -> f64 {
        w.spent_milli as f64 / self.allowance_milli as f64
    }

    /// Share of the allowance used per 24 hours over the first `n` windows: what they spent ÷
    /// (allowance × the emulated days from the first answer of window 1 to the first answer of
    /// window `n + 1`). A client that lets time pass between a window's end and the next
    /// window's first request scores below 100 % even when each window is spent in full.
    pub fn used_per_day(&self, n: usize, scale: u32) -> Option<f64> {
        let (first, next) = (self.windows.first()?, self.windows.get(n)?);
        let spent: i64 = self.windows[..n].iter().map(|w| w.spent_milli).sum();
        let days =
            emulated_ms(next.first.saturating_sub(first.first), scale) as f64 / DAY_MS as f64;
        (days > 0.0).then(|| spent as f64 / self.allowance_milli as f64 / days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_spacing_is_the_window_divided_by_the_limit_without_drift() {
        let start = UnixMillis(1_000);
        assert_eq!(spaced(start, 60_000, 30, 1), UnixMillis(3_000));
        assert_eq!(spaced(start, 60_000, 30, 30), UnixMillis(61_000));
        // 86,400,000 ms / 2,000 requests = 43.2 s; 7 ms / 3 does not divide but never drifts.
        assert_eq!(spaced(start, 86_400_000, 2_000, 1), UnixMillis(44_200));
        assert_eq!(spaced(start, 7, 3, 1), UnixMillis(1_002));
        assert_eq!(spaced(start, 7, 3, 3_000), UnixMillis(1_000 + 7_000));
    }

    #[test]
    fn minutes_count_only_the_complete_ones_and_the_fill_instant() {
        let first = UnixMillis(1_790_000_040_000).next_utc_minute();
        let mut t = MinuteTally::new(first, 2, 3);
        t.accept(first.plus(-1)); // before the first complete minute
        for ms in [1_200, 1_100, 5_000, 60_000 + 2_000] {
            t.accept(first.plus(ms));
        }
        t.accept(first.plus(2 * MINUTE_MS)); // after the last one
        assert_eq!(t.accepted(), 4);
        assert!((t.used() - 4.0 / 6.0).abs() < 1e-12);
        // Only the first minute was filled, its third slot at 5 s.
        assert_eq!(t.mean_fill_ms(), Some(5_000.0));
    }

    #[test]
    fn windows_open_on_a_jump_and_late_answers_go_to_the_window_before() {
        let ms = Duration::from_millis;
        let mut w = CwWindows::new(10_000);
        w.accept(5, 9_995, ms(1));
        w.accept(5, 5, ms(2));
        w.accept(5, 0, ms(3));
        w.accept(5, 9_995, ms(10)); // a new window
        w.accept(5, 10, ms(11)); // an old answer that arrived late
        w.accept(5, 9_990, ms(12));
        assert_eq!(w.windows.len(), 2);
        assert_eq!(w.windows[0].accepted, 4);
        assert_eq!((w.windows[0].first, w.windows[0].last), (ms(1), ms(11)));
        assert_eq!(w.windows[1].accepted, 2);
        assert_eq!(w.windows[1].lowest_remaining_milli, 9_990);
        assert!((w.used(&w.windows[0]) - 0.002).abs() < 1e-12);
    }

    #[test]
    fn use_per_day_counts_the_time_between_windows() {
        let ms = Duration::from_millis;
        let mut w = CwWindows::new(9);
        // Scale 8640: ten real seconds are a day. Two windows spent in full, the second one
        // opened a day after the first and the third five real seconds (half a day) late.
        for start in [0, 10_000, 25_000] {
            for (i, remaining) in [6, 3, 0].into_iter().enumerate() {
                w.accept(3, remaining, ms(start + 100 * i as u64));
            }
        }
        assert_eq!(w.windows.len(), 3);
        assert!((w.used_per_day(1, 8_640).unwrap() - 1.0).abs() < 1e-9);
        assert!((w.used_per_day(2, 8_640).unwrap() - 2.0 / 2.5).abs() < 1e-9);
        assert_eq!(w.used_per_day(3, 8_640), None);
    }
}
