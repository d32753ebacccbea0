//! A gateway's life around its requests: a client that asks to wait for its window gets it
//! instead of a 429; a stopped gateway finishes what it was doing before it exits.

mod common;

use std::time::Duration;

use common::{error_code, get, log_dir, Gateway, Upstream};

const MAP: &str = "/v1/fiat/map?limit=1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_asks_to_wait_is_sent_when_the_window_opens() {
    let upstream = Upstream::start().await;
    let logs = log_dir("prefer-wait");
    let gateway = Gateway::start(&upstream, &["--plan", "Basic"], logs.join("gateway.log")).await;
    // Fill the minute.
    let mut refused = None;
    for _ in 0..40 {
        let (status, headers, _) = get(&gateway.url(MAP), &[]).await;
        if status == 429 {
            refused = Some(common::header(&headers, "retry-after").to_string());
            break;
        }
    }
    let retry_after: u64 = refused
        .expect("the minute filled")
        .parse()
        .expect("seconds");
    // A short wait is not enough: refused at once, as before.
    let (status, _, body) = get(&gateway.url(MAP), &[("prefer", "wait=0")]).await;
    assert_eq!((status, error_code(&body)), (429, 1008));
    // Long enough: answered once the window opens, and never a 429 upstream.
    let started = std::time::Instant::now();
    let (status, _, body) = get(&gateway.url(MAP), &[("prefer", "wait=120")]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let waited = started.elapsed();
    assert!(
        waited + Duration::from_secs(2) >= Duration::from_secs(retry_after),
        "answered after {waited:?}, Retry-After was {retry_after} s"
    );
    assert_eq!(upstream.counted().await["refused_429"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_gateway_finishes_the_request_in_progress_then_exits() {
    let upstream = Upstream::start().await;
    let logs = log_dir("graceful-stop");
    let gateway = Gateway::start(&upstream, &["--plan", "Basic"], logs.join("gateway.log")).await;
    assert_eq!(get(&gateway.url(MAP), &[]).await.0, 200);
    upstream.fault("latency=1500", 1).await;
    let url = gateway.url(MAP);
    let slow = tokio::spawn(async move { get(&url, &[]).await.0 });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = gateway.terminate(Duration::from_secs(10)).await;
    assert_eq!(
        slow.await.expect("client"),
        200,
        "the request in progress was cut off"
    );
    assert!(stopped, "the gateway did not exit cleanly");
}
