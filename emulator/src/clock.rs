//! The emulated clock and the calendar arithmetic on it.
//!
//! With `--time-scale N` every window (minute, day, month, 24 hours) passes N times faster:
//! emulated now = start + (real now − start) × N. The emulated clock starts at the real time,
//! so with the default scale of 1 every instant the emulator reports is the real UTC time.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub const MINUTE: Millis = 60_000;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// A clock that runs `scale` times faster than the real one from the moment it was made.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start_real: Millis,
    scale: u32,
}

fn real_now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

impl Clock {
    pub fn new(scale: u32) -> Self {
        Clock {
            start_real: real_now(),
            scale: scale.max(1),
        }
    }

    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The real instant the emulated clock started from (and agreed with the real one).
    pub fn origin(&self) -> Millis {
        self.start_real
    }

    /// The emulated now.
    pub fn now(&self) -> Millis {
        let real = real_now();
        let elapsed = real.saturating_sub(self.start_real).max(0);
        self.start_real
            .saturating_add(elapsed.saturating_mul(Millis::from(self.scale)))
    }
}

/// A calendar date and time of day, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub millis_of_day: Millis,
}

// Howard Hinnant's days-from-civil / civil-from-days: exact for the proleptic Gregorian
// calendar, no dependency needed for the few conversions the emulator makes.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn to_civil(t: Millis) -> Civil {
    let days = t.div_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        millis_of_day: t.rem_euclid(DAY),
    }
}

pub fn from_civil(c: Civil) -> Millis {
    days_from_civil(c.year, c.month, c.day) * DAY + c.millis_of_day
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    (days_from_civil(ny, nm, 1) - days_from_civil(year, month, 1)) as u32
}

/// `yyyy-mm-ddThh:mm:ss.mmmZ`, the format both the CoinMarketCap envelope and key/info use.
pub fn iso(t: Millis) -> String {
    let c = to_civil(t);
    let ms = c.millis_of_day;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year,
        c.month,
        c.day,
        ms / HOUR,
        (ms % HOUR) / MINUTE,
        (ms % MINUTE) / 1000,
        ms % 1000
    )
}

/// The start of the UTC minute holding `t`.
pub fn minute_start(t: Millis) -> Millis {
    t - t.rem_euclid(MINUTE)
}

/// Where a plan's daily and monthly windows begin: UTC midnight and the 1st for Basic, the
/// billing anchor (day of month and time of day) for paid plans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub day_of_month: u32,
    pub millis_of_day: Millis,
}

impl Anchor {
    pub const CALENDAR: Anchor = Anchor {
        day_of_month: 1,
        millis_of_day: 0,
    };

    /// The start of the daily window holding `t`.
    pub fn day_start(&self, t: Millis) -> Millis {
        let midnight = t - t.rem_euclid(DAY);
        let candidate = midnight + self.millis_of_day;
        if candidate <= t {
            candidate
        } else {
            candidate - DAY
        }
    }

    /// The instant of the anchor within a given month; a day past the month's end (the 31st in
    /// April) falls on the month's last day, as billing systems do.
    fn in_month(&self, year: i64, month: u32) -> Millis {
        let day = self.day_of_month.clamp(1, days_in_month(year, month));
        from_civil(Civil {
            year,
            month,
            day,
            millis_of_day: self.millis_of_day,
        })
    }

    /// The start of the monthly window holding `t`.
    pub fn month_start(&self, t: Millis) -> Millis {
        let c = to_civil(t);
        let this = self.in_month(c.year, c.month);
        if this <= t {
            this
        } else {
            let (py, pm) = if c.month == 1 {
                (c.year - 1, 12)
            } else {
                (c.year, c.month - 1)
            };
            self.in_month(py, pm)
        }
    }

    /// The end of the monthly window that starts at `start`.
    pub fn month_end(&self, start: Millis) -> Millis {
        let c = to_civil(start);
        let (ny, nm) = if c.month == 12 {
            (c.year + 1, 1)
        } else {
            (c.year, c.month + 1)
        };
        self.in_month(ny, nm)
    }
}

/// A human countdown in CoinMarketCap's words: "In 3 days, 19 hours, 56 minutes".
pub fn countdown(from: Millis, to: Millis) -> String {
    let total_minutes = (to - from).max(0) / MINUTE;
    let days = total_minutes / (24 * 60);
    let hours = (total_minutes / 60) % 24;
    let minutes = total_minutes % 60;
    let unit = |n: i64, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(unit(days, "day"));
    }
    if days > 0 || hours > 0 {
        parts.push(unit(hours, "hour"));
    }
    parts.push(unit(minutes, "minute"));
    format!("In {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> Millis {
        from_civil(Civil {
            year: y,
            month: mo,
            day: d,
            millis_of_day: h * HOUR + mi * MINUTE,
        })
    }

    #[test]
    fn iso_has_milliseconds_and_a_z() {
        assert_eq!(
            iso(at(2025, 9, 28, 10, 21) + 4_716),
            "2025-09-28T10:21:04.716Z"
        );
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn calendar_windows_start_at_midnight_and_the_first() {
        let t = at(2025, 9, 28, 10, 21);
        assert_eq!(Anchor::CALENDAR.day_start(t), at(2025, 9, 28, 0, 0));
        let start = Anchor::CALENDAR.month_start(t);
        assert_eq!(start, at(2025, 9, 1, 0, 0));
        assert_eq!(Anchor::CALENDAR.month_end(start), at(2025, 10, 1, 0, 0));
    }

    #[test]
    fn billing_windows_follow_the_anchor() {
        let anchor = Anchor {
            day_of_month: 5,
            millis_of_day: 5 * HOUR + 30 * MINUTE,
        };
        assert_eq!(
            anchor.day_start(at(2025, 1, 3, 4, 0)),
            at(2025, 1, 2, 5, 30)
        );
        assert_eq!(
            anchor.month_start(at(2025, 1, 3, 4, 0)),
            at(2024, 12, 5, 5, 30)
        );
        assert_eq!(
            anchor.month_start(at(2025, 1, 5, 5, 30)),
            at(2025, 1, 5, 5, 30)
        );
        assert_eq!(
            anchor.month_end(at(2024, 12, 5, 5, 30)),
            at(2025, 1, 5, 5, 30)
        );
        let late = Anchor {
            day_of_month: 31,
            millis_of_day: 0,
        };
        assert_eq!(late.month_end(at(2025, 3, 31, 0, 0)), at(2025, 4, 30, 0, 0));
    }

    #[test]
    fn countdown_reads_like_the_api() {
        let t = at(2025, 9, 28, 10, 21);
        assert_eq!(
            countdown(t, at(2025, 10, 1, 0, 0)),
            "In 2 days, 13 hours, 39 minutes"
        );
        assert_eq!(countdown(t, t + MINUTE), "In 1 minute");
    }
}
