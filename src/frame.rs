//! The iframe page (`embed.html`). Its options come from a query string that whoever frames
//! the page writes, so they get less trust than a host page's own `mount` call: the frame
//! sends requests only to its own origin or to the real APIs, never to a base URL the query
//! string names elsewhere; where its script came from, which key and which plan are not the
//! query string's to say.

use credit_gauge_core::cat;
use credit_gauge_core::ApiKind;
use wasm_bindgen::prelude::*;

use crate::embed::{mount_refusal, mount_with, parse_params, EmbedOptions, MountHandle};
use crate::keys;
use crate::settings::real_base;

/// Whether a frame on `page_origin` may send requests to `base_origin` (the origin its
/// `base-url` names; `None` when it names none).
pub fn frame_may_send_to(base_origin: Option<&str>, page_origin: &str) -> bool {
    let Some(origin) = base_origin else {
        return false;
    };
    origin == page_origin
        || [ApiKind::CoinMarketCap, ApiKind::Cryptowatch]
            .into_iter()
            .any(|api| real_base(api) == origin)
}

/// The options a frame takes from its query string's pairs.
pub fn frame_options(pairs: &[(String, String)]) -> EmbedOptions {
    let mut options = EmbedOptions::from_pairs(pairs);
    // The frame's script comes from the frame's own origin, whatever the query says.
    options.script_origin = None;
    // A key in a URL ends up in logs, history and Referer headers, and the iframe is the way
    // to keep keys from the host page: the frame uses only a key remembered on its origin.
    options.key = None;
    // Whoever frames the page could claim a bigger plan than the key's and have the frame
    // spend past the real limits: the frame starts from the smallest plan until key/info
    // (Sync) reads the real one.
    options.plan = None;
    options
}

/// What the frame shows instead of a widget when its query string names another server.
pub fn refusal(base: &str) -> String {
    // The text came from whoever framed the page: shown as text, and not at any length.
    let shown: String = base.chars().take(120).collect();
    cat![
        "Not started: this embedded widget was asked to send its requests to ",
        shown,
        ". An embedded frame sends requests only to its own server or to the real APIs, so \
         nothing was sent. Remove base-url from the frame's address, or embed the widget \
         with the <credit-gauge> element on your own page.",
    ]
}

/// Mounts the frame's widget in `target` with the options of `query` (the page's
/// `location.search`).
#[wasm_bindgen(js_name = mountFrame)]
pub fn mount_frame(target: &JsValue, query: &str) -> Result<MountHandle, JsValue> {
    crate::install_panic_hook();
    let options = frame_options(&parse_params(query));
    if let Some(base) = &options.base_url {
        let page = keys::page_origin().unwrap_or_default();
        if !frame_may_send_to(keys::origin_of(base).as_deref(), &page) {
            return mount_refusal(target, &refusal(base));
        }
    }
    mount_with(target, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "http://127.0.0.1:8787";

    #[test]
    fn a_frame_sends_to_its_own_origin_and_the_real_apis_only() {
        assert!(frame_may_send_to(Some(PAGE), PAGE));
        assert!(frame_may_send_to(
            Some("https://pro-api.coinmarketcap.com"),
            PAGE
        ));
        assert!(frame_may_send_to(Some("https://api.cryptowat.ch"), PAGE));
        assert!(!frame_may_send_to(Some("https://attacker.example"), PAGE));
        assert!(!frame_may_send_to(Some("http://127.0.0.1:8788"), PAGE));
        assert!(!frame_may_send_to(
            Some("http://pro-api.coinmarketcap.com"),
            PAGE
        ));
        assert!(!frame_may_send_to(None, PAGE));
    }

    #[test]
    fn a_frame_reads_neither_key_nor_plan_nor_script_origin_from_its_query_string() {
        let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
        let options = frame_options(&[
            pair("api", "cmc"),
            pair("endpoint", "/v1/fiat/map"),
            pair("key", "stolen-or-leaked"),
            pair("plan", "Enterprise"),
            pair("scriptOrigin", "https://attacker.example"),
            pair("refresh", "60"),
        ]);
        assert_eq!(options.key, None);
        assert_eq!(options.plan, None);
        assert_eq!(options.script_origin, None);
        assert_eq!(options.api, Some(ApiKind::CoinMarketCap));
        assert!(options.endpoint.is_some());
        assert_eq!(options.refresh, Some(60));
    }

    #[test]
    fn the_refusal_shows_a_bounded_part_of_what_was_asked() {
        let long = format!("https://attacker.example/{}", "a".repeat(10_000));
        let text = refusal(&long);
        assert!(text.contains("https://attacker.example/"), "{text}");
        assert!(text.len() < 600, "{}", text.len());
        assert!(text.contains("nothing was sent"), "{text}");
    }
}
