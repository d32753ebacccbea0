//! What the built modules carry: no directory of the machine that built them (its checkout,
//! its cargo home), which panic messages would otherwise name; and no panic message at all.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{dist_dir, dist_with, eventually, Browser, Emulator, PATIENCE};
use credit_gauge_emulator::Config;
use std::time::Duration;

#[test]
fn the_shipped_modules_name_no_directory_of_the_machine_that_built_them() {
    let checkout = env!("CARGO_MANIFEST_DIR");
    let cargo_home = tool_home("CARGO_HOME", ".cargo");
    // rustup's toolchains, whose standard library source the shipped modules are built from.
    let rustup_home = tool_home("RUSTUP_HOME", ".rustup");
    for (path, bytes) in shipped_modules() {
        for directory in [checkout, cargo_home.as_str(), rustup_home.as_str()] {
            let found = bytes
                .windows(directory.len())
                .any(|w| w == directory.as_bytes());
            assert!(!found, "{} names {directory}", path.display());
        }
    }
}

/// A tool's home folder: `$variable`, else `folder` in the user's home.
fn tool_home(variable: &str, folder: &str) -> String {
    std::env::var(variable)
        .ok()
        .or_else(|| {
            std::env::var("HOME")
                .ok()
                .map(|home| format!("{home}/{folder}"))
        })
        .unwrap_or_else(|| panic!("no {variable} and no HOME"))
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

/// Messages of the standard library's panics: a `RefCell` borrowed twice, a string sliced off a
/// character boundary (which also links the escaping of characters and its Unicode tables), and
/// the line every panic message starts with.
const PANIC_MESSAGES: [&str; 3] = ["already borrowed", "is not a char boundary", "panicked at "];

/// The shipped modules stop at a panic without formatting a message (`-C panic=immediate-abort`,
/// scripts/build): no panic site carries its text and file, and no formatter is linked for
/// them, about 5 KB of gzip in each module. A build without that setting fails this test.
#[test]
fn the_shipped_modules_carry_no_panic_message() {
    // The words are those of the standard library the modules are built from (the source of
    // scripts/release-toolchain's Rust): were one reworded, the test would look for words no
    // module could contain, and pass whatever the modules link.
    let source = release_toolchain_library_source();
    let mut files = Vec::new();
    rust_files(&source, &mut files);
    for message in PANIC_MESSAGES {
        assert!(
            files.iter().any(|text| text.contains(message)),
            "the standard library's source in {} has no \"{message}\": find its new words",
            source.display()
        );
    }
    for (path, bytes) in shipped_modules() {
        for message in PANIC_MESSAGES {
            assert!(
                !bytes
                    .windows(message.len())
                    .any(|w| w == message.as_bytes()),
                "{} carries the panic message \"{message}\": is it built by scripts/build?",
                path.display()
            );
        }
    }
}

/// The standard library's source of the toolchain that builds the shipped modules.
fn release_toolchain_library_source() -> std::path::PathBuf {
    let pin = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release-toolchain"),
    )
    .expect("read scripts/release-toolchain");
    let toolchain = pin
        .lines()
        .find_map(|line| line.strip_prefix("RELEASE_TOOLCHAIN="))
        .expect("RELEASE_TOOLCHAIN= in scripts/release-toolchain")
        .trim()
        .to_owned();
    let sysroot = std::process::Command::new("rustup")
        .args(["run", &toolchain, "rustc", "--print", "sysroot"])
        .output()
        .expect("run rustup");
    assert!(
        sysroot.status.success(),
        "no Rust {toolchain}: run scripts/setup"
    );
    let sysroot = String::from_utf8(sysroot.stdout).expect("a sysroot path");
    std::path::Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library")
}

/// The text of every `.rs` file under `dir`.
fn rust_files(dir: &std::path::Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

/// A module of one function, `f`, that traps: `(module (func (export "f") unreachable))`.
const TRAPPING_MODULE: &str = "new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, \
    3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11])";

/// A panic of the shipped modules is a trap, which no hook counts: the tests read the console
/// for them (`Browser::traps`, checked by every `Browser::close`). Here a page traps twice, once
/// in a timer's task and once in a promise's job, and a frame of another site in it once more
/// (an embedded widget's frame runs in a process of its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tests_see_a_trap_in_a_task_a_promise_and_a_frame_of_another_site() {
    let page = format!(
        r#"<!doctype html><title>traps</title><script>
      WebAssembly.instantiate({TRAPPING_MODULE}).then(({{ instance }}) => {{
        setTimeout(() => instance.exports.f(), 0);
        Promise.resolve().then(() => instance.exports.f());
      }});
      addEventListener("load", () => {{
        const frame = document.createElement("iframe");
        frame.src = location.href.replace("//localhost:", "//127.0.0.1:").replace("traps.html", "trap-frame.html");
        document.body.append(frame);
      }});
    </script>"#
    );
    let frame = format!(
        r#"<!doctype html><title>frame</title><script>
      WebAssembly.instantiate({TRAPPING_MODULE}).then(({{ instance }}) => {{
        setTimeout(() => instance.exports.f(), 0);
      }});
    </script>"#
    );
    let emulator = Emulator::start(Config {
        static_dir: Some(dist_with(
            "traps",
            &[("traps.html", &page), ("trap-frame.html", &frame)],
        )),
        ..Config::default()
    })
    .await;
    let url = format!("http://localhost:{}/traps.html", emulator.addr.port());
    let browser = Browser::visit(&url).await;
    // Each read empties the log: what the reads saw, together.
    let seen = std::cell::RefCell::new(Vec::new());
    let traps = eventually(PATIENCE, Duration::from_millis(100), || async {
        let new = browser.traps().await;
        let mut seen = seen.borrow_mut();
        seen.extend(new);
        if seen.len() >= 3 {
            Ok(seen.clone())
        } else {
            Err(format!("three traps, not {seen:?}"))
        }
    })
    .await;
    assert_eq!(traps.len(), 3, "{traps:?}");
    assert!(traps.iter().all(|t| t.contains("unreachable")), "{traps:?}");
    browser.close().await;
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
