use std::sync::Arc;

use credit_gauge_core::{ApiKind, CmcPlan};
use leptos::prelude::*;

use crate::format;
use crate::settings::{api_from_slug, api_slug, emulator_base, real_base, GATEWAY_BASE};
use crate::widget::Widget;

/// API, base address, key, plan and theme.
#[component]
pub fn SettingsPanel(widget: Widget) -> impl IntoView {
    let s = widget.settings;
    let api = move || s.with(|s| s.api);
    let preset = move || {
        s.with(|s| {
            let base = s.base();
            if base == format!("{}{}", s.emulator_origin, emulator_base(s.api)) {
                "emulator"
            } else if base == real_base(s.api) {
                "real"
            } else if base == GATEWAY_BASE {
                "gateway"
            } else {
                "other"
            }
        })
    };
    // The plan is CoinMarketCap's: its row comes and goes with the API, and is not made anew
    // by other changes to the settings.
    let is_cmc = Memo::new(move |_| api() == ApiKind::CoinMarketCap);
    let set_base = move |value: String| widget.update_settings(|s| *s.base_mut() = value);
    view! {
        <section class="settings" aria-label="Settings">
            {choice(
                "api",
                "API ",
                &[("cmc", "CoinMarketCap"), ("cw", "Cryptowatch")],
                Arc::new(move || api_slug(api()).to_string()),
                Arc::new(move |slug| {
                    if let Some(a) = api_from_slug(&slug) {
                        widget.update_settings(|s| s.api = a);
                    }
                }),
            )}
            {choice(
                "preset",
                "Server ",
                &[
                    ("emulator", "Emulator (this server)"),
                    ("gateway", "Team gateway"),
                    ("real", "The real API"),
                    ("other", "Another server"),
                ],
                Arc::new(move || preset().to_string()),
                Arc::new(move |chosen| {
                    let a = api();
                    match chosen.as_str() {
                        "emulator" => {
                            let origin = s.with_untracked(|s| s.emulator_origin.clone());
                            set_base(format!("{origin}{}", emulator_base(a)))
                        }
                        "real" => set_base(real_base(a).into()),
                        "gateway" => set_base(GATEWAY_BASE.into()),
                        // Another server: the base URL below says which.
                        _ => {}
                    }
                }),
            )}
            <label>
                "Base URL "
                <input
                    id="base-url"
                    type="url"
                    prop:value=move || s.with(|s| s.base().to_string())
                    on:change=move |ev| set_base(event_target_value(&ev))
                />
            </label>
            <p class="hint">
                {move || match (api(), preset()) {
                    (ApiKind::CoinMarketCap, "real") => "The real CoinMarketCap refuses calls from a browser (CORS, on purpose, so keys stay secret): run credit-gauge-gateway with your key on a server and choose Team gateway.",
                    (ApiKind::Cryptowatch, "real") => "The real Cryptowatch API was shut down in 2023: only the emulator serves it now.",
                    (ApiKind::CoinMarketCap, "gateway") => "The gateway holds the key and counts every client's requests: put your team token in the key box (none is needed on the gateway's own machine).",
                    (ApiKind::Cryptowatch, "gateway") => "The team gateway serves CoinMarketCap only.",
                    (_, "other") => "A server of yours that adds the key: leave the key empty here unless it asks for a token.",
                    _ => "The emulator serves both APIs on this origin, with demo keys.",
                }}
            </p>
            <label>
                "Key "
                <input
                    id="key"
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=move || match api() {
                        ApiKind::CoinMarketCap => "demo-basic",
                        ApiKind::Cryptowatch => "empty: anonymous",
                    }
                    prop:value=move || s.with(|s| s.key().to_string())
                    on:change=move |ev| {
                        let value = event_target_value(&ev).trim().to_string();
                        widget.update_settings(|s| *s.key_mut() = value)
                    }
                />
            </label>
            <label class="check">
                <input
                    id="remember"
                    type="checkbox"
                    prop:checked=move || s.with(|s| s.remember)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        widget.update_settings(|s| s.remember = on)
                    }
                />
                " Remember the key on this device"
            </label>
            {move || is_cmc.get().then(|| view! {
                <label>
                    "Plan "
                    <select
                        id="plan"
                        prop:value=move || {
                            widget
                                .account
                                .with(|a| a.as_ref().and_then(|a| a.cmc_limits().map(|l| l.plan)))
                                .unwrap_or(s.with(|s| s.plan))
                                .name()
                        }
                        on:change=move |ev| {
                            let name = event_target_value(&ev);
                            if let Some(plan) = CmcPlan::ALL.into_iter().find(|p| p.name() == name) {
                                widget.update_settings(|s| s.plan = plan);
                            }
                        }
                    >
                        {CmcPlan::ALL
                            .into_iter()
                            .map(|p| view! { <option value=p.name()>{p.name()}</option> })
                            .collect_view()}
                    </select>
                    <span class="hint">
                        {move || {
                            widget.account.with(|a| {
                                let limits = a.as_ref().and_then(|a| a.cmc_limits());
                                let Some(l) = limits.filter(|l| l.confirmed) else {
                                    return " press Sync to learn it from the server".into();
                                };
                                match l.custom_limits() {
                                    Some((month, minute)) => format!(
                                        " custom limits learnt from the server: {} credits a month, {} requests a minute",
                                        format::credits(month),
                                        format::thousands(i64::from(minute)),
                                    ),
                                    None => " learnt from the server".into(),
                                }
                            })
                        }}
                    </span>
                </label>
            })}
            {choice(
                "theme",
                "Theme ",
                &[("auto", "Auto"), ("light", "Light"), ("dark", "Dark")],
                Arc::new(move || s.with(|s| s.theme.clone())),
                Arc::new(move |theme| widget.update_settings(|s| s.theme = theme)),
            )}
        </section>
    }
}

/// A labelled `<select>` of fixed options. Not generic: the panel's choices share one copy of
/// its view code, where a `view!` each would compile one apiece.
fn choice(
    id: &'static str,
    label: &'static str,
    options: &'static [(&'static str, &'static str)],
    value: Arc<dyn Fn() -> String + Send + Sync>,
    chosen: Arc<dyn Fn(String) + Send + Sync>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select id=id prop:value=move || value() on:change=move |ev| chosen(event_target_value(&ev))>
                {options.iter().map(|&(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
            </select>
        </label>
    }
}
