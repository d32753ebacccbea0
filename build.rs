//! Writes the widget's stylesheets, minified (`style/minify.rs`), where `src/styles.rs` includes
//! them: `style/widget.css` (every widget) and `style/panels.css` (only the whole widget's module).

include!("style/minify.rs");

fn main() {
    println!("cargo:rerun-if-changed=style/minify.rs");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in ["widget.css", "panels.css"] {
        let path = format!("style/{name}");
        println!("cargo:rerun-if-changed={path}");
        let css = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        std::fs::write(format!("{out_dir}/{name}"), minify_css(&css)).expect("OUT_DIR is writable");
    }
}
