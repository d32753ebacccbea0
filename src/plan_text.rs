//! The planner's sentences: what the core's planner worked out (`credit_gauge_core::planner`),
//! in the words people plan in.

use credit_gauge_core::cat;
use credit_gauge_core::decide::LimitKind;
use credit_gauge_core::planner::{Room, Runway};
use credit_gauge_core::UnixMillis;

use crate::format;

/// `this minute`, `today`, `this month`, `in this 24-hour window`.
fn span(limit: LimitKind) -> &'static str {
    match limit {
        LimitKind::CmcMinute => "this minute",
        LimitKind::CmcDaily => "today",
        LimitKind::CmcMonthly => "this month",
        LimitKind::CmcIp => "before the IP pause ends",
        LimitKind::CwAllowance => "in this 24-hour window",
    }
}

/// `Fits 29 more this minute, 233 more today and 9,900 more this month.`
pub fn room_line(rooms: &[Room]) -> String {
    let parts: Vec<String> = rooms
        .iter()
        .filter_map(|r| {
            r.calls
                .map(|n| cat![format::thousands(n as i64), " more ", span(r.limit)])
        })
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => cat!["Fits ", one, '.'],
        [rest @ .., last] => cat!["Fits ", format::join(rest, ", "), " and ", last, '.'],
    }
}

/// What runs out when a limit is reached, and whether its verb takes the plural.
fn limit_words(limit: LimitKind) -> (&'static str, bool) {
    match limit {
        LimitKind::CmcMinute => ("this minute's requests", true),
        LimitKind::CmcDaily => ("the day's credits", true),
        LimitKind::CmcMonthly => ("the month's credits", true),
        LimitKind::CmcIp => ("the IP's requests", true),
        LimitKind::CwAllowance => ("the 24-hour allowance", false),
    }
}

/// `Every 30 s: the day's credits run out at 2026-11-01 02:46:30 UTC, in 2 h 46 min; it goes
/// on after the reset at 2026-11-02 00:00:00 UTC.`
pub fn runway_line(interval_s: i64, runway: &Runway, now: UnixMillis) -> String {
    let every = cat!["Every ", format::duration(interval_s * 1000)];
    match runway {
        Runway::Lasts { until } => cat![
            every,
            ": lasts until ",
            format::instant(*until),
            ", the end of this plan's window.",
        ],
        Runway::RunsOut { limit, at, resumes } => {
            let (what, plural) = limit_words(*limit);
            let mut line = if at.0 <= now.0 {
                // Already reached: "in 0 s" would read as a countdown.
                cat![
                    every,
                    ": ",
                    what,
                    ' ',
                    if plural { "are" } else { "is" },
                    " spent already"
                ]
            } else {
                cat![
                    every,
                    ": ",
                    what,
                    ' ',
                    if plural { "run" } else { "runs" },
                    " out at ",
                    format::instant(*at),
                    ", in ",
                    format::duration(at.0 - now.0),
                ]
            };
            match resumes {
                Some(r) => line.push_str(&cat![
                    "; it goes on after the reset at ",
                    format::instant(*r),
                    '.',
                ]),
                None => line.push('.'),
            }
            line
        }
        Runway::TooFast { per_minute } => cat![
            every,
            ": faster than the minute allows (",
            per_minute,
            " requests a minute); the rest would wait.",
        ],
    }
}

/// `To last until the month's reset: at most one every 4 min 20 s.`
pub fn shortest_line(shortest_s: Option<i64>) -> String {
    match shortest_s {
        Some(s) => cat![
            "To last the whole plan window: at most one every ",
            format::duration(s * 1000),
            '.',
        ],
        None => "No interval lasts the plan window: a limit has no room for another call until it resets.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> UnixMillis {
        UnixMillis::parse_iso8601(text).expect("instant")
    }

    #[test]
    fn the_planner_speaks_in_calls_instants_and_intervals() {
        let rooms = [
            Room {
                limit: LimitKind::CmcMinute,
                calls: Some(29),
                resets_at: None,
            },
            Room {
                limit: LimitKind::CmcDaily,
                calls: Some(233),
                resets_at: None,
            },
            Room {
                limit: LimitKind::CmcMonthly,
                calls: Some(9_900),
                resets_at: None,
            },
        ];
        assert_eq!(
            room_line(&rooms),
            "Fits 29 more this minute, 233 more today and 9,900 more this month."
        );
        assert_eq!(room_line(&rooms[..1]), "Fits 29 more this minute.");
        let now = at("2026-11-01T00:00:00.000Z");
        let out = Runway::RunsOut {
            limit: LimitKind::CmcDaily,
            at: at("2026-11-01T02:46:30.000Z"),
            resumes: Some(at("2026-11-02T00:00:00.000Z")),
        };
        assert_eq!(
            runway_line(30, &out, now),
            "Every 30 s: the day's credits run out at 2026-11-01 02:46:30 UTC, in 2 h 46 min; it goes on after the reset at 2026-11-02 00:00:00 UTC."
        );
        // A singular limit, and one already reached.
        let allowance = |at_text| Runway::RunsOut {
            limit: LimitKind::CwAllowance,
            at: at(at_text),
            resumes: Some(at("2026-11-02T00:00:00.000Z")),
        };
        assert_eq!(
            runway_line(60, &allowance("2026-11-01T01:00:00.000Z"), now),
            "Every 1 min 00 s: the 24-hour allowance runs out at 2026-11-01 01:00:00 UTC, in 1 h 00 min; it goes on after the reset at 2026-11-02 00:00:00 UTC."
        );
        assert_eq!(
            runway_line(60, &allowance("2026-11-01T00:00:00.000Z"), now),
            "Every 1 min 00 s: the 24-hour allowance is spent already; it goes on after the reset at 2026-11-02 00:00:00 UTC."
        );
        assert_eq!(
            runway_line(1, &Runway::TooFast { per_minute: 30 }, now),
            "Every 1 s: faster than the minute allows (30 requests a minute); the rest would wait."
        );
        assert_eq!(
            shortest_line(Some(260)),
            "To last the whole plan window: at most one every 4 min 20 s."
        );
    }
}
