//! The emulated CoinMarketCap Pro API, below `/cmc`.
//!
//! Every request goes through the reference's checks in order: key → plan gate → per-minute
//! request counter → credits → daily cap → monthly cap → 200 with `credit_count`.

pub mod data;
pub mod endpoints;
pub mod plans;

use std::time::Instant;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::clock::{countdown, iso, Millis, DAY, MINUTE};
use crate::http::{self, json_response};
use crate::ledger::CmcUsage;
use crate::query::Query;
use crate::Shared;
use endpoints::{Ctx, Refusal};
use plans::{KeyState, Plan};

pub const KEY_HEADER: &str = "x-cmc_pro_api_key";
pub const KEY_PARAM: &str = "CMC_PRO_API_KEY";

/// The `status` object every answer carries.
fn status(
    now: Millis,
    code: u32,
    message: Option<&str>,
    started: Instant,
    credits: u64,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("timestamp".into(), json!(iso(now)));
    m.insert("error_code".into(), json!(code));
    m.insert("error_message".into(), json!(message));
    m.insert(
        "elapsed".into(),
        json!(started.elapsed().as_millis() as u64),
    );
    m.insert("credit_count".into(), json!(credits));
    m.insert("notice".into(), Value::Null);
    m
}

/// An error answer: no `data`, `credit_count` 0.
pub fn error(
    now: Millis,
    started: Instant,
    http: StatusCode,
    code: u32,
    message: &str,
) -> Response {
    let body = json!({ "status": status(now, code, Some(message), started, 0) });
    json_response(http, &body)
}

/// The documented errors, with their HTTP statuses and literal messages.
#[derive(Clone, Copy, Debug)]
pub enum ApiError {
    KeyInvalid,
    KeyMissing,
    PaymentRequired,
    PaymentExpired,
    PlanNotAuthorized,
    KeyDisabled,
    MinuteLimit,
    DailyLimit,
    MonthlyLimit,
}

impl ApiError {
    pub fn parts(self) -> (StatusCode, u32, &'static str) {
        use ApiError::*;
        match self {
            KeyInvalid => (StatusCode::UNAUTHORIZED, 1001, "This API Key is invalid."),
            KeyMissing => (StatusCode::UNAUTHORIZED, 1002, "API key missing."),
            PaymentRequired => (
                StatusCode::PAYMENT_REQUIRED,
                1003,
                "Your API Key must be activated. Please go to pro.coinmarketcap.com/account/plan.",
            ),
            PaymentExpired => (
                StatusCode::PAYMENT_REQUIRED,
                1004,
                "Your API Key's subscription plan has expired.",
            ),
            PlanNotAuthorized => (
                StatusCode::FORBIDDEN,
                1006,
                "Your API Key subscription plan doesn't support this endpoint.",
            ),
            KeyDisabled => (
                StatusCode::FORBIDDEN,
                1007,
                "This API Key has been disabled. Please contact support.",
            ),
            MinuteLimit => (
                StatusCode::TOO_MANY_REQUESTS,
                1008,
                "You've exceeded your API Key's HTTP request rate limit. Rate limits reset every minute.",
            ),
            DailyLimit => (
                StatusCode::TOO_MANY_REQUESTS,
                1009,
                "You've exceeded your API Key's daily rate limit.",
            ),
            MonthlyLimit => (
                StatusCode::TOO_MANY_REQUESTS,
                1010,
                "You've exceeded your API Key's monthly rate limit.",
            ),
        }
    }

    fn respond(self, now: Millis, started: Instant) -> Response {
        let (http, code, message) = self.parts();
        error(now, started, http, code, message)
    }
}

/// The key from the header (preferred) or the query, as the API reads it.
pub fn key_of(headers: &HeaderMap, q: &Query) -> Option<Result<String, ()>> {
    http::key_of(headers, KEY_HEADER, q, KEY_PARAM)
}

pub fn handle(
    app: &Shared,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    started: Instant,
) -> Response {
    let now = app.clock.now();
    let required_level = match app.plans.endpoint_levels.get(path) {
        Some(level) => *level,
        None => {
            return error(
                now,
                started,
                StatusCode::NOT_FOUND,
                404,
                "Not found: this path is not an endpoint of the API.",
            )
        }
    };
    let q = match Query::parse(raw_query) {
        Ok(q) => q,
        Err(bad) => {
            let message = if bad.0.is_empty() {
                "Invalid query string: not UTF-8".to_string()
            } else {
                format!("Invalid value for \"{}\": not UTF-8", bad.0)
            };
            return error(now, started, StatusCode::BAD_REQUEST, 400, &message);
        }
    };
    // 1. The key.
    let key = match key_of(headers, &q) {
        None => return ApiError::KeyMissing.respond(now, started),
        Some(Err(())) => return ApiError::KeyInvalid.respond(now, started),
        Some(Ok(k)) => k,
    };
    let Some(spec) = app.plans.keys.get(&key) else {
        return ApiError::KeyInvalid.respond(now, started);
    };
    match spec.state {
        KeyState::Active => {}
        KeyState::Unpaid => return ApiError::PaymentRequired.respond(now, started),
        KeyState::Expired => return ApiError::PaymentExpired.respond(now, started),
        KeyState::Disabled => return ApiError::KeyDisabled.respond(now, started),
    }
    let Some(plan) = app.plans.plan(&spec.plan) else {
        return ApiError::KeyInvalid.respond(now, started);
    };
    let anchor = app.plans.anchor(plan);

    // 2–3. Every request of a known key counts toward its minute, whatever its outcome.
    let made = {
        let mut ledger = app.lock_ledger();
        let usage = ledger.cmc.entry(key.clone()).or_default();
        usage.roll(now, anchor);
        usage.requests_this_minute += 1;
        usage.requests_this_minute
    };
    if plan.level < required_level {
        return ApiError::PlanNotAuthorized.respond(now, started);
    }
    if made > plan.rate_limit_minute {
        app.lock_ledger().cmc.entry(key).or_default().refused_429 += 1;
        return ApiError::MinuteLimit.respond(now, started);
    }

    if path == "/v1/key/info" {
        if let Some(n) = q.names().find(|n| *n != KEY_PARAM) {
            let message = format!(
                "\"{}\" is not allowed",
                n.chars().take(40).collect::<String>()
            );
            return error(now, started, StatusCode::BAD_REQUEST, 400, &message);
        }
        let usage = {
            let mut ledger = app.lock_ledger();
            let usage = ledger.cmc.entry(key).or_default();
            usage.roll(now, anchor);
            usage.clone()
        };
        let data = key_info(app, plan, &usage, now);
        let mut body = Map::new();
        body.insert(
            "status".into(),
            Value::Object(status(now, 0, None, started, 0)),
        );
        body.insert("data".into(), data);
        return json_response(StatusCode::OK, &Value::Object(body));
    }

    // 4. What the call returns, and so what it costs.
    let Some(endpoint) = endpoints::lookup(path) else {
        return error(
            now,
            started,
            StatusCode::NOT_FOUND,
            404,
            "Not found: this path is not an endpoint of the API.",
        );
    };
    let cx = Ctx {
        market: &app.market,
        q: &q,
        plan,
        now,
    };
    let accepted = match endpoint(&cx) {
        Ok(a) => a,
        Err(Refusal::Argument(message)) => {
            return error(now, started, StatusCode::BAD_REQUEST, 400, &message)
        }
        Err(Refusal::Plan) => return ApiError::PlanNotAuthorized.respond(now, started),
    };
    let credits = accepted.credits();

    // 5–6. The caps, checked and charged at once so concurrent calls cannot both slip in.
    // Nothing has been built yet: the data is made only for a call that will be answered, so
    // a refused call costs the server nothing however much it asked for.
    {
        let mut ledger = app.lock_ledger();
        let usage = ledger.cmc.entry(key).or_default();
        usage.roll(now, anchor);
        if let Some(daily) = plan.credit_limit_daily {
            if usage.credits_today + credits > daily {
                usage.refused_429 += 1;
                return ApiError::DailyLimit.respond(now, started);
            }
        }
        if usage.credits_this_month + credits > plan.credit_limit_monthly {
            usage.refused_429 += 1;
            return ApiError::MonthlyLimit.respond(now, started);
        }
        // The emulator's own bound on an answer's size (see MAX_VALUES), past the caps so that
        // a capped key still hears about its cap first; nothing is charged for it.
        if accepted.values() > endpoints::MAX_VALUES {
            let message = format!(
                "This request asks for {} values (data points × convert targets); the emulator answers at most {}.",
                accepted.values(),
                endpoints::MAX_VALUES
            );
            return error(now, started, StatusCode::BAD_REQUEST, 400, &message);
        }
        usage.credits_today += credits;
        usage.credits_this_month += credits;
    }

    let total_count = accepted.total_count;
    let data = accepted.build();
    let mut st = status(now, 0, None, started, credits);
    if let Some(total) = total_count {
        st.insert("total_count".into(), json!(total));
    }
    let mut body = Map::new();
    body.insert("status".into(), Value::Object(st));
    body.insert("data".into(), data);
    json_response(StatusCode::OK, &Value::Object(body))
}

fn key_info(app: &Shared, plan: &Plan, usage: &CmcUsage, now: Millis) -> Value {
    let anchor = app.plans.anchor(plan);
    let month_reset = anchor.month_end(usage.month_start);
    let day_reset = usage.day_start + DAY;
    let mut p = Map::new();
    // A limit with its human countdown and its exact reset instant, as key/info lists them.
    let mut limit = |name: &str, credits: Value, reset: i64| {
        p.insert(format!("credit_limit_{name}"), credits);
        p.insert(
            format!("credit_limit_{name}_reset"),
            json!(countdown(now, reset)),
        );
        p.insert(
            format!("credit_limit_{name}_reset_timestamp"),
            json!(iso(reset)),
        );
    };
    if let Some(daily) = plan.credit_limit_daily {
        limit("daily", json!(daily), day_reset);
    }
    limit("monthly", json!(plan.credit_limit_monthly), month_reset);
    p.insert("rate_limit_minute".into(), json!(plan.rate_limit_minute));
    let mut day = Map::new();
    day.insert("credits_used".into(), json!(usage.credits_today));
    if let Some(daily) = plan.credit_limit_daily {
        day.insert(
            "credits_left".into(),
            json!(daily.saturating_sub(usage.credits_today)),
        );
    }
    json!({
        "plan": p,
        "usage": {
            "current_minute": {
                "requests_made": usage.requests_this_minute,
                "requests_left": plan.rate_limit_minute.saturating_sub(usage.requests_this_minute),
            },
            "current_day": day,
            "current_month": {
                "credits_used": usage.credits_this_month,
                "credits_left": plan.credit_limit_monthly.saturating_sub(usage.credits_this_month),
            },
        },
    })
}

/// The ledger's view of one key, for `/_emulator/ledger`.
pub fn ledger_entry(app: &Shared, key: &str, usage: &CmcUsage, now: Millis) -> Value {
    let spec = app.plans.keys.get(key);
    let plan = spec.and_then(|s| app.plans.plan(&s.plan));
    let mut u = usage.clone();
    if let Some(p) = plan {
        u.roll(now, app.plans.anchor(p));
    }
    json!({
        "plan": plan.map(|p| p.id.clone()),
        "minute_start": iso(u.minute_start),
        "minute_reset": iso(u.minute_start + MINUTE),
        "requests_this_minute": u.requests_this_minute,
        "rate_limit_minute": plan.map(|p| p.rate_limit_minute),
        "day_start": iso(u.day_start),
        "credits_today": u.credits_today,
        "credit_limit_daily": plan.and_then(|p| p.credit_limit_daily),
        "month_start": iso(u.month_start),
        "month_reset": plan.map(|p| iso(app.plans.anchor(p).month_end(u.month_start))),
        "credits_this_month": u.credits_this_month,
        "credit_limit_monthly": plan.map(|p| p.credit_limit_monthly),
        "refused_429": u.refused_429,
    })
}
