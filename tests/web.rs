//! Components mounted in a real Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

#[path = "shared/basic_runway.rs"]
mod basic_runway;

use credit_gauge::components::{mount_widget, Gauge as GaugeView};
use credit_gauge::settings::Settings;
use credit_gauge::widget::Widget;
use credit_gauge_core::decide::LimitKind;
use credit_gauge_core::gauge::{Gauge, Unit};
use credit_gauge_core::{Credits, UnixMillis};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn test_root() -> web_sys::HtmlElement {
    let document = document();
    let root = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root.unchecked_into()
}

fn text(root: &web_sys::HtmlElement, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .text_content()
        .unwrap()
}

/// Waits for a full widget's panels: they are mounted once its gauges have been painted.
async fn panels_mounted(root: &web_sys::HtmlElement) {
    for _ in 0..500 {
        if root.query_selector("#endpoint").unwrap().is_some() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("the panels were never mounted");
}

fn panics_so_far() -> f64 {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__creditGaugePanics".into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0)
}

fn minute(remaining: i64) -> Gauge {
    Gauge {
        limit: LimitKind::CmcMinute,
        left: Credits::from_whole(remaining),
        size: Credits::from_whole(30),
        unit: Unit::Requests,
        resets_at: Some(UnixMillis(60_000)),
    }
}

#[wasm_bindgen_test]
async fn gauge_shows_what_is_left_its_level_and_its_countdown() {
    let root = test_root();
    let (data, set_data) = signal(minute(18));
    let (now, set_now) = signal(UnixMillis(37_000));
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <GaugeView data=data now=now /> }
    });
    leptos::task::tick().await;

    assert_eq!(text(&root, ".gauge-text"), "18 / 30 left");
    assert_eq!(text(&root, ".gauge-reset"), "resets in 23 s");
    let meter = root.query_selector("meter").unwrap().unwrap();
    assert_eq!(meter.get_attribute("value").as_deref(), Some("18"));
    assert_eq!(meter.get_attribute("max").as_deref(), Some("30"));
    assert_eq!(
        meter.get_attribute("aria-label").as_deref(),
        Some("Requests this minute")
    );
    assert!(root.query_selector(".gauge.ok").unwrap().is_some());

    set_data.set(minute(1));
    set_now.set(UnixMillis(59_000));
    leptos::task::tick().await;
    assert_eq!(text(&root, ".gauge-text"), "1 / 30 left");
    assert_eq!(text(&root, ".gauge-reset"), "resets in 1 s");
    assert!(root.query_selector(".gauge.crit").unwrap().is_some());

    set_data.set(minute(5));
    leptos::task::tick().await;
    assert!(root.query_selector(".gauge.warn").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn a_full_widget_shows_its_gauges_first_and_its_panels_after_they_are_painted() {
    credit_gauge::install_panic_hook();
    let panics = panics_so_far();
    let root = test_root();
    let widget = Widget::new(Settings::default(), false);
    let mounted = mount_widget(&root, widget, true);
    credit_gauge::reactive::tick().await;
    // The gauges are there at once; the form, the answer and the history once painted.
    assert!(root.query_selector(".gauge").unwrap().is_some());
    assert!(root.query_selector("#endpoint").unwrap().is_none());
    panels_mounted(&root).await;
    // Above the queue: settings and the form; below it: the answer, the usage and the history.
    let children = root.query_selector_all(".cg > *").unwrap();
    let order: Vec<String> = (0..children.length())
        .filter_map(|i| children.item(i))
        .map(|node| node.unchecked_into::<web_sys::Element>().class_name())
        .collect();
    let queue = order.iter().position(|c| c == "queue").unwrap();
    let panels: Vec<usize> = (0..order.len())
        .filter(|&i| order[i] == "cg-panels")
        .collect();
    assert_eq!(panels.len(), 2, "{order:?}");
    assert!(panels[0] < queue && queue < panels[1], "{order:?}");
    assert!(root
        .query_selector(".cg-panels #endpoint")
        .unwrap()
        .is_some());
    assert!(root
        .query_selector(".queue ~ .cg-panels .history")
        .unwrap()
        .is_some());
    // Taken off the page, the panels go with it.
    drop(mounted);
    assert!(root.query_selector("#endpoint").unwrap().is_none());

    // A widget taken off the page before its panels came mounts none, and nothing panics.
    let root = test_root();
    let widget = Widget::new(Settings::default(), false);
    let mounted = mount_widget(&root, widget, true);
    credit_gauge::reactive::tick().await;
    drop(mounted);
    gloo_timers::future::TimeoutFuture::new(200).await;
    assert_eq!(root.child_element_count(), 0);
    assert_eq!(panics_so_far(), panics);
}

#[wasm_bindgen_test]
async fn the_form_previews_cost_and_refuses_what_the_plan_cannot_take() {
    let root = test_root();
    let settings = Settings {
        key_cmc: "component-test-key".into(),
        ..Settings::default()
    };
    let widget = Widget::new(settings, false);
    let _mounted = mount_widget(&root, widget, true);
    credit_gauge::reactive::tick().await;
    panels_mounted(&root).await;

    let select: web_sys::HtmlSelectElement = root
        .query_selector("#endpoint")
        .unwrap()
        .unwrap()
        .unchecked_into();
    select.set_value("/v1/cryptocurrency/listings/latest");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    credit_gauge::reactive::tick().await;

    let set = |id: &str, value: &str| {
        let input: web_sys::HtmlInputElement = root
            .query_selector(&format!("#param-{id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("no #param-{id}"))
            .unchecked_into();
        input.set_value(value);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    set("limit", "201");
    credit_gauge::reactive::tick().await;
    let preview = text(&root, "#preview");
    assert!(
        preview.starts_with("2 credits: 201 coins at 200 per credit"),
        "{preview}"
    );
    assert!(preview.contains("left this month"), "{preview}");

    // Until a sync, the limits are the plan's, and each gauge says so.
    assert_eq!(
        text(&root, "[data-limit=month] .gauge-source"),
        "plan's figures"
    );

    // The planner, for 201 coins (2 credits) on a fresh Basic key: 30 requests a minute,
    // 333 credits a day (166 calls), 10,000 a month (5,000 calls).
    assert_eq!(
        text(&root, "#planner-room"),
        "Fits 30 more this minute, 166 more today and 5,000 more this month."
    );
    let runway = text(&root, "#planner-runway");
    basic_runway::check_once_a_minute(&runway, UnixMillis(js_sys::Date::now() as i64));
    // Within two days of the month's end, the month's reset sets the shortest interval.
    let month_ending = month_ends_within_hours(48);
    // Hand-worked: 86,400 s ÷ 166 calls = 520.5 s a call for each full day's credits, and
    // what is left of the month ÷ 5,000 calls is at most 31 d ÷ 5,000 = 535.7 s: between
    // 8 min 41 s and 8 min 56 s, whatever the date.
    let shortest = text(&root, "#planner-shortest");
    let seconds: i64 = shortest
        .trim_end_matches(" s.")
        .rsplit("every ")
        .next()
        .and_then(|t| t.split_once(" min "))
        .map(|(m, s)| m.parse::<i64>().unwrap() * 60 + s.parse::<i64>().unwrap())
        .unwrap_or_else(|| panic!("{shortest}"));
    assert!(month_ending || (521..=536).contains(&seconds), "{shortest}");
    // Another interval: every 10 minutes lasts.
    let every: web_sys::HtmlInputElement = root
        .query_selector("#planner-every")
        .unwrap()
        .unwrap()
        .unchecked_into();
    every.set_value("600");
    every
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    credit_gauge::reactive::tick().await;
    let runway = text(&root, "#planner-runway");
    assert!(
        runway.starts_with("Every 10 min 00 s: lasts until "),
        "{runway}"
    );
    // Nonsense is ignored, not obeyed.
    every.set_value("-5");
    every
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    credit_gauge::reactive::tick().await;
    assert!(text(&root, "#planner-runway").starts_with("Every 10 min 00 s"));
    assert_eq!(
        every.value(),
        "600",
        "the field shows the interval in use again"
    );
    // What is being typed stays as typed while the figures move on (with the clock, the
    // budget, or here the request).
    let before = text(&root, "#planner-room");
    every.set_value("9");
    set("limit", "1");
    credit_gauge::reactive::tick().await;
    assert_ne!(text(&root, "#planner-room"), before, "the figures moved");
    assert_eq!(every.value(), "9");
    set("limit", "201");

    // Basic takes one convert: the preview says so before anything is sent.
    set("convert", "USD,EUR");
    credit_gauge::reactive::tick().await;
    let preview = text(&root, "#preview");
    assert!(preview.starts_with("3 credits"), "{preview}");
    assert!(
        root.query_selector("#preview.invalid").unwrap().is_some(),
        "{preview}"
    );
    let send: web_sys::HtmlButtonElement = root
        .query_selector("#send")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(send.disabled());

    set("limit", "0");
    credit_gauge::reactive::tick().await;
    let preview = text(&root, "#preview");
    assert!(preview.contains("limit"), "{preview}");
    assert!(send.disabled());
}

#[wasm_bindgen_test]
async fn the_answer_view_shows_costs_the_data_table_and_explanations_as_text() {
    use credit_gauge::answer::Answer;
    use credit_gauge::components::answer_view;
    use credit_gauge_core::{explain, Code, EndpointId};

    let root = test_root();
    let widget = Widget::new(
        Settings {
            key_cmc: "answer-view-test".into(),
            ..Settings::default()
        },
        false,
    );
    let _mounted = credit_gauge::dom::mount(&root, move || answer_view(widget));
    let body = r#"{"status":{"timestamp":"2025-09-28T10:21:04.716Z","error_code":0,"error_message":null,"elapsed":1,"credit_count":1,"notice":null},
        "data":[{"id":1,"name":"<b>Bitcoin</b>","symbol":"BTC","cmc_rank":1,"quote":{"USD":{"price":65000.5}}}]}"#;
    widget.answer.set(Some(Answer {
        title: "Latest listings",
        endpoint: EndpointId::CmcListingsLatest,
        estimated: Some(Credits::from_whole(1)),
        settlement: None,
        status: Some(200),
        error_code: None,
        error_message: None,
        explanation: None,
        body: Some(body.into()),
        credit_count: Some(1),
        sync_note: None,
    }));
    credit_gauge::reactive::tick().await;
    assert_eq!(text(&root, ".credit-count"), "credit_count 1");
    assert_eq!(text(&root, ".raw"), "HTTP 200");
    // Markup from the server is shown as text, never parsed.
    assert_eq!(
        text(&root, "table.data tbody td:nth-child(2)"),
        "<b>Bitcoin</b>"
    );
    assert!(root.query_selector("table.data b").unwrap().is_none());
    assert_eq!(
        text(&root, "table.data tbody td:nth-child(4)"),
        "65000.50 USD"
    );
    assert!(root.query_selector(".explanation").unwrap().is_none());

    // A failure: the core's explanation with the raw status, code and message.
    let code = Code::of_outcome(
        &credit_gauge_core::cmc_outcome(
            403,
            r#"{"status":{"error_code":1007,"error_message":"This API Key has been disabled. Please contact support.","credit_count":0}}"#,
        ),
        credit_gauge_core::ApiKind::CoinMarketCap,
    )
    .unwrap();
    let explanation = explain(code, None);
    widget.answer.set(Some(Answer {
        title: "Fiat map",
        endpoint: EndpointId::CmcFiatMap,
        estimated: Some(Credits::from_whole(1)),
        settlement: None,
        status: Some(403),
        error_code: Some(1007),
        error_message: Some("This API Key has been disabled. Please contact support.".into()),
        explanation: Some(explanation),
        body: None,
        credit_count: None,
        sync_note: None,
    }));
    credit_gauge::reactive::tick().await;
    assert_eq!(text(&root, ".explanation-title"), explanation.title);
    assert!(text(&root, ".explanation-todo").contains(explanation.what_to_do));
    assert_eq!(
        text(&root, ".raw"),
        "HTTP 403 · error_code 1007 · This API Key has been disabled. Please contact support."
    );
    assert!(root.query_selector("table.data").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_history_lists_requests_newest_first_and_clears() {
    use credit_gauge::components::history_view;
    use credit_gauge::history::HistoryEntry;

    let root = test_root();
    let widget = Widget::new(
        Settings {
            key_cmc: "history-view-test".into(),
            ..Settings::default()
        },
        false,
    );
    let _mounted = credit_gauge::dom::mount(&root, move || history_view(widget));
    let entry = |at: i64, endpoint: &str, ok: bool| HistoryEntry {
        at: UnixMillis(at),
        endpoint: endpoint.into(),
        estimated: Credits::from_whole(1),
        charged: Credits::from_whole(if ok { 1 } else { 0 }),
        outcome: if ok {
            "200 OK".into()
        } else {
            "429 Minute limit".into()
        },
        ok,
        from_page: false,
    };
    widget.history.set(vec![
        entry(0, "Fiat map", true),
        entry(1_000, "Coin map", false),
    ]);
    credit_gauge::reactive::tick().await;
    let rows = root
        .unchecked_ref::<web_sys::Element>()
        .query_selector_all(".history-table tbody tr")
        .unwrap();
    assert_eq!(rows.length(), 2);
    assert_eq!(
        text(&root, ".history-table tbody tr td:nth-child(2)"),
        "Coin map"
    );
    assert!(root
        .query_selector(".history-table tr.failed")
        .unwrap()
        .is_some());
    let points = root
        .query_selector(".sparkline polyline")
        .unwrap()
        .unwrap()
        .get_attribute("points")
        .unwrap();
    assert_eq!(points.split(' ').count(), 2, "{points}");

    let clear: web_sys::HtmlElement = root
        .query_selector("#clear-history")
        .unwrap()
        .unwrap()
        .unchecked_into();
    clear.click();
    credit_gauge::reactive::tick().await;
    assert_eq!(
        root.unchecked_ref::<web_sys::Element>()
            .query_selector_all(".history-table tbody tr")
            .unwrap()
            .length(),
        0
    );
    // No line to draw: no empty chart either.
    assert!(root.query_selector(".sparkline").unwrap().is_none());
}

#[wasm_bindgen_test]
fn the_exported_history_is_indented_json_that_reads_back_as_it_was() {
    use credit_gauge::history::{history_json, HistoryEntry};

    let entries = vec![HistoryEntry {
        at: UnixMillis(1_764_633_600_000),
        endpoint: "Latest listings \"top\" <100>".into(),
        estimated: Credits::from_millis(1_005),
        charged: Credits::from_whole(2),
        outcome: "200 OK".into(),
        ok: true,
        from_page: true,
    }];
    let json = history_json(&entries);
    assert!(
        json.starts_with("[\n  {\n    \"at\": 1764633600000,\n"),
        "{json}"
    );
    let back: Vec<HistoryEntry> = credit_gauge::store::parse_json(&json).unwrap();
    assert_eq!(back, entries);
    assert_eq!(history_json(&[]), "[]");
    // Text that is not JSON is handed back as it is, not lost.
    assert_eq!(credit_gauge::format::indented_json("{cut"), "{cut");
}

#[wasm_bindgen_test]
async fn settings_switch_api_and_server_and_store_a_key_only_when_asked() {
    let root = test_root();
    // The app's widget (`true`): the one whose settings are saved.
    let widget = Widget::new(
        Settings {
            key_cmc: "settings-test-key".into(),
            ..Settings::default()
        },
        true,
    );
    let _mounted = mount_widget(&root, widget, true);
    credit_gauge::reactive::tick().await;
    panels_mounted(&root).await;
    let change = |css: &str, value: &str| {
        let select: web_sys::HtmlSelectElement = root
            .query_selector(css)
            .unwrap()
            .unwrap_or_else(|| panic!("no {css}"))
            .unchecked_into();
        select.set_value(value);
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
    };
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();

    // The real CoinMarketCap: an honest note that browsers are refused.
    change("#preset", "real");
    credit_gauge::reactive::tick().await;
    let base: web_sys::HtmlInputElement = root
        .query_selector("#base-url")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(base.value(), "https://pro-api.coinmarketcap.com");
    assert!(text(&root, ".settings .hint").contains("refuses calls from a browser"));

    // Cryptowatch: its allowance gauge, and the note that the real API is gone.
    change("#api", "cw");
    credit_gauge::reactive::tick().await;
    assert!(root
        .query_selector("[data-limit=allowance]")
        .unwrap()
        .is_some());
    assert!(root.query_selector("#plan").unwrap().is_none());
    change("#preset", "real");
    credit_gauge::reactive::tick().await;
    assert!(text(&root, ".settings .hint").contains("shut down in 2023"));

    // A key is kept in memory only, until the user ticks "remember".
    let key: web_sys::HtmlInputElement = root
        .query_selector("#key")
        .unwrap()
        .unwrap()
        .unchecked_into();
    key.set_value("my-cw-key");
    key.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    credit_gauge::reactive::tick().await;
    assert_eq!(storage.get_item("credit-gauge:v1:key:cw").unwrap(), None);
    let settings = storage
        .get_item("credit-gauge:v1:settings")
        .unwrap()
        .unwrap();
    assert!(!settings.contains("my-cw-key"), "{settings}");
    let remember: web_sys::HtmlInputElement = root
        .query_selector("#remember")
        .unwrap()
        .unwrap()
        .unchecked_into();
    remember.set_checked(true);
    remember
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    credit_gauge::reactive::tick().await;
    // Remembered for the server it was typed for (the real API's preset), and only that one.
    assert_eq!(
        storage
            .get_item("credit-gauge:v1:key:cw")
            .unwrap()
            .as_deref(),
        Some(r#"{"key":"my-cw-key","origin":"https://api.cryptowat.ch"}"#)
    );
    // Unticking forgets it again.
    remember.set_checked(false);
    remember
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    credit_gauge::reactive::tick().await;
    assert_eq!(storage.get_item("credit-gauge:v1:key:cw").unwrap(), None);
    storage.remove_item("credit-gauge:v1:settings").unwrap();
}

#[wasm_bindgen_test]
async fn a_mounted_widget_outlives_its_dropped_handle_and_goes_on_unmount() {
    // In JavaScript the garbage collector drops a handle the page did not keep; the widget
    // must stay (it vanished at random before, and sent nothing).
    let host = test_root();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"api".into(), &"cmc".into()).unwrap();
    let handle = credit_gauge::embed::mount(&host, &options).unwrap();
    credit_gauge::reactive::tick().await;
    let shadow = host.shadow_root().expect("a shadow root");
    assert!(shadow.query_selector(".cg").unwrap().is_some());
    drop(handle);
    credit_gauge::reactive::tick().await;
    assert!(
        shadow.query_selector(".cg").unwrap().is_some(),
        "dropping the handle removed the widget"
    );

    // unmount() is what removes it.
    let host = test_root();
    let mut handle = credit_gauge::embed::mount(&host, &options).unwrap();
    credit_gauge::reactive::tick().await;
    let shadow = host.shadow_root().unwrap();
    assert!(shadow.query_selector(".cg").unwrap().is_some());
    handle.unmount();
    credit_gauge::reactive::tick().await;
    assert_eq!(shadow.child_nodes().length(), 0);
}

#[wasm_bindgen_test]
async fn an_embedded_widget_saves_no_settings_and_forgets_no_remembered_key() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let settings_before = r#"{"api":"cw","base_cmc":"/cmc","base_cw":"/cryptowatch","remember":true,"plan":"Basic","theme":"light"}"#;
    let cmc_key = format!(r#"{{"key":"my-cmc-key","origin":"{origin}"}}"#);
    let cw_key = format!(r#"{{"key":"my-cw-key","origin":"{origin}"}}"#);
    storage
        .set_item("credit-gauge:v1:settings", settings_before)
        .unwrap();
    storage
        .set_item("credit-gauge:v1:key:cmc", &cmc_key)
        .unwrap();
    storage.set_item("credit-gauge:v1:key:cw", &cw_key).unwrap();

    let owner = credit_gauge::reactive::Owner::new();
    owner.with(|| {
        // An embed's widget: its settings come from its host, not from storage.
        let widget = Widget::new(Settings::default(), false);
        widget.update_settings(|s| s.theme = "dark".into());
        widget.update_settings(|s| s.base_cmc = "https://pro-api.coinmarketcap.com".into());
    });
    credit_gauge::reactive::tick().await;
    assert_eq!(
        storage
            .get_item("credit-gauge:v1:settings")
            .unwrap()
            .as_deref(),
        Some(settings_before)
    );
    assert_eq!(
        storage.get_item("credit-gauge:v1:key:cmc").unwrap(),
        Some(cmc_key)
    );
    assert_eq!(
        storage.get_item("credit-gauge:v1:key:cw").unwrap(),
        Some(cw_key)
    );
    for name in [
        "credit-gauge:v1:settings",
        "credit-gauge:v1:key:cmc",
        "credit-gauge:v1:key:cw",
    ] {
        storage.remove_item(name).unwrap();
    }
}

#[wasm_bindgen_test]
async fn the_page_s_fetch_rejects_what_it_cannot_cost_and_survives_an_unmount_midway() {
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;

    // Nothing listens where it sends: the request fails fast, after the widget is gone.
    let (_host, mut handle) = mount_nowhere(&[]).await;

    let unknown = JsFuture::from(handle.fetch("/v1/nothing".into(), JsValue::UNDEFINED)).await;
    let message = js_sys::Error::from(unknown.unwrap_err()).message();
    assert!(
        String::from(message).contains("is not a CoinMarketCap endpoint"),
        "unknown path"
    );

    let pending = handle.fetch("/v1/fiat/map".into(), JsValue::UNDEFINED);
    handle.unmount();
    // Settles one way or the other, and nothing panicked on the way.
    let _ = JsFuture::from(pending).await;
    let panics =
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"__creditGaugePanics".into()).unwrap();
    assert!(
        panics.is_undefined() || panics == JsValue::from_f64(0.0),
        "{panics:?}"
    );
    let gone = JsFuture::from(handle.fetch("/v1/fiat/map".into(), JsValue::UNDEFINED)).await;
    assert!(gone.is_err(), "an unmounted widget sends nothing");
}

#[wasm_bindgen_test]
async fn the_page_s_fetch_gives_up_past_max_wait_and_withdraws_on_abort() {
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;

    // A key whose month is spent: every paid request waits for the month's reset.
    let (host, mut handle, ledger_key) = mount_on_a_spent_month("max-wait-test-key").await;

    // maxWait: rejected at once, with the instant it could have gone.
    let bounded = js_sys::Object::new();
    js_sys::Reflect::set(&bounded, &"maxWait".into(), &JsValue::from_f64(0.0)).unwrap();
    let late = JsFuture::from(handle.fetch("/v1/fiat/map".into(), bounded.into())).await;
    let error = late.expect_err("a request past maxWait is rejected");
    let retry_at = js_sys::Reflect::get(&error, &"retryAt".into()).unwrap();
    assert!(
        retry_at.as_f64().is_some_and(|at| at > js_sys::Date::now()),
        "{retry_at:?}"
    );

    // signal: a waiting request is withdrawn at once, and leaves the queue.
    let controller = web_sys::AbortController::new().unwrap();
    let abortable = js_sys::Object::new();
    js_sys::Reflect::set(&abortable, &"signal".into(), &controller.signal()).unwrap();
    let waiting = handle.fetch("/v1/fiat/map".into(), abortable.into());
    gloo_timers_sleep(300).await;
    let shadow = host.shadow_root().unwrap();
    assert_eq!(
        shadow.query_selector_all(".queue-item").unwrap().length(),
        1
    );
    controller.abort();
    let withdrawn = JsFuture::from(waiting).await.expect_err("withdrawn");
    let name = js_sys::Reflect::get(&withdrawn, &"name".into()).unwrap();
    assert_eq!(name.as_string().as_deref(), Some("AbortError"));
    credit_gauge::reactive::tick().await;
    assert_eq!(
        shadow.query_selector_all(".queue-item").unwrap().length(),
        0
    );

    handle.unmount();
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .remove_item(&ledger_key)
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_page_s_fetch_names_the_option_it_cannot_read_and_sends_nothing() {
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;

    let (host, mut handle) = mount_nowhere(&[]).await;

    let with = |name: &str, value: JsValue| {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &name.into(), &value).unwrap();
        JsValue::from(o)
    };
    let nested = with("limit", js_sys::Object::new().into());
    for (options, names) in [
        (with("params", nested), "options.params.limit"),
        (
            with("params", JsValue::from_f64(42.0)),
            "options.params must be",
        ),
        (with("params", "limit=%ZZ".into()), "`limit=%ZZ`"),
        (with("maxWait", JsValue::from_f64(-1.0)), "options.maxWait"),
        (with("maxWait", "soon".into()), "options.maxWait"),
        (with("signal", "stop".into()), "options.signal"),
    ] {
        let refused = JsFuture::from(handle.fetch("/v1/fiat/map".into(), options)).await;
        let message = String::from(js_sys::Error::from(refused.unwrap_err()).message());
        assert!(message.contains(names), "{names}: {message}");
        assert!(message.ends_with("not sent"), "{message}");
    }
    // Nothing was queued.
    let shadow = host.shadow_root().unwrap();
    assert_eq!(
        shadow.query_selector_all(".queue-item").unwrap().length(),
        0
    );
    handle.unmount();
}

/// A widget mounted for `key`, whose Basic month is spent (see [`store_spent_month`]), sending
/// nowhere: its host, its handle and the storage key to clean up.
async fn mount_on_a_spent_month(
    key: &str,
) -> (
    web_sys::HtmlElement,
    credit_gauge::embed::MountHandle,
    String,
) {
    let ledger_key = store_spent_month(key);
    let (host, handle) = mount_nowhere(&[("key", key)]).await;
    (host, handle, ledger_key)
}

/// A CoinMarketCap widget mounted with `options`, sending where nothing listens.
async fn mount_nowhere(
    options: &[(&str, &str)],
) -> (web_sys::HtmlElement, credit_gauge::embed::MountHandle) {
    let host = test_root();
    let object = js_sys::Object::new();
    for (name, value) in [("api", "cmc"), ("baseUrl", "http://127.0.0.1:9/cmc")]
        .iter()
        .chain(options)
    {
        js_sys::Reflect::set(&object, &(*name).into(), &(*value).into()).unwrap();
    }
    let handle = credit_gauge::embed::mount(&host, &object).unwrap();
    credit_gauge::reactive::tick().await;
    (host, handle)
}

/// Whether the UTC month ends (the 1st, 00:00) within `hours` of now.
fn month_ends_within_hours(hours: i64) -> bool {
    let now = UnixMillis(js_sys::Date::now() as i64);
    now.first_of_next_month().0 - now.0 < hours * 3_600_000
}

/// Stores a Basic account for `key` whose month is spent, so every paid request waits for the
/// month's reset; returns the storage key to clean up.
fn store_spent_month(key: &str) -> String {
    use credit_gauge_core::{cmc_outcome, reconcile, save, Account, CmcPlan, Ledger, Request};
    let t = UnixMillis(js_sys::Date::now() as i64);
    let mut account = Account::cmc(&credit_gauge::store::fingerprint(key), CmcPlan::Basic);
    let listing = Request::new(credit_gauge_core::EndpointId::CmcListingsLatest);
    let id = credit_gauge_core::reserve(&mut account, &listing, t).unwrap();
    let spent = cmc_outcome(200, r#"{"status":{"error_code":0,"credit_count":10000}}"#);
    reconcile(&mut account, id, &spent, t);
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let ledger_key = credit_gauge::store::storage_key("cmc", key, "ledger");
    storage
        .set_item(
            &ledger_key,
            &save(&Ledger {
                accounts: vec![account],
            }),
        )
        .unwrap();
    ledger_key
}

#[wasm_bindgen_test]
async fn a_background_request_lets_an_interactive_one_go_first_and_says_so() {
    use wasm_bindgen::JsValue;

    let (host, mut handle, ledger_key) = mount_on_a_spent_month("priority-test-key").await;

    let with = |priority: &str, signal: &web_sys::AbortSignal| {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"priority".into(), &priority.into()).unwrap();
        js_sys::Reflect::set(&o, &"signal".into(), signal).unwrap();
        JsValue::from(o)
    };
    let controller = web_sys::AbortController::new().unwrap();
    let signal = controller.signal();
    // Both wait for the month; the background one, asked while the interactive one waits,
    // says it lets it go first.
    let interactive = handle.fetch("/v1/fiat/map".into(), with("interactive", &signal));
    gloo_timers_sleep(100).await;
    let background = handle.fetch("/v1/fiat/map".into(), with("background", &signal));
    gloo_timers_sleep(700).await;
    let shadow = host.shadow_root().unwrap();
    let states: Vec<String> = (0..2)
        .map(|i| {
            shadow
                .query_selector_all(".queue-item")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert!(
        states
            .iter()
            .any(|s| s.contains("Letting interactive requests go first")),
        "{states:?}"
    );
    // On a month's last day the day's reset is the month's, and the day's is named.
    let reset = if month_ends_within_hours(24) {
        "reset"
    } else {
        "Waiting for the monthly reset"
    };
    assert!(states.iter().any(|s| s.contains(reset)), "{states:?}");
    // The countdown is to the month's reset, not to the next re-check a few seconds away.
    let monthly = states
        .iter()
        .find(|s| s.contains(reset) && s.contains("sends itself in "))
        .unwrap_or_else(|| panic!("{states:?}"));
    let countdown = monthly.split("sends itself in ").nth(1).unwrap_or_default();
    assert!(
        [" d", " h", "min"].iter().any(|u| countdown.contains(u)),
        "{monthly}"
    );
    // Each says what it will cost and whose it is before it goes.
    assert!(
        states
            .iter()
            .all(|s| s.starts_with("Fiat map · 1 credit · the page's")),
        "{states:?}"
    );

    // An unknown priority is refused, naming the option.
    let odd = with("urgent", &signal);
    let refused =
        wasm_bindgen_futures::JsFuture::from(handle.fetch("/v1/fiat/map".into(), odd)).await;
    let message = String::from(js_sys::Error::from(refused.unwrap_err()).message());
    assert!(message.contains("options.priority"), "{message}");

    controller.abort();
    for pending in [background, interactive] {
        assert!(wasm_bindgen_futures::JsFuture::from(pending).await.is_err());
    }
    handle.unmount();
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .remove_item(&ledger_key)
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_rust_handle_checks_bounds_and_withdraws_like_the_page_s_fetch() {
    use credit_gauge::embed::EmbedOptions;
    use credit_gauge::handle::{CreditGauge, Refusal, Terms};
    use credit_gauge_core::{ApiKind, EndpointId, Request};

    let key = "rust-handle-test-key";
    let ledger_key = store_spent_month(key);
    let owner = Owner::new();
    let gauge = owner.with(|| {
        CreditGauge::new(&EmbedOptions {
            api: Some(ApiKind::CoinMarketCap),
            base_url: Some("http://127.0.0.1:9/cmc".into()),
            key: Some(key.into()),
            ..EmbedOptions::default()
        })
    });

    // Never sent: an unknown path, a bad parameter, the other API's endpoint.
    assert!(matches!(
        gauge.request("/v1/nothing", &[]),
        Err(Refusal::Uncostable(_))
    ));
    let bad = gauge.request("/v1/cryptocurrency/listings/latest", &[("limit", "0")]);
    assert!(bad.unwrap_err().to_string().contains("`limit`"));
    let other = Request::new(EndpointId::CwPrice)
        .with("exchange", "kraken")
        .with("pair", "btcusd");
    let refused = gauge.fetch(other, Terms::default()).await;
    assert!(
        matches!(refused, Err(Refusal::Uncostable(_))),
        "{refused:?}"
    );

    // The month is spent: past max_wait_ms at once, with the instant it could go.
    let map = gauge.request("/v1/fiat/map", &[]).unwrap();
    let late = gauge
        .fetch(
            map.clone(),
            Terms {
                max_wait_ms: Some(0),
                ..Terms::default()
            },
        )
        .await;
    match late {
        Err(Refusal::TooLate(at)) => assert!(at.0 as f64 > js_sys::Date::now()),
        other => panic!("expected TooLate, got {other:?}"),
    }

    // Withdrawn while it waits.
    let controller = web_sys::AbortController::new().unwrap();
    let terms = Terms {
        abort: Some(controller.signal()),
        ..Terms::default()
    };
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers_sleep(300).await;
        controller.abort();
    });
    let withdrawn = gauge.fetch(map.clone(), terms).await;
    assert_eq!(withdrawn, Err(Refusal::Withdrawn));

    // Gone with its owner.
    drop(owner);
    assert_eq!(gauge.fetch(map, Terms::default()).await, Err(Refusal::Gone));
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .remove_item(&ledger_key)
        .unwrap();
}

async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_month_shows_credits_per_day_and_what_each_endpoint_spent() {
    use credit_gauge::history::HistoryEntry;

    let root = test_root();
    let settings = Settings {
        key_cmc: "usage-test-key".into(),
        ..Settings::default()
    };
    let widget = Widget::new(settings, false);
    let _mounted = mount_widget(&root, widget, true);
    let now = UnixMillis(js_sys::Date::now() as i64);
    let line = |title: &str, credits: i64| {
        HistoryEntry::new(now, title, None, Credits::from_whole(credits))
    };
    widget.history.set(vec![
        line("Latest listings", 2),
        line("Quotes", 5),
        line("Latest listings", 1),
    ]);
    credit_gauge::reactive::tick().await;
    panels_mounted(&root).await;

    let rows: Vec<String> = (0..2)
        .map(|i| {
            let row = root
                .query_selector_all(".usage-endpoints tbody tr")
                .unwrap()
                .item(i)
                .unwrap();
            row.text_content().unwrap()
        })
        .collect();
    assert_eq!(rows, ["Quotes15", "Latest listings23"]);
    // One bar a day of the calendar month (Basic), today's holding all 8 credits.
    let bars = root
        .query_selector_all(".usage-chart rect")
        .unwrap()
        .length();
    assert!((28..=31).contains(&bars), "{bars} bars");
    let chart = root.query_selector(".usage-chart").unwrap().unwrap();
    let label = chart.get_attribute("aria-label").unwrap();
    assert!(label.contains("8 in all"), "{label}");
    // The even pace: Basic's 10,000 credits over the month's days, to the nearest credit.
    let pace = (10_000_000 / i64::from(bars) + 500) / 1000;
    let pace = format!("is {pace} a day");
    assert!(label.contains(&pace), "{label}");
    assert!(root
        .query_selector(".usage-chart line.pace")
        .unwrap()
        .is_some());
    // Said in words too, and today's 8 credits show though they are 2 % of the pace.
    let note = text(&root, ".usage-note");
    assert!(
        note.starts_with("8 credits so far this month") && note.contains(&pace),
        "{note}"
    );
    let today = root.query_selector_all(".usage-chart rect").unwrap();
    let heights: Vec<String> = (0..today.length())
        .filter_map(|i| today.item(i))
        .map(|r| r.unchecked_into::<web_sys::Element>())
        .filter(|r| r.text_content().as_deref() == Some("8 credits"))
        .filter_map(|r| r.get_attribute("height"))
        .collect();
    assert_eq!(heights, ["3.0"], "today's bar");
}

#[wasm_bindgen_test]
async fn a_warning_that_stays_is_not_rewritten_when_another_goes() {
    use credit_gauge_core::ledger::{Account, Limits, Span};
    use credit_gauge_core::CmcPlan;

    let root = test_root();
    let widget = Widget::new(
        Settings {
            key_cmc: "warnings-view-test".into(),
            ..Settings::default()
        },
        false,
    );
    let _mounted = mount_widget(&root, widget, false);
    credit_gauge::reactive::tick().await;
    let now = widget.now.get_untracked();
    // Basic: 333 credits a day, 10,000 a month; `day` and `month` credits spent.
    let spent = |day: i64, month: i64| {
        let mut account = Account::cmc("k", CmcPlan::Basic);
        if let Limits::Cmc(l) = &mut account.limits {
            l.day.window = Some(Span {
                start: now.day_start(),
                end: now.next_utc_midnight(),
            });
            l.day.used = Credits::from_whole(day);
            l.month.window = Some(Span {
                start: now.month_start(),
                end: now.first_of_next_month(),
            });
            l.month.used = Credits::from_whole(month);
        }
        account
    };
    let shown = |root: &web_sys::HtmlElement| -> Vec<String> {
        let list = root
            .query_selector_all(".warnings .warning:not([hidden])")
            .unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
            .collect()
    };

    widget.account.set(Some(spent(300, 9_700)));
    credit_gauge::reactive::tick().await;
    let both = shown(&root);
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(
        both[0].starts_with("Credits today: 90 % used (80 % warning)."),
        "{both:?}"
    );
    assert!(
        both[1].starts_with("Credits this month: 97 % used (95 % warning)."),
        "{both:?}"
    );
    let month = root
        .query_selector(".warnings .warning:last-child")
        .unwrap()
        .unwrap();

    // The day's warning goes; the month's stays where it was, the same element, untouched.
    widget.account.set(Some(spent(10, 9_700)));
    credit_gauge::reactive::tick().await;
    assert_eq!(shown(&root), vec![both[1].clone()]);
    let still = root
        .query_selector(".warnings .warning:not([hidden])")
        .unwrap()
        .unwrap();
    assert!(still.is_same_node(Some(&month)));

    // Nothing near a limit: no warning shown.
    widget.account.set(Some(spent(10, 100)));
    credit_gauge::reactive::tick().await;
    assert!(shown(&root).is_empty());
}

#[wasm_bindgen_test]
async fn a_focused_cancel_stays_with_its_request_when_one_before_it_leaves() {
    use credit_gauge::queue::{QueueItem, QueueState};

    let root = test_root();
    let widget = Widget::new(
        Settings {
            key_cmc: "queue-focus-test".into(),
            ..Settings::default()
        },
        false,
    );
    let _mounted = mount_widget(&root, widget, false);
    let item = |id: u64, state: QueueState| QueueItem {
        id,
        title: "Coin map",
        estimated: None,
        from_page: false,
        state,
    };
    let focused_id = || {
        web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .active_element()
            .filter(|e| e.class_list().contains("cancel"))
            .and_then(|e| e.get_attribute("data-id"))
    };
    widget.queue.set(vec![
        item(1, QueueState::Deciding),
        item(2, QueueState::Deciding),
        item(3, QueueState::Deciding),
    ]);
    credit_gauge::reactive::tick().await;
    let second: web_sys::HtmlElement = root
        .query_selector(".queue-item:nth-child(2) .cancel")
        .unwrap()
        .unwrap()
        .unchecked_into();
    second.focus().unwrap();
    assert_eq!(focused_id().as_deref(), Some("2"));

    // The first request leaves: rows move up, and focus moves with request 2 to the first row.
    widget.queue.set(vec![
        item(2, QueueState::Deciding),
        item(3, QueueState::Deciding),
    ]);
    credit_gauge::reactive::tick().await;
    credit_gauge::reactive::tick().await;
    assert_eq!(focused_id().as_deref(), Some("2"));
    let first = root
        .query_selector(".queue-item:first-child .cancel")
        .unwrap()
        .unwrap();
    assert_eq!(first.get_attribute("data-id").as_deref(), Some("2"));

    // Request 2 is being sent (no Cancel any more): focus leaves the queue rather than land on
    // request 3's Cancel.
    widget.queue.set(vec![
        item(2, QueueState::Sending),
        item(3, QueueState::Deciding),
    ]);
    credit_gauge::reactive::tick().await;
    credit_gauge::reactive::tick().await;
    assert_eq!(focused_id(), None);
}

/// An answer whose body arrives as `bytes` in chunks of `chunk` bytes, as a network delivers it.
fn answer_of(bytes: &[u8], chunk: usize) -> web_sys::Response {
    let chunks = js_sys::Array::new();
    for part in bytes.chunks(chunk) {
        chunks.push(&js_sys::Uint8Array::from(part));
    }
    let respond = js_sys::Function::new_with_args(
        "chunks",
        "return new Response(new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } }));",
    );
    respond
        .call1(&JsValue::NULL, &chunks)
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn an_answer_s_body_is_read_as_text_within_its_bound() {
    use credit_gauge::client::read_bounded;
    let read = |bytes: &'static [u8], max| async move {
        read_bounded(&answer_of(bytes, 3), max).await.unwrap()
    };
    // Text as sent, whatever the chunks cut through: here byte by byte, through a two-byte
    // character.
    assert_eq!(
        read_bounded(&answer_of("{\"name\":\"Zürich\"}".as_bytes(), 1), 1024)
            .await
            .unwrap()
            .as_deref(),
        Some("{\"name\":\"Zürich\"}")
    );
    // Bytes that are not UTF-8 are replaced, as `Response.text()` does, not refused.
    assert_eq!(
        read(b"{\"a\":\"\xff\"}", 1024).await.as_deref(),
        Some("{\"a\":\"\u{fffd}\"}")
    );
    // Exactly the bound is read; one byte more is given up.
    assert_eq!(read(b"0123456789", 10).await.as_deref(), Some("0123456789"));
    assert_eq!(read(b"0123456789", 9).await, None);
    // No body at all reads as empty.
    let empty = web_sys::Response::new_with_opt_str(None).unwrap();
    assert_eq!(read_bounded(&empty, 10).await.unwrap().as_deref(), Some(""));
    // A body that never ends is given up once past the bound.
    let endless: web_sys::Response = js_sys::Function::new_no_args(
        "return new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1000)); } }));",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .unchecked_into();
    assert_eq!(read_bounded(&endless, 64 * 1024).await.unwrap(), None);
    // A body that breaks off is an error, not a shorter text.
    let broken: web_sys::Response = js_sys::Function::new_no_args(
        "return new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([123])); c.error(new TypeError('cut')); } }));",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .unchecked_into();
    assert!(read_bounded(&broken, 1024).await.is_err());
}

/// A key a request header cannot carry (pasted with a line break) stops the request before it
/// leaves, and says so: no network failure, no CORS probe, nothing charged.
#[wasm_bindgen_test]
async fn a_key_a_header_cannot_carry_is_reported_without_sending_anything() {
    use credit_gauge_core::{ClientFailure, EndpointId, Outcome, Request};
    let reply = credit_gauge::client::send(
        "http://127.0.0.1:9",
        &Request::new(EndpointId::CmcKeyInfo),
        "b54bcf4d-1bca-4e8e-9a24-22ff2c3d462c\nsecond line",
        5_000,
        None,
    )
    .await;
    assert_eq!(
        reply.outcome,
        Outcome::Failed {
            failure: ClientFailure::Unsendable,
            http_status: None
        }
    );
    assert_eq!(reply.status, None);
}
