use crate::reactive::*;
use credit_gauge_core::cat;
use credit_gauge_core::{ApiKind, CmcPlan};
use web_sys::Element;

use crate::dom::{self, add, attrs, el, label, select, set_attr, set_text, Slot};
use crate::format;
use crate::settings::{api_from_slug, api_slug, emulator_base, real_base, Settings, GATEWAY_BASE};
use crate::widget::Widget;

const APIS: [(&str, &str); 2] = [("cmc", "CoinMarketCap"), ("cw", "Cryptowatch")];
const PRESETS: [(&str, &str); 4] = [
    ("emulator", "Emulator (this server)"),
    ("gateway", "Team gateway"),
    ("real", "The real API"),
    ("other", "Another server"),
];
const THEMES: [(&str, &str); 3] = [("auto", "Auto"), ("light", "Light"), ("dark", "Dark")];

/// Which server the base address is: one of `PRESETS`.
fn preset(s: &Settings) -> &'static str {
    let base = s.base();
    if base == cat![s.emulator_origin, emulator_base(s.api)] {
        "emulator"
    } else if base == real_base(s.api) {
        "real"
    } else if base == GATEWAY_BASE {
        "gateway"
    } else {
        "other"
    }
}

/// What the chosen server means for the key.
fn server_hint(api: ApiKind, preset: &str) -> &'static str {
    match (api, preset) {
        (ApiKind::CoinMarketCap, "real") => "The real CoinMarketCap refuses calls from a browser (CORS, on purpose, so keys stay secret): run credit-gauge-gateway with your key on a server and choose Team gateway.",
        (ApiKind::Cryptowatch, "real") => "The real Cryptowatch API was shut down in 2023: only the emulator serves it now.",
        (ApiKind::CoinMarketCap, "gateway") => "The gateway holds the key and counts every client's requests: put your team token in the key box (none is needed on the gateway's own machine).",
        (ApiKind::Cryptowatch, "gateway") => "The team gateway serves CoinMarketCap only.",
        (_, "other") => "A server of yours that adds the key: leave the key empty here unless it asks for a token.",
        _ => "The emulator serves both APIs on this origin, with demo keys.",
    }
}

/// API, base address, key, plan and theme.
pub fn settings_panel(widget: Widget) -> Element {
    let s = widget.settings;
    let section = el("section", "settings");
    let _ = section.set_attribute("aria-label", "Settings");
    let api = select(&label(&section, "", "API "), "api", &APIS);
    let server = select(&label(&section, "", "Server "), "preset", &PRESETS);
    let base = add(&label(&section, "", "Base URL "), el("input", ""));
    attrs(&base, &[("id", "base-url"), ("type", "url")]);
    let hint = add(&section, el("p", "hint"));
    let key = add(&label(&section, "", "Key "), el("input", ""));
    attrs(
        &key,
        &[
            ("id", "key"),
            ("type", "password"),
            ("autocomplete", "off"),
            ("spellcheck", "false"),
        ],
    );
    let remember_label = add(&section, el("label", "check"));
    let remember = add(&remember_label, el("input", ""));
    attrs(&remember, &[("id", "remember"), ("type", "checkbox")]);
    dom::add_text(&remember_label, " Remember the key on this device");
    let plan_row = Slot::new(&section);
    let theme = select(&label(&section, "", "Theme "), "theme", &THEMES);

    effect(move || {
        s.with(|s| {
            let chosen = preset(s);
            dom::set_value(&api, api_slug(s.api));
            dom::set_value(&server, chosen);
            dom::set_value(&base, s.base());
            set_text(&hint, server_hint(s.api, chosen));
            let placeholder = match s.api {
                ApiKind::CoinMarketCap => "demo-basic",
                ApiKind::Cryptowatch => "empty: anonymous",
            };
            set_attr(&key, "placeholder", Some(placeholder));
            dom::set_value(&key, s.key());
            dom::set_checked(&remember, s.remember);
            dom::set_value(&theme, &s.theme);
        })
    });
    // The plan is CoinMarketCap's: its row comes and goes with the API, and is made once while
    // it stays.
    effect(move || {
        let is_cmc = s.with(|s| s.api == ApiKind::CoinMarketCap);
        if let Some(row) = plan_row.show(is_cmc, &plan_row_element) {
            update_plan_row(&row, widget);
        }
    });
    on_change(&section, widget);
    section
}

/// The plan's row: its choice and what is known of its limits.
fn plan_row_element() -> Element {
    let row = el("label", "");
    dom::add_text(&row, "Plan ");
    let names: Vec<(&str, &str)> = CmcPlan::ALL.iter().map(|p| (p.name(), p.name())).collect();
    select(&row, "plan", &names);
    add(&row, el("span", "hint"));
    row
}

fn update_plan_row(row: &Element, widget: Widget) {
    let chosen = widget
        .account
        .with(|a| a.as_ref().and_then(|a| a.cmc_limits().map(|l| l.plan)))
        .unwrap_or(widget.settings.with(|s| s.plan));
    let learnt = widget.account.with(|a| {
        let limits = a.as_ref().and_then(|a| a.cmc_limits());
        let Some(l) = limits.filter(|l| l.confirmed) else {
            return " press Sync to learn it from the server".into();
        };
        match l.custom_limits() {
            Some((month, minute)) => cat![
                " custom limits learnt from the server: ",
                format::credits(month),
                " credits a month, ",
                format::thousands(i64::from(minute)),
                " requests a minute",
            ],
            None => " learnt from the server".into(),
        }
    });
    let children = row.children();
    if let Some(choice) = children.item(0) {
        dom::set_value(&choice, chosen.name());
    }
    if let Some(hint) = children.item(1) {
        set_text(&hint, &learnt);
    }
}

/// Every field of the panel, one listener for all: a change is saved as the user makes it.
fn on_change(section: &Element, widget: Widget) {
    dom::listen(section, "change", move |event| {
        let Some((field, id)) = dom::target(&event) else {
            return;
        };
        let value = dom::value(&field);
        let set_base = |base: String| widget.update_settings(|s| *s.base_mut() = base);
        match id.as_str() {
            "api" => {
                if let Some(a) = api_from_slug(&value) {
                    widget.update_settings(|s| s.api = a);
                }
            }
            "preset" => {
                let (api, origin) = widget
                    .settings
                    .with_untracked(|s| (s.api, s.emulator_origin.clone()));
                match value.as_str() {
                    "emulator" => set_base(cat![origin, emulator_base(api)]),
                    "real" => set_base(real_base(api).into()),
                    "gateway" => set_base(GATEWAY_BASE.into()),
                    // Another server: the base URL below says which.
                    _ => {}
                }
            }
            "base-url" => set_base(value),
            "key" => {
                let key = value.trim().to_string();
                widget.update_settings(|s| *s.key_mut() = key)
            }
            "remember" => {
                let on = dom::checked(&field);
                widget.update_settings(|s| s.remember = on)
            }
            "plan" => {
                if let Some(plan) = CmcPlan::ALL.into_iter().find(|p| p.name() == value) {
                    widget.update_settings(|s| s.plan = plan);
                }
            }
            "theme" => widget.update_settings(|s| s.theme = value),
            _ => {}
        }
    });
}
