//! The stored-state loader: any text, as it may be found in the browser's storage.
//!
//! Properties: loading never panics; the warning tells the truth (not JSON, unknown shape, newer
//! version, or how many accounts were dropped, all checked against serde_json's own reading);
//! every account kept belongs to the API its limits are for; and whatever was restored saves and
//! loads back exactly, without a warning.
#![no_main]

use credit_gauge_core::ledger::{Ledger, Limits};
use credit_gauge_core::stored::{load, LoadWarning, Loaded, STORE_VERSION};
use credit_gauge_core::ApiKind;
use credit_gauge_core_fuzz::assert_store_round_trip;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = load(text);
    let Some(json) = credit_gauge_core_fuzz::serde_reading(text) else {
        assert_store_round_trip(&loaded.ledger);
        return;
    };
    let stored_accounts = json
        .as_ref()
        .ok()
        .and_then(|doc| doc.get("accounts"))
        .and_then(Value::as_array)
        .map(Vec::len);
    let kept = loaded.ledger.accounts.len();

    if text.trim().is_empty() {
        assert_eq!(
            loaded,
            Loaded {
                ledger: Ledger::default(),
                warning: None
            }
        );
    }
    match loaded.warning {
        Some(LoadWarning::NotJson) => {
            assert!(json.is_err(), "JSON reported as unreadable: {text:?}");
            assert_eq!(kept, 0);
        }
        Some(LoadWarning::UnknownShape) => {
            let doc = json.expect("an unreadable text reported as a shape");
            let version = doc.get("v").and_then(Value::as_u64);
            assert!(
                version.is_none() || version == Some(0) || stored_accounts.is_none(),
                "a stored ledger reported as an unknown shape: {text:?}"
            );
            assert_eq!(kept, 0);
        }
        Some(LoadWarning::NewerVersion(v)) => {
            assert!(v > STORE_VERSION);
            assert_eq!(
                json.expect("JSON").get("v").and_then(Value::as_u64),
                Some(v)
            );
            assert_eq!(kept, 0);
        }
        Some(LoadWarning::AccountsDropped(dropped)) => {
            assert!(dropped > 0);
            assert_eq!(stored_accounts, Some(kept + dropped), "{text:?}");
        }
        None => {
            if !text.trim().is_empty() {
                assert_eq!(stored_accounts, Some(kept), "{text:?}");
            }
        }
    }
    for account in &loaded.ledger.accounts {
        assert!(
            matches!(
                (account.api, &account.limits),
                (ApiKind::CoinMarketCap, Limits::Cmc(_)) | (ApiKind::Cryptowatch, Limits::Cw(_))
            ),
            "an account was kept with the other API's limits"
        );
    }
    assert_store_round_trip(&loaded.ledger);
});
