//! `/metrics` in the Prometheus text format: what was forwarded and refused (per token and per
//! reason), the upstream's latency, and the credits used in each window.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use credit_gauge_core::gauge::{gauges, LimitKind};
use credit_gauge_core::{Account, UnixMillis};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 8] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Counts {
    forwarded: BTreeMap<String, u64>,
    refused: BTreeMap<(String, &'static str), u64>,
    latency_buckets: [u64; BUCKETS.len()],
    latency_count: u64,
    latency_sum: f64,
}

/// The gateway's counters. Bounded: one line per token of the tokens file (or `loopback`)
/// and per refusal reason, which are fixed sets.
#[derive(Default)]
pub struct Metrics {
    counts: Mutex<Counts>,
}

impl Metrics {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request of `caller` forwarded upstream, answered after `took`.
    pub fn forwarded(&self, caller: &str, took: Duration) {
        let mut c = self.counts();
        *c.forwarded.entry(caller.to_string()).or_default() += 1;
        let seconds = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                c.latency_buckets[i] += 1;
            }
        }
        c.latency_count += 1;
        c.latency_sum += seconds;
    }

    /// A request refused by the gateway itself, for `reason`; `caller` is `unknown` when the
    /// refusal came before the caller was known.
    pub fn refused(&self, caller: &str, reason: &'static str) {
        *self
            .counts()
            .refused
            .entry((caller.to_string(), reason))
            .or_default() += 1;
    }

    /// The text for `/metrics`, with the account's windows at `now` when it could be read.
    pub fn render(&self, account: Option<&Account>, now: UnixMillis) -> String {
        let c = self.counts();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP credit_gauge_gateway_forwarded_total Requests forwarded upstream."
        );
        let _ = writeln!(out, "# TYPE credit_gauge_gateway_forwarded_total counter");
        for (caller, n) in &c.forwarded {
            let _ = writeln!(
                out,
                "credit_gauge_gateway_forwarded_total{{token=\"{caller}\"}} {n}"
            );
        }
        let _ = writeln!(out, "# HELP credit_gauge_gateway_refused_total Requests the gateway answered itself, without spending.");
        let _ = writeln!(out, "# TYPE credit_gauge_gateway_refused_total counter");
        for ((caller, reason), n) in &c.refused {
            let _ = writeln!(
                out,
                "credit_gauge_gateway_refused_total{{token=\"{caller}\",reason=\"{reason}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP credit_gauge_gateway_upstream_seconds How long the upstream took to answer."
        );
        let _ = writeln!(
            out,
            "# TYPE credit_gauge_gateway_upstream_seconds histogram"
        );
        for (bound, n) in BUCKETS.iter().zip(c.latency_buckets) {
            let _ = writeln!(
                out,
                "credit_gauge_gateway_upstream_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "credit_gauge_gateway_upstream_seconds_bucket{{le=\"+Inf\"}} {}",
            c.latency_count
        );
        let _ = writeln!(
            out,
            "credit_gauge_gateway_upstream_seconds_sum {}",
            c.latency_sum
        );
        let _ = writeln!(
            out,
            "credit_gauge_gateway_upstream_seconds_count {}",
            c.latency_count
        );
        if let Some(account) = account {
            let _ = writeln!(out, "# HELP credit_gauge_gateway_used What is used of each window (requests for the minute, credits otherwise).");
            let _ = writeln!(out, "# TYPE credit_gauge_gateway_used gauge");
            let _ = writeln!(
                out,
                "# HELP credit_gauge_gateway_limit The size of each window."
            );
            let _ = writeln!(out, "# TYPE credit_gauge_gateway_limit gauge");
            for g in gauges(account, now) {
                let window = match g.limit {
                    LimitKind::CmcMinute => "minute",
                    LimitKind::CmcDaily => "day",
                    LimitKind::CmcMonthly => "month",
                    LimitKind::CmcIp | LimitKind::CwAllowance => continue,
                };
                let used = (g.size.millis() - g.left.millis()) as f64 / 1000.0;
                let size = g.size.millis() as f64 / 1000.0;
                let _ = writeln!(
                    out,
                    "credit_gauge_gateway_used{{window=\"{window}\"}} {used}"
                );
                let _ = writeln!(
                    out,
                    "credit_gauge_gateway_limit{{window=\"{window}\"}} {size}"
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credit_gauge_core::CmcPlan;

    #[test]
    fn counters_and_windows_render_as_prometheus_text() {
        let m = Metrics::default();
        m.forwarded("ana", Duration::from_millis(80));
        m.forwarded("ana", Duration::from_millis(700));
        m.refused("ana", "minute");
        let account = Account::cmc("gateway", CmcPlan::Basic);
        let text = m.render(Some(&account), UnixMillis(0));
        assert!(
            text.contains("credit_gauge_gateway_forwarded_total{token=\"ana\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("credit_gauge_gateway_refused_total{token=\"ana\",reason=\"minute\"} 1")
        );
        assert!(text.contains("credit_gauge_gateway_upstream_seconds_bucket{le=\"0.1\"} 1"));
        assert!(text.contains("credit_gauge_gateway_upstream_seconds_bucket{le=\"1\"} 2"));
        assert!(text.contains("credit_gauge_gateway_upstream_seconds_count 2"));
        assert!(text.contains("credit_gauge_gateway_limit{window=\"minute\"} 30"));
        assert!(text.contains("credit_gauge_gateway_used{window=\"month\"} 0"));
    }
}
