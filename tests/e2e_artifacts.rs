//! What the built modules carry: no directory of the machine that built them (its checkout,
//! its cargo home), which their panic messages would otherwise name; and none of the weight
//! one careless line would bring back.
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
    for (path, bytes) in shipped_modules() {
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
}

/// The built wasm modules in `dist/`, with their bytes.
fn shipped_modules() -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(dist_dir()).expect("read dist") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let bytes = std::fs::read(&path).expect("read a module");
            modules.push((path, bytes));
        }
    }
    assert_eq!(modules.len(), 2, "the whole widget and the compact module");
    modules
}

/// One `&text[a..b]` whose bounds the compiler cannot prove links the standard library's
/// panic for a slice off a character boundary, and with it the escaping of characters and its
/// Unicode tables: about 4 KB of gzip in each module. The widget splits and strips instead.
#[test]
fn the_shipped_modules_link_no_string_slicing_panic() {
    for (path, bytes) in shipped_modules() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("is not a char boundary"),
            "{} slices a string by index somewhere: use split_once, strip_prefix or get",
            path.display()
        );
    }
}

/// wasm-bindgen names each import after its method and a hash that gzip cannot shrink;
/// `scripts/shorten-names` gives them (and the exports) short names, in the glue too.
#[test]
fn the_shipped_modules_and_their_glue_use_short_names() {
    for (path, bytes) in shipped_modules() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("__wbg_"),
            "{} keeps its long import names",
            path.display()
        );
        let glue = path.with_file_name(
            path.file_name()
                .and_then(|n| n.to_str())
                .expect("a name")
                .replace("_bg.wasm", ".js"),
        );
        let glue = std::fs::read_to_string(&glue).expect("the module's glue");
        assert!(
            !glue.contains("_bg.js\""),
            "{} keeps its long module name",
            path.display()
        );
    }
}
