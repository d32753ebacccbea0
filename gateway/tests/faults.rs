//! What goes wrong around a gateway: Redis gone and back, a gateway killed with a request in
//! flight, an upstream too slow or answering HTML. Nothing is spent blind and nothing that
//! may have been spent is forgotten.

mod common;

use std::time::Duration;

use common::{error_code, get, header, log_dir, remaining, Gateway, Redis, Upstream};

const MAP: &str = "/v1/fiat/map?limit=1";
const MONTH: &str = "credits-per-month";
const MINUTE: &str = "requests-per-minute";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_nothing_is_forwarded_and_service_resumes_when_it_is_back() {
    let mut redis = Redis::start().await;
    let upstream = Upstream::start().await;
    let logs = log_dir("redis-down");
    let gateway = Gateway::start(
        &upstream,
        &["--redis", &redis.url()],
        logs.join("gateway.log"),
    )
    .await;
    let (status, _, _) = get(&gateway.url(MAP), &[]).await;
    assert_eq!(status, 200);
    let before = upstream.counted().await;

    redis.stop().await;
    let (status, _, body) = get(&gateway.url(MAP), &[]).await;
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert_eq!(error_code(&body), 503);
    assert!(
        String::from_utf8_lossy(&body).contains("Redis"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (health, _, _) = get(&gateway.url("/healthz"), &[]).await;
    assert_eq!(health, 503);
    assert_eq!(
        upstream.counted().await,
        before,
        "a request was forwarded without the ledger"
    );

    redis.resume().await;
    let mut status = 0;
    for _ in 0..40 {
        status = get(&gateway.url(MAP), &[]).await.0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(status, 200, "the gateway did not come back with Redis");
    assert_eq!(get(&gateway.url("/healthz"), &[]).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_killed_with_a_request_in_flight_leaves_it_counted() {
    let redis = Redis::start().await;
    let upstream = Upstream::start().await;
    let logs = log_dir("killed");
    let args = ["--redis", &redis.url()];
    let doomed = Gateway::start(&upstream, &args, logs.join("doomed.log")).await;
    let survivor = Gateway::start(&upstream, &args, logs.join("survivor.log")).await;

    let (status, headers, _) = get(&survivor.url(MAP), &[]).await;
    assert_eq!(status, 200);
    let month_before = remaining(header(&headers, "ratelimit"), MONTH).expect("month");

    // A slow answer, and the gateway that sent it killed while it waits.
    upstream.fault("latency=3000", 1).await;
    let url = doomed.url(MAP);
    let in_flight = tokio::spawn(async move {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<http_body_util::Empty<bytes::Bytes>>();
        let request = hyper::Request::get(url)
            .body(http_body_util::Empty::new())
            .expect("request");
        client.request(request).await.map(|r| r.status().as_u16())
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    doomed.kill().await;
    assert!(
        in_flight.await.expect("task").is_err(),
        "the killed gateway answered"
    );

    // The other gateway counts it: its reservation is still in the shared ledger, and is
    // booked as charged once it times out rather than forgotten.
    let (status, headers, _) = get(&survivor.url(MAP), &[]).await;
    assert_eq!(status, 200);
    let month_after = remaining(header(&headers, "ratelimit"), MONTH).expect("month");
    assert_eq!(
        month_after,
        month_before - 2,
        "{}",
        header(&headers, "ratelimit")
    );
    let server = upstream.counted().await;
    assert_eq!(server["refused_429"], 0, "{server}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_or_html_upstream_is_explained_and_settled_conservatively() {
    let upstream = Upstream::start().await;
    let logs = log_dir("upstream-faults");
    let gateway = Gateway::start(
        &upstream,
        &["--upstream-timeout", "1"],
        logs.join("gateway.log"),
    )
    .await;
    let (status, headers, _) = get(&gateway.url(MAP), &[]).await;
    assert_eq!(status, 200);
    let field = header(&headers, "ratelimit").to_string();
    let (month, minute) = (
        remaining(&field, MONTH).expect("month"),
        remaining(&field, MINUTE).expect("minute"),
    );

    // Too slow: 504, explained, and booked at its estimate (it may have been served).
    upstream.fault("latency=2500", 1).await;
    let (status, headers, body) = get(&gateway.url(MAP), &[]).await;
    assert_eq!(status, 504, "{}", String::from_utf8_lossy(&body));
    assert_eq!(error_code(&body), 504);
    assert!(String::from_utf8_lossy(&body).contains("counted at its estimate"));
    let field = header(&headers, "ratelimit").to_string();
    assert_eq!(remaining(&field, MONTH), Some(month - 1), "{field}");

    // An HTML error page: 502 in CoinMarketCap's envelope; an error status costs no credit
    // but counts as a request of the minute.
    upstream.fault("html-502", 1).await;
    let (status, headers, body) = get(&gateway.url(MAP), &[]).await;
    assert_eq!(status, 502);
    assert_eq!(header(&headers, "content-type"), "application/json");
    assert_eq!(error_code(&body), 502);
    assert!(String::from_utf8_lossy(&body).contains("not CoinMarketCap's JSON"));
    let field = header(&headers, "ratelimit").to_string();
    assert_eq!(remaining(&field, MONTH), Some(month - 1), "{field}");
    if let Some(now) = remaining(&field, MINUTE) {
        // Unless the minute turned meanwhile.
        assert!(now == minute - 2 || now >= 28, "{field}");
    }
}
