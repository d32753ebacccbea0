//! CoinMarketCap answers: any status and body.
//!
//! Properties: the parser never panics; `cmc_outcome` is `parse_cmc` wrapped; the parser agrees
//! with serde_json on what is JSON and what is an envelope, and copies the envelope's fields
//! faithfully; folding the outcome into an account leaves a state the store keeps exactly.
#![no_main]

use credit_gauge_core::envelope::{cmc_outcome, parse_cmc, ClientFailure, Outcome};
use credit_gauge_core::ApiKind;
use credit_gauge_core_fuzz::{assert_outcome_wraps, fold_into_a_fresh_account, status_and_body};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = status_and_body(data) else {
        return;
    };
    let parsed = parse_cmc(status, body);
    let outcome = cmc_outcome(status, body);
    assert_outcome_wraps(&parsed, &outcome, status, |o| match o {
        Outcome::Cmc(a) => Some(a),
        _ => None,
    });

    let Some(json) = credit_gauge_core_fuzz::serde_reading(body) else {
        fold_into_a_fresh_account(ApiKind::CoinMarketCap, &outcome);
        return;
    };
    match &parsed {
        Ok(a) => {
            let root = json.expect("an answer was read from a body that is not JSON");
            let envelope = root
                .get("status")
                .and_then(Value::as_object)
                .expect("an answer was read from JSON without a status object");
            assert_eq!(a.http_status, status);
            if let Some(code) = envelope.get("error_code").and_then(Value::as_i64) {
                assert_eq!(a.error_code, Some(code));
            }
            if let Some(count) = envelope.get("credit_count").and_then(Value::as_i64) {
                assert_eq!(a.credit_count, Some(count));
            }
            assert_eq!(
                a.error_message.as_deref(),
                envelope.get("error_message").and_then(Value::as_str)
            );
            if a.key_info.is_some() {
                let data = root.get("data").and_then(Value::as_object);
                assert!(
                    data.is_some_and(|d| ["plan", "usage"]
                        .iter()
                        .any(|k| d.get(*k).is_some_and(Value::is_object))),
                    "key/info figures read from a body without plan or usage"
                );
            }
        }
        Err(ClientFailure::NotJson) => {
            assert!(json.is_err(), "valid JSON reported as not JSON: {body:?}")
        }
        Err(ClientFailure::WrongShape) => match json {
            Ok(root) => assert!(
                root.get("status").and_then(Value::as_object).is_none(),
                "an envelope reported as the wrong shape: {body:?}"
            ),
            Err(e) => assert!(e.is_data()),
        },
        Err(other) => panic!("the parser reported a transport failure: {other:?}"),
    }

    fold_into_a_fresh_account(ApiKind::CoinMarketCap, &outcome);
});
