//! What the built modules carry: no directory of the machine that built them (its checkout,
//! its cargo home), which their panic messages would otherwise name.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::dist_dir;

#[test]
fn the_shipped_modules_name_no_directory_of_the_machine_that_built_them() {
    let checkout = env!("CARGO_MANIFEST_DIR");
    let cargo_home = std::env::var("CARGO_HOME")
        .ok()
        .or_else(|| {
            std::env::var("HOME")
                .ok()
                .map(|home| format!("{home}/.cargo"))
        })
        .expect("a cargo home");
    let mut modules = 0;
    for entry in std::fs::read_dir(dist_dir()).expect("read dist") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        modules += 1;
        let bytes = std::fs::read(&path).expect("read a module");
        for directory in [checkout, cargo_home.as_str()] {
            let found = bytes
                .windows(directory.len())
                .any(|w| w == directory.as_bytes());
            assert!(!found, "{} names {directory}", path.display());
        }
        // The panic messages still say which file: relative to the checkout or the registry.
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/cargo/registry/"), "{}", path.display());
    }
    assert_eq!(modules, 2, "the whole widget and the compact module");
}
