//! Writes the widget's stylesheet, minified (`style/minify.rs`), where `src/styles.rs` includes it.

include!("style/minify.rs");

fn main() {
    println!("cargo:rerun-if-changed=style/main.css");
    println!("cargo:rerun-if-changed=style/minify.rs");
    let css = std::fs::read_to_string("style/main.css").expect("style/main.css is readable");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{out_dir}/main.css"), minify_css(&css)).expect("OUT_DIR is writable");
}
