//! The stored form of the [`Ledger`]: versioned JSON, read tolerantly.
//!
//! `{"v": 1, "accounts": [...]}`. Loading never fails and never panics: a missing, corrupt,
//! truncated or future document gives a fresh ledger and a warning; one corrupt account is
//! dropped without losing the others. A document that loads with a warning was not fully read,
//! so the widget must not write over it (another version's or another tab's counts would be
//! lost) and must not spend on the fresh ledger: it shows the warning and waits for the user to
//! reset the counts, after which the account needs a sync ([`Account::needs_sync`]).
//! Instants inside are UTC milliseconds.

use std::fmt;

use crate::cat;
use crate::catalog::ApiKind;
use crate::json::{self, Json};
use crate::ledger::{Account, Ledger, Limits};
// Each account is read and written by hand rather than by serde's derive (see `from_json` and
// `to_json`).
use crate::from_json::FromJson;
use crate::to_json::{object, to_json, ToJson};

/// The version this code writes.
pub const STORE_VERSION: u64 = 1;

/// Why a stored ledger was not (entirely) restored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadWarning {
    /// The text is not JSON (corrupt or truncated).
    NotJson,
    /// JSON, but not a stored ledger.
    UnknownShape,
    /// Written by a newer version of the widget.
    NewerVersion(u64),
    /// Some accounts were unreadable and were dropped.
    AccountsDropped(usize),
}

impl LoadWarning {
    /// What went wrong, as a clause about the stored counts: "they are not JSON (corrupt or cut
    /// short)".
    pub fn text(self) -> String {
        match self {
            LoadWarning::NotJson => "they are not JSON (corrupt or cut short)".to_string(),
            LoadWarning::UnknownShape => {
                "they are not in the shape credit-gauge stores".to_string()
            }
            LoadWarning::NewerVersion(v) => {
                cat![
                    "a newer version of credit-gauge wrote them (format ",
                    v,
                    ')'
                ]
            }
            LoadWarning::AccountsDropped(n) => {
                cat![n, " stored account(s) in them are unreadable"]
            }
        }
    }
}

impl fmt::Display for LoadWarning {
    /// [`LoadWarning::text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for LoadWarning {}

/// The result of loading: a ledger, plus what could not be read, if anything (then the ledger
/// is not the stored one: see the module's note).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    /// The ledger.
    pub ledger: Ledger,
    /// Set when something could not be restored.
    pub warning: Option<LoadWarning>,
}

struct Stored<'a>(&'a [Account]);

impl ToJson for Stored<'_> {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("v", &STORE_VERSION)
            .field("accounts", &self.0)
            .end();
    }
}

/// The stored text of a ledger.
pub fn save(ledger: &Ledger) -> String {
    to_json(&Stored(&ledger.accounts))
}

fn fresh(warning: LoadWarning) -> Loaded {
    Loaded {
        ledger: Ledger::default(),
        warning: Some(warning),
    }
}

/// Brings a document of version `from` to the current shape.
///
/// Version 1 is the first stored shape, so there is nothing to convert yet; a later version adds
/// its step here (`1 => v1_to_v2(doc)`, falling through to the next).
fn migrate(doc: Json, from: u64) -> Result<Json, LoadWarning> {
    match from {
        STORE_VERSION => Ok(doc),
        0 => Err(LoadWarning::UnknownShape),
        newer => Err(LoadWarning::NewerVersion(newer)),
    }
}

fn consistent(a: &Account) -> bool {
    matches!(
        (a.api, &a.limits),
        (ApiKind::CoinMarketCap, Limits::Cmc(_)) | (ApiKind::Cryptowatch, Limits::Cw(_))
    )
}

/// Reads a stored ledger. Empty text (nothing stored yet) is a fresh ledger without warning.
pub fn load(text: &str) -> Loaded {
    if text.trim().is_empty() {
        return Loaded {
            ledger: Ledger::default(),
            warning: None,
        };
    }
    let Some(doc) = json::parse(text) else {
        return fresh(LoadWarning::NotJson);
    };
    let Some(version) = doc.get("v").and_then(Json::as_u64) else {
        return fresh(LoadWarning::UnknownShape);
    };
    let doc = match migrate(doc, version) {
        Ok(doc) => doc,
        Err(w) => return fresh(w),
    };
    let Some(items) = doc.get("accounts").and_then(Json::as_array) else {
        return fresh(LoadWarning::UnknownShape);
    };
    let total = items.len();
    let accounts: Vec<Account> = items
        .iter()
        .filter_map(Account::from_json)
        .filter(consistent)
        .collect();
    let dropped = total - accounts.len();
    Loaded {
        ledger: Ledger { accounts },
        warning: (dropped > 0).then_some(LoadWarning::AccountsDropped(dropped)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CmcPlan, EndpointId, Request};
    use crate::decide::reserve;
    use crate::time::UnixMillis;

    fn sample() -> Ledger {
        let mut ledger = Ledger::default();
        let now = UnixMillis(1_759_054_864_716);
        let a = ledger.account_or_insert_with(ApiKind::CoinMarketCap, "main", || {
            Account::cmc("main", CmcPlan::Basic)
        });
        reserve(a, &Request::new(EndpointId::CmcListingsLatest), now).expect("fits");
        let c = ledger.account_or_insert_with(ApiKind::Cryptowatch, "anon", || {
            Account::cryptowatch("anon", false)
        });
        reserve(c, &Request::new(EndpointId::CwPairs), now).expect("fits");
        ledger
    }

    #[test]
    fn a_saved_ledger_loads_back_exactly() {
        let ledger = sample();
        let text = save(&ledger);
        assert!(text.starts_with(r#"{"v":1,"#));
        assert_eq!(
            load(&text),
            Loaded {
                ledger,
                warning: None
            }
        );
    }

    #[test]
    fn nothing_stored_is_a_fresh_ledger_without_warning() {
        assert_eq!(
            load(""),
            Loaded {
                ledger: Ledger::default(),
                warning: None
            }
        );
    }

    #[test]
    fn corrupt_or_truncated_text_gives_a_fresh_ledger_and_a_warning() {
        let text = save(&sample());
        assert_eq!(
            load(&text[..text.len() / 2]).warning,
            Some(LoadWarning::NotJson)
        );
        assert_eq!(
            load("\u{0}\u{1}garbage").warning,
            Some(LoadWarning::NotJson)
        );
        assert_eq!(load("[]").warning, Some(LoadWarning::UnknownShape));
        assert_eq!(
            load(r#"{"accounts":[]}"#).warning,
            Some(LoadWarning::UnknownShape)
        );
        assert_eq!(load(r#"{"v":1}"#).warning, Some(LoadWarning::UnknownShape));
    }

    #[test]
    fn a_newer_version_is_not_guessed_at() {
        let loaded = load(r#"{"v":2,"accounts":[]}"#);
        assert_eq!(
            loaded,
            Loaded {
                ledger: Ledger::default(),
                warning: Some(LoadWarning::NewerVersion(2))
            }
        );
    }

    #[test]
    fn one_corrupt_account_is_dropped_and_the_others_kept() {
        let text = save(&sample()).replacen(
            r#""accounts":["#,
            r#""accounts":[{"api":"CoinMarketCap","junk":1},"#,
            1,
        );
        let loaded = load(&text);
        assert_eq!(loaded.warning, Some(LoadWarning::AccountsDropped(1)));
        assert_eq!(loaded.ledger, sample());
    }

    #[test]
    fn an_account_whose_limits_belong_to_the_other_api_is_dropped() {
        let text =
            save(&sample()).replacen(r#""api":"CoinMarketCap""#, r#""api":"Cryptowatch""#, 1);
        assert_eq!(load(&text).warning, Some(LoadWarning::AccountsDropped(1)));
    }
}
