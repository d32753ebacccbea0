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

/// The message of the standard library's panic for a string sliced off a character boundary.
const SLICING_PANIC: &str = "is not a char boundary";

/// One `&text[a..b]` whose bounds the compiler cannot prove links the standard library's
/// panic for a slice off a character boundary, and with it the escaping of characters and its
/// Unicode tables: about 4 KB of gzip in each module. The widget splits and strips instead.
#[test]
fn the_shipped_modules_link_no_string_slicing_panic() {
    // The message is the one this toolchain's `core` for wasm32 carries: were it reworded, the
    // test would look for words no module could contain, and pass whatever the modules link.
    let sysroot = std::process::Command::new(std::env::var("RUSTC").unwrap_or("rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .expect("run rustc");
    let sysroot = String::from_utf8(sysroot.stdout).expect("a sysroot path");
    let libs = std::path::Path::new(sysroot.trim()).join("lib/rustlib/wasm32-unknown-unknown/lib");
    let core_carries_it = std::fs::read_dir(&libs)
        .expect("the wasm32 standard library")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libcore-") && n.ends_with(".rlib"))
        })
        .any(|path| {
            let bytes = std::fs::read(path).expect("read core");
            bytes
                .windows(SLICING_PANIC.len())
                .any(|w| w == SLICING_PANIC.as_bytes())
        });
    assert!(
        core_carries_it,
        "the wasm32 core in {} has no \"{SLICING_PANIC}\": find its new words",
        libs.display()
    );
    for (path, bytes) in shipped_modules() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(SLICING_PANIC),
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
        let glue = std::fs::read_to_string(glue_of(&path)).expect("the module's glue");
        assert!(
            !glue.contains("_bg.js\""),
            "{} keeps its long module name",
            path.display()
        );
    }
}

/// The short names mean something else in every build, so a glue and a wasm of two builds (a
/// cached file beside a new one, under the same stable names) must not link: one import is
/// named after the build, and only that build's glue gives it.
#[test]
fn each_module_has_an_import_named_after_its_build() {
    let mut tags = Vec::new();
    for (path, bytes) in shipped_modules() {
        let imports = imports(&bytes);
        let modules: std::collections::BTreeSet<_> = imports.iter().map(|(m, _)| m).collect();
        assert_eq!(modules.len(), 1, "{}: {modules:?}", path.display());
        let tagged: Vec<_> = imports
            .iter()
            .map(|(_, name)| name)
            .filter(|name| {
                name.len() == 8
                    && name.starts_with("cg")
                    && name[2..].bytes().all(|b| b.is_ascii_hexdigit())
            })
            .collect();
        assert_eq!(tagged.len(), 1, "{}: {tagged:?}", path.display());
        let tag = tagged[0].clone();
        let glue = std::fs::read_to_string(glue_of(&path)).expect("the module's glue");
        assert_eq!(
            glue.matches(&format!("{tag}:")).count(),
            1,
            "{}: the glue does not give {tag}",
            path.display()
        );
        tags.push(tag);
    }
    assert_ne!(tags[0], tags[1], "two builds, two names");
}

/// Every `integrity` in the app's page is the file's own hash: a stale one stops the app from
/// loading (the glue's) or fetches the wasm a second time (the wasm's preload).
#[test]
fn every_integrity_hash_in_the_app_s_page_matches_its_file() {
    let page = std::fs::read_to_string(dist_dir().join("index.html")).expect("the app's page");
    let mut checked = 0;
    for tag in page.split('<').filter(|t| t.contains("integrity=")) {
        let attribute = |name: &str| {
            let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
            tag[start..]
                .split('"')
                .next()
                .expect("a closing quote")
                .to_owned()
        };
        let file = attribute("href");
        let pinned = attribute("integrity");
        let path = dist_dir().join(file.trim_start_matches('/'));
        assert_eq!(pinned, format!("sha384-{}", sha384_base64(&path)), "{file}");
        checked += 1;
    }
    assert!(
        checked >= 2,
        "the glue and the wasm are pinned ({checked} found)"
    );
}

/// The glue beside a `*_bg.wasm` module.
fn glue_of(module: &std::path::Path) -> std::path::PathBuf {
    let name = module.file_name().and_then(|n| n.to_str()).expect("a name");
    module.with_file_name(name.replace("_bg.wasm", ".js"))
}

/// A wasm module's imports (module, name), in the order of its import section.
fn imports(wasm: &[u8]) -> Vec<(String, String)> {
    fn uleb(wasm: &[u8], at: &mut usize) -> usize {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = wasm[*at];
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return value;
            }
        }
    }
    let mut names = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = uleb(wasm, &mut at);
        let end = at + size;
        if id == 2 {
            let count = uleb(wasm, &mut at);
            for _ in 0..count {
                let length = uleb(wasm, &mut at);
                let module = String::from_utf8(wasm[at..at + length].to_vec()).expect("UTF-8");
                at += length;
                let length = uleb(wasm, &mut at);
                let name = String::from_utf8(wasm[at..at + length].to_vec()).expect("UTF-8");
                at += length;
                let kind = wasm[at];
                at += 1;
                let limits = |at: &mut usize| {
                    let flags = wasm[*at];
                    *at += 1;
                    uleb(wasm, at);
                    if flags & 1 == 1 {
                        uleb(wasm, at);
                    }
                };
                match kind {
                    0 => {
                        uleb(wasm, &mut at);
                    }
                    1 => {
                        at += 1;
                        limits(&mut at);
                    }
                    2 => limits(&mut at),
                    3 => at += 2,
                    _ => panic!("an import of kind {kind}"),
                }
                names.push((module, name));
            }
            assert_eq!(at, end, "the import section read to its end");
        }
        at = end;
    }
    names
}

/// A file's SHA-384, base64, as subresource integrity writes it (by node, which the build needs).
fn sha384_base64(path: &std::path::Path) -> String {
    let out = std::process::Command::new("node")
        .args([
            "-e",
            "process.stdout.write(require('crypto').createHash('sha384')\
             .update(require('fs').readFileSync(process.argv[1])).digest('base64'))",
        ])
        .arg(path)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("base64")
}
