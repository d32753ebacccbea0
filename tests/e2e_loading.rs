//! How the pages load a module: the app's page, the `<credit-gauge>` element and the iframe
//! page each compile the wasm while its bindings download. The app's page takes the preloaded
//! files once and runs no wasm but the one it pins; every loader still starts when a server
//! does not label the wasm exactly `application/wasm`, and the app's page says why a module
//! that cannot start did not.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{dist_dir, dist_with, in_shadow, open_app, Browser};
use credit_gauge_emulator::Config;
use serde_json::json;
use std::path::{Path, PathBuf};

const COMPACT_HOST: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>a compact gauge</title>
<script type="module" src="./credit-gauge-element.js"></script>
</head><body><credit-gauge id="g" api="cmc" compact></credit-gauge></body></html>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_page_takes_each_preloaded_file_once() {
    let (_emulator, browser) = open_app(Config::default(), "/").await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;
    // The loader's fetch carries the preload's integrity, so it takes the preloaded answer
    // instead of downloading the wasm a second time.
    let downloads = browser
        .js(
            "return performance.getEntriesByType('resource')
               .map(r => new URL(r.name).pathname.slice(1))
               .filter(n => n.startsWith('credit-gauge'))
               .sort()",
            vec![],
        )
        .await;
    assert_eq!(
        downloads,
        json!(["credit-gauge.js", "credit-gauge_bg.wasm"]),
        "each file of the module downloaded once"
    );
    browser.close().await;
}

/// The built wasm with a custom section appended: still a valid module, but not the file the
/// page's integrity hash names.
fn tampered_wasm() -> Vec<u8> {
    let mut wasm = std::fs::read(dist_dir().join("credit-gauge_bg.wasm")).expect("read the wasm");
    let name = b"tampered";
    wasm.extend_from_slice(&[0, (1 + name.len()) as u8, name.len() as u8]);
    wasm.extend_from_slice(name);
    wasm
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_page_runs_no_wasm_but_the_one_it_pins() {
    let dir = dist_with("tampered", &[]);
    std::fs::write(dir.join("credit-gauge_bg.wasm"), tampered_wasm()).expect("write the wasm");
    let config = Config {
        static_dir: Some(dir),
        ..Config::default()
    };
    let (_emulator, browser) = open_app(config, "/").await;
    // What the browser says of a file whose hash is not the one pinned, shown in the page.
    let said = browser
        .wait_until(
            "the page says the module could not start",
            "const app = document.getElementById('credit-gauge-app');
             return app.textContent.startsWith('credit-gauge could not start') && app.textContent",
        )
        .await;
    assert_eq!(
        said,
        json!("credit-gauge could not start (TypeError: Failed to fetch). Reload the page."),
    );
    let gauges = browser
        .js(
            "return document.querySelectorAll('.gauge-text').length",
            vec![],
        )
        .await;
    assert_eq!(gauges, json!(0), "nothing of the widget ran");
    browser.close().await;
}

/// A plain file server over `dir` that labels `.wasm` files `application/wasm; charset=utf-8`:
/// a parameter streaming compilation refuses, as it refuses a server's
/// `application/octet-stream`.
async fn unlabelled_wasm_server(dir: PathBuf) -> std::net::SocketAddr {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let dir = dir.clone();
            tokio::spawn(async move {
                let Some(head) = common::read_request_head(&mut stream).await else {
                    return;
                };
                let path = head.split(' ').nth(1).unwrap_or("/");
                let path = path.split('?').next().unwrap_or("/");
                let (status, kind, body) = match served(&dir, path) {
                    Some((kind, body)) => ("200 OK", kind, body),
                    None => ("404 Not Found", "text/plain", b"not found".to_vec()),
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n",
                    body.len()
                );
                if stream.write_all(answer.as_bytes()).await.is_ok() {
                    let _ = stream.write_all(&body).await;
                }
            });
        }
    });
    addr
}

/// The file at `path` below `dir` (`/` is the app's page) and the type it is sent with.
fn served(dir: &Path, path: &str) -> Option<(&'static str, Vec<u8>)> {
    let name = path.trim_start_matches('/');
    let name = if name.is_empty() { "index.html" } else { name };
    if name.contains('/') || name.contains("..") {
        return None;
    }
    let kind = match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm; charset=utf-8",
        _ => "application/octet-stream",
    };
    Some((kind, std::fs::read(dir.join(name)).ok()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_loader_starts_when_the_wasm_is_not_labelled_exactly_as_wasm() {
    let dir = dist_with("unlabelled", &[("host.html", COMPACT_HOST)]);
    let server = unlabelled_wasm_server(dir).await;
    let browser = Browser::visit(&format!("http://{server}/")).await;
    browser
        .wait_for_text("[data-limit=month] .gauge-text", |t| t.ends_with("left"))
        .await;

    browser
        .client
        .goto(&format!("http://{server}/host.html"))
        .await
        .unwrap();
    browser
        .wait_until(
            "the compact element's gauges",
            &in_shadow("return text('g', '[data-limit=month] .gauge-text').endsWith('left')"),
        )
        .await;

    for query in ["api=cmc&compact", "api=cmc"] {
        browser
            .client
            .goto(&format!("http://{server}/embed.html?{query}"))
            .await
            .unwrap();
        browser
            .wait_until(
                &format!("the frame page's gauges ({query})"),
                &in_shadow(
                    "return text('credit-gauge-embed', '[data-limit=month] .gauge-text')
                       .endsWith('left')",
                ),
            )
            .await;
    }
    browser.close().await;
}
