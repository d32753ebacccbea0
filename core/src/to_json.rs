//! What the widget stores, written as JSON by hand: the accounts (for [`crate::stored::save`])
//! and the types they are made of; the shell writes its settings, history and remembered keys
//! with the same helpers.
//!
//! Why not serde's derived serialisers: they are compiled per type and per serialiser, and
//! weighed several times what these do in the widget's download. These write exactly what
//! serde wrote before them (fields in declaration order, an enum as its variant's name or an
//! object of one entry from the name to its content, `None` as `null`, strings escaped the same
//! way), so stored text does not change and a tab running an older build reads it;
//! [`checks::writes_alike`] holds each writer to serde's.

use crate::catalog::{ApiKind, CmcPlan, EndpointId};
use crate::credits::Credits;
use crate::json::write_str;
use crate::ledger::{
    Account, CmcLimits, CreditLimit, CwLimits, Drift, IpBackoff, KeyProblem, KeyStatus, Limits,
    MinuteWindow, Period, Reservation, ReservationId, Schedule, Span,
};
use crate::text::Piece;
use crate::time::UnixMillis;

/// A value that writes itself as JSON.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

/// `value` as JSON text.
pub fn to_json(value: &dyn ToJson) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// An object being written, field by field in the order given.
pub struct Fields<'a> {
    out: &'a mut String,
    first: bool,
}

/// Starts an object; [`Fields::end`] closes it.
pub fn object(out: &mut String) -> Fields<'_> {
    out.push('{');
    Fields { out, first: true }
}

impl Fields<'_> {
    pub fn field(mut self, name: &str, value: &dyn ToJson) -> Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_str(self.out, name);
        self.out.push(':');
        value.write_json(self.out);
        self
    }

    pub fn end(self) {
        self.out.push('}');
    }
}

// A JSON integer is its decimal text, as the widget writes any integer.
impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        Piece::put(self, out);
    }
}

impl ToJson for i64 {
    fn write_json(&self, out: &mut String) {
        Piece::put(self, out);
    }
}

impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        u64::from(*self).write_json(out);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl ToJson for UnixMillis {
    fn write_json(&self, out: &mut String) {
        self.0.write_json(out);
    }
}

impl ToJson for Credits {
    fn write_json(&self, out: &mut String) {
        self.millis().write_json(out);
    }
}

impl ToJson for ReservationId {
    fn write_json(&self, out: &mut String) {
        self.0.write_json(out);
    }
}

impl ToJson for ApiKind {
    fn write_json(&self, out: &mut String) {
        write_str(out, self.name());
    }
}

impl ToJson for CmcPlan {
    fn write_json(&self, out: &mut String) {
        write_str(out, self.name());
    }
}

impl ToJson for EndpointId {
    fn write_json(&self, out: &mut String) {
        write_str(out, self.name());
    }
}

impl ToJson for Period {
    fn write_json(&self, out: &mut String) {
        write_str(out, self.name());
    }
}

impl ToJson for KeyProblem {
    fn write_json(&self, out: &mut String) {
        write_str(out, self.name());
    }
}

impl ToJson for KeyStatus {
    fn write_json(&self, out: &mut String) {
        match self {
            // Its name as a literal: the `Debug` of an enum with data would link the
            // standard library's struct and tuple formatting.
            KeyStatus::Usable => write_str(out, "Usable"),
            KeyStatus::Rejected(p) => object(out).field("Rejected", p).end(),
        }
    }
}

impl ToJson for Schedule {
    fn write_json(&self, out: &mut String) {
        match self {
            Schedule::Anchored(at) => object(out).field("Anchored", at).end(),
            Schedule::Calendar => write_str(out, "Calendar"),
            Schedule::FromFirstUse => write_str(out, "FromFirstUse"),
        }
    }
}

impl ToJson for Limits {
    fn write_json(&self, out: &mut String) {
        match self {
            Limits::Cmc(l) => object(out).field("Cmc", l).end(),
            Limits::Cw(l) => object(out).field("Cw", l).end(),
        }
    }
}

impl ToJson for Span {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("start", &self.start)
            .field("end", &self.end)
            .end();
    }
}

impl ToJson for CreditLimit {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("limit", &self.limit)
            .field("period", &self.period)
            .field("schedule", &self.schedule)
            .field("window", &self.window)
            .field("used", &self.used)
            .field("closed_until", &self.closed_until)
            .end();
    }
}

impl ToJson for MinuteWindow {
    fn write_json(&self, out: &mut String) {
        // `edge_ms` is not stored: it is set with the clock.
        object(out)
            .field("limit", &self.limit)
            .field("window", &self.window)
            .field("requests", &self.requests)
            .field("previous", &self.previous)
            .field("spill", &self.spill)
            .end();
    }
}

impl ToJson for IpBackoff {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("until", &self.until)
            .field("strikes", &self.strikes)
            .end();
    }
}

impl ToJson for CmcLimits {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("plan", &self.plan)
            .field("confirmed", &self.confirmed)
            .field("max_converts", &self.max_converts)
            .field("minute", &self.minute)
            .field("day", &self.day)
            .field("month", &self.month)
            .field("ip", &self.ip)
            .field("refused_endpoints", &self.refused_endpoints)
            .end();
    }
}

impl ToJson for CwLimits {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("keyed", &self.keyed)
            .field("allowance", &self.allowance)
            .field("window", &self.window)
            .field("remaining", &self.remaining)
            .field("exhausted_at", &self.exhausted_at)
            .field("last_probe", &self.last_probe)
            .field("figure_at", &self.figure_at)
            .end();
    }
}

impl ToJson for Reservation {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("id", &self.id)
            .field("endpoint", &self.endpoint)
            .field("cost", &self.cost)
            .field("sent_at", &self.sent_at)
            .field("probe", &self.probe)
            .end();
    }
}

impl ToJson for Drift {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("last", &self.last)
            .field("total", &self.total)
            .field("samples", &self.samples)
            .end();
    }
}

impl ToJson for Account {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("api", &self.api)
            .field("key_label", &self.key_label)
            .field("key", &self.key)
            .field("limits", &self.limits)
            .field("reservations", &self.reservations)
            .field("next_reservation", &self.next_reservation)
            .field("drift", &self.drift)
            .field("needs_sync", &self.needs_sync)
            .field("clock_offset_ms", &self.clock_offset_ms)
            .end();
    }
}

/// Holds a hand writer to serde's derived one, for tests.
pub mod checks {
    use super::{to_json, ToJson};

    /// Whether the hand writer writes `value` exactly as serde_json does.
    pub fn writes_alike<T: ToJson + serde::Serialize>(value: &T) -> bool {
        to_json(value) == serde_json::to_string(value).expect("serialisable")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ENDPOINTS;

    #[test]
    fn integers_are_written_in_full() {
        for n in [0, 1, -1, 9, 10, 1234567, i64::MAX, i64::MIN] {
            assert_eq!(to_json(&n), n.to_string());
        }
        assert_eq!(to_json(&u64::MAX), u64::MAX.to_string());
        assert_eq!(to_json(&u32::MAX), u32::MAX.to_string());
    }

    #[test]
    fn every_variant_is_written_as_serde_writes_it() {
        for e in ENDPOINTS {
            assert!(checks::writes_alike(&e.id));
        }
        for p in CmcPlan::ALL {
            assert!(checks::writes_alike(&p));
        }
        for p in KeyProblem::ALL {
            assert!(checks::writes_alike(&p));
            assert!(checks::writes_alike(&KeyStatus::Rejected(p)));
        }
        for p in Period::ALL {
            assert!(checks::writes_alike(&p));
        }
        for s in [
            Schedule::Calendar,
            Schedule::FromFirstUse,
            Schedule::Anchored(UnixMillis(-5)),
        ] {
            assert!(checks::writes_alike(&s));
        }
        assert!(checks::writes_alike(&KeyStatus::Usable));
        assert!(checks::writes_alike(&ApiKind::Cryptowatch));
        let odd = Account::cryptowatch("a \"key\"\n\u{1}é", true);
        assert!(checks::writes_alike(&odd), "{}", to_json(&odd));
        assert!(checks::writes_alike(&Account::cmc("k", CmcPlan::Startup)));
    }
}
