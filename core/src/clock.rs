//! The server's clock. CoinMarketCap counts a request in the UTC minute *it* receives it, so the
//! minute windows must be the server's, not the visitor's, whose clock may be minutes off. Each
//! answer says when the server wrote it (`status.timestamp`); against the instants the request
//! left and the answer came back, that gives the offset between the two clocks.

use crate::time::{UnixMillis, DAY_MS, SECOND_MS};

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
        set_clock(&mut account, offset);
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
        set_clock(&mut account, offset);
        assert_eq!(account, before);
        set_clock(&mut account, offset + 400);
        assert_eq!(account.limits, before.limits);
        assert_eq!(account.clock_offset_ms, offset + 400);
    }

    #[test]
    fn a_small_wobble_keeps_the_offset_and_a_jump_replaces_it() {
        assert_eq!(settle_offset(None, 205_000), 205_000);
        assert_eq!(settle_offset(Some(205_000), 205_400), 205_000);
        assert_eq!(settle_offset(Some(205_000), -60_000), -60_000);
    }
}
