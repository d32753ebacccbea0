//! Cryptowatch answers: any status and body.
//!
//! Properties: the parser never panics; `cw_outcome` is `parse_cw` wrapped; the parser agrees with
//! serde_json on what is JSON and what is an envelope; amounts it reads print and parse back to
//! themselves; folding the outcome into an account leaves a state the store keeps exactly.
#![no_main]

use credit_gauge_core::envelope::{cw_outcome, parse_cw, ClientFailure, Outcome};
use credit_gauge_core::{ApiKind, Credits};
use credit_gauge_core_fuzz::{assert_outcome_wraps, fold_into_a_fresh_account, status_and_body};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = status_and_body(data) else {
        return;
    };
    let parsed = parse_cw(status, body);
    let outcome = cw_outcome(status, body);
    assert_outcome_wraps(&parsed, &outcome, status, |o| match o {
        Outcome::Cw(a) => Some(a),
        _ => None,
    });

    let Some(json) = credit_gauge_core_fuzz::serde_reading(body) else {
        fold_into_a_fresh_account(ApiKind::Cryptowatch, &outcome);
        return;
    };
    match &parsed {
        Ok(a) => {
            let root = json.expect("an answer was read from a body that is not JSON");
            let map = root
                .as_object()
                .expect("an answer was read from JSON that is not an object");
            assert_eq!(a.http_status, status);
            let allowance = map.get("allowance").and_then(Value::as_object);
            assert!(
                allowance.is_some() || map.contains_key("error") || map.contains_key("result"),
                "an answer was read from an object without result, error or allowance"
            );
            assert_eq!(a.error.as_deref(), map.get("error").and_then(Value::as_str));
            for (key, amount) in [
                ("cost", a.cost),
                ("remaining", a.remaining),
                ("remainingPaid", a.remaining_paid),
            ] {
                if amount.is_some() {
                    assert!(
                        allowance.and_then(|m| m.get(key)).is_some(),
                        "{key} read from nowhere"
                    );
                }
                if let Some(c) = amount {
                    // The widget prints amounts with three decimals; they must read back.
                    assert_eq!(Credits::parse_decimal(&c.to_string()), Ok(c));
                }
            }
        }
        Err(ClientFailure::NotJson) => {
            assert!(json.is_err(), "valid JSON reported as not JSON: {body:?}")
        }
        Err(ClientFailure::WrongShape) => match json {
            Ok(root) => {
                let envelope = root.as_object().is_some_and(|m| {
                    m.get("allowance").is_some_and(Value::is_object)
                        || m.get("error").is_some_and(Value::is_string)
                        || m.contains_key("result")
                });
                assert!(
                    !envelope,
                    "an envelope reported as the wrong shape: {body:?}"
                );
            }
            Err(e) => assert!(e.is_data()),
        },
        Err(other) => panic!("the parser reported a transport failure: {other:?}"),
    }

    fold_into_a_fresh_account(ApiKind::Cryptowatch, &outcome);
});
