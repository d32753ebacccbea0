//! A team gateway's figures: the IETF RateLimit fields (`RateLimit-Policy` and `RateLimit`,
//! draft-ietf-httpapi-ratelimit-headers) that `credit-gauge-gateway` puts on every answer,
//! counting every client of the key. Read them tolerantly, and let them raise the account's
//! counts — never lower them: the widget's own requests in flight are in both figures, and a
//! count taken too high only makes the widget wait, while one too low causes a 429.

use crate::credits::Credits;
use crate::integer::parse_i64;
use crate::ledger::{Account, Limits};
use crate::time::UnixMillis;

/// The gateway's name for each CoinMarketCap window.
pub const MINUTE_POLICY: &str = "requests-per-minute";
/// See [`MINUTE_POLICY`].
pub const DAY_POLICY: &str = "credits-per-day";
/// See [`MINUTE_POLICY`].
pub const MONTH_POLICY: &str = "credits-per-month";

/// The most policies read from one answer: a server cannot make this read unbounded.
const MAX_POLICIES: usize = 8;
/// The largest quota believed (more than any plan's monthly credits by far).
const MAX_QUOTA: i64 = 1_000_000_000;

/// One window as a server counts it for everyone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerWindow {
    /// The policy's name.
    pub name: String,
    /// Its quota (`q`).
    pub quota: i64,
    /// What is left of it (`r`).
    pub remaining: i64,
}

/// The parameters of one list member: `"name";a=1;b=2` → name and `(key, value)` pairs.
fn member(item: &str) -> Option<(&str, Vec<(&str, i64)>)> {
    let mut parts = item.trim().split(';');
    let name = parts.next()?.trim().strip_prefix('"')?.strip_suffix('"')?;
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    let params = parts
        .filter_map(|p| {
            let (key, value) = p.trim().split_once('=')?;
            Some((key.trim(), parse_i64(value.trim())?))
        })
        .collect();
    Some((name, params))
}

fn param(params: &[(&str, i64)], key: &str) -> Option<i64> {
    params.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The windows named in both fields, with their quota and what is left; anything malformed,
/// negative or absurd is left out.
pub fn parse(policy: &str, remaining: &str) -> Vec<ServerWindow> {
    let quotas: Vec<(&str, i64)> = policy
        .split(',')
        .take(MAX_POLICIES)
        .filter_map(member)
        .filter_map(|(name, params)| Some((name, param(&params, "q")?)))
        .filter(|(_, q)| (1..=MAX_QUOTA).contains(q))
        .collect();
    remaining
        .split(',')
        .take(MAX_POLICIES)
        .filter_map(member)
        .filter_map(|(name, params)| {
            let quota = quotas.iter().find(|(n, _)| *n == name)?.1;
            let left = param(&params, "r")?;
            (0..=quota).contains(&left).then(|| ServerWindow {
                name: name.to_string(),
                quota,
                remaining: left,
            })
        })
        .collect()
}

/// Raises the account's counts (and sets its limits) to the gateway's figures at `now`;
/// whether anything was read. Only a CoinMarketCap account has these windows.
pub fn adopt(account: &mut Account, windows: &[ServerWindow], now: UnixMillis) -> bool {
    let Limits::Cmc(l) = &mut account.limits else {
        return false;
    };
    let mut read = false;
    for w in windows {
        let used = w.quota - w.remaining;
        match w.name.as_str() {
            MINUTE_POLICY => {
                l.minute.limit = u32::try_from(w.quota).unwrap_or(u32::MAX);
                l.minute
                    .raise_to(u32::try_from(used).unwrap_or(u32::MAX), now);
            }
            DAY_POLICY | MONTH_POLICY => {
                let limit = if w.name == DAY_POLICY {
                    &mut l.day
                } else {
                    &mut l.month
                };
                limit.limit = Some(Credits::from_whole(w.quota));
                let used = Credits::from_whole(used).max(limit.used_at(now));
                limit.set_used(used, now);
            }
            _ => continue,
        }
        read = true;
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CmcPlan, EndpointId, Request};
    use crate::decide::{reserve, Decision};
    use crate::gauge::{credits_left, LimitKind};

    const POLICY: &str = r#""requests-per-minute";q=30;w=60, "credits-per-day";q=333;w=86400, "credits-per-month";q=10000;w=2592000"#;

    fn at(text: &str) -> UnixMillis {
        UnixMillis::parse_iso8601(text).expect("instant")
    }

    #[test]
    fn the_gateway_s_fields_are_read_per_policy() {
        let windows = parse(
            POLICY,
            r#""requests-per-minute";r=12;t=40, "credits-per-day";r=300;t=100, "credits-per-month";r=9000;t=5"#,
        );
        assert_eq!(
            windows,
            vec![
                ServerWindow {
                    name: MINUTE_POLICY.into(),
                    quota: 30,
                    remaining: 12
                },
                ServerWindow {
                    name: DAY_POLICY.into(),
                    quota: 333,
                    remaining: 300
                },
                ServerWindow {
                    name: MONTH_POLICY.into(),
                    quota: 10_000,
                    remaining: 9_000
                },
            ]
        );
    }

    #[test]
    fn malformed_or_absurd_fields_are_left_out() {
        assert!(parse("", "").is_empty());
        assert!(parse("garbage", "\"x\";r=1").is_empty());
        // Remaining above the quota, negative, no quota, a name never declared.
        let odd = parse(
            r#""a";q=10, "b";q=10, "c";w=60, "d";q=-1"#,
            r#""a";r=11, "b";r=-1, "c";r=1, "d";r=0, "e";r=1"#,
        );
        assert!(odd.is_empty(), "{odd:?}");
        // Bounded: a thousand policies read as at most eight.
        let many: Vec<String> = (0..1000).map(|i| format!("\"p{i}\";q=5")).collect();
        let left: Vec<String> = (0..1000).map(|i| format!("\"p{i}\";r=1")).collect();
        assert!(parse(&many.join(","), &left.join(",")).len() <= MAX_POLICIES);
    }

    #[test]
    fn other_clients_requests_raise_the_counts_and_never_lower_them() {
        let now = at("2026-12-01T10:00:15.000Z");
        let mut account = Account::cmc("k", CmcPlan::Basic);
        let team = parse(
            POLICY,
            r#""requests-per-minute";r=0;t=45, "credits-per-day";r=33;t=100, "credits-per-month";r=9000;t=5"#,
        );
        assert!(adopt(&mut account, &team, now));
        // The team filled the minute: this widget waits for the next one.
        let listing = Request::new(EndpointId::CmcListingsLatest);
        assert!(matches!(
            reserve(&mut account, &listing, now),
            Err(Decision::WaitUntil {
                limit: LimitKind::CmcMinute,
                ..
            })
        ));
        assert_eq!(
            credits_left(&account, LimitKind::CmcDaily, now),
            Some(Credits::from_whole(33))
        );
        assert_eq!(
            credits_left(&account, LimitKind::CmcMonthly, now),
            Some(Credits::from_whole(9000))
        );
        // A later answer with more left does not lower the counts.
        let lower = parse(POLICY, r#""credits-per-month";r=9500;t=5"#);
        adopt(&mut account, &lower, now);
        assert_eq!(
            credits_left(&account, LimitKind::CmcMonthly, now),
            Some(Credits::from_whole(9000))
        );
    }

    #[test]
    fn the_gateway_s_quota_is_the_plan_s() {
        let now = at("2026-12-01T10:00:15.000Z");
        let mut account = Account::cmc("k", CmcPlan::Basic);
        let standard = parse(
            r#""requests-per-minute";q=60;w=60, "credits-per-month";q=500000;w=2592000"#,
            r#""requests-per-minute";r=60;t=45, "credits-per-month";r=500000;t=5"#,
        );
        adopt(&mut account, &standard, now);
        assert_eq!(
            credits_left(&account, LimitKind::CmcMonthly, now),
            Some(Credits::from_whole(500_000))
        );
        let Limits::Cmc(l) = &account.limits else {
            unreachable!()
        };
        assert_eq!(l.minute.limit, 60);
        // A Cryptowatch account has none of these windows.
        let mut cw = Account::cryptowatch("anon", false);
        assert!(!adopt(&mut cw, &standard, now));
    }
}
