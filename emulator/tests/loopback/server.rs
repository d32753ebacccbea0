//! The server itself: a client that stalls mid-request is cut off, and connections beyond the
//! cap wait instead of piling up.

use std::net::SocketAddr;
use std::time::Duration;

use credit_gauge_emulator::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{get, start};

/// Reads until the server closes the connection; `None` if it has not within `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut buf)).await {
        Ok(_) => Some(buf),
        Err(_) => None,
    }
}

async fn half_request(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /cryptowatch/assets HT")
        .await
        .expect("write half a request line");
    stream
}

fn full_request(addr: SocketAddr, close: bool) -> String {
    let connection = if close { "close" } else { "keep-alive" };
    format!("GET /cryptowatch/markets/kraken/btcusd/price HTTP/1.1\r\nHost: {addr}\r\nConnection: {connection}\r\n\r\n")
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let addr = start(Config {
        header_read_timeout: Duration::from_millis(500),
        ..Config::default()
    })
    .await;
    let mut stalled = half_request(addr).await;
    // Closed (with or without a 408) long before the test's own limit.
    let closed = read_until_closed(&mut stalled, Duration::from_secs(10)).await;
    let answer = closed.expect("the server closed the stalled connection");
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    // An idle kept-alive connection is closed the same way, after answering normally.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    idle.write_all(full_request(addr, false).as_bytes())
        .await
        .expect("write");
    let answer = read_until_closed(&mut idle, Duration::from_secs(10))
        .await
        .expect("closed once idle");
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    // Ordinary requests are still served.
    assert_eq!(get(addr, "/cryptowatch/assets", &[]).await.status, 200);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_their_turn() {
    let addr = start(Config {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(30),
        ..Config::default()
    })
    .await;
    let first = half_request(addr).await;
    let _second = half_request(addr).await;
    // Give the server a moment to take both.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut waiting = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr)
            .await
            .expect("the kernel queues it");
        s.write_all(full_request(addr, true).as_bytes())
            .await
            .expect("write");
        waiting.push(s);
    }
    // Not served while the two stalled connections hold every place.
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), waiting[0].read(&mut byte)).await;
    assert!(
        early.is_err(),
        "a connection beyond the cap was served: {early:?}"
    );
    // One stalled client goes away: the waiting ones are served one after another.
    drop(first);
    for (i, s) in waiting.iter_mut().enumerate() {
        let answer = read_until_closed(s, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("connection {i} was never served"));
        assert!(
            answer.starts_with(b"HTTP/1.1 200"),
            "{i}: {:?}",
            String::from_utf8_lossy(&answer)
        );
    }
}

#[tokio::test]
async fn a_kept_alive_connection_serves_several_requests_with_the_peer_address() {
    let addr = start(Config {
        header_read_timeout: Duration::from_secs(2),
        ..Config::default()
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    for _ in 0..2 {
        stream
            .write_all(full_request(addr, false).as_bytes())
            .await
            .expect("write");
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer")
            .expect("read");
        assert!(
            buf[..n].starts_with(b"HTTP/1.1 200"),
            "{:?}",
            String::from_utf8_lossy(&buf[..n])
        );
    }
    // The anonymous Cryptowatch caller is told apart by the peer's address.
    let ledger = crate::support::ledger(addr).await;
    assert!(
        ledger["cryptowatch"]["anonymous:127.0.0.1"].is_object(),
        "{ledger}"
    );
}

#[tokio::test]
async fn the_app_s_routes_get_its_page_and_a_missing_file_gets_a_404() {
    let dir = std::env::temp_dir().join(format!("cg-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder for the app");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").expect("page");
    std::fs::write(dir.join("app.d.ts"), "export {};").expect("declarations");
    let addr = start(Config {
        static_dir: Some(dir.clone()),
        ..Config::default()
    })
    .await;
    let route = get(addr, "/some/route", &[]).await;
    assert_eq!(route.status, 200);
    assert!(route.text().contains("<title>app</title>"));
    for missing in [
        "/credit-gauge_bg.wasm",
        "/gone/credit-gauge.js",
        "/x.d.ts",
        "/x%2Ejs",
    ] {
        let reply = get(addr, missing, &[]).await;
        assert_eq!(reply.status, 404, "{missing}");
        assert!(!reply.text().contains("<title>app</title>"), "{missing}");
    }
    let declarations = get(addr, "/app.d.ts", &[]).await;
    assert_eq!(declarations.status, 200);
    assert_eq!(
        declarations.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
