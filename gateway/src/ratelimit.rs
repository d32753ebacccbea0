//! The team's budget on every answer, as the IETF RateLimit header fields
//! (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` names each window with its quota
//! (`q`) and length in seconds (`w`); `RateLimit` gives what is left of it (`r`) and the
//! seconds until it resets (`t`). One policy per CoinMarketCap limit.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use credit_gauge_core::gauge::{gauges, LimitKind};
// The names the widget reads back (`credit_gauge_core::team`).
use credit_gauge_core::team::{DAY_POLICY, MINUTE_POLICY, MONTH_POLICY};
use credit_gauge_core::time::{DAY_MS, MINUTE_MS};
use credit_gauge_core::{Account, Credits, UnixMillis};

pub const POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
pub const REMAINING: HeaderName = HeaderName::from_static("ratelimit");

/// A month's nominal length for `w`: calendar and billing months differ, and `t` carries the
/// exact reset.
const MONTH_SECONDS: i64 = 30 * DAY_MS / 1000;

/// The policy name and window of a limit, or `None` for limits the gateway does not count.
fn policy_name(limit: LimitKind) -> Option<(&'static str, i64)> {
    match limit {
        LimitKind::CmcMinute => Some((MINUTE_POLICY, MINUTE_MS / 1000)),
        LimitKind::CmcDaily => Some((DAY_POLICY, DAY_MS / 1000)),
        LimitKind::CmcMonthly => Some((MONTH_POLICY, MONTH_SECONDS)),
        LimitKind::CmcIp | LimitKind::CwAllowance => None,
    }
}

fn whole(c: Credits) -> i64 {
    c.millis().div_euclid(1000)
}

/// `(RateLimit-Policy, RateLimit)` for `account` at `now`.
pub fn fields(account: &Account, now: UnixMillis) -> (String, String) {
    let mut policies = Vec::new();
    let mut remaining = Vec::new();
    for g in gauges(account, now) {
        let Some((name, window)) = policy_name(g.limit) else {
            continue;
        };
        // A minute with no request yet resets at the next UTC minute all the same.
        let resets = g
            .resets_at
            .unwrap_or(UnixMillis(now.0 - now.0.rem_euclid(MINUTE_MS) + MINUTE_MS));
        let seconds = ((resets.0 - now.0).max(0) as u64).div_ceil(1000);
        policies.push(format!("\"{name}\";q={};w={window}", whole(g.size)));
        remaining.push(format!("\"{name}\";r={};t={seconds}", whole(g.left)));
    }
    (policies.join(", "), remaining.join(", "))
}

/// Adds both fields to `headers`.
pub fn insert(headers: &mut HeaderMap, account: &Account, now: UnixMillis) {
    let (policy, remaining) = fields(account, now);
    if let (Ok(p), Ok(r)) = (
        HeaderValue::from_str(&policy),
        HeaderValue::from_str(&remaining),
    ) {
        headers.insert(POLICY, p);
        headers.insert(REMAINING, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credit_gauge_core::{reconcile, reserve, CmcPlan, EndpointId, Request};

    #[test]
    fn every_limit_is_a_policy_with_what_is_left_and_when_it_resets() {
        let now = UnixMillis::parse_iso8601("2026-12-01T10:00:15.000Z").expect("instant");
        let mut account = Account::cmc("gateway", CmcPlan::Basic);
        let (policy, remaining) = fields(&account, now);
        assert_eq!(
            policy,
            "\"requests-per-minute\";q=30;w=60, \"credits-per-day\";q=333;w=86400, \"credits-per-month\";q=10000;w=2592000"
        );
        assert!(
            remaining.starts_with("\"requests-per-minute\";r=30;t=45, \"credits-per-day\";r=333;"),
            "{remaining}"
        );

        let listing = Request::new(EndpointId::CmcListingsLatest);
        let id = reserve(&mut account, &listing, now).expect("fits");
        let answer =
            credit_gauge_core::cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":1}}"#);
        reconcile(&mut account, id, &answer, now);
        let (_, remaining) = fields(&account, now);
        assert!(
            remaining.starts_with("\"requests-per-minute\";r=29;t=45, \"credits-per-day\";r=332;"),
            "{remaining}"
        );
        assert!(
            remaining.contains("\"credits-per-month\";r=9999;"),
            "{remaining}"
        );
    }
}
