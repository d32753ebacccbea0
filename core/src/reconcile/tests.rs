//! Rules of decide, reserve and reconcile, one test per behaviour.

use super::*;
use crate::catalog::{EndpointId, Request};
use crate::decide::reserve;
use crate::decide::{decide, Decision, LimitKind, RefuseReason, WaitReason};
use crate::envelope::{cmc_outcome, cw_outcome};
use crate::ledger::RESERVATION_TIMEOUT_MS;
use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS};

fn at(text: &str) -> UnixMillis {
    UnixMillis::parse_iso8601(text).expect("valid test instant")
}

const T0: &str = "2025-09-28T10:21:04.716Z";

fn listings() -> Request {
    Request::new(EndpointId::CmcListingsLatest)
}

fn price() -> Request {
    Request::new(EndpointId::CwPrice)
        .with("exchange", "kraken")
        .with("pair", "btceur")
}

fn ok_cmc(credits: i64) -> Outcome {
    cmc_outcome(
        200,
        &format!(
            r#"{{"status":{{"error_code":0,"error_message":null,"credit_count":{credits}}}}}"#
        ),
    )
}

fn err_cmc(status: u16, code: i64) -> Outcome {
    cmc_outcome(
        status,
        &format!(r#"{{"status":{{"error_code":{code},"error_message":"x","credit_count":0}}}}"#),
    )
}

fn send(a: &mut Account, r: &Request, now: UnixMillis, outcome: &Outcome) -> Settlement {
    let id = reserve(a, r, now).expect("request should fit");
    reconcile(a, id, outcome, now)
}

fn cmc(a: &Account) -> &CmcLimits {
    a.cmc_limits().expect("cmc account")
}

fn cw(a: &Account) -> &CwLimits {
    a.cw_limits().expect("cw account")
}

#[test]
fn a_fresh_basic_key_may_send_a_listing_now() {
    let a = Account::cmc("k", CmcPlan::Basic);
    assert_eq!(
        decide(&a, &listings(), at(T0)),
        Decision::SendNow {
            cost: Credits::from_whole(1)
        }
    );
}

#[test]
fn the_minute_limit_counts_every_request_and_waits_for_the_next_utc_minute() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let now = at(T0);
    for _ in 0..15 {
        send(&mut a, &listings(), now, &ok_cmc(1));
        send(
            &mut a,
            &Request::new(EndpointId::CmcKeyInfo),
            now,
            &err_cmc(500, 500),
        );
    }
    assert_eq!(
        decide(&a, &Request::new(EndpointId::CmcKeyInfo), now),
        Decision::WaitUntil {
            at: at("2025-09-28T10:22:01.000Z"),
            limit: LimitKind::CmcMinute,
            reason: WaitReason::MinuteFull
        }
    );
    // Within a second of the new minute the request could still land in the full one.
    assert!(matches!(
        decide(&a, &listings(), at("2025-09-28T10:22:00.500Z")),
        Decision::WaitUntil { .. }
    ));
    assert!(matches!(
        decide(&a, &listings(), at("2025-09-28T10:22:01.000Z")),
        Decision::SendNow { .. }
    ));
}

#[test]
fn requests_in_flight_hold_their_minute_slot_and_credits() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let now = at(T0);
    let ids: Vec<_> = (0..30)
        .map(|_| reserve(&mut a, &listings(), now).unwrap())
        .collect();
    assert!(matches!(
        reserve(&mut a, &listings(), now),
        Err(Decision::WaitUntil {
            limit: LimitKind::CmcMinute,
            ..
        })
    ));
    assert_eq!(a.reserved(), Credits::from_whole(30));
    reconcile(&mut a, ids[0], &ok_cmc(1), now);
    assert_eq!(a.reserved(), Credits::from_whole(29));
}

#[test]
fn reserved_credits_count_against_the_daily_cap() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let now = at(T0);
    let big = Request::new(EndpointId::CmcListingsLatest).with("limit", "5000"); // 25 credits
    for _ in 0..13 {
        reserve(&mut a, &big, now).unwrap();
    }
    // 13 × 25 = 325 of 333: the next 25 would overshoot the day while those are in flight.
    assert!(matches!(
        decide(&a, &big, now),
        Decision::WaitUntil {
            limit: LimitKind::CmcDaily,
            ..
        }
    ));
}

#[test]
fn the_server_credit_count_wins_over_the_estimate_and_drift_is_recorded() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(
        &mut a,
        &Request::new(EndpointId::CmcListingsLatest).with("limit", "400"),
        at(T0),
        &ok_cmc(1),
    );
    assert_eq!(
        (s.estimated, s.charged, s.from_server),
        (Credits::from_whole(2), Credits::from_whole(1), true)
    );
    assert_eq!(s.drift, Some(Credits::from_whole(-1)));
    assert_eq!(a.drift.samples, 1);
    assert_eq!(cmc(&a).month.used, Credits::from_whole(1));
}

#[test]
fn a_success_without_credit_count_books_the_estimate() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(
        &mut a,
        &listings(),
        at(T0),
        &cmc_outcome(200, r#"{"status":{"error_code":0}}"#),
    );
    assert_eq!(
        (s.charged, s.from_server, s.drift),
        (Credits::from_whole(1), false, None)
    );
}

#[test]
fn cmc_errors_cost_no_credits() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(&mut a, &listings(), at(T0), &err_cmc(400, 400));
    assert_eq!(s.charged, Credits::ZERO);
    assert_eq!(cmc(&a).month.used_at(at(T0)), Credits::ZERO);
    assert_eq!(cmc(&a).minute.requests_at(at(T0)), 1);
}

#[test]
fn a_refused_preflight_costs_nothing_but_a_timeout_books_the_estimate() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let cors = Outcome::Failed {
        failure: ClientFailure::CorsRefused,
        http_status: None,
    };
    assert_eq!(
        send(&mut a, &listings(), at(T0), &cors).charged,
        Credits::ZERO
    );
    let timeout = Outcome::Failed {
        failure: ClientFailure::Timeout,
        http_status: None,
    };
    assert_eq!(
        send(&mut a, &listings(), at(T0), &timeout).charged,
        Credits::from_whole(1)
    );
    let html = Outcome::Failed {
        failure: ClientFailure::NotJson,
        http_status: Some(502),
    };
    assert_eq!(
        send(&mut a, &listings(), at(T0), &html).charged,
        Credits::ZERO
    );
}

#[test]
fn a_request_withdrawn_in_flight_is_booked_as_the_server_may_have_charged_it() {
    // CoinMarketCap: charged at the estimate, with the minute counted; the explanation says so.
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let withdrawn = Outcome::Failed {
        failure: ClientFailure::Withdrawn,
        http_status: None,
    };
    let s = send(&mut a, &listings(), at(T0), &withdrawn);
    assert_eq!(s.charged, Credits::from_whole(1));
    assert_eq!(cmc(&a).month.used_at(at(T0)), Credits::from_whole(1));
    assert_eq!(cmc(&a).minute.requests_at(at(T0)), 1);
    let code = s.code.expect("a withdrawn request is explained");
    assert_eq!(crate::explain(code, None).title, "Withdrawn after sending");
    // Withdrawn once an error status had arrived: CoinMarketCap does not charge errors.
    let after_error = Outcome::Failed {
        failure: ClientFailure::Withdrawn,
        http_status: Some(500),
    };
    assert_eq!(
        send(&mut a, &listings(), at(T0), &after_error).charged,
        Credits::ZERO
    );
    // Cryptowatch charges whatever it receives.
    let mut cw = Account::cryptowatch("anon", false);
    let s = send(&mut cw, &price(), at(T0), &withdrawn);
    assert!(s.charged > Credits::ZERO);
}

#[test]
fn code_1008_fills_the_minute_until_the_next_utc_minute() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(&mut a, &listings(), at(T0), &err_cmc(429, 1008));
    assert_eq!(s.retry_at, Some(at("2025-09-28T10:22:00.000Z")));
    assert_eq!(s.code, Some(Code::Cmc(CmcError::MinuteRateLimit)));
    assert!(matches!(
        decide(&a, &listings(), at(T0)),
        Decision::WaitUntil {
            limit: LimitKind::CmcMinute,
            ..
        }
    ));
}

#[test]
fn code_1009_closes_the_day_until_utc_midnight_on_basic() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(&mut a, &listings(), at(T0), &err_cmc(429, 1009));
    let midnight = at("2025-09-29T00:00:00.000Z");
    assert_eq!(s.retry_at, Some(midnight));
    assert_eq!(
        decide(&a, &listings(), at(T0).plus(MINUTE_MS)),
        Decision::WaitUntil {
            at: midnight,
            limit: LimitKind::CmcDaily,
            reason: WaitReason::DailyCreditsSpent
        }
    );
    assert!(matches!(
        decide(&a, &listings(), midnight),
        Decision::SendNow { .. }
    ));
}

#[test]
fn code_1010_closes_the_month_until_the_first_on_basic() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(&mut a, &listings(), at(T0), &err_cmc(429, 1010));
    assert_eq!(s.retry_at, Some(at("2025-10-01T00:00:00.000Z")));
    // Key/info stays allowed: it is free and it is how we resync.
    assert!(matches!(
        decide(
            &a,
            &Request::new(EndpointId::CmcKeyInfo),
            at(T0).plus(MINUTE_MS)
        ),
        Decision::SendNow { .. }
    ));
}

#[test]
fn code_1011_backs_off_longer_each_time_and_resets_after_a_success() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let now = at(T0);
    let first = send(&mut a, &listings(), now, &err_cmc(429, 1011))
        .retry_at
        .unwrap();
    assert_eq!(first, now.plus(MINUTE_MS));
    assert!(matches!(
        decide(&a, &listings(), now),
        Decision::WaitUntil {
            limit: LimitKind::CmcIp,
            ..
        }
    ));
    let second = send(&mut a, &listings(), first, &err_cmc(429, 1011))
        .retry_at
        .unwrap();
    assert_eq!(second, first.plus(2 * MINUTE_MS));
    send(&mut a, &listings(), second, &ok_cmc(1));
    assert_eq!(cmc(&a).ip.strikes, 0);
}

#[test]
fn the_ip_backoff_never_exceeds_an_hour() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let mut now = at(T0);
    for _ in 0..20 {
        now = send(
            &mut a,
            &Request::new(EndpointId::CmcKeyInfo),
            now,
            &err_cmc(429, 1011),
        )
        .retry_at
        .unwrap()
        .max(now.next_utc_minute());
    }
    let until = cmc(&a).ip.until.unwrap();
    assert!(until.0 - now.0 <= HOUR_MS);
}

#[test]
fn an_invalid_or_disabled_key_is_refused_without_sending() {
    for (code, problem) in [
        (1001, KeyProblem::Invalid),
        (1002, KeyProblem::Missing),
        (1003, KeyProblem::PaymentRequired),
        (1004, KeyProblem::Expired),
        (1005, KeyProblem::KeyRequired),
        (1007, KeyProblem::Disabled),
    ] {
        let mut a = Account::cmc("k", CmcPlan::Basic);
        send(&mut a, &listings(), at(T0), &err_cmc(401, code));
        assert_eq!(
            decide(&a, &listings(), at(T0).plus(DAY_MS)),
            Decision::Refuse {
                reason: RefuseReason::Key(problem)
            },
            "{code}"
        );
    }
}

#[test]
fn an_endpoint_outside_the_plan_is_refused() {
    let a = Account::cmc("k", CmcPlan::Basic);
    let r = Request::new(EndpointId::CmcOhlcvLatest).with("id", "1");
    assert_eq!(
        decide(&a, &r, at(T0)),
        Decision::Refuse {
            reason: RefuseReason::EndpointNotInPlan {
                plan: CmcPlan::Basic,
                needs: Some(CmcPlan::Startup)
            }
        }
    );
    assert!(matches!(
        decide(&Account::cmc("k", CmcPlan::Startup), &r, at(T0)),
        Decision::SendNow { .. }
    ));
}

#[test]
fn code_1006_remembers_the_endpoint_the_server_refused() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    send(&mut a, &listings(), at(T0), &err_cmc(403, 1006));
    assert!(matches!(
        decide(&a, &listings(), at(T0)),
        Decision::Refuse {
            reason: RefuseReason::EndpointNotInPlan { needs: None, .. }
        }
    ));
    assert!(matches!(
        decide(&a, &Request::new(EndpointId::CmcFiatMap), at(T0)),
        Decision::SendNow { .. }
    ));
}

#[test]
fn basic_accepts_one_convert_only() {
    let a = Account::cmc("k", CmcPlan::Basic);
    let r = listings().with("convert", "USD,EUR");
    assert_eq!(
        decide(&a, &r, at(T0)),
        Decision::Refuse {
            reason: RefuseReason::TooManyConverts { allowed: 1 }
        }
    );
}

#[test]
fn a_request_costing_more_than_the_daily_cap_is_refused_not_delayed() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    if let Limits::Cmc(l) = &mut a.limits {
        l.day.limit = Some(Credits::from_whole(10));
    }
    let r = Request::new(EndpointId::CmcListingsLatest).with("limit", "5000");
    assert!(matches!(
        decide(&a, &r, at(T0)),
        Decision::Refuse {
            reason: RefuseReason::CostAboveLimit {
                limit: LimitKind::CmcDaily,
                ..
            }
        }
    ));
}

#[test]
fn invalid_parameters_and_the_wrong_api_are_refused() {
    let a = Account::cmc("k", CmcPlan::Basic);
    assert!(matches!(
        decide(&a, &listings().with("limit", "0"), at(T0)),
        Decision::Refuse {
            reason: RefuseReason::InvalidParams(_)
        }
    ));
    assert_eq!(
        decide(&a, &price(), at(T0)),
        Decision::Refuse {
            reason: RefuseReason::WrongApi
        }
    );
}

const KEY_INFO_2019: &str = r#"{"data":{"plan":{"credit_limit_daily":4000,"credit_limit_daily_reset_timestamp":"2025-09-29T05:30:00.000Z","credit_limit_monthly":120000,"credit_limit_monthly_reset_timestamp":"2025-10-05T05:30:00.000Z","rate_limit_minute":60},"usage":{"current_minute":{"requests_made":7},"current_day":{"credits_used":3990},"current_month":{"credits_used":5000,"credits_left":115000}}},"status":{"error_code":0,"credit_count":0}}"#;

#[test]
fn key_info_sets_usage_plan_and_billing_anchored_resets() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(
        &mut a,
        &Request::new(EndpointId::CmcKeyInfo),
        at(T0),
        &cmc_outcome(200, KEY_INFO_2019),
    );
    assert_eq!(s.charged, Credits::ZERO);
    let l = cmc(&a);
    assert_eq!(
        (l.plan, l.confirmed, l.minute.limit),
        (CmcPlan::Startup, true, 60)
    );
    assert_eq!(l.minute.requests_at(at(T0)), 7);
    assert_eq!(l.day.used_at(at(T0)), Credits::from_whole(3990));
    assert_eq!(l.month.used_at(at(T0)), Credits::from_whole(5000));
    assert_eq!(l.day.resets_at(at(T0)), at("2025-09-29T05:30:00.000Z"));
    assert_eq!(l.month.resets_at(at(T0)), at("2025-10-05T05:30:00.000Z"));
    // 10 credits left today: a 25-credit listing waits for the anchored daily reset.
    let big = Request::new(EndpointId::CmcListingsLatest).with("limit", "5000");
    assert_eq!(
        decide(&a, &big, at(T0).plus(MINUTE_MS)),
        Decision::WaitUntil {
            at: at("2025-09-29T05:30:00.000Z"),
            limit: LimitKind::CmcDaily,
            reason: WaitReason::DailyCreditsSpent
        }
    );
}

#[test]
fn paid_windows_follow_the_billing_anchor_after_it_passes() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    send(
        &mut a,
        &Request::new(EndpointId::CmcKeyInfo),
        at(T0),
        &cmc_outcome(200, KEY_INFO_2019),
    );
    let later = at("2025-10-06T00:00:00.000Z");
    let l = cmc(&a);
    assert_eq!(l.month.used_at(later), Credits::ZERO);
    assert_eq!(l.month.resets_at(later), at("2025-11-05T05:30:00.000Z"));
    assert_eq!(l.day.resets_at(later), at("2025-10-06T05:30:00.000Z"));
}

#[test]
fn key_info_without_daily_fields_drops_the_daily_cap() {
    let body = r#"{"status":{"error_code":0,"credit_count":0},"data":{"plan":{"credit_limit_monthly":10000,"credit_limit_monthly_reset_timestamp":"2025-10-01T00:00:00.000Z","rate_limit_minute":30},"usage":{"current_minute":{"requests_made":0},"current_day":{"credits_used":18},"current_month":{"credits_used":239,"credits_left":9761}}}}"#;
    let mut a = Account::cmc("k", CmcPlan::Basic);
    assert_eq!(cmc(&a).day.limit, Some(Credits::from_whole(333)));
    send(
        &mut a,
        &Request::new(EndpointId::CmcKeyInfo),
        at(T0),
        &cmc_outcome(200, body),
    );
    assert_eq!(cmc(&a).day.limit, None);
    assert_eq!(cmc(&a).month.used_at(at(T0)), Credits::from_whole(239));
}

#[test]
fn a_paid_window_without_anchor_lasts_a_full_period_from_the_first_charge() {
    let mut a = Account::cmc("k", CmcPlan::Startup);
    send(&mut a, &listings(), at(T0), &ok_cmc(1));
    let l = cmc(&a);
    assert_eq!(l.day.resets_at(at(T0)), at(T0).plus(DAY_MS));
    assert_eq!(l.month.resets_at(at(T0)), at(T0).plus(31 * DAY_MS));
}

#[test]
fn an_answer_in_the_next_minute_also_counts_in_that_minute() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let sent = at("2025-09-28T10:21:59.900Z");
    let id = reserve(&mut a, &listings(), sent).unwrap();
    reconcile(&mut a, id, &ok_cmc(1), at("2025-09-28T10:22:00.200Z"));
    assert_eq!(
        cmc(&a).minute.requests_at(at("2025-09-28T10:22:00.200Z")),
        1
    );
}

#[test]
fn a_lost_answer_is_settled_as_charged_after_the_timeout() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let id = reserve(&mut a, &listings(), at(T0)).unwrap();
    let later = at(T0).plus(RESERVATION_TIMEOUT_MS);
    advance(&mut a, later);
    assert!(a.reservations.is_empty());
    assert_eq!(cmc(&a).month.used_at(later), Credits::from_whole(1));
    // The late answer is not booked twice.
    reconcile(&mut a, id, &ok_cmc(1), later);
    assert_eq!(cmc(&a).month.used_at(later), Credits::from_whole(1));
}

#[test]
fn a_clock_jumping_backwards_does_not_unlock_the_minute() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let now = at(T0);
    for _ in 0..30 {
        send(
            &mut a,
            &Request::new(EndpointId::CmcKeyInfo),
            now,
            &ok_cmc(0),
        );
    }
    let back = now.plus(-10 * MINUTE_MS);
    assert!(matches!(
        decide(&a, &listings(), back),
        Decision::WaitUntil {
            limit: LimitKind::CmcMinute,
            ..
        }
    ));
    // ... nor locks it for longer than a minute of real time (plus the edge margin).
    advance(&mut a, back);
    assert!(matches!(
        decide(
            &a,
            &listings(),
            back.plus(MINUTE_MS + crate::ledger::MINUTE_EDGE_MS)
        ),
        Decision::SendNow { .. }
    ));
}

#[test]
fn a_clock_jumping_backwards_does_not_unlock_the_month() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    send(&mut a, &listings(), at(T0), &err_cmc(429, 1010));
    let back = at("2025-08-15T00:00:00.000Z");
    assert!(matches!(
        decide(&a, &listings(), back),
        Decision::WaitUntil {
            limit: LimitKind::CmcMonthly,
            ..
        }
    ));
}

#[test]
fn a_clock_jumping_forwards_then_back_locks_out_for_one_period_at_most() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let future = at("2031-01-01T00:00:00.000Z");
    send(&mut a, &listings(), future, &err_cmc(429, 1010));
    let real = at(T0);
    advance(&mut a, real);
    let l = cmc(&a);
    assert!(l.month.closed_until.unwrap() <= real.plus(31 * DAY_MS));
    assert!(matches!(
        decide(&a, &listings(), real.plus(31 * DAY_MS)),
        Decision::SendNow { .. }
    ));
}

#[test]
fn cryptowatch_books_the_servers_remaining_exactly() {
    let mut a = Account::cryptowatch("anon", false);
    let s = send(
        &mut a,
        &price(),
        at(T0),
        &cw_outcome(
            200,
            r#"{"result":{"price":1},"allowance":{"cost":0.005,"remaining":9.895}}"#,
        ),
    );
    assert_eq!(
        (s.charged, s.from_server, s.drift),
        (Credits::from_millis(5), true, Some(Credits::ZERO))
    );
    assert_eq!(cw(&a).remaining_at(at(T0)), Credits::from_millis(9895));
}

#[test]
fn cryptowatch_errors_are_charged_too() {
    let mut a = Account::cryptowatch("anon", false);
    send(
        &mut a,
        &price(),
        at(T0),
        &cw_outcome(
            404,
            r#"{"error":"Instrument not found","allowance":{"cost":0.005,"remaining":9.995}}"#,
        ),
    );
    assert_eq!(cw(&a).remaining_at(at(T0)), Credits::from_millis(9995));
    send(
        &mut a,
        &price(),
        at(T0),
        &Outcome::Failed {
            failure: ClientFailure::Timeout,
            http_status: None,
        },
    );
    assert_eq!(cw(&a).remaining_at(at(T0)), Credits::from_millis(9990));
}

#[test]
fn the_cryptowatch_window_lasts_24_hours_from_the_first_answer() {
    let mut a = Account::cryptowatch("anon", false);
    let sent = at(T0);
    let id = reserve(&mut a, &price(), sent).unwrap();
    let answered = sent.plus(300);
    reconcile(
        &mut a,
        id,
        &cw_outcome(
            200,
            r#"{"result":{},"allowance":{"cost":0.005,"remaining":9.995}}"#,
        ),
        answered,
    );
    assert_eq!(cw(&a).resets_at(answered), Some(answered.plus(DAY_MS)));
    assert_eq!(
        cw(&a).remaining_at(answered.plus(DAY_MS)),
        Credits::from_whole(10)
    );
}

#[test]
fn a_spent_cryptowatch_allowance_waits_for_the_window_end() {
    let mut a = Account::cryptowatch("anon", false);
    let now = at(T0);
    let ohlc = Request::new(EndpointId::CwOhlc)
        .with("exchange", "kraken")
        .with("pair", "btceur");
    let mut sends = 0;
    while let Ok(id) = reserve(&mut a, &ohlc, now) {
        reconcile(
            &mut a,
            id,
            &Outcome::Cw(CwAnswer {
                http_status: 200,
                ..CwAnswer::default()
            }),
            now,
        );
        sends += 1;
    }
    assert_eq!(sends, 666);
    assert_eq!(
        decide(&a, &ohlc, now),
        Decision::WaitUntil {
            at: now.plus(DAY_MS),
            limit: LimitKind::CwAllowance,
            reason: WaitReason::AllowanceSpent
        }
    );
    // The 0.010 left still buys a cheaper call.
    assert!(matches!(
        decide(&a, &price(), now),
        Decision::SendNow { .. }
    ));
}

#[test]
fn out_of_allowance_allows_one_root_probe_at_the_top_of_each_hour() {
    let mut a = Account::cryptowatch("anon", false);
    let now = at(T0);
    let s = send(
        &mut a,
        &price(),
        now,
        &cw_outcome(429, r#"{"error":"Out of allowance"}"#),
    );
    assert_eq!(s.code, Some(Code::Cw(CwError::OutOfAllowance)));
    let end = cw(&a).resets_at(now).unwrap();
    assert_eq!(s.retry_at, Some(end));
    let root = Request::new(EndpointId::CwRoot);
    let top = at("2025-09-28T11:00:00.000Z");
    assert_eq!(
        decide(&a, &root, now),
        Decision::WaitUntil {
            at: top,
            limit: LimitKind::CwAllowance,
            reason: WaitReason::ProbeAtTopOfHour
        }
    );
    assert_eq!(
        decide(&a, &price(), top),
        Decision::WaitUntil {
            at: end,
            limit: LimitKind::CwAllowance,
            reason: WaitReason::AllowanceSpent
        }
    );
    // The probe is refused: still exhausted, next probe an hour later.
    let id = reserve(&mut a, &root, top).unwrap();
    assert!(matches!(
        reserve(&mut a, &root, top),
        Err(Decision::WaitUntil { .. })
    ));
    reconcile(
        &mut a,
        id,
        &cw_outcome(429, r#"{"error":"Out of allowance"}"#),
        top,
    );
    assert_eq!(
        decide(&a, &root, top),
        Decision::WaitUntil {
            at: at("2025-09-28T12:00:00.000Z"),
            limit: LimitKind::CwAllowance,
            reason: WaitReason::ProbeAtTopOfHour
        }
    );
    // The next probe goes through: the server reset early, and the budget is back.
    let noon = at("2025-09-28T12:00:00.000Z");
    send(
        &mut a,
        &root,
        noon,
        &cw_outcome(200, r#"{"result":{"revision":"x"}}"#),
    );
    assert!(matches!(
        decide(&a, &price(), noon),
        Decision::SendNow { .. }
    ));
    assert_eq!(cw(&a).remaining_at(noon), Credits::from_millis(9999));
}

#[test]
fn a_keyed_cryptowatch_client_learns_its_paid_balance() {
    let mut a = Account::cryptowatch("key", true);
    assert_eq!(cw(&a).allowance, Credits::from_whole(100));
    send(
        &mut a,
        &price(),
        at(T0),
        &cw_outcome(
            200,
            r#"{"result":{},"allowance":{"cost":0.005,"remaining":9.995,"remainingPaid":500}}"#,
        ),
    );
    assert_eq!(cw(&a).remaining_at(at(T0)), Credits::from_millis(509_995));
}

#[test]
fn an_answer_from_the_other_api_is_the_wrong_shape() {
    let mut a = Account::cryptowatch("anon", false);
    let s = send(&mut a, &price(), at(T0), &ok_cmc(1));
    assert_eq!(
        s.code,
        Some(Code::Client {
            api: ApiKind::Cryptowatch,
            failure: ClientFailure::WrongShape
        })
    );
}

#[test]
fn a_request_in_the_last_second_of_a_minute_also_counts_in_the_next() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    for _ in 0..30 {
        send(
            &mut a,
            &Request::new(EndpointId::CmcKeyInfo),
            at("2025-09-28T10:21:59.500Z"),
            &ok_cmc(0),
        );
    }
    let next = at("2025-09-28T10:22:30.000Z");
    assert_eq!(cmc(&a).minute.requests_at(next), 30);
    assert_eq!(
        decide(&a, &listings(), next),
        Decision::WaitUntil {
            at: at("2025-09-28T10:23:01.000Z"),
            limit: LimitKind::CmcMinute,
            reason: WaitReason::MinuteFull
        }
    );
}

#[test]
fn a_request_in_the_first_second_of_a_minute_must_fit_the_previous_one_too() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    for _ in 0..29 {
        send(
            &mut a,
            &listings(),
            at("2025-09-28T10:21:30.000Z"),
            &ok_cmc(1),
        );
    }
    // One more in the first second of the next minute could land in 10:21 on the server.
    send(
        &mut a,
        &listings(),
        at("2025-09-28T10:22:00.300Z"),
        &ok_cmc(1),
    );
    let l = &cmc(&a).minute;
    assert_eq!(l.requests_at(at("2025-09-28T10:22:00.300Z")), 1);
    assert_eq!(l.previous, 30);
    assert!(matches!(
        decide(&a, &listings(), at("2025-09-28T10:22:00.500Z")),
        Decision::WaitUntil { at: t, .. } if t == at("2025-09-28T10:22:01.000Z")
    ));
    assert!(matches!(
        decide(&a, &listings(), at("2025-09-28T10:22:01.000Z")),
        Decision::SendNow { .. }
    ));
}

fn cw_ok(remaining: &str) -> Outcome {
    cw_outcome(
        200,
        &format!(r#"{{"result":{{}},"allowance":{{"cost":0.005,"remaining":{remaining}}}}}"#),
    )
}

#[test]
fn a_late_answer_with_an_older_figure_never_raises_the_cryptowatch_remaining() {
    // Found by the utilisation benchmark: with requests in flight, answers overtake each other,
    // and the older figure let requests go that the server could no longer pay for.
    let mut a = Account::cryptowatch("anon", false);
    let t = at(T0);
    let first = reserve(&mut a, &price(), t).unwrap();
    let second = reserve(&mut a, &price(), t.plus(1)).unwrap();
    // The server handled `first` (9.995 left) before `second` (9.990 left); `second` answers first.
    reconcile(&mut a, second, &cw_ok("9.990"), t.plus(10));
    reconcile(&mut a, first, &cw_ok("9.995"), t.plus(20));
    assert_eq!(cw(&a).remaining_at(t.plus(20)), Credits::from_millis(9990));
    // A request sent after the last figure arrived was handled after it: its figure stands,
    // even when it is higher than our own count (a timed-out request the server never charged).
    send(
        &mut a,
        &price(),
        t.plus(30),
        &Outcome::Failed {
            failure: ClientFailure::Timeout,
            http_status: None,
        },
    );
    assert_eq!(cw(&a).remaining_at(t.plus(30)), Credits::from_millis(9985));
    let third = reserve(&mut a, &price(), t.plus(40)).unwrap();
    reconcile(&mut a, third, &cw_ok("9.985"), t.plus(50));
    assert_eq!(cw(&a).remaining_at(t.plus(50)), Credits::from_millis(9985));
    let fourth = reserve(&mut a, &price(), t.plus(60)).unwrap();
    reconcile(&mut a, fourth, &cw_ok("9.984"), t.plus(70));
    assert_eq!(cw(&a).remaining_at(t.plus(70)), Credits::from_millis(9984));
}

#[test]
fn only_the_first_answer_moves_the_start_of_the_cryptowatch_window() {
    // Found by the utilisation benchmark: with requests in flight, every answer moved the start,
    // so the window ended as late as the last answer of a burst plus 24 hours.
    let mut a = Account::cryptowatch("anon", false);
    let t = at(T0);
    let ids: Vec<_> = (0..3)
        .map(|i| reserve(&mut a, &price(), t.plus(100 * i)).unwrap())
        .collect();
    for (i, (id, left)) in ids.into_iter().zip(["9.995", "9.990", "9.985"]).enumerate() {
        reconcile(&mut a, id, &cw_ok(left), t.plus(300 + 100 * i as i64));
    }
    assert_eq!(cw(&a).resets_at(t.plus(500)), Some(t.plus(300 + DAY_MS)));
}

#[test]
fn a_reset_account_spends_nothing_until_a_sync_has_read_the_servers_totals() {
    let mut a = Account::cmc("k", CmcPlan::Basic).awaiting_sync();
    let t = at(T0);
    assert_eq!(
        decide(&a, &listings(), t),
        Decision::Refuse {
            reason: RefuseReason::NotSynced
        }
    );
    // A failed sync leaves the account blocked.
    let failed = Outcome::Failed {
        failure: ClientFailure::Network,
        http_status: None,
    };
    send(&mut a, &Request::new(EndpointId::CmcKeyInfo), t, &failed);
    assert!(a.needs_sync);
    // So does an answer without the server's totals (an error).
    send(
        &mut a,
        &Request::new(EndpointId::CmcKeyInfo),
        t,
        &err_cmc(500, 500),
    );
    assert!(a.needs_sync);
    // key/info's usage is the server's truth: requests go again, from the server's count.
    send(
        &mut a,
        &Request::new(EndpointId::CmcKeyInfo),
        t,
        &cmc_outcome(200, KEY_INFO_2019),
    );
    assert!(!a.needs_sync);
    assert_eq!(cmc(&a).month.used_at(t), Credits::from_whole(5_000));
    assert!(matches!(
        decide(&a, &listings(), t),
        Decision::SendNow { .. }
    ));
}

#[test]
fn a_reset_cryptowatch_account_is_synced_by_any_answer_with_the_allowance() {
    let mut a = Account::cryptowatch("k", true).awaiting_sync();
    let t = at(T0);
    assert_eq!(
        decide(&a, &price(), t),
        Decision::Refuse {
            reason: RefuseReason::NotSynced
        }
    );
    send(
        &mut a,
        &Request::new(EndpointId::CwRoot),
        t,
        &cw_outcome(
            200,
            r#"{"result":{},"allowance":{"cost":0.001,"remaining":3.5}}"#,
        ),
    );
    assert!(!a.needs_sync);
    assert_eq!(
        cw(&a).remaining_at(t),
        Credits::parse_decimal("3.5").unwrap()
    );
}

#[test]
fn a_stored_account_from_before_the_sync_flag_loads_as_synced() {
    let a = Account::cmc("k", CmcPlan::Basic);
    let mut doc: serde_json::Value = serde_json::to_value(&a).unwrap();
    doc.as_object_mut().unwrap().remove("needs_sync");
    let back: Account = serde_json::from_value(doc).unwrap();
    assert!(!back.needs_sync);
    assert_eq!(back, a);
}

#[test]
fn an_answer_too_large_to_read_is_booked_at_the_estimate_since_it_may_have_been_charged() {
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let t = at(T0);
    let too_large = Outcome::Failed {
        failure: ClientFailure::TooLarge,
        http_status: Some(200),
    };
    let s = send(&mut a, &listings(), t, &too_large);
    assert_eq!(s.charged, s.estimated);
    assert!(!s.from_server);
    assert_eq!(cmc(&a).month.used_at(t), s.estimated);
    assert_eq!(
        s.code,
        Some(Code::Client {
            api: ApiKind::CoinMarketCap,
            failure: ClientFailure::TooLarge
        })
    );
}

#[test]
fn a_request_the_browser_would_not_send_is_charged_nothing_on_either_api() {
    let unsendable = Outcome::Failed {
        failure: ClientFailure::Unsendable,
        http_status: None,
    };
    let t = at(T0);
    let mut a = Account::cmc("k", CmcPlan::Basic);
    let s = send(&mut a, &listings(), t, &unsendable);
    assert_eq!(s.charged, Credits::ZERO);
    assert_eq!(cmc(&a).month.used_at(t), Credits::ZERO);
    assert_eq!(
        s.code,
        Some(Code::Client {
            api: ApiKind::CoinMarketCap,
            failure: ClientFailure::Unsendable
        })
    );
    // Cryptowatch charges every request it receives, failed ones too; this one it never got.
    let mut a = Account::cryptowatch("anon", false);
    let before = cw(&a).remaining_at(t);
    let s = send(&mut a, &price(), t, &unsendable);
    assert_eq!(s.charged, Credits::ZERO);
    assert_eq!(cw(&a).remaining_at(t), before);
}
