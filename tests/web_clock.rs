//! The widget's clock in a real Chromium: an emulator's scaled clock is followed only from this
//! machine and only while it says so, and nothing another script stores can scale it.
#![cfg(target_arch = "wasm32")]

use credit_gauge::clock;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SCALE_KEY: &str = "credit-gauge:v1:clock-scale";
const OFFSET_KEY: &str = "credit-gauge:v1:clock-offset";

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// No clock learnt, by this page or any other.
fn fresh() {
    let storage = local_storage();
    storage.remove_item(SCALE_KEY).unwrap();
    storage.remove_item(OFFSET_KEY).unwrap();
    clock::forget();
}

/// How far the widget's clock is ahead of the visitor's.
fn ahead() -> i64 {
    clock::now().0 - clock::local_now().0
}

/// What an emulator started ten real seconds ago at 60 times says.
fn sixty_times_since_ten_seconds() -> String {
    format!("60; origin={}", clock::local_now().0 - 10_000)
}

#[wasm_bindgen_test]
fn an_emulator_on_this_machine_is_followed_while_it_announces_its_scaled_clock() {
    fresh();
    let header = sixty_times_since_ten_seconds();
    clock::follow("http://127.0.0.1:8787/cmc", Some(&header));
    // Ten real seconds after it started, its clock is ten minutes on: 9 min 50 s ahead.
    assert!((589_000..=591_000).contains(&ahead()), "{}", ahead());
    assert_eq!(clock::minute_edge_ms(), 15_000);
    assert_eq!(clock::real_ms(60_000), 1_000);
    assert_eq!(clock::span(5_000), 300_000);
    // Every tab of the origin follows it: it is read back from the store.
    clock::forget();
    assert!((589_000..=591_000).contains(&ahead()), "{}", ahead());
    // The windows jumped by as much as the clock did, once.
    let jump = clock::ledger_offset();
    assert!((589_000..=591_000).contains(&jump), "{jump}");
    clock::follow("http://127.0.0.1:8787/cmc", Some(&header));
    assert_eq!(clock::ledger_offset(), jump);
    // An answer without the header ends it: the visitor's clock again.
    clock::follow("http://127.0.0.1:8787/cmc", None);
    assert!(ahead().abs() < 1_000, "{}", ahead());
    assert_eq!(clock::minute_edge_ms(), 1_000);
    assert_eq!(local_storage().get_item(SCALE_KEY).unwrap(), None);
    // A relative base on a page of this machine names this machine too.
    clock::follow("/cmc", Some(&header));
    assert!(ahead() > 500_000, "{}", ahead());
    fresh();
}

#[wasm_bindgen_test]
fn no_other_server_and_nothing_malformed_can_scale_the_clock() {
    fresh();
    let header = sixty_times_since_ten_seconds();
    for base in [
        "https://pro-api.coinmarketcap.com",
        "http://127.0.0.1.evil.example:8787/",
        "http://localhost.evil.example/",
        "http://10.0.0.7:8787/cmc",
        "http://[::2]:8787/",
    ] {
        clock::follow(base, Some(&header));
        assert!(ahead().abs() < 1_000, "{base}: {}", ahead());
    }
    let base = "http://127.0.0.1:8787/cmc";
    for value in [
        "60",
        "1; origin=0",
        "100000; origin=1",
        "60; origin=-5",
        "x".repeat(60).as_str(),
    ] {
        clock::follow(base, Some(value));
        assert!(ahead().abs() < 1_000, "{value}: {}", ahead());
    }
    // What another script wrote in the store: counted as nothing.
    let now = clock::local_now().0;
    for stored in [
        "60 abc 0".to_string(),
        format!("999999 {now} 0"),
        format!("60 {} 0", now + 3_600_000),
        "60".to_string(),
        format!("60 {now} not-a-number"),
    ] {
        local_storage().set_item(SCALE_KEY, &stored).unwrap();
        clock::forget();
        assert!(ahead().abs() < 1_000, "{stored}: {}", ahead());
    }
    fresh();
}
