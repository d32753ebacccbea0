//! What an outcome or a decision means, as a [`Code`]: one per HTTP status the user can meet,
//! CoinMarketCap error code, Cryptowatch error body, client-side failure and local decision.
//! The words for each are in [`crate::explain`].

use serde::{Deserialize, Serialize};

use crate::catalog::ApiKind;
use crate::decide::{Decision, RefuseReason, WaitReason};
use crate::envelope::{ClientFailure, Outcome};
use crate::ledger::KeyProblem;

/// An HTTP status the user can meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HttpStatus {
    /// 400.
    BadRequest,
    /// 401.
    Unauthorized,
    /// 402.
    PaymentRequired,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 408.
    RequestTimeout,
    /// 429.
    TooManyRequests,
    /// 500.
    InternalServerError,
    /// 502.
    BadGateway,
    /// 503.
    ServiceUnavailable,
    /// 504.
    GatewayTimeout,
    /// Any other 4xx.
    OtherClientError(u16),
    /// Any other 5xx (or an unexpected status).
    OtherServerError(u16),
}

impl HttpStatus {
    /// Classifies a status code (`None` for success statuses).
    pub fn from_code(code: u16) -> Option<HttpStatus> {
        Some(match code {
            200..=299 => return None,
            400 => HttpStatus::BadRequest,
            401 => HttpStatus::Unauthorized,
            402 => HttpStatus::PaymentRequired,
            403 => HttpStatus::Forbidden,
            404 => HttpStatus::NotFound,
            408 => HttpStatus::RequestTimeout,
            429 => HttpStatus::TooManyRequests,
            500 => HttpStatus::InternalServerError,
            502 => HttpStatus::BadGateway,
            503 => HttpStatus::ServiceUnavailable,
            504 => HttpStatus::GatewayTimeout,
            other if (400..500).contains(&other) => HttpStatus::OtherClientError(other),
            other => HttpStatus::OtherServerError(other),
        })
    }
}

/// CoinMarketCap's error codes 1001–1011.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmcError {
    /// 1001 API_KEY_INVALID.
    ApiKeyInvalid,
    /// 1002 API_KEY_MISSING.
    ApiKeyMissing,
    /// 1003 API_KEY_PLAN_REQUIRES_PAYEMENT.
    PlanRequiresPayment,
    /// 1004 API_KEY_PLAN_PAYMENT_EXPIRED.
    PlanPaymentExpired,
    /// 1005 API_KEY_REQUIRED.
    ApiKeyRequired,
    /// 1006 API_KEY_PLAN_NOT_AUTHORIZED.
    PlanNotAuthorized,
    /// 1007 API_KEY_DISABLED.
    ApiKeyDisabled,
    /// 1008 API_KEY_PLAN_MINUTE_RATE_LIMIT_REACHED.
    MinuteRateLimit,
    /// 1009 API_KEY_PLAN_DAILY_RATE_LIMIT_REACHED.
    DailyRateLimit,
    /// 1010 API_KEY_PLAN_MONTHLY_RATE_LIMIT_REACHED.
    MonthlyRateLimit,
    /// 1011 IP_RATE_LIMIT_REACHED.
    IpRateLimit,
}

impl CmcError {
    /// The error for a numeric code, if it is one of 1001–1011.
    pub fn from_code(code: i64) -> Option<CmcError> {
        Some(match code {
            1001 => CmcError::ApiKeyInvalid,
            1002 => CmcError::ApiKeyMissing,
            1003 => CmcError::PlanRequiresPayment,
            1004 => CmcError::PlanPaymentExpired,
            1005 => CmcError::ApiKeyRequired,
            1006 => CmcError::PlanNotAuthorized,
            1007 => CmcError::ApiKeyDisabled,
            1008 => CmcError::MinuteRateLimit,
            1009 => CmcError::DailyRateLimit,
            1010 => CmcError::MonthlyRateLimit,
            1011 => CmcError::IpRateLimit,
            _ => return None,
        })
    }
}

/// Cryptowatch's error bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CwError {
    /// `Asset not found`.
    AssetNotFound,
    /// `Exchange not found`.
    ExchangeNotFound,
    /// `Instrument not found`.
    InstrumentNotFound,
    /// `Pair not found`.
    PairNotFound,
    /// `Unkown sort parameter` (sic).
    UnknownSortParameter,
    /// `Out of allowance`.
    OutOfAllowance,
    /// Any other error text.
    Other,
}

impl CwError {
    /// Classifies an error body's text.
    pub fn from_text(text: &str) -> CwError {
        match text {
            "Asset not found" => CwError::AssetNotFound,
            "Exchange not found" => CwError::ExchangeNotFound,
            "Instrument not found" => CwError::InstrumentNotFound,
            "Pair not found" => CwError::PairNotFound,
            "Unkown sort parameter" | "Unknown sort parameter" => CwError::UnknownSortParameter,
            "Out of allowance" => CwError::OutOfAllowance,
            _ => CwError::Other,
        }
    }
}

/// Something the user may need explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Code {
    /// An HTTP status without a more precise code.
    Http(HttpStatus),
    /// A CoinMarketCap error code.
    Cmc(CmcError),
    /// A Cryptowatch error body.
    Cw(CwError),
    /// A client-side failure, per API (the advice differs).
    Client {
        /// Which API was called.
        api: ApiKind,
        /// What failed.
        failure: ClientFailure,
    },
    /// A local decision: waiting.
    Wait(WaitReason),
    /// A local decision: refusing.
    Refused(RefusedCode),
}

/// Local refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefusedCode {
    /// Invalid parameters.
    InvalidParams,
    /// Request for the other API.
    WrongApi,
    /// The endpoint is outside the plan.
    NotInPlan,
    /// Too many convert currencies for the plan.
    TooManyConverts,
    /// The request costs more than the whole limit.
    CostAboveLimit,
    /// The counts were reset and must be synced with the server first.
    NotSynced,
    /// The stored counts could not be read (a newer version or another script wrote them), so
    /// nothing may be spent until they are reset.
    CountsUnreadable,
    /// The key was rejected (see the server's code for which way).
    KeyRejected(KeyProblem),
}

impl Code {
    /// The code for an answer, or `None` when it was a success.
    pub fn of_outcome(outcome: &Outcome, api: ApiKind) -> Option<Code> {
        match outcome {
            Outcome::Cmc(a) => {
                let code = a.error_code.unwrap_or(0);
                if let Some(e) = CmcError::from_code(code) {
                    return Some(Code::Cmc(e));
                }
                if (400..600).contains(&code) {
                    // "If no specific code applies, error_code equals the HTTP status".
                    return HttpStatus::from_code(code as u16).map(Code::Http);
                }
                match HttpStatus::from_code(a.http_status) {
                    Some(s) => Some(Code::Http(s)),
                    // An unknown non-zero code on a 200 (newer endpoints do that): a bad request.
                    None if code != 0 => Some(Code::Http(HttpStatus::BadRequest)),
                    None => None,
                }
            }
            Outcome::Cw(a) => match (&a.error, HttpStatus::from_code(a.http_status)) {
                (Some(text), status) => match CwError::from_text(text) {
                    CwError::Other => Some(status.map_or(Code::Cw(CwError::Other), Code::Http)),
                    e => Some(Code::Cw(e)),
                },
                (None, Some(HttpStatus::TooManyRequests)) => {
                    Some(Code::Cw(CwError::OutOfAllowance))
                }
                (None, status) => status.map(Code::Http),
            },
            Outcome::Failed {
                failure,
                http_status,
            } => {
                // A status that is not a success says more than "the body was not JSON".
                match http_status.and_then(HttpStatus::from_code) {
                    Some(s)
                        if matches!(
                            failure,
                            ClientFailure::NotJson | ClientFailure::WrongShape
                        ) =>
                    {
                        Some(Code::Http(s))
                    }
                    _ => Some(Code::Client {
                        api,
                        failure: *failure,
                    }),
                }
            }
        }
    }

    /// The code for a decision (`None` for `SendNow`).
    pub fn of_decision(decision: &Decision) -> Option<Code> {
        match decision {
            Decision::SendNow { .. } => None,
            Decision::WaitUntil { reason, .. } => Some(Code::Wait(*reason)),
            Decision::Refuse { reason } => Some(Code::Refused(match reason {
                RefuseReason::InvalidParams(_) => RefusedCode::InvalidParams,
                RefuseReason::WrongApi => RefusedCode::WrongApi,
                RefuseReason::Key(p) => RefusedCode::KeyRejected(*p),
                RefuseReason::EndpointNotInPlan { .. } => RefusedCode::NotInPlan,
                RefuseReason::TooManyConverts { .. } => RefusedCode::TooManyConverts,
                RefuseReason::CostAboveLimit { .. } => RefusedCode::CostAboveLimit,
                RefuseReason::NotSynced => RefusedCode::NotSynced,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{CmcAnswer, CwAnswer};
    use crate::explain::explain;

    #[test]
    fn every_cmc_code_1001_to_1011_is_known() {
        for code in 1001..=1011 {
            let e = CmcError::from_code(code).unwrap();
            assert!(!explain(Code::Cmc(e), None).title.is_empty());
        }
        assert_eq!(CmcError::from_code(1012), None);
        assert_eq!(CmcError::from_code(1000), None);
    }

    #[test]
    fn every_cryptowatch_error_body_is_recognised() {
        for (text, e) in [
            ("Asset not found", CwError::AssetNotFound),
            ("Exchange not found", CwError::ExchangeNotFound),
            ("Instrument not found", CwError::InstrumentNotFound),
            ("Pair not found", CwError::PairNotFound),
            ("Unkown sort parameter", CwError::UnknownSortParameter),
            ("Out of allowance", CwError::OutOfAllowance),
            ("something else", CwError::Other),
        ] {
            assert_eq!(CwError::from_text(text), e);
        }
    }

    #[test]
    fn an_outcome_is_classified_by_its_most_precise_code() {
        let cmc = |status, code| {
            Outcome::Cmc(CmcAnswer {
                http_status: status,
                error_code: Some(code),
                ..CmcAnswer::default()
            })
        };
        assert_eq!(Code::of_outcome(&cmc(200, 0), ApiKind::CoinMarketCap), None);
        assert_eq!(
            Code::of_outcome(&cmc(429, 1008), ApiKind::CoinMarketCap),
            Some(Code::Cmc(CmcError::MinuteRateLimit))
        );
        assert_eq!(
            Code::of_outcome(&cmc(400, 400), ApiKind::CoinMarketCap),
            Some(Code::Http(HttpStatus::BadRequest))
        );
        assert_eq!(
            Code::of_outcome(&cmc(500, 0), ApiKind::CoinMarketCap),
            Some(Code::Http(HttpStatus::InternalServerError))
        );
        let cw = Outcome::Cw(CwAnswer {
            http_status: 404,
            error: Some("Pair not found".into()),
            ..CwAnswer::default()
        });
        assert_eq!(
            Code::of_outcome(&cw, ApiKind::Cryptowatch),
            Some(Code::Cw(CwError::PairNotFound))
        );
        let html = Outcome::Failed {
            failure: ClientFailure::NotJson,
            http_status: Some(502),
        };
        assert_eq!(
            Code::of_outcome(&html, ApiKind::Cryptowatch),
            Some(Code::Http(HttpStatus::BadGateway))
        );
        let net = Outcome::Failed {
            failure: ClientFailure::Network,
            http_status: None,
        };
        assert_eq!(
            Code::of_outcome(&net, ApiKind::Cryptowatch),
            Some(Code::Client {
                api: ApiKind::Cryptowatch,
                failure: ClientFailure::Network
            })
        );
    }
}
