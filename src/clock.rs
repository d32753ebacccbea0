//! The widget's clock: the visitor's, corrected by its offset to the API server's clock, which
//! every CoinMarketCap answer tells (`status.timestamp`; `credit_gauge_core::clock` works the
//! offset out). CoinMarketCap counts a request in the minute *it* receives it: with the windows
//! on the server's time, a visitor whose clock is minutes off causes no 1008.
//!
//! The offset is kept in the page's store, so every widget and tab of the origin computes the
//! same windows on the same clock.

use std::cell::Cell;

use credit_gauge_core::clock::{offset_from, settle_offset, MAX_OFFSET_MS};
use credit_gauge_core::UnixMillis;

use crate::store::{page_store, KEY_PREFIX};

thread_local! {
    /// The offset in use; `None` until read from the store.
    static OFFSET: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Where the offset is kept.
pub(crate) fn offset_key() -> String {
    format!("{KEY_PREFIX}:clock-offset")
}

/// The visitor's clock, UTC milliseconds.
pub fn local_now() -> UnixMillis {
    UnixMillis(js_sys::Date::now() as i64)
}

/// The offset in use: learnt in this page, else the one stored by another widget or tab of the
/// origin (anything unreadable or beyond belief there counts as none).
pub fn offset() -> i64 {
    if let Some(offset) = OFFSET.get() {
        return offset;
    }
    let stored = page_store()
        .read(&offset_key())
        .and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|o| o.abs() <= MAX_OFFSET_MS)
        .unwrap_or(0);
    OFFSET.set(Some(stored));
    stored
}

/// Forgets the offset in use, so the next reading takes the stored one (another tab learnt it).
pub(crate) fn forget() {
    OFFSET.set(None);
}

/// The current time on the server's clock, as well as it is known.
pub fn now() -> UnixMillis {
    local_now().plus(offset())
}

/// Learns from one exchange: sent at `sent` and answered at `received` (both on the visitor's
/// clock, see [`local_now`]), written by the server at `server`.
pub fn learn(sent: UnixMillis, received: UnixMillis, server: UnixMillis) {
    let Some(sample) = offset_from(sent, received, server) else {
        return;
    };
    let kept = offset();
    let settled = settle_offset(Some(kept), sample);
    if settled != kept {
        OFFSET.set(Some(settled));
        page_store().write(&offset_key(), &settled.to_string());
    }
}
