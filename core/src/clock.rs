//! The server's clock. CoinMarketCap counts a request in the UTC minute *it* receives it, so the
//! minute windows must be the server's, not the visitor's, whose clock may be minutes off. Each
//! answer says when the server wrote it (`status.timestamp`); against the instants the request
//! left and the answer came back, that gives the offset between the two clocks.

use crate::ledger::MINUTE_EDGE_MS;
use crate::time::{UnixMillis, DAY_MS, MINUTE_MS, SECOND_MS};

/// Answers slower than this say too little about when the server wrote them.
pub const MAX_ROUND_TRIP_MS: i64 = 5 * SECOND_MS;
/// Offsets beyond a week are not believed: that is a server with a broken clock, not a visitor.
pub const MAX_OFFSET_MS: i64 = 7 * DAY_MS;

/// The server's clock minus ours, from one exchange: sent at `sent`, answered at `received`
/// (both on our clock), written by the server at `server`. `None` when the exchange is too slow
/// to tell, or the offset is beyond belief.
///
/// The server wrote its answer somewhere between `sent` and `received`; the midpoint is the
/// best guess, wrong by at most half the round trip (which the one-second edge of the minute
/// window covers for any exchange under two seconds).
pub fn offset_from(sent: UnixMillis, received: UnixMillis, server: UnixMillis) -> Option<i64> {
    let round_trip = received.0 - sent.0;
    if !(0..=MAX_ROUND_TRIP_MS).contains(&round_trip) {
        return None;
    }
    let midpoint = sent.0 + round_trip / 2;
    let offset = server.0 - midpoint;
    (offset.abs() <= MAX_OFFSET_MS).then_some(offset)
}

/// The offset to keep, given the one kept so far and a new sample: the new one when it moves by
/// more than a second (the visitor's clock was set, or it is the first), else the old one, so
/// the windows do not jitter with every answer's network delay.
pub fn settle_offset(kept: Option<i64>, sample: i64) -> i64 {
    match kept {
        Some(old) if (sample - old).abs() <= SECOND_MS => old,
        _ => sample,
    }
}

/// The fastest scaled clock followed: an hour of the server's time a real second.
pub const MAX_SCALE: i64 = 3_600;

/// An emulator's clock, which runs `scale` times faster than real time from `origin` (a real
/// instant): its now is `origin + (real now − origin) × scale`. Only the emulator announces one
/// (`X-Emulator-Time-Scale: 60; origin=…`), so that tests can pass an hour of minute windows in
/// a minute; a real API never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaledClock {
    pub scale: i64,
    pub origin: UnixMillis,
}

impl ScaledClock {
    /// Reads the header's value, `"<scale>; origin=<real Unix milliseconds>"`, at the real
    /// instant `local`. `None` for a scale of 1, anything malformed, a scale beyond
    /// [`MAX_SCALE`], and an origin in the future or more than [`MAX_OFFSET_MS`] ago: the
    /// emulator shares this machine's clock, so its origin is a recent instant on ours.
    pub fn parse(value: &str, local: UnixMillis) -> Option<ScaledClock> {
        let (scale, origin) = value.split_once(';')?;
        let scale = digits(scale.trim())?;
        let origin = digits(origin.trim().strip_prefix("origin=")?)?;
        let age = local.0 - origin;
        ((2..=MAX_SCALE).contains(&scale) && (0..=MAX_OFFSET_MS).contains(&age)).then_some(
            ScaledClock {
                scale,
                origin: UnixMillis(origin),
            },
        )
    }

    /// The scaled clock's time at the real instant `local`.
    pub fn at(&self, local: UnixMillis) -> UnixMillis {
        let elapsed = local.0.saturating_sub(self.origin.0);
        UnixMillis(
            self.origin
                .0
                .saturating_add(elapsed.saturating_mul(self.scale)),
        )
    }

    /// How long `ms` of this clock's time takes in real time (at least a millisecond for any
    /// positive span, so a wait never becomes a spin).
    pub fn real_ms(&self, ms: i64) -> i64 {
        if ms <= 0 {
            return ms;
        }
        (ms / self.scale).max(1)
    }

    /// How much of this clock's time `real_ms` of real time is.
    pub fn span(&self, real_ms: i64) -> i64 {
        real_ms.saturating_mul(self.scale)
    }

    /// How near a minute's edge a request may land in the neighbouring minute on this clock: a
    /// request takes the same real time to reach an emulator on this machine (a quarter of a
    /// second allowed, on a loaded machine), which is `scale` times longer here; never less
    /// than [`MINUTE_EDGE_MS`], never more than a quarter of the minute.
    pub fn minute_edge_ms(&self) -> i64 {
        (self.scale * 250).clamp(MINUTE_EDGE_MS, MINUTE_MS / 4)
    }
}

/// A non-negative decimal integer of at most 15 digits, nothing else.
fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    crate::integer::parse_i64(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_the_server_s_time_against_the_exchange_s_midpoint() {
        // Our clock is 3 min 25 s behind: sent at 10:00:00.000, answered 200 ms later, the
        // server wrote 10:03:25.100.
        let sent = UnixMillis::parse_iso8601("2026-12-01T10:00:00.000Z").unwrap();
        let received = sent.plus(200);
        let server = UnixMillis::parse_iso8601("2026-12-01T10:03:25.100Z").unwrap();
        assert_eq!(offset_from(sent, received, server), Some(205_000));
        // Too slow to tell, answered before it was sent, a clock a month away: not believed.
        assert_eq!(offset_from(sent, sent.plus(6_000), server), None);
        assert_eq!(offset_from(sent, sent.plus(-1), server), None);
        assert_eq!(offset_from(sent, received, server.plus(30 * DAY_MS)), None);
    }

    #[test]
    fn windows_counted_on_a_wrong_clock_move_onto_the_server_s_minutes() {
        use crate::catalog::{CmcPlan, EndpointId, Request};
        use crate::decide::{reserve, Decision};
        use crate::gauge::LimitKind;
        use crate::ledger::{set_clock, Account};

        // The visitor's clock says 10:00:02; the server's is 3 min 25 s ahead (10:03:27).
        let local = UnixMillis::parse_iso8601("2026-12-01T10:00:02.000Z").unwrap();
        let mut account = Account::cmc("k", CmcPlan::Basic);
        let map = Request::new(EndpointId::CmcFiatMap);
        for _ in 0..15 {
            reserve(&mut account, &map, local).expect("fits");
        }
        let offset = 205_000;
        set_clock(&mut account, offset, MINUTE_EDGE_MS);
        // The visitor's minute 10:00 is the server's 10:03:25–10:04:25: its 15 requests may be
        // in the server's 10:03 or 10:04, so both count them. At 10:04:05 server time, 15 more
        // fit (15 + 15 = 30), not 30.
        let server_now = UnixMillis::parse_iso8601("2026-12-01T10:04:05.000Z").unwrap();
        for _ in 0..15 {
            reserve(&mut account, &map, server_now).expect("fits");
        }
        assert!(matches!(
            reserve(&mut account, &map, server_now),
            Err(Decision::WaitUntil {
                limit: LimitKind::CmcMinute,
                ..
            })
        ));
        // Setting the same clock again changes nothing; a wobble within the edge moves nothing.
        let before = account.clone();
        set_clock(&mut account, offset, MINUTE_EDGE_MS);
        assert_eq!(account, before);
        set_clock(&mut account, offset + 400, MINUTE_EDGE_MS);
        assert_eq!(account.limits, before.limits);
        assert_eq!(account.clock_offset_ms, offset + 400);
    }

    #[test]
    fn a_small_wobble_keeps_the_offset_and_a_jump_replaces_it() {
        assert_eq!(settle_offset(None, 205_000), 205_000);
        assert_eq!(settle_offset(Some(205_000), 205_400), 205_000);
        assert_eq!(settle_offset(Some(205_000), -60_000), -60_000);
    }

    #[test]
    fn an_emulator_s_scaled_clock_is_read_strictly_and_runs_scale_times_faster() {
        let origin = UnixMillis::parse_iso8601("2026-12-01T10:00:00.000Z").unwrap();
        let local = origin.plus(30_000);
        let header = format!("60; origin={}", origin.0);
        let clock = ScaledClock::parse(&header, local).expect("a scaled clock");
        assert_eq!(clock.scale, 60);
        // Thirty real seconds after its origin, the emulator is half an hour on.
        assert_eq!(
            clock.at(local),
            UnixMillis::parse_iso8601("2026-12-01T10:30:00.000Z").unwrap()
        );
        // A minute of its time passes in a real second; a wait is never nothing.
        assert_eq!(clock.real_ms(60_000), 1_000);
        assert_eq!(clock.real_ms(30), 1);
        assert_eq!(clock.real_ms(0), 0);
        assert_eq!(clock.span(5_000), 300_000);
        // A request a quarter of a real second late is 15 s late on this clock.
        assert_eq!(clock.minute_edge_ms(), 15_000);
        let slow = ScaledClock::parse(&format!("2; origin={}", origin.0), local).unwrap();
        assert_eq!(slow.minute_edge_ms(), MINUTE_EDGE_MS);

        let o = origin.0;
        for bad in [
            format!("1; origin={o}"),
            format!("0; origin={o}"),
            format!("3601; origin={o}"),
            format!("-60; origin={o}"),
            format!("60; origin={}", o + 31_000),
            format!("60; origin={}", o - 8 * DAY_MS),
            format!("60;origin=+{o}"),
            format!("60; start={o}"),
            "60".to_string(),
            format!("60; origin={o}0000000000"),
            String::new(),
        ] {
            assert_eq!(ScaledClock::parse(&bad, local), None, "{bad:?}");
        }
        // Spaces around the parts are allowed.
        assert!(ScaledClock::parse(&format!(" 60 ;origin={o} "), local).is_some());
    }

    #[test]
    fn on_a_scaled_clock_requests_near_a_minute_s_edge_count_in_both_minutes() {
        use crate::catalog::{CmcPlan, EndpointId, Request};
        use crate::decide::{reserve, Decision};
        use crate::gauge::LimitKind;
        use crate::ledger::{set_clock, Account};

        let at = |s: &str| UnixMillis::parse_iso8601(s).unwrap();
        let map = Request::new(EndpointId::CmcFiatMap);
        let scaled = ScaledClock {
            scale: 60,
            origin: at("2026-12-01T10:00:00.000Z"),
        };
        // Thirty requests at 10:00:50 fill the minute; on a clock 60 times faster they may
        // reach the server up to 15 s later, in 10:01, so 10:01 is full too.
        let mut account = Account::cmc("k", CmcPlan::Basic);
        set_clock(&mut account, 0, scaled.minute_edge_ms());
        for _ in 0..30 {
            reserve(&mut account, &map, at("2026-12-01T10:00:50.000Z")).expect("fits");
        }
        match reserve(&mut account, &map, at("2026-12-01T10:01:10.000Z")) {
            Err(Decision::WaitUntil {
                limit: LimitKind::CmcMinute,
                at: until,
                ..
            }) => assert_eq!(until, at("2026-12-01T10:02:15.000Z")),
            other => panic!("expected a wait for the minute, got {other:?}"),
        }
        // On the real clock's one-second edge the same requests stay in 10:00.
        let mut account = Account::cmc("k", CmcPlan::Basic);
        set_clock(&mut account, 0, MINUTE_EDGE_MS);
        for _ in 0..30 {
            reserve(&mut account, &map, at("2026-12-01T10:00:50.000Z")).expect("fits");
        }
        reserve(&mut account, &map, at("2026-12-01T10:01:10.000Z")).expect("10:01 is empty");
        // An edge beyond belief is held to a quarter of the minute.
        set_clock(&mut account, 0, i64::MAX);
        let crate::ledger::Limits::Cmc(l) = &account.limits else {
            unreachable!()
        };
        assert_eq!(l.minute.edge_ms, 15_000);
    }
}
