//! The widget's clock: the visitor's, corrected by its offset to the API server's clock, which
//! every CoinMarketCap answer tells (`status.timestamp`; `credit_gauge_core::clock` works the
//! offset out). CoinMarketCap counts a request in the minute *it* receives it: with the windows
//! on the server's time, a visitor whose clock is minutes off causes no 1008.
//!
//! An emulator on this machine may run its clock faster (`--time-scale`) and say so on every
//! answer; the widget then follows that clock instead, so that tests see an hour of minute
//! windows in a minute. No other server can make it do so.
//!
//! Both are kept in the page's store, so every widget and tab of the origin computes the same
//! windows on the same clock.

use std::cell::Cell;

use credit_gauge_core::cat;
use credit_gauge_core::clock::{offset_from, settle_offset, ScaledClock, MAX_OFFSET_MS};
use credit_gauge_core::integer::parse_i64;
use credit_gauge_core::ledger::MINUTE_EDGE_MS;
use credit_gauge_core::UnixMillis;

use crate::store::{page_store, KEY_PREFIX};

/// The clock the windows are counted on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Clock {
    /// The visitor's, plus this offset to the server's.
    Offset(i64),
    /// An emulator's scaled clock; `ledger_offset` is what the ledger's windows were moved by
    /// when it was adopted (see [`ledger_offset`]).
    Scaled {
        clock: ScaledClock,
        ledger_offset: i64,
    },
}

thread_local! {
    /// The clock in use; `None` until read from the store.
    static CLOCK: Cell<Option<Clock>> = const { Cell::new(None) };
}

/// Where the offset is kept.
pub(crate) fn offset_key() -> String {
    cat![KEY_PREFIX, ":clock-offset"]
}

/// Where an emulator's scaled clock is kept while the widget follows it.
pub(crate) fn scale_key() -> String {
    cat![KEY_PREFIX, ":clock-scale"]
}

/// The visitor's clock, UTC milliseconds.
pub fn local_now() -> UnixMillis {
    UnixMillis(js_sys::Date::now() as i64)
}

/// The clock in use: learnt in this page, else the one stored by another widget or tab of the
/// origin (anything unreadable or beyond belief there counts as none).
fn clock() -> Clock {
    if let Some(clock) = CLOCK.get() {
        return clock;
    }
    let store = page_store();
    let scaled = store.read(&scale_key()).and_then(|text| {
        let mut parts = text.split(' ');
        let header = cat![parts.next()?, "; origin=", parts.next()?];
        let clock = ScaledClock::parse(&header, local_now())?;
        let ledger_offset = parse_i64(parts.next()?)?;
        Some(Clock::Scaled {
            clock,
            ledger_offset,
        })
    });
    let clock = scaled.unwrap_or_else(|| Clock::Offset(stored_offset()));
    CLOCK.set(Some(clock));
    clock
}

fn stored_offset() -> i64 {
    page_store()
        .read(&offset_key())
        .and_then(|text| parse_i64(text.trim()))
        .filter(|o| o.abs() <= MAX_OFFSET_MS)
        .unwrap_or(0)
}

/// Forgets the clock in use, so the next reading takes the stored one (another tab learnt it).
pub fn forget() {
    CLOCK.set(None);
}

/// The current time on the server's clock, as well as it is known.
pub fn now() -> UnixMillis {
    at(clock(), local_now())
}

fn at(clock: Clock, local: UnixMillis) -> UnixMillis {
    match clock {
        Clock::Offset(offset) => local.plus(offset),
        Clock::Scaled { clock, .. } => clock.at(local),
    }
}

/// How far the ledger's windows are moved from the visitor's clock: the offset, or on a scaled
/// clock the jump made when it was adopted (the ledger's windows are on that clock from then
/// on, so it must not look as if it moved with every tick).
pub fn ledger_offset() -> i64 {
    match clock() {
        Clock::Offset(offset) => offset,
        Clock::Scaled { ledger_offset, .. } => ledger_offset,
    }
}

/// How near a minute's edge a request may land in the neighbouring minute on the clock in use.
pub fn minute_edge_ms() -> i64 {
    match clock() {
        Clock::Offset(_) => MINUTE_EDGE_MS,
        Clock::Scaled { clock, .. } => clock.minute_edge_ms(),
    }
}

/// How long `ms` of the server's time takes in real time.
pub fn real_ms(ms: i64) -> i64 {
    match clock() {
        Clock::Offset(_) => ms,
        Clock::Scaled { clock, .. } => clock.real_ms(ms),
    }
}

/// How much of the server's time `real_ms` of real time is.
pub fn span(real_ms: i64) -> i64 {
    match clock() {
        Clock::Offset(_) => real_ms,
        Clock::Scaled { clock, .. } => clock.span(real_ms),
    }
}

/// Learns from one exchange: sent at `sent` and answered at `received` (both on the visitor's
/// clock, see [`local_now`]), written by the server at `server`.
pub fn learn(sent: UnixMillis, received: UnixMillis, server: UnixMillis) {
    let Some(sample) = offset_from(sent, received, server) else {
        return;
    };
    let Clock::Offset(kept) = clock() else {
        return;
    };
    let settled = settle_offset(Some(kept), sample);
    if settled != kept {
        CLOCK.set(Some(Clock::Offset(settled)));
        page_store().write(&offset_key(), &cat![settled]);
    }
}

/// Follows what an answer from `base` said of its clock: an emulator on this machine's scaled
/// clock (`X-Emulator-Time-Scale`), or, when a server says nothing of it, the server's own time
/// again.
pub fn follow(base: &str, time_scale: Option<&str>) {
    let local = local_now();
    let announced = time_scale
        .filter(|_| on_this_machine(base))
        .and_then(|value| ScaledClock::parse(value, local));
    let current = clock();
    let next = match (current, announced) {
        (Clock::Scaled { clock, .. }, Some(announced)) if clock == announced => return,
        (_, Some(announced)) => Clock::Scaled {
            clock: announced,
            // The windows jump by as much as the clock does now.
            ledger_offset: ledger_offset() + (announced.at(local).0 - at(current, local).0),
        },
        (Clock::Scaled { .. }, None) => Clock::Offset(stored_offset()),
        (Clock::Offset(_), None) => return,
    };
    CLOCK.set(Some(next));
    let store = page_store();
    match next {
        Clock::Scaled {
            clock,
            ledger_offset,
        } => store.write(
            &scale_key(),
            &cat![clock.scale, ' ', clock.origin.0, ' ', ledger_offset],
        ),
        Clock::Offset(_) => store.remove(&scale_key()),
    }
}

/// Whether `base` (resolved against the page, as `fetch` does) names this machine: only an
/// emulator here shares the clock a scaled clock's origin is read on.
fn on_this_machine(base: &str) -> bool {
    let page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    web_sys::Url::new_with_base(base, &page)
        .map(|url| matches!(url.hostname().as_str(), "127.0.0.1" | "localhost" | "[::1]"))
        .unwrap_or(false)
}
