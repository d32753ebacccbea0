//! Instants and the UTC calendar.
//!
//! Every instant is UTC milliseconds since the Unix epoch, passed in by the caller: wall-clock time
//! survives a page reload and can be compared with the servers' reset timestamps, which monotonic
//! timers cannot. The calendar helpers are the few the limits need (minute, hour, day, month
//! boundaries) over the proleptic Gregorian calendar, written out here to stay small.

use serde::{Deserialize, Serialize};

/// Milliseconds in a second.
pub const SECOND_MS: i64 = 1000;
/// Milliseconds in a minute.
pub const MINUTE_MS: i64 = 60 * SECOND_MS;
/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// Milliseconds in a day.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// An instant: UTC milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub i64);

/// A UTC calendar date and time of day, for display and for the calendar rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilDateTime {
    /// Year (proleptic Gregorian).
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
    /// Second, 0–59.
    pub second: u32,
    /// Millisecond, 0–999.
    pub millisecond: u32,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01 (`civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Number of days in a month.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap {
                29
            } else {
                28
            }
        }
    }
}

impl UnixMillis {
    /// The instant `ms` milliseconds later (saturating: a corrupt instant must not panic).
    pub const fn plus(self, ms: i64) -> UnixMillis {
        UnixMillis(self.0.saturating_add(ms))
    }

    /// The instant at the start of the UTC minute containing `self`.
    pub const fn minute_start(self) -> UnixMillis {
        UnixMillis(self.0 - self.0.rem_euclid(MINUTE_MS))
    }

    /// The start of the next UTC minute (strictly after `self`).
    pub const fn next_utc_minute(self) -> UnixMillis {
        self.minute_start().plus(MINUTE_MS)
    }

    /// The start of the next UTC hour (strictly after `self`).
    pub const fn next_utc_hour(self) -> UnixMillis {
        UnixMillis(self.0 - self.0.rem_euclid(HOUR_MS)).plus(HOUR_MS)
    }

    /// UTC midnight starting the day that contains `self`.
    pub const fn day_start(self) -> UnixMillis {
        UnixMillis(self.0 - self.0.rem_euclid(DAY_MS))
    }

    /// The next UTC midnight (strictly after `self`).
    pub const fn next_utc_midnight(self) -> UnixMillis {
        self.day_start().plus(DAY_MS)
    }

    /// UTC midnight on the 1st of the month containing `self`.
    pub fn month_start(self) -> UnixMillis {
        let (y, m, _) = civil_from_days(self.0.div_euclid(DAY_MS));
        UnixMillis(days_from_civil(y, m, 1) * DAY_MS)
    }

    /// UTC midnight on the 1st of the next month.
    pub fn first_of_next_month(self) -> UnixMillis {
        let (y, m, _) = civil_from_days(self.0.div_euclid(DAY_MS));
        let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        UnixMillis(days_from_civil(y, m, 1) * DAY_MS)
    }

    /// The same day-of-month and time of day `months` months later; a day that does not exist in
    /// the target month (the 31st in April) becomes that month's last day, as billing does.
    pub fn add_months(self, months: i64) -> UnixMillis {
        let days = self.0.div_euclid(DAY_MS);
        let time = self.0.rem_euclid(DAY_MS);
        let (y, m, d) = civil_from_days(days);
        let index = y * 12 + i64::from(m) - 1 + months;
        let (ny, nm) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
        let nd = d.min(days_in_month(ny, nm));
        UnixMillis(days_from_civil(ny, nm, nd) * DAY_MS + time)
    }

    /// `2025-09-28T10:21:04.716Z`: the form both APIs write their timestamps in.
    pub fn to_iso8601(self) -> String {
        let c = self.to_civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.millisecond
        )
    }

    /// The calendar date and time of `self` in UTC.
    pub fn to_civil(self) -> CivilDateTime {
        let days = self.0.div_euclid(DAY_MS);
        let ms = self.0.rem_euclid(DAY_MS);
        let (year, month, day) = civil_from_days(days);
        CivilDateTime {
            year,
            month,
            day,
            hour: (ms / HOUR_MS) as u32,
            minute: (ms % HOUR_MS / MINUTE_MS) as u32,
            second: (ms % MINUTE_MS / SECOND_MS) as u32,
            millisecond: (ms % SECOND_MS) as u32,
        }
    }

    /// The instant of a UTC calendar date and time; `None` when a field is out of range.
    pub fn from_civil(c: CivilDateTime) -> Option<UnixMillis> {
        if !(1..=12).contains(&c.month)
            || c.day == 0
            || c.day > days_in_month(c.year, c.month)
            || c.hour > 23
            || c.minute > 59
            || c.second > 60
            || c.millisecond > 999
            || c.year.abs() > 1_000_000
        {
            return None;
        }
        let days = days_from_civil(c.year, c.month, c.day);
        Some(UnixMillis(
            days * DAY_MS
                + i64::from(c.hour) * HOUR_MS
                + i64::from(c.minute) * MINUTE_MS
                + i64::from(c.second) * SECOND_MS
                + i64::from(c.millisecond),
        ))
    }

    /// Parses the servers' ISO 8601 UTC form `yyyy-mm-ddThh:mm:ss[.fff]Z` (a `+00:00` offset is
    /// accepted too). Anything else gives `None`: reset timestamps are advisory, so an unreadable
    /// one is skipped rather than guessed.
    pub fn parse_iso8601(text: &str) -> Option<UnixMillis> {
        let b = text.trim().as_bytes();
        let num = |range: core::ops::Range<usize>| -> Option<u32> {
            let part = b.get(range)?;
            if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            part.iter().try_fold(0u32, |acc, d| {
                acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
            })
        };
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b' ') {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let year = i64::from(num(0..4)?);
        let month = num(5..7)?;
        let day = num(8..10)?;
        let hour = num(11..13)?;
        let minute = num(14..16)?;
        let second = num(17..19)?;
        let mut rest = &b[19..];
        let mut millisecond = 0;
        if let Some((b'.', frac)) = rest.split_first() {
            let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let mut scale = 100;
            for d in &frac[..digits.min(3)] {
                millisecond += u32::from(d - b'0') * scale;
                scale /= 10;
            }
            rest = &frac[digits..];
        }
        if rest != b"Z" && rest != b"+00:00" && rest != b"+0000" {
            return None;
        }
        UnixMillis::from_civil(CivilDateTime {
            year,
            month,
            day,
            hour,
            minute,
            second: second.min(59),
            millisecond,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_prints_as_the_apis_write_timestamps_and_reads_back() {
        let text = "2025-09-28T10:21:04.716Z";
        let at = UnixMillis::parse_iso8601(text).expect("parses");
        assert_eq!(at.to_iso8601(), text);
        assert_eq!(UnixMillis(0).to_iso8601(), "1970-01-01T00:00:00.000Z");
    }

    fn at(text: &str) -> UnixMillis {
        UnixMillis::parse_iso8601(text).expect("valid test instant")
    }

    #[test]
    fn civil_conversion_round_trips_over_four_centuries() {
        for days in (-146_097 * 2..146_097 * 2).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
    }

    #[test]
    fn minute_window_opens_at_the_next_utc_minute() {
        assert_eq!(
            at("2024-05-05T10:21:04.716Z").next_utc_minute(),
            at("2024-05-05T10:22:00.000Z")
        );
        assert_eq!(
            at("2024-05-05T10:22:00.000Z").next_utc_minute(),
            at("2024-05-05T10:23:00.000Z")
        );
        assert_eq!(
            at("2024-12-31T23:59:59.999Z").next_utc_minute(),
            at("2025-01-01T00:00:00.000Z")
        );
    }

    #[test]
    fn next_utc_hour_is_the_top_of_the_next_hour() {
        assert_eq!(
            at("2024-05-05T10:21:04.716Z").next_utc_hour(),
            at("2024-05-05T11:00:00.000Z")
        );
    }

    #[test]
    fn daily_reset_is_the_next_utc_midnight() {
        assert_eq!(
            at("2019-08-28T04:03:00.000Z").next_utc_midnight(),
            at("2019-08-29T00:00:00.000Z")
        );
        assert_eq!(
            at("2019-08-29T00:00:00.000Z").next_utc_midnight(),
            at("2019-08-30T00:00:00.000Z")
        );
    }

    #[test]
    fn monthly_reset_is_the_first_of_the_next_month() {
        assert_eq!(
            at("2025-09-28T10:21:04.716Z").first_of_next_month(),
            at("2025-10-01T00:00:00.000Z")
        );
        assert_eq!(
            at("2025-12-15T00:00:00.000Z").first_of_next_month(),
            at("2026-01-01T00:00:00.000Z")
        );
        assert_eq!(
            at("2024-02-29T12:00:00.000Z").month_start(),
            at("2024-02-01T00:00:00.000Z")
        );
    }

    #[test]
    fn instants_before_1970_use_floor_division() {
        let t = UnixMillis(-1);
        assert_eq!(t.minute_start(), UnixMillis(-MINUTE_MS));
        assert_eq!(t.next_utc_midnight(), UnixMillis(0));
        assert_eq!(t.first_of_next_month(), UnixMillis(0));
    }

    #[test]
    fn adding_a_month_keeps_the_billing_day_or_clamps_to_the_month_end() {
        assert_eq!(
            at("2024-01-05T05:30:00.000Z").add_months(1),
            at("2024-02-05T05:30:00.000Z")
        );
        assert_eq!(
            at("2024-01-31T05:30:00.000Z").add_months(1),
            at("2024-02-29T05:30:00.000Z")
        );
        assert_eq!(
            at("2024-01-31T05:30:00.000Z").add_months(3),
            at("2024-04-30T05:30:00.000Z")
        );
        assert_eq!(
            at("2024-11-30T00:00:00.000Z").add_months(2),
            at("2025-01-30T00:00:00.000Z")
        );
        assert_eq!(
            at("2024-03-31T00:00:00.000Z").add_months(-1),
            at("2024-02-29T00:00:00.000Z")
        );
    }

    #[test]
    fn iso_timestamps_of_the_servers_are_parsed() {
        assert_eq!(at("1970-01-01T00:00:00.000Z"), UnixMillis(0));
        assert_eq!(at("1970-01-01T00:00:01Z"), UnixMillis(1000));
        assert_eq!(at("1970-01-01T00:00:00.5Z"), UnixMillis(500));
        assert_eq!(at("1970-01-01T00:00:00.000+00:00"), UnixMillis(0));
        let c = at("2025-09-28T10:21:04.716Z").to_civil();
        assert_eq!(
            (
                c.year,
                c.month,
                c.day,
                c.hour,
                c.minute,
                c.second,
                c.millisecond
            ),
            (2025, 9, 28, 10, 21, 4, 716)
        );
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in [
            "",
            "In 3 days, 19 hours",
            "2025-13-01T00:00:00.000Z",
            "2025-02-30T00:00:00.000Z",
            "2025-09-28T10:21:04.716+02:00",
            "2025-09-28T10:21:04.Z",
            "２０２５-09-28T10:21:04Z",
        ] {
            assert_eq!(UnixMillis::parse_iso8601(bad), None, "{bad}");
        }
    }
}
