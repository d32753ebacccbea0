//! The words the widget shows for the core's values: the name of each limit, the warning
//! sentences. The core decides what is left and when to warn; this only says it.

use credit_gauge_core::decide::LimitKind;
use credit_gauge_core::gauge::{self, Gauge, RunsOut, Warning, WarningLevel};
use credit_gauge_core::{Credits, UnixMillis};

use crate::format;
use crate::widget::HistoryEntry;

/// The limit's short name, in `data-limit` attributes and in events (`minute`, `day`, `month`,
/// `allowance`).
pub fn limit_slug(limit: LimitKind) -> &'static str {
    match limit {
        LimitKind::CmcMinute => "minute",
        LimitKind::CmcDaily => "day",
        LimitKind::CmcMonthly => "month",
        LimitKind::CmcIp => "ip",
        LimitKind::CwAllowance => "allowance",
    }
}

/// The limit's label on its gauge.
pub fn limit_label(limit: LimitKind) -> &'static str {
    match limit {
        LimitKind::CmcMinute => "Requests this minute",
        LimitKind::CmcDaily => "Credits today",
        LimitKind::CmcMonthly => "Credits this month",
        LimitKind::CmcIp => "Requests from this address",
        LimitKind::CwAllowance => "24-hour allowance",
    }
}

/// One warning, and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownWarning {
    pub warning: Warning,
    pub text: String,
}

/// The warnings about `gauges` at `now`, at the rate of the history's charges, with their text.
pub fn warnings(gauges: &[Gauge], history: &[HistoryEntry], now: UnixMillis) -> Vec<ShownWarning> {
    let spending: Vec<(UnixMillis, Credits)> = history.iter().map(|h| (h.at, h.charged)).collect();
    gauge::warnings(gauges, &spending, now)
        .into_iter()
        .map(|warning| ShownWarning {
            text: warning_text(&warning, now),
            warning,
        })
        .collect()
}

/// "Credits this month: 85 % used (80 % warning). At the last hour's rate it runs out in …".
pub fn warning_text(w: &Warning, now: UnixMillis) -> String {
    let level = match w.level {
        WarningLevel::Eighty => 80,
        WarningLevel::NinetyFive => 95,
    };
    let mut text = format!(
        "{}: {} % used ({level} % warning).",
        limit_label(w.gauge.limit),
        (w.gauge.used_share() * 100.0).floor() as i64
    );
    match w.runs_out {
        Some(RunsOut::At(at)) => text.push_str(&format!(
            " At the last hour's rate it runs out in {} ({}), before it resets.",
            format::duration(at.0 - now.0),
            format::instant(at)
        )),
        Some(RunsOut::AfterReset) => {
            text.push_str(" At the last hour's rate it lasts until it resets.")
        }
        None => {}
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use credit_gauge_core::gauge::Unit;

    fn entry(at: i64, charged: i64) -> HistoryEntry {
        HistoryEntry {
            at: UnixMillis(at),
            endpoint: "Listings".into(),
            estimated: Credits::from_whole(charged),
            charged: Credits::from_whole(charged),
            outcome: "200 OK".into(),
            ok: true,
        }
    }

    #[test]
    fn warnings_start_at_eighty_percent_and_project_exhaustion() {
        let g = Gauge {
            limit: LimitKind::CmcMonthly,
            left: Credits::from_whole(1_500),
            size: Credits::from_whole(10_000),
            unit: Unit::Credits,
            resets_at: Some(UnixMillis(10 * 86_400_000)),
        };
        let t = UnixMillis(3_600_000);
        let history = vec![entry(0, 500), entry(1_800_000, 1_000)];
        let w: Vec<String> = warnings(std::slice::from_ref(&g), &history, t)
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("85 % used (80 % warning)"), "{}", w[0]);
        assert!(w[0].contains("runs out in 1 h 00 min"), "{}", w[0]);
        let calm = Gauge {
            left: Credits::from_whole(5_000),
            ..g
        };
        assert!(warnings(&[calm], &history, t).is_empty());
    }

    #[test]
    fn every_limit_has_a_name_and_a_label() {
        for limit in [
            LimitKind::CmcMinute,
            LimitKind::CmcDaily,
            LimitKind::CmcMonthly,
            LimitKind::CmcIp,
            LimitKind::CwAllowance,
        ] {
            assert!(!limit_slug(limit).is_empty() && !limit_label(limit).is_empty());
        }
        assert_eq!(limit_slug(LimitKind::CmcMonthly), "month");
    }
}
