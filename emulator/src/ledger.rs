//! What the server counted: per CoinMarketCap key, its minute, day and month; per Cryptowatch
//! caller, its 24-hour window and what it spent. In memory only; a restart starts fresh.

use std::collections::BTreeMap;

use crate::clock::{minute_start, Anchor, Millis};

/// One CoinMarketCap key's usage in its current windows.
#[derive(Clone, Debug, Default)]
pub struct CmcUsage {
    pub minute_start: Millis,
    pub requests_this_minute: u64,
    pub day_start: Millis,
    pub credits_today: u64,
    pub month_start: Millis,
    pub credits_this_month: u64,
    /// 429s answered to this key since the server started (1008, 1009, 1010): a client that
    /// keeps its limits never sees one.
    pub refused_429: u64,
}

impl CmcUsage {
    /// Moves every window to the one holding `now`, emptying those that ended.
    pub fn roll(&mut self, now: Millis, anchor: Anchor) {
        let minute = minute_start(now);
        if minute != self.minute_start {
            self.minute_start = minute;
            self.requests_this_minute = 0;
        }
        let day = anchor.day_start(now);
        if day != self.day_start {
            self.day_start = day;
            self.credits_today = 0;
        }
        let month = anchor.month_start(now);
        if month != self.month_start {
            self.month_start = month;
            self.credits_this_month = 0;
        }
    }
}

/// One Cryptowatch caller's allowance window, in milli-credits so that three-decimal costs
/// add up exactly.
#[derive(Clone, Debug)]
pub struct CwBalance {
    pub window_start: Millis,
    pub allowance_milli: u64,
    pub spent_milli: u64,
    /// "Out of allowance" answers since the server started, across windows.
    pub refused_429: u64,
}

impl CwBalance {
    pub fn remaining_milli(&self) -> u64 {
        self.allowance_milli.saturating_sub(self.spent_milli)
    }
}

#[derive(Debug, Default)]
pub struct Ledger {
    pub cmc: BTreeMap<String, CmcUsage>,
    pub cw: BTreeMap<String, CwBalance>,
}
