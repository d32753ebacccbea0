//! What the user chose: the API, each API's server and key, the plan and the theme. The app
//! restores and saves them; keys only where the user asked, each for the server it was typed
//! for. An embedded widget's come from its host.

use credit_gauge_core::from_json::{field, FromJson};
use credit_gauge_core::json::Json;
use credit_gauge_core::to_json::{object, ToJson};
use credit_gauge_core::{Account, ApiKind, CmcPlan};

use crate::client;
use crate::keys;
use crate::store::{self, Store};

/// The short name of an API in storage keys and attributes.
pub fn api_slug(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "cmc",
        ApiKind::Cryptowatch => "cw",
    }
}

/// The API of a short name.
pub fn api_from_slug(slug: &str) -> Option<ApiKind> {
    match slug {
        "cmc" | "coinmarketcap" => Some(ApiKind::CoinMarketCap),
        "cw" | "cryptowatch" => Some(ApiKind::Cryptowatch),
        _ => None,
    }
}

/// Where the emulator serves each API on the page's own origin.
pub fn emulator_base(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "/cmc",
        ApiKind::Cryptowatch => "/cryptowatch",
    }
}

/// The "Team gateway" preset: `credit-gauge-gateway` where it listens by default. It serves
/// CoinMarketCap's paths at its root.
pub const GATEWAY_BASE: &str = "http://127.0.0.1:8788";

/// The real hosts, for the presets (with an honest note in the form).
pub fn real_base(api: ApiKind) -> &'static str {
    match api {
        ApiKind::CoinMarketCap => "https://pro-api.coinmarketcap.com",
        ApiKind::Cryptowatch => "https://api.cryptowat.ch",
    }
}

/// What the user chose. Keys are kept apart: they are stored only when asked.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Settings {
    pub api: ApiKind,
    pub base_cmc: String,
    pub base_cw: String,
    #[cfg_attr(test, serde(skip))]
    pub key_cmc: String,
    #[cfg_attr(test, serde(skip))]
    pub key_cw: String,
    pub remember: bool,
    pub plan: CmcPlan,
    pub theme: String,
    /// The emulator's origin for the "emulator" preset: empty on the app's own page (same
    /// origin), the script's origin for a widget embedded in another page.
    #[cfg_attr(test, serde(skip))]
    pub emulator_origin: String,
    /// How long an answer may take before the widget gives up on it (the embed's `timeout`).
    #[cfg_attr(test, serde(skip, default = "default_timeout_ms"))]
    pub timeout_ms: u32,
}

fn default_timeout_ms() -> u32 {
    client::TIMEOUT_MS
}

/// The stored settings: the keys, the emulator's origin and the timeout are never stored, and
/// come back empty and as default. The stored form is the one serde wrote before these (the
/// tests hold them to it).
impl ToJson for Settings {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("api", &self.api)
            .field("base_cmc", &self.base_cmc)
            .field("base_cw", &self.base_cw)
            .field("remember", &self.remember)
            .field("plan", &self.plan)
            .field("theme", &self.theme)
            .end();
    }
}

impl FromJson for Settings {
    fn from_json(v: &Json) -> Option<Self> {
        let o = v.as_object()?;
        Some(Settings {
            api: field(o, "api")?,
            base_cmc: field(o, "base_cmc")?,
            base_cw: field(o, "base_cw")?,
            key_cmc: String::new(),
            key_cw: String::new(),
            remember: field(o, "remember")?,
            plan: field(o, "plan")?,
            theme: field(o, "theme")?,
            emulator_origin: String::new(),
            timeout_ms: default_timeout_ms(),
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api: ApiKind::CoinMarketCap,
            base_cmc: emulator_base(ApiKind::CoinMarketCap).into(),
            base_cw: emulator_base(ApiKind::Cryptowatch).into(),
            // The emulator's Basic key, so a first visit works without typing anything.
            key_cmc: "demo-basic".into(),
            key_cw: String::new(),
            remember: false,
            plan: CmcPlan::Basic,
            theme: "auto".into(),
            emulator_origin: String::new(),
            timeout_ms: client::TIMEOUT_MS,
        }
    }
}

impl Settings {
    pub fn base(&self) -> &str {
        match self.api {
            ApiKind::CoinMarketCap => &self.base_cmc,
            ApiKind::Cryptowatch => &self.base_cw,
        }
    }

    pub fn key(&self) -> &str {
        match self.api {
            ApiKind::CoinMarketCap => &self.key_cmc,
            ApiKind::Cryptowatch => &self.key_cw,
        }
    }

    /// The base URL of the chosen API, to change.
    pub fn base_mut(&mut self) -> &mut String {
        match self.api {
            ApiKind::CoinMarketCap => &mut self.base_cmc,
            ApiKind::Cryptowatch => &mut self.base_cw,
        }
    }

    /// The key of the chosen API, to change.
    pub fn key_mut(&mut self) -> &mut String {
        match self.api {
            ApiKind::CoinMarketCap => &mut self.key_cmc,
            ApiKind::Cryptowatch => &mut self.key_cw,
        }
    }

    /// The account's name in the ledger: a fingerprint of the key, never the key.
    pub fn key_label(&self) -> String {
        if self.key().is_empty() {
            "anonymous".into()
        } else {
            store::fingerprint(self.key())
        }
    }

    pub(crate) fn ledger_key(&self) -> String {
        store::storage_key(api_slug(self.api), self.key(), "ledger")
    }

    pub(crate) fn history_key(&self) -> String {
        store::storage_key(api_slug(self.api), self.key(), "history")
    }

    pub(crate) fn fresh_account(&self) -> Account {
        match self.api {
            ApiKind::CoinMarketCap => Account::cmc(&self.key_label(), self.plan),
            ApiKind::Cryptowatch => {
                Account::cryptowatch(&self.key_label(), !self.key_cw.is_empty())
            }
        }
    }
}

const SETTINGS_KEY: &str = "credit-gauge:v1:settings";

/// Saves the app's settings, and its keys only where the user asked, each for its server.
pub(crate) fn save_settings(store: &Store, s: &Settings) {
    store.write_json(SETTINGS_KEY, s);
    for (api, base, key) in [
        (ApiKind::CoinMarketCap, &s.base_cmc, &s.key_cmc),
        (ApiKind::Cryptowatch, &s.base_cw, &s.key_cw),
    ] {
        if s.remember {
            keys::remember(store, api, base, key);
        } else {
            keys::forget(store, api);
        }
    }
}

/// An embedded widget saves no settings; its key only when the user ticks "remember" in it
/// (or changes the key or server while it is ticked), and forgets it only when they untick it.
pub(crate) fn save_embedded_key(store: &Store, before: &Settings, s: &Settings) {
    let asked = s.remember != before.remember
        || (s.remember && (s.key() != before.key() || s.base() != before.base()));
    if !asked {
        return;
    }
    if s.remember {
        keys::remember(store, s.api, s.base(), s.key());
    } else {
        keys::forget(store, s.api);
    }
}

/// The app's settings: `initial`, with what was saved on this device and the keys remembered
/// for its servers.
pub(crate) fn restored(initial: Settings, store: &Store) -> Settings {
    let mut settings = initial;
    if let Some(saved) = store.read_json::<Settings>(SETTINGS_KEY) {
        let (key_cmc, key_cw) = (settings.key_cmc.clone(), settings.key_cw.clone());
        settings = Settings {
            key_cmc,
            key_cw,
            emulator_origin: settings.emulator_origin,
            ..saved
        };
    }
    if settings.remember {
        // Each key only for the server it was remembered with: the stored settings may have
        // been written by another script.
        if let Some(key) = keys::remembered_key(store, ApiKind::CoinMarketCap, &settings.base_cmc) {
            settings.key_cmc = key;
        }
        if let Some(key) = keys::remembered_key(store, ApiKind::Cryptowatch, &settings.base_cw) {
            settings.key_cw = key;
        }
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use credit_gauge_core::from_json::checks;

    #[test]
    fn stored_settings_are_read_and_written_as_serde_did() {
        let stored = Settings {
            api: ApiKind::Cryptowatch,
            base_cmc: "https://gateway.example/cmc".into(),
            remember: true,
            plan: CmcPlan::Startup,
            theme: "dark".into(),
            key_cmc: String::new(),
            ..Settings::default()
        };
        assert!(credit_gauge_core::to_json::checks::writes_alike(&stored));
        let (checked, refused) = checks::single_edits_read_alike(&stored);
        assert!(
            checked > 200 && refused > 100 && checked > refused,
            "{checked} {refused}"
        );
        // The key is never read from the stored settings, whatever a script wrote there.
        let written = r#"{"api":"CoinMarketCap","base_cmc":"/cmc","base_cw":"/cryptowatch","key_cmc":"stolen","remember":false,"plan":"Basic","theme":"auto"}"#;
        let read: Settings = store::parse_json(written).unwrap();
        assert_eq!(
            (read.key_cmc.as_str(), read.timeout_ms),
            ("", client::TIMEOUT_MS)
        );
    }
}
