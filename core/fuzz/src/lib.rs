//! Helpers shared by the fuzz targets: how an input becomes a status and a body, and the
//! properties every target checks on the state it ends with.

use credit_gauge_core::catalog::{CmcPlan, EndpointId, Request};
use credit_gauge_core::decide::reserve;
use credit_gauge_core::ledger::{Account, Ledger};
use credit_gauge_core::reconcile::reconcile;
use credit_gauge_core::stored::{load, save, Loaded};
use credit_gauge_core::time::UnixMillis;
use credit_gauge_core::{explain, Code};
use credit_gauge_core::{ApiKind, ClientFailure, Outcome};

/// A fixed "now" (2025-09-28T10:21:04.716Z): the targets fuzz the input, not the clock.
pub const NOW: UnixMillis = UnixMillis(1_759_054_864_716);

/// Splits an input into an HTTP status and a body.
///
/// The input is text: a first line holding the status in decimal (`429`), then the body. An input
/// whose first line is not a status is all body, answered with 200. Bodies reach the parsers as
/// `&str` (the browser decodes them), so inputs that are not UTF-8 are skipped.
pub fn status_and_body(data: &[u8]) -> Option<(u16, &str)> {
    let text = std::str::from_utf8(data).ok()?;
    Some(match text.split_once('\n') {
        Some((head, body)) => match head.trim().parse::<u16>() {
            Ok(status) => (status, body),
            Err(_) => (200, text),
        },
        None => (200, text),
    })
}

/// serde_json's reading of `text`, which the core's JSON reader is held to; `None` where the
/// two differ on purpose: a number too large for a float, which serde_json refuses and the
/// core reads as written (see `credit_gauge_core::json`).
pub fn serde_reading(text: &str) -> Option<Result<serde_json::Value, serde_json::Error>> {
    match serde_json::from_str(text) {
        Err(e) if e.to_string().starts_with("number out of range") => None,
        reading => Some(reading),
    }
}

/// Folds `outcome` into a fresh account of `api` the way the widget does (reserve a request,
/// send it, reconcile the answer), explains the result, and checks that the state it leaves
/// behind survives the store exactly.
pub fn fold_into_a_fresh_account(api: ApiKind, outcome: &Outcome) {
    let (mut account, request) = match api {
        ApiKind::CoinMarketCap => (
            Account::cmc("fuzz", CmcPlan::Basic),
            Request::new(EndpointId::CmcListingsLatest).with("limit", "201"),
        ),
        ApiKind::Cryptowatch => (
            Account::cryptowatch("fuzz", false),
            Request::new(EndpointId::CwPairs),
        ),
    };
    let id = reserve(&mut account, &request, NOW).expect("a fresh account has room");
    let settled = reconcile(&mut account, id, outcome, NOW.plus(300));
    assert!(
        account.reservations.is_empty(),
        "the answer settles its reservation"
    );
    if settled.from_server {
        assert_eq!(
            settled.drift,
            Some(settled.charged - settled.estimated),
            "drift is charged minus estimated"
        );
    } else {
        assert_eq!(settled.drift, None, "no server figure, no drift");
    }
    assert_eq!(
        settled.code,
        Code::of_outcome(outcome, api),
        "the settlement explains the outcome"
    );
    if let Some(code) = settled.code {
        let e = explain(code, settled.retry_at);
        assert!(!e.title.is_empty() && !e.explanation.is_empty());
    }
    assert_store_round_trip(&Ledger {
        accounts: vec![account],
    });
}

/// `load(save(ledger))` gives the same ledger back, with no warning, and saving is stable.
pub fn assert_store_round_trip(ledger: &Ledger) {
    let text = save(ledger);
    let back = load(&text);
    assert_eq!(
        back,
        Loaded {
            ledger: ledger.clone(),
            warning: None
        },
        "a saved ledger loads back exactly: {text}"
    );
    assert_eq!(save(&back.ledger), text, "saving is stable");
}

/// Asserts that an `*_outcome` function is its parser wrapped: the parsed answer as `answer`
/// picks it out of the outcome, or the parser's failure with the status it came with.
pub fn assert_outcome_wraps<A: PartialEq + std::fmt::Debug>(
    parsed: &Result<A, ClientFailure>,
    outcome: &Outcome,
    status: u16,
    answer: fn(&Outcome) -> Option<&A>,
) {
    match (parsed, outcome) {
        (Ok(a), o) if answer(o) == Some(a) => {}
        (
            Err(f),
            Outcome::Failed {
                failure,
                http_status,
            },
        ) => assert_eq!((f, *http_status), (failure, Some(status))),
        _ => panic!("the outcome disagrees with the parser: {parsed:?} vs {outcome:?}"),
    }
}
