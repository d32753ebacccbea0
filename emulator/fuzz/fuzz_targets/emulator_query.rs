//! Query strings as the emulator reads them (`Query::parse`, `decode`, `encode`).
//!
//! Properties: never a panic; decoding never grows the text; text without escapes or `+`
//! decodes to itself; every decoded pair survives `encode` then `decode` unchanged; a refused
//! query names at most an argument it could read.
#![no_main]

use credit_gauge_emulator::query::{decode, encode, BadQuery, Query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Query strings reach the parser as `&str` (hyper gives the URI's text).
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    match Query::parse(Some(raw)) {
        Ok(q) => {
            for (name, value) in q.pairs() {
                assert_eq!(decode(&encode(name)).as_deref(), Some(name));
                assert_eq!(decode(&encode(value)).as_deref(), Some(value));
                assert!(q.get(name).is_some());
            }
        }
        Err(BadQuery(name)) => assert!(name.len() <= raw.len()),
    }
    if let Some(decoded) = decode(raw) {
        assert!(decoded.len() <= raw.len());
    }
    if !raw.contains('%') && !raw.contains('+') {
        assert_eq!(decode(raw).as_deref(), Some(raw));
    }
});
