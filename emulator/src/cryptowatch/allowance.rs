//! The 24-hour allowance: charging a call, what an answer shows of the balance, and the
//! ledger's view of it. Balances are integer milli-credits so three-decimal arithmetic stays
//! exact.

use serde_json::{json, Value};

use crate::clock::{iso, Millis, DAY};
use crate::ledger::CwBalance;
use crate::Shared;

/// Anonymous callers: 10 credits per 24 hours.
pub const ANONYMOUS_ALLOWANCE_MILLI: u64 = 10_000;
/// The keyed demo caller: 1,000 credits per 24 hours (a paid balance, far above anonymous).
pub const KEYED_ALLOWANCE_MILLI: u64 = 1_000_000;
/// The account id shown to the keyed demo caller.
const DEMO_ACCOUNT: &str = "8b095566-0000-4000-8000-00000000c0de";
const UPGRADE: &str = "For unlimited API access, create an account at https://cryptowat.ch";

/// Charges `cost` to the balance of the caller `who` and answers what remains, or `None`
/// (counted as a refused 429) when the balance cannot pay it.
pub(super) fn charge(
    app: &Shared,
    who: String,
    keyed: bool,
    cost: u64,
    now: Millis,
) -> Option<u64> {
    let mut ledger = app.lock_ledger();
    let allowance_milli = if keyed {
        app.cw_keyed_allowance_milli
    } else {
        app.cw_anonymous_allowance_milli
    };
    let balance = ledger.cw.entry(who).or_insert(CwBalance {
        window_start: now,
        allowance_milli,
        spent_milli: 0,
        refused_429: 0,
    });
    // The window opens at the first request and closes 24 hours later; the next request
    // after that opens a new one.
    if now >= balance.window_start + DAY {
        balance.window_start = now;
        balance.spent_milli = 0;
    }
    if balance.remaining_milli() < cost {
        balance.refused_429 += 1;
        return None;
    }
    balance.spent_milli += cost;
    Some(balance.remaining_milli())
}

/// The `allowance` object of an answer: the call's cost and the balance left.
pub(super) fn shown(cost: u64, remaining: u64, keyed: bool) -> Value {
    if keyed {
        json!({"cost": milli(cost), "remaining": milli(remaining), "account": DEMO_ACCOUNT})
    } else {
        json!({"cost": milli(cost), "remaining": milli(remaining), "upgrade": UPGRADE})
    }
}

fn milli(m: u64) -> Value {
    json!(m as f64 / 1000.0)
}

/// The ledger's view of one caller, for `/_emulator/ledger`.
pub fn ledger_entry(balance: &CwBalance, now: Millis) -> Value {
    let (start, spent) = if now >= balance.window_start + DAY {
        (None, 0)
    } else {
        (Some(balance.window_start), balance.spent_milli)
    };
    let remaining = balance.allowance_milli.saturating_sub(spent);
    json!({
        "allowance": milli(balance.allowance_milli),
        "spent": milli(spent),
        "remaining": milli(remaining),
        "remaining_milli": remaining,
        "window_start": start.map(iso),
        "window_reset": start.map(|s| iso(s + DAY)),
        "refused_429": balance.refused_429,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_decimals_print_exactly() {
        assert_eq!(milli(9_895).to_string(), "9.895");
        assert_eq!(milli(5).to_string(), "0.005");
        assert_eq!(milli(10_000).to_string(), "10.0");
    }
}
