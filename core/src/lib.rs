//! The pure decisions of credit-gauge: what a request costs, whether it may go now, and what
//! the server's answer means. No clock, no I/O, no web dependencies: every instant is a
//! parameter, so the same code runs natively under test and in the browser.
//!
//! One request, end to end:
//!
//! ```
//! use credit_gauge_core::{catalog::*, decide::*, envelope::*, ledger::*, reconcile::*, time::UnixMillis};
//!
//! let mut account = Account::cmc("my key", CmcPlan::Basic);
//! let request = Request::new(EndpointId::CmcListingsLatest).with("limit", "201").with("convert", "USD");
//! let now = UnixMillis(1_700_000_000_000);
//! assert!(matches!(decide(&account, &request, now), Decision::SendNow { .. }));
//! let id = reserve(&mut account, &request, now).expect("fits");
//! // ... send, then read the answer:
//! let outcome = cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":2}}"#);
//! let settled = reconcile(&mut account, id, &outcome, UnixMillis(now.0 + 300));
//! assert_eq!(settled.charged.to_string(), "2.000");
//! ```

pub mod catalog;
pub mod clock;
pub mod code;
pub mod credits;
pub mod decide;
pub mod envelope;
pub mod explain;
pub mod from_json;
pub mod gauge;
pub mod integer;
pub mod json;
pub mod ledger;
pub mod planner;
pub mod reconcile;
pub mod stored;
pub mod team;
pub mod text;
pub mod time;
pub mod to_json;
pub mod usage;

pub use catalog::{cmc_credits, estimate, ApiKind, CmcPlan, CostPreview, EndpointId, Request};
pub use code::Code;
pub use credits::Credits;
pub use decide::{decide, reserve, Decision};
pub use envelope::{cmc_outcome, cw_outcome, ClientFailure, Outcome};
pub use explain::{explain, Explanation, Retry};
pub use ledger::{advance, cancel, set_clock, set_plan, Account, Ledger, ReservationId};
pub use reconcile::{reconcile, Settlement};
pub use stored::{load, save, LoadWarning, Loaded};
pub use time::UnixMillis;
