//! Keys the user asked to remember, each bound to the origin it was saved for.
//!
//! A remembered key is sent only to the origin of the base URL it was remembered with: a base
//! URL changed later by a query string, an attribute or a script that wrote the settings cannot
//! take the key elsewhere. Origins are compared as the browser's URL parser resolves them, so
//! tricks such as `https://api.example@evil.example` or `/\evil.example` name the origin they
//! really reach.

use credit_gauge_core::cat;
use credit_gauge_core::from_json::{field, FromJson};
use credit_gauge_core::json::Json;
use credit_gauge_core::to_json::{object, to_json, ToJson};
use credit_gauge_core::ApiKind;

use crate::settings::api_slug;
use crate::store::Store;

/// Where a key the user asked to remember is stored.
pub fn remembered_key_name(api: ApiKind) -> String {
    cat!["credit-gauge:v1:key:", api_slug(api)]
}

/// The stored form: the key and the one origin it may be sent to.
#[derive(Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
struct Remembered {
    key: String,
    origin: String,
}

/// The stored form is the one serde wrote before these (the tests hold them to it).
impl ToJson for Remembered {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("key", &self.key)
            .field("origin", &self.origin)
            .end();
    }
}

impl FromJson for Remembered {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(Remembered {
            key: field(o, "key")?,
            origin: field(o, "origin")?,
        })
    }
}

/// The origin (`scheme://host[:port]`) that `base` names, resolved as `fetch` resolves it
/// (against the document's base URL, which a `<base href>` changes); `None` when it is not an
/// http(s) URL.
pub fn origin_of(base: &str) -> Option<String> {
    let document_base = web_sys::window()?.document()?.base_uri().ok()??;
    let url = web_sys::Url::new_with_base(base, &document_base).ok()?;
    matches!(url.protocol().as_str(), "http:" | "https:").then(|| url.origin())
}

/// The page's own origin.
pub fn page_origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

/// Which remembered key, if any, may be sent to `origin`. `stored` was written by this widget
/// or by any script of the page: anything but a key bound to exactly `origin` gives nothing.
/// A plain key from before keys were bound gives nothing either: which server it was typed
/// for is not known, so the user types it once more.
pub fn key_for_origin(stored: &str, origin: &str) -> Option<String> {
    match crate::store::parse_json::<Remembered>(stored) {
        Some(r) if r.origin == origin && !r.key.is_empty() => Some(r.key),
        _ => None,
    }
}

/// The remembered key of `api` that may be sent to `base`, if any.
pub fn remembered_key(store: &Store, api: ApiKind, base: &str) -> Option<String> {
    let stored = store.read(&remembered_key_name(api))?;
    key_for_origin(&stored, &origin_of(base)?)
}

/// Remembers `key` for the origin of `base`; forgets it when `key` is empty or `base` names
/// no origin.
pub fn remember(store: &Store, api: ApiKind, base: &str, key: &str) {
    let name = remembered_key_name(api);
    let stored = origin_of(base).filter(|_| !key.is_empty()).map(|origin| {
        to_json(&Remembered {
            key: key.to_string(),
            origin,
        })
    });
    match stored {
        Some(text) => store.write(&name, &text),
        None => store.remove(&name),
    }
}

/// Forgets the remembered key of `api`.
pub fn forget(store: &Store, api: ApiKind) {
    store.remove(&remembered_key_name(api));
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "http://127.0.0.1:8787";

    #[test]
    fn a_key_goes_only_to_the_origin_it_was_remembered_for() {
        let stored = r#"{"key":"secret","origin":"http://127.0.0.1:8787"}"#;
        assert_eq!(key_for_origin(stored, PAGE).as_deref(), Some("secret"));
        assert_eq!(key_for_origin(stored, "https://attacker.example"), None);
        assert_eq!(key_for_origin(stored, "http://127.0.0.1:8788"), None);
        let real = r#"{"key":"secret","origin":"https://pro-api.coinmarketcap.com"}"#;
        assert_eq!(key_for_origin(real, PAGE), None);
        assert_eq!(
            key_for_origin(real, "https://pro-api.coinmarketcap.com").as_deref(),
            Some("secret")
        );
    }

    #[test]
    fn a_plain_key_from_before_binding_goes_nowhere() {
        assert_eq!(key_for_origin("secret", PAGE), None);
        assert_eq!(key_for_origin("secret", "https://attacker.example"), None);
    }

    #[test]
    fn anything_else_a_script_wrote_gives_no_key() {
        for stored in [
            "",
            "{",
            "{}",
            r#"{"key":"","origin":"http://127.0.0.1:8787"}"#,
            r#"{"key":"x","origin":null}"#,
            r#"{"key":1,"origin":"http://127.0.0.1:8787"}"#,
        ] {
            assert_eq!(key_for_origin(stored, PAGE), None, "{stored:?}");
        }
    }

    #[test]
    fn a_remembered_key_is_read_and_written_as_serde_did() {
        let remembered = Remembered {
            key: "secret".into(),
            origin: PAGE.into(),
        };
        assert!(credit_gauge_core::to_json::checks::writes_alike(
            &remembered
        ));
        let (checked, refused) =
            credit_gauge_core::from_json::checks::single_edits_read_alike(&remembered);
        assert!(
            checked > 100 && refused > 50 && checked > refused,
            "{checked} {refused}"
        );
    }
}
