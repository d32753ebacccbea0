//! Fault lists (`X-Emulator-Fault`, `emulator_fault=`) and the fault switch's JSON body.
//!
//! Properties: never a panic; an accepted list keeps the bounds (at most `MAX_FAULTS` entries,
//! `MAX_TOTAL_LATENCY_MS` of latency in all) and reads back the same from its names; an error
//! message stays short whatever the input; a switch body is accepted only with a list that
//! keeps the same bounds.
#![no_main]

use credit_gauge_emulator::faults::{
    check, parse_list, Fault, Switch, SwitchRequest, MAX_FAULTS, MAX_TOTAL_LATENCY_MS,
};
use libfuzzer_sys::fuzz_target;

fn within_bounds(list: &[Fault]) {
    assert!(list.len() <= MAX_FAULTS);
    let total: u64 = list
        .iter()
        .map(|f| match f {
            Fault::Latency(ms) => *ms,
            _ => 0,
        })
        .sum();
    assert!(total <= MAX_TOTAL_LATENCY_MS);
    assert!(check(list).is_ok());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match parse_list(text) {
            Ok(list) => {
                within_bounds(&list);
                let names: Vec<String> = list.iter().map(Fault::name).collect();
                assert_eq!(parse_list(&names.join(",")).as_ref(), Ok(&list));
            }
            Err(message) => assert!(message.len() < 200, "{message}"),
        }
    }
    // The same bytes as a POST /_emulator/faults body.
    if let Ok(request) = serde_json::from_slice::<SwitchRequest>(data) {
        if let Ok(switch) = Switch::from_request(request) {
            assert!(!switch.faults.is_empty());
            within_bounds(&switch.faults);
            let _ = switch.describe();
        }
    }
});
