//! What the widget stores, read from parsed JSON by hand: the accounts (for
//! [`crate::stored::load`]) and the types they are made of; the shell reads its settings,
//! history and remembered keys with the same helpers.
//!
//! Why not serde's derived readers: they compile each type's field names into several visitors
//! (by name, by bytes, by position) and error messages that need a float printer, which was
//! most of what the widget's download spent on reading its own storage. These readers accept
//! what the derived ones accept (the format is theirs: it was written with serde, and
//! [`crate::to_json`] writes it byte for byte as serde did), except a struct written as an array of its fields, which serde never writes:
//! such a document is refused, never misread. [`checks`] holds each reader to serde's, on
//! every single edit of a stored value and on random ones.
//!
//! The rules serde's derive follows, and so these do: unknown fields are ignored; a missing field
//! is an error unless it is an `Option` (then `None`) or marked `#[serde(default)]`; `null` is only
//! an `Option`'s `None`; numbers must fit their type exactly (no fractions, no negative counts);
//! an enum is its variant's name, or an object of one entry from the name to its content.

use crate::json::{Json, Object};

use crate::catalog::{ApiKind, CmcPlan, EndpointId, ENDPOINTS};
use crate::credits::Credits;
use crate::ledger::{
    Account, CmcLimits, CreditLimit, CwLimits, Drift, IpBackoff, KeyProblem, KeyStatus, Limits,
    MinuteWindow, Period, Reservation, ReservationId, Schedule, Span, MINUTE_EDGE_MS,
};
use crate::time::UnixMillis;

/// A value read from its JSON form; `None` when the JSON is not one.
pub trait FromJson: Sized {
    fn from_json(v: &Json) -> Option<Self>;
}

/// A field that must be there.
pub fn field<T: FromJson>(o: &Object, name: &str) -> Option<T> {
    T::from_json(o.get(name)?)
}

/// An `Option` field: missing or `null` is `None`.
pub fn optional<T: FromJson>(o: &Object, name: &str) -> Option<Option<T>> {
    match o.get(name) {
        None | Some(Json::Null) => Some(None),
        Some(v) => T::from_json(v).map(Some),
    }
}

/// A `#[serde(default)]` field: missing is the default.
pub fn or_default<T: FromJson + Default>(o: &Object, name: &str) -> Option<T> {
    match o.get(name) {
        None => Some(T::default()),
        Some(v) => T::from_json(v),
    }
}

/// An enum's variant name and its content, if any (`"Name"` or `{"Name": content}`).
fn variant(v: &Json) -> Option<(&str, Option<&Json>)> {
    match v {
        Json::String(name) => Some((name, None)),
        Json::Object(o) if o.len() == 1 => o.iter().next().map(|(k, c)| (k.as_str(), Some(c))),
        _ => None,
    }
}

/// A variant without content: its bare name, or its name mapped to `null`.
pub fn unit_variant(v: &Json) -> Option<&str> {
    match variant(v)? {
        (name, None | Some(Json::Null)) => Some(name),
        _ => None,
    }
}

/// The variant of `all` whose `name` (serde's name for a unit variant) is the one stored.
pub fn named<T: Copy>(
    v: &Json,
    all: impl IntoIterator<Item = T>,
    name: fn(T) -> &'static str,
) -> Option<T> {
    let stored = unit_variant(v)?;
    all.into_iter().find(|&t| name(t) == stored)
}

impl FromJson for u64 {
    fn from_json(v: &Json) -> Option<Self> {
        v.as_u64()
    }
}

impl FromJson for u32 {
    fn from_json(v: &Json) -> Option<Self> {
        v.as_u64()?.try_into().ok()
    }
}

impl FromJson for i64 {
    fn from_json(v: &Json) -> Option<Self> {
        v.as_i64()
    }
}

impl FromJson for bool {
    fn from_json(v: &Json) -> Option<Self> {
        v.as_bool()
    }
}

impl FromJson for String {
    fn from_json(v: &Json) -> Option<Self> {
        v.as_str().map(str::to_owned)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Json) -> Option<Self> {
        v.as_array()?.iter().map(T::from_json).collect()
    }
}

impl FromJson for UnixMillis {
    fn from_json(v: &Json) -> Option<Self> {
        i64::from_json(v).map(UnixMillis)
    }
}

impl FromJson for Credits {
    fn from_json(v: &Json) -> Option<Self> {
        i64::from_json(v).map(Credits::from_millis)
    }
}

impl FromJson for ReservationId {
    fn from_json(v: &Json) -> Option<Self> {
        u64::from_json(v).map(ReservationId)
    }
}

impl FromJson for ApiKind {
    fn from_json(v: &Json) -> Option<Self> {
        named(
            v,
            [ApiKind::CoinMarketCap, ApiKind::Cryptowatch],
            ApiKind::name,
        )
    }
}

impl FromJson for CmcPlan {
    fn from_json(v: &Json) -> Option<Self> {
        named(v, CmcPlan::ALL, CmcPlan::name)
    }
}

impl FromJson for EndpointId {
    fn from_json(v: &Json) -> Option<Self> {
        named(v, ENDPOINTS.iter().map(|e| e.id), EndpointId::name)
    }
}

impl FromJson for Period {
    fn from_json(v: &Json) -> Option<Self> {
        named(v, Period::ALL, Period::name)
    }
}

impl FromJson for KeyProblem {
    fn from_json(v: &Json) -> Option<Self> {
        named(v, KeyProblem::ALL, KeyProblem::name)
    }
}

impl FromJson for KeyStatus {
    fn from_json(v: &Json) -> Option<Self> {
        match variant(v)? {
            ("Usable", None | Some(Json::Null)) => Some(KeyStatus::Usable),
            ("Rejected", Some(c)) => KeyProblem::from_json(c).map(KeyStatus::Rejected),
            _ => None,
        }
    }
}

impl FromJson for Schedule {
    fn from_json(v: &Json) -> Option<Self> {
        match variant(v)? {
            ("Calendar", None | Some(Json::Null)) => Some(Schedule::Calendar),
            ("FromFirstUse", None | Some(Json::Null)) => Some(Schedule::FromFirstUse),
            ("Anchored", Some(c)) => UnixMillis::from_json(c).map(Schedule::Anchored),
            _ => None,
        }
    }
}

impl FromJson for Limits {
    fn from_json(v: &Json) -> Option<Self> {
        match variant(v)? {
            ("Cmc", Some(c)) => CmcLimits::from_json(c).map(Limits::Cmc),
            ("Cw", Some(c)) => CwLimits::from_json(c).map(Limits::Cw),
            _ => None,
        }
    }
}

impl FromJson for Span {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(Span {
            start: field(o, "start")?,
            end: field(o, "end")?,
        })
    }
}

impl FromJson for CreditLimit {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(CreditLimit {
            limit: optional(o, "limit")?,
            period: field(o, "period")?,
            schedule: field(o, "schedule")?,
            window: optional(o, "window")?,
            used: field(o, "used")?,
            closed_until: optional(o, "closed_until")?,
        })
    }
}

impl FromJson for MinuteWindow {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(MinuteWindow {
            limit: field(o, "limit")?,
            window: optional(o, "window")?,
            requests: field(o, "requests")?,
            previous: or_default(o, "previous")?,
            spill: or_default(o, "spill")?,
            // Not stored: set with the clock.
            edge_ms: MINUTE_EDGE_MS,
        })
    }
}

impl FromJson for IpBackoff {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(IpBackoff {
            until: optional(o, "until")?,
            strikes: field(o, "strikes")?,
        })
    }
}

impl FromJson for CmcLimits {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(CmcLimits {
            plan: field(o, "plan")?,
            confirmed: field(o, "confirmed")?,
            max_converts: field(o, "max_converts")?,
            minute: field(o, "minute")?,
            day: field(o, "day")?,
            month: field(o, "month")?,
            ip: field(o, "ip")?,
            refused_endpoints: field(o, "refused_endpoints")?,
        })
    }
}

impl FromJson for CwLimits {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(CwLimits {
            keyed: field(o, "keyed")?,
            allowance: field(o, "allowance")?,
            window: optional(o, "window")?,
            remaining: field(o, "remaining")?,
            exhausted_at: optional(o, "exhausted_at")?,
            last_probe: optional(o, "last_probe")?,
            figure_at: optional(o, "figure_at")?,
        })
    }
}

impl FromJson for Reservation {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(Reservation {
            id: field(o, "id")?,
            endpoint: field(o, "endpoint")?,
            cost: field(o, "cost")?,
            sent_at: field(o, "sent_at")?,
            probe: field(o, "probe")?,
        })
    }
}

impl FromJson for Drift {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(Drift {
            last: field(o, "last")?,
            total: field(o, "total")?,
            samples: field(o, "samples")?,
        })
    }
}

impl FromJson for Account {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(Account {
            api: field(o, "api")?,
            key_label: field(o, "key_label")?,
            key: field(o, "key")?,
            limits: field(o, "limits")?,
            reservations: field(o, "reservations")?,
            next_reservation: field(o, "next_reservation")?,
            drift: field(o, "drift")?,
            needs_sync: or_default(o, "needs_sync")?,
            clock_offset_ms: or_default(o, "clock_offset_ms")?,
        })
    }
}

/// Holds a hand reader to serde's derived one, for tests (generic: none of it reaches a build
/// that does not call it).
pub mod checks {
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;

    use super::FromJson;

    /// `doc` as the widget reads it: its text, parsed by [`crate::json::parse`].
    pub fn read(doc: &Value) -> crate::json::Json {
        crate::json::parse(&doc.to_string()).expect("serde_json writes JSON")
    }

    /// Where a node sits in a JSON document.
    #[derive(Clone, Debug)]
    enum Step {
        Key(String),
        Index(usize),
    }

    fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(here.clone());
        match v {
            Value::Object(o) => {
                for (k, child) in o {
                    here.push(Step::Key(k.clone()));
                    paths(child, here, out);
                    here.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    here.push(Step::Index(i));
                    paths(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }

    fn node<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
        path.iter().fold(v, |v, step| match step {
            Step::Key(k) => &mut v[k.as_str()],
            Step::Index(i) => &mut v[*i],
        })
    }

    /// Values that are right somewhere in a stored value and wrong elsewhere.
    pub fn candidates() -> Vec<Value> {
        serde_json::from_str(
            r#"[null, true, false, 0, 1, -1, 1.5, 4294967295, 4294967296, 18446744073709551615,
                -9223372036854775808, "", "x", "Day", "Month", "Calendar", "FromFirstUse",
                "Anchored", "Usable", "Rejected", "Expired", "Basic", "Startup", "CoinMarketCap",
                "Cryptowatch", "CmcKeyInfo", "CwPairs", "auto", [], [1, 2], {}, {"Anchored": 5},
                {"Anchored": null}, {"Rejected": "Expired"}, {"Day": null}, {"Usable": null},
                {"Calendar": null}, {"Cmc": {}}, {"start": 1, "end": 2}, {"start": 1},
                {"until": null, "strikes": 0}]"#,
        )
        .expect("the candidates are JSON")
    }

    /// Whether the hand reader reads `doc` as serde does: the same value, or nothing where serde
    /// reads nothing either; or nothing where serde reads a struct written as an array (see the
    /// module's note).
    pub fn reads_alike<T>(doc: &Value) -> bool
    where
        T: FromJson + DeserializeOwned + Serialize + PartialEq + Debug,
    {
        let by_hand = T::from_json(&read(doc));
        let by_serde = serde_json::from_value::<T>(doc.clone()).ok();
        match (&by_hand, &by_serde) {
            (a, b) if a == b => true,
            (None, Some(read)) => {
                positional(doc, &serde_json::to_value(read).expect("serialisable"))
            }
            _ => false,
        }
    }

    /// Whether `doc` has an array where the canonical form of what serde read has an object.
    fn positional(doc: &Value, canonical: &Value) -> bool {
        match (doc, canonical) {
            (Value::Array(_), Value::Object(_)) => true,
            (Value::Object(d), Value::Object(c)) => d
                .iter()
                .any(|(k, v)| c.get(k).is_some_and(|cv| positional(v, cv))),
            (Value::Array(d), Value::Array(c)) => d.iter().zip(c).any(|(v, cv)| positional(v, cv)),
            _ => false,
        }
    }

    /// One edit of `doc`, chosen by three numbers: the node at `at` (in document order) is
    /// replaced by a candidate (`kind` 0), loses a field (1), gains an unknown one (2), or
    /// becomes `null`.
    pub fn edit(doc: &mut Value, at: usize, kind: u8, pick: usize) {
        let mut all = Vec::new();
        paths(doc, &mut Vec::new(), &mut all);
        let path = &all[at % all.len()];
        let candidates = candidates();
        let value = candidates[pick % candidates.len()].clone();
        match (kind, node(doc, path)) {
            (0, target) => *target = value,
            (1, Value::Object(o)) if !o.is_empty() => {
                let key = o.keys().nth(pick % o.len()).cloned().unwrap_or_default();
                o.remove(&key);
            }
            (2, Value::Object(o)) => {
                o.insert("not_a_field".into(), value);
            }
            (_, target) => *target = Value::Null,
        }
    }

    /// Every single edit of `value`'s stored form (each node replaced by each candidate, each
    /// field removed, an unknown field added to each object) is read alike by hand and by serde;
    /// panics with the document otherwise. Returns how many edits were read, and how many of
    /// them were refused.
    pub fn single_edits_read_alike<T>(value: &T) -> (usize, usize)
    where
        T: FromJson + DeserializeOwned + Serialize + PartialEq + Debug,
    {
        let doc = serde_json::to_value(value).expect("serialisable");
        assert_eq!(T::from_json(&read(&doc)).as_ref(), Some(value), "{doc}");
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        let (mut checked, mut refused) = (0, 0);
        for path in &all {
            let mut edits: Vec<Value> = Vec::new();
            for candidate in candidates() {
                let mut d = doc.clone();
                *node(&mut d, path) = candidate;
                edits.push(d);
            }
            if let Value::Object(o) = node(&mut doc.clone(), path) {
                for key in o.keys() {
                    let mut d = doc.clone();
                    if let Value::Object(o) = node(&mut d, path) {
                        o.remove(key);
                    }
                    edits.push(d);
                }
                let mut d = doc.clone();
                if let Value::Object(o) = node(&mut d, path) {
                    o.insert("not_a_field".into(), Value::Null);
                }
                edits.push(d);
            }
            for d in edits {
                assert!(reads_alike::<T>(&d), "read differently from serde: {d}");
                checked += 1;
                refused += usize::from(T::from_json(&read(&d)).is_none());
            }
        }
        (checked, refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The value as the widget reads it from its text.
    fn j(v: Value) -> Json {
        crate::json::parse(&v.to_string()).unwrap()
    }

    macro_rules! json {
        ($($t:tt)+) => {
            j(serde_json::json!($($t)+))
        };
    }

    #[test]
    fn every_endpoint_s_stored_name_is_its_name() {
        for e in ENDPOINTS {
            assert_eq!(
                serde_json::to_value(e.id).unwrap(),
                Value::String(e.id.name().to_owned())
            );
            assert_eq!(
                EndpointId::from_json(&j(serde_json::to_value(e.id).unwrap())),
                Some(e.id)
            );
        }
        for plan in CmcPlan::ALL {
            assert_eq!(
                CmcPlan::from_json(&j(serde_json::to_value(plan).unwrap())),
                Some(plan)
            );
        }
    }

    /// Every variant of `all` is read back from what serde writes for it.
    fn reads_back<T: FromJson + serde::Serialize + PartialEq + std::fmt::Debug>(all: &[T]) {
        for t in all {
            assert_eq!(
                T::from_json(&j(serde_json::to_value(t).unwrap())).as_ref(),
                Some(t)
            );
        }
    }

    #[test]
    fn every_variant_of_the_unit_enums_is_read() {
        // The matches fail to compile when a variant is added, and the counts fail until the
        // variant is in its enum's `ALL`, which its reader goes by.
        use KeyProblem::*;
        for p in KeyProblem::ALL {
            match p {
                Invalid | Missing | PaymentRequired | Expired | KeyRequired | Disabled => {}
            }
        }
        assert_eq!(KeyProblem::ALL.len(), 6);
        reads_back(&KeyProblem::ALL);
        for p in Period::ALL {
            match p {
                Period::Day | Period::Month => {}
            }
        }
        assert_eq!(Period::ALL.len(), 2);
        reads_back(&Period::ALL);
        let apis = [ApiKind::CoinMarketCap, ApiKind::Cryptowatch];
        for a in apis {
            match a {
                ApiKind::CoinMarketCap | ApiKind::Cryptowatch => {}
            }
        }
        reads_back(&apis);
        for plan in CmcPlan::ALL {
            match plan {
                CmcPlan::Basic
                | CmcPlan::Hobbyist
                | CmcPlan::Startup
                | CmcPlan::Standard
                | CmcPlan::Professional
                | CmcPlan::Enterprise => {}
            }
        }
        assert_eq!(CmcPlan::ALL.len(), 6);
        reads_back(&CmcPlan::ALL);
    }

    #[test]
    fn an_enum_is_its_name_or_one_entry_from_its_name() {
        assert_eq!(Period::from_json(&json!("Day")), Some(Period::Day));
        assert_eq!(
            Period::from_json(&json!({"Month": null})),
            Some(Period::Month)
        );
        assert_eq!(Period::from_json(&json!({"Month": 1})), None);
        assert_eq!(Period::from_json(&json!("day")), None);
        assert_eq!(
            Schedule::from_json(&json!({"Anchored": 5})),
            Some(Schedule::Anchored(UnixMillis(5)))
        );
        assert_eq!(Schedule::from_json(&json!("Anchored")), None);
        assert_eq!(
            Schedule::from_json(&json!({"Calendar": null, "Anchored": 5})),
            None
        );
        assert_eq!(
            KeyStatus::from_json(&json!({"Rejected": "Expired"})),
            Some(KeyStatus::Rejected(KeyProblem::Expired))
        );
    }

    #[test]
    fn numbers_must_fit_their_type_exactly() {
        assert_eq!(u32::from_json(&json!(4_294_967_295u64)), Some(u32::MAX));
        assert_eq!(u32::from_json(&json!(4_294_967_296u64)), None);
        assert_eq!(u32::from_json(&json!(-1)), None);
        assert_eq!(u64::from_json(&json!(1.0)), None);
        assert_eq!(i64::from_json(&json!(-5)), Some(-5));
        assert_eq!(i64::from_json(&json!(u64::MAX)), None);
        assert_eq!(i64::from_json(&json!("5")), None);
    }

    #[test]
    fn missing_null_and_default_fields_follow_serde() {
        use serde_json::json as value;
        let span = value!({"start": 1, "end": 2});
        let window = |extra: Value| {
            let mut o = value!({"limit": 30, "window": span, "requests": 3});
            o.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            MinuteWindow::from_json(&j(o))
        };
        let plain = window(value!({})).unwrap();
        assert_eq!(
            (plain.previous, plain.spill, plain.edge_ms),
            (0, 0, MINUTE_EDGE_MS)
        );
        assert_eq!(window(value!({"spill": 2})).unwrap().spill, 2);
        // `null` is not a number, even for a defaulted field.
        assert_eq!(window(value!({"spill": null})), None);
        assert_eq!(window(value!({"window": null})).unwrap().window, None);
        assert_eq!(window(value!({"unknown": [1, 2]})), Some(plain));
        assert_eq!(
            MinuteWindow::from_json(&json!({"limit": 30, "requests": 3}))
                .unwrap()
                .window,
            None
        );
        assert_eq!(
            MinuteWindow::from_json(&json!({"window": span, "requests": 3})),
            None
        );
    }
}
