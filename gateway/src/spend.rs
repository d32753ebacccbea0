//! Spending through the gateway: reserve the request's cost in the ledger (or refuse before
//! spending, or wait for its window when the caller asked to), send it upstream, settle the
//! answer. Every request goes this way, the clients' and the gateway's own (learning the plan).

use std::time::Duration;

use axum::http::StatusCode;
use credit_gauge_core::decide::{Decision, RefuseReason, WaitReason};
use credit_gauge_core::ledger::KeyProblem;
use credit_gauge_core::{reconcile, reserve, Account, EndpointId, Request};

use crate::answers::Refusal;
use crate::budget::BudgetError;
use crate::upstream::Reply;
use crate::{now, Gateway};

/// A request that went upstream, and the team's budget once it was settled.
pub struct Spent {
    pub reply: Reply,
    /// The account after settling, when the ledger could be written.
    pub account: Option<Account>,
}

/// A request the gateway answered itself, with the team's budget at that moment.
pub struct Refused {
    pub refusal: Refusal,
    /// Why, in a word, for the metrics.
    pub reason: &'static str,
    pub account: Option<Account>,
}

impl From<BudgetError> for Refused {
    fn from(e: BudgetError) -> Refused {
        Refused {
            refusal: Refusal::new(StatusCode::SERVICE_UNAVAILABLE, 503, e.to_string()),
            reason: "ledger",
            account: None,
        }
    }
}

/// CoinMarketCap's code for a limit's wait, and a word for it.
fn wait_code(reason: WaitReason) -> (i64, &'static str, &'static str) {
    match reason {
        WaitReason::MinuteFull => (1008, "minute", "this minute's requests are used"),
        WaitReason::DailyCreditsSpent => (1009, "day", "today's credits would not cover it"),
        WaitReason::MonthlyCreditsSpent => {
            (1010, "month", "this month's credits would not cover it")
        }
        WaitReason::IpBackoff => (1011, "ip", "CoinMarketCap's IP limit was hit; backing off"),
        _ => (429, "wait", "a limit says wait"),
    }
}

/// The gateway's answer to a request the rules say can never go as it is.
fn refusal_of(reason: &RefuseReason) -> (Refusal, &'static str) {
    let r = |status, code, message: String| Refusal::new(status, code, message);
    match reason {
        RefuseReason::InvalidParams(e) => (
            r(StatusCode::BAD_REQUEST, 400, format!("Invalid parameter: {e}.")),
            "params",
        ),
        RefuseReason::EndpointNotInPlan { plan, .. } => (
            r(
                StatusCode::FORBIDDEN,
                1006,
                format!("The key's plan ({}) does not include this endpoint; the gateway did not send it.", plan.name()),
            ),
            "plan",
        ),
        RefuseReason::TooManyConverts { allowed } => (
            r(
                StatusCode::BAD_REQUEST,
                400,
                format!("The key's plan accepts at most {allowed} convert target(s); the gateway did not send it."),
            ),
            "params",
        ),
        RefuseReason::Key(problem) => {
            let code = match problem {
                KeyProblem::Invalid => 1001,
                KeyProblem::Missing => 1002,
                KeyProblem::PaymentRequired => 1003,
                KeyProblem::Expired => 1004,
                KeyProblem::KeyRequired => 1005,
                KeyProblem::Disabled => 1007,
            };
            (
                r(
                    StatusCode::UNAUTHORIZED,
                    code,
                    "CoinMarketCap refused the gateway's key; its operator must fix it. Nothing is sent until then.".into(),
                ),
                "key",
            )
        }
        RefuseReason::CostAboveLimit { cost, max, .. } => (
            r(
                StatusCode::FORBIDDEN,
                403,
                format!("This request costs {cost} credits, more than the whole limit of {max}: ask for less."),
            ),
            "cost",
        ),
        RefuseReason::NotSynced => (
            r(
                StatusCode::SERVICE_UNAVAILABLE,
                503,
                "The gateway could not read the key's usage from CoinMarketCap yet, so it spends nothing; try again shortly.".into(),
            ),
            "sync",
        ),
        RefuseReason::WrongApi => (
            r(StatusCode::BAD_REQUEST, 400, "The gateway cannot send this request.".into()),
            "params",
        ),
    }
}

impl Gateway {
    /// Reserves `request`'s budget, waiting up to `patience` for its window; sends it; settles
    /// the answer.
    pub async fn spend(&self, request: &Request, patience: Duration) -> Result<Spent, Refused> {
        let deadline = now().0 + patience.as_millis() as i64;
        let mut synced = false;
        let reservation = loop {
            let decided = self
                .budget
                .change(now, |a, t| (reserve(a, request, t), a.clone()))
                .await?;
            match decided {
                (Ok(id), _) => break id,
                (Err(Decision::WaitUntil { at, .. }), _) if at.0 <= deadline => {
                    let pause = (at.0 - now().0).clamp(1, 60_000) as u64;
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                (Err(Decision::WaitUntil { at, reason, .. }), account) => {
                    let (code, word, why) = wait_code(reason);
                    let message = format!(
                        "The gateway refused this request before spending anything: {why}. It can go at {}.",
                        at.to_iso8601()
                    );
                    return Err(Refused {
                        refusal: Refusal::new(StatusCode::TOO_MANY_REQUESTS, code, message)
                            .retry_at(at),
                        reason: word,
                        account: Some(account),
                    });
                }
                // The ledger does not know what the key spent before: read it once, then
                // decide again.
                (
                    Err(Decision::Refuse {
                        reason: RefuseReason::NotSynced,
                    }),
                    _,
                ) if !synced => {
                    synced = true;
                    self.sync().await;
                }
                (Err(Decision::Refuse { reason }), account) => {
                    let (refusal, word) = refusal_of(&reason);
                    return Err(Refused {
                        refusal,
                        reason: word,
                        account: Some(account),
                    });
                }
                // `reserve` answers a request that may go with its reservation, never this.
                (Err(Decision::SendNow { .. }), account) => {
                    return Err(Refused {
                        refusal: Refusal::new(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            500,
                            "The gateway could not reserve this request.",
                        ),
                        reason: "internal",
                        account: Some(account),
                    });
                }
            }
        };
        let reply = self.upstream.send(request).await;
        let settled = self
            .budget
            .change(now, |a, t| {
                reconcile(a, reservation, &reply.outcome, t);
                a.clone()
            })
            .await;
        let account = match settled {
            Ok(account) => Some(account),
            Err(e) => {
                // The reservation stays in the ledger and is booked as charged once it times
                // out: never less than the upstream may have charged.
                tracing::error!(error = %e, "could not settle an answer; its reservation will be booked as charged");
                None
            }
        };
        Ok(Spent { reply, account })
    }
}

impl Gateway {
    /// Reads the key's plan and usage from `/v1/key/info` (through the ledger like any
    /// request); one at a time in this instance, and not again when another just did.
    pub async fn sync(&self) {
        let _one = self.syncing.lock().await;
        let synced = self.budget.snapshot(now).await.is_ok_and(|a| !a.needs_sync);
        if synced {
            return;
        }
        self.learn_plan().await;
    }

    /// Reads the key's plan and usage from `/v1/key/info`.
    pub async fn learn_plan(&self) {
        let info = Request::new(EndpointId::CmcKeyInfo);
        // Boxed: `spend` may call this, and this calls `spend`.
        match Box::pin(self.spend(&info, crate::MAX_WAIT)).await {
            Ok(spent) => tracing::info!(
                status = spent.reply.answer.as_ref().map(|a| a.0),
                "read the key's plan and usage"
            ),
            Err(refused) => tracing::warn!(
                reason = refused.reason,
                message = %refused.refusal.message,
                "could not read the key's plan and usage"
            ),
        }
    }
}

/// `Prefer: wait=N` (seconds): how long the caller accepts to wait for its window.
pub fn patience_of(prefer: Option<&str>, most: Duration) -> Duration {
    let Some(prefer) = prefer else {
        return Duration::ZERO;
    };
    prefer
        .split(',')
        .flat_map(|p| p.split(';'))
        .filter_map(|p| p.trim().strip_prefix("wait="))
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(most))
        .next()
        .unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_may_ask_to_wait_within_the_gateway_s_bound() {
        let most = Duration::from_secs(120);
        assert_eq!(patience_of(None, most), Duration::ZERO);
        assert_eq!(patience_of(Some("wait=30"), most), Duration::from_secs(30));
        assert_eq!(
            patience_of(Some("respond-async, wait=5"), most),
            Duration::from_secs(5)
        );
        assert_eq!(patience_of(Some("wait=99999"), most), most);
        assert_eq!(patience_of(Some("wait=soon"), most), Duration::ZERO);
        assert_eq!(patience_of(Some("handling=strict"), most), Duration::ZERO);
    }

    #[test]
    fn the_minute_s_wait_is_a_1008_with_the_instant_it_opens() {
        assert_eq!(wait_code(WaitReason::MinuteFull).0, 1008);
        assert_eq!(wait_code(WaitReason::DailyCreditsSpent).0, 1009);
        assert_eq!(wait_code(WaitReason::MonthlyCreditsSpent).0, 1010);
    }
}
