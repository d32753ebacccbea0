//! Several gateways, one budget: three instances sharing one Redis in front of the emulator's
//! Basic key (30 requests a minute), driven by eight clients at once.

mod common;

use common::{error_code, header, log_dir, Gateway, Redis, Upstream};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_gateways_on_one_redis_never_let_the_minute_overflow() {
    let redis = Redis::start().await;
    let upstream = Upstream::start().await;
    let logs = log_dir("three-gateways");
    let mut gateways = Vec::new();
    for i in 0..3 {
        gateways.push(
            Gateway::start(
                &upstream,
                &["--redis", &redis.url(), "--plan", "Basic"],
                logs.join(format!("gateway-{i}.log")),
            )
            .await,
        );
    }
    let urls: Vec<String> = gateways
        .iter()
        .map(|g| g.url("/v1/fiat/map?limit=1"))
        .collect();

    // Eight clients, 25 requests each, spread over the three gateways.
    let mut clients = Vec::new();
    for c in 0..8 {
        let urls = urls.clone();
        clients.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0..25 {
                let url = &urls[(c + i) % urls.len()];
                let (status, headers, body) = common::get(url, &[]).await;
                answers.push((
                    status,
                    header(&headers, "retry-after").to_string(),
                    error_code(&body),
                ));
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for client in clients {
        answers.extend(client.await.expect("client"));
    }
    assert_eq!(answers.len(), 200);
    let ok = answers.iter().filter(|a| a.0 == 200).count() as u64;
    let refused: Vec<_> = answers.iter().filter(|a| a.0 != 200).collect();
    // Every refusal is the gateways' own: a 1008 with Retry-After, nothing else.
    for (status, retry_after, code) in &refused {
        assert_eq!((*status, *code), (429, 1008), "{refused:?}");
        let seconds: u64 = retry_after.parse().expect("Retry-After in seconds");
        // The next minute, or the one after when requests near the edge may land in it.
        assert!((1..=121).contains(&seconds), "Retry-After {seconds}");
    }
    let server = upstream.counted().await;
    assert_eq!(
        server["refused_429"], 0,
        "the upstream refused some: {server}"
    );
    assert_eq!(server["credits_this_month"], ok, "{server}");
    // Besides the clients' requests, each gateway may have read the key's usage once
    // (`/v1/key/info`, free of credits, but a request of the minute).
    let this_minute = server["requests_this_minute"].as_u64().unwrap_or(0);
    if ok + 3 >= this_minute && this_minute >= ok {
        // All within one minute: exactly the plan's 30 went, no more, no fewer.
        assert_eq!(this_minute, 30, "{ok} went; {server}");
        assert!(ok >= 27, "{ok} went; {server}");
    } else {
        // The minute turned during the run: at most 30 in each.
        assert!(ok <= 60 && this_minute <= 30, "{ok} went; {server}");
    }
}
