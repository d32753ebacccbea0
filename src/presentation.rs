//! The words the widget shows for the core's values: the name of each limit, the warning
//! sentences. The core decides what is left and when to warn; this only says it.

use credit_gauge_core::cat;
use credit_gauge_core::catalog::CostBasis;
use credit_gauge_core::decide::{Decision, LimitKind};
use credit_gauge_core::gauge::{self, credits_left, Gauge, RunsOut, Warning, WarningLevel};
use credit_gauge_core::{
    estimate, explain, Account, ApiKind, Code, Credits, Explanation, Request, UnixMillis,
};

use crate::format;
use crate::history::HistoryEntry;

/// The API's name as the widget shows it.
pub fn api_name(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "CoinMarketCap",
        ApiKind::Cryptowatch => "Cryptowatch",
    }
}

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

/// Where a limit's figures come from, as its gauge says it.
pub fn source_words(source: credit_gauge_core::gauge::ResetSource) -> &'static str {
    match source {
        credit_gauge_core::gauge::ResetSource::Server => "server's figures",
        credit_gauge_core::gauge::ResetSource::Plan => "plan's figures",
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
    let mut text = cat![
        limit_label(w.gauge.limit),
        ": ",
        (w.gauge.used_share() * 100.0).floor() as i64,
        " % used (",
        level,
        " % warning).",
    ];
    match w.runs_out {
        Some(RunsOut::At(at)) => text.push_str(&cat![
            " At the last hour's rate it runs out in ",
            format::duration(at.0 - now.0),
            " (",
            format::instant(at),
            "), before it resets.",
        ]),
        Some(RunsOut::AfterReset) => {
            text.push_str(" At the last hour's rate it lasts until it resets.")
        }
        None => {}
    }
    text
}

/// Whether the widget shows the built-in emulator's demo account (its demo Basic key, or
/// Cryptowatch without a key).
pub fn on_the_demo(s: &crate::settings::Settings) -> bool {
    let demo_key = match s.api {
        ApiKind::CoinMarketCap => s.key() == "demo-basic",
        ApiKind::Cryptowatch => s.key().is_empty(),
    };
    let emulator = cat![s.emulator_origin, crate::settings::emulator_base(s.api)];
    demo_key && s.base() == emulator
}

/// The one line a first visit reads: what the gauges are, and that nothing costs money.
pub fn demo_intro(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "Demo: the built-in emulator's Basic key. Each bar is one of its limits, with what is left and when it resets; nothing here spends real credits.",
        ApiKind::Cryptowatch => "Demo: the built-in emulator's anonymous Cryptowatch allowance, with what is left and when it resets; nothing here spends real credits.",
    }
}

/// `1 credit`, `0.5 credits`, `12 credits`.
pub fn credits_phrase(c: Credits) -> String {
    if c == Credits::from_whole(1) {
        "1 credit".to_string()
    } else {
        cat![format::credits(c), " credits"]
    }
}

/// The cost preview line for a request, e.g.
/// "3 credits: 201 coins at 200 per credit, + 1 extra convert · 9,761 left this month"; the
/// reason instead when it cannot go as it is.
pub fn preview_line(
    request: &Request,
    account: Option<&Account>,
    t: UnixMillis,
) -> Result<String, String> {
    let p = estimate(request).map_err(|e| {
        let mut text = e.text();
        if let Some(first) = text.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        text
    })?;
    let unit = credits_phrase;
    let mut line = match p.basis {
        CostBasis::Free => "Free (0 credits), but it counts as a request this minute".into(),
        CostBasis::Fixed => unit(p.credits),
        CostBasis::PerCall => cat![unit(p.credits), ": 1 per call"],
        CostBasis::Batched {
            items,
            batch_size,
            unit: what,
        } => cat![
            unit(p.credits),
            ": ",
            format::thousands(i64::from(items)),
            ' ',
            what,
            " at ",
            batch_size,
            " per credit",
        ],
    };
    if p.extra_converts > 0 {
        line.push_str(&cat![
            ", + ",
            p.extra_converts,
            " extra convert",
            if p.extra_converts == 1 { "" } else { "s" },
        ]);
    }
    let Some(account) = account else {
        return Ok(line);
    };
    match credit_gauge_core::decide(account, request, t) {
        Decision::SendNow { .. } => {}
        Decision::WaitUntil { at, .. } => line.push_str(&cat![
            " · would wait ",
            format::duration(at.0 - t.0),
            " for its limit",
        ]),
        refused @ Decision::Refuse { .. } => {
            if let Some(code) = Code::of_decision(&refused) {
                let e = explain(code, None);
                return Err(cat![line, " · ", e.title, ": ", e.what_to_do]);
            }
        }
    }
    if let Some(left) = left_line(account, t) {
        line.push_str(" · ");
        line.push_str(&left);
    }
    Ok(line)
}

/// "9,761 left this month" (CoinMarketCap) or "… left of the 24-hour allowance" (Cryptowatch).
pub fn left_line(account: &Account, t: UnixMillis) -> Option<String> {
    let (limit, what) = match account.api {
        ApiKind::CoinMarketCap => (LimitKind::CmcMonthly, "this month"),
        ApiKind::Cryptowatch => (LimitKind::CwAllowance, "of the 24-hour allowance"),
    };
    let left = credits_left(account, limit, t)?;
    Some(cat![format::credits(left), " left ", what])
}

/// What a sync says about the count: `before` and `after` it, and whether the server gave
/// its figures.
pub fn sync_note(before: Option<Credits>, after: Option<Credits>, from_server: bool) -> String {
    if !from_server {
        return "The server did not report usage, so nothing was corrected.".into();
    }
    match (before, after) {
        (Some(b), Some(a)) if a != b => {
            let d = a - b;
            let sign = if d.millis() > 0 { "+" } else { "" };
            cat![
                "Synced: the server's count differed from ours by ",
                sign,
                format::credits(d),
                " credits; corrected.",
            ]
        }
        _ => "Synced: the server agrees with our count.".into(),
    }
}

/// The history's outcome column: "200 OK", "429 Out of allowance", "No connection".
pub fn outcome_label(explanation: Option<&Explanation>, status: Option<u16>) -> String {
    match (explanation, status) {
        (None, Some(status)) => cat![status, " OK"],
        (Some(e), Some(status)) => cat![status, ' ', e.title],
        (Some(e), None) => e.title.to_string(),
        (None, None) => "OK".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_visit_on_the_emulator_is_told_what_it_sees() {
        let mut s = crate::settings::Settings::default();
        assert!(on_the_demo(&s));
        assert!(demo_intro(s.api).contains("emulator's Basic key"));
        *s.key_mut() = "my-own-key".into();
        assert!(!on_the_demo(&s));
        *s.key_mut() = "demo-basic".into();
        *s.base_mut() = crate::settings::GATEWAY_BASE.into();
        assert!(!on_the_demo(&s));
    }
    use credit_gauge_core::gauge::Unit;

    fn entry(at: i64, charged: i64) -> HistoryEntry {
        let c = Credits::from_whole(charged);
        HistoryEntry {
            outcome: "200 OK".into(),
            ok: true,
            ..HistoryEntry::new(UnixMillis(at), "Listings", Some(c), c)
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
    fn a_sync_says_how_far_the_count_was_corrected() {
        let c = Credits::from_whole;
        assert_eq!(
            sync_note(Some(c(10)), Some(c(15)), true),
            "Synced: the server's count differed from ours by +5 credits; corrected."
        );
        assert_eq!(
            sync_note(Some(c(10)), Some(c(10)), true),
            "Synced: the server agrees with our count."
        );
        assert!(sync_note(Some(c(10)), Some(c(15)), false).contains("did not report"));
        assert_eq!(outcome_label(None, Some(200)), "200 OK");
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
