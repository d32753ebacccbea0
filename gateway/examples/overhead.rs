//! What the gateway adds: latency (p50, p99) of one request at a time, and throughput with
//! concurrent clients, against the emulator directly, through a gateway with its ledger in
//! memory, and through one with its ledger in Redis — side by side in one run, on loopback.
//!
//! ```sh
//! cargo run -p credit-gauge-gateway --profile server \
//!   --example overhead -- [requests per latency run, default 2000] [seconds per throughput run, default 5]
//! ```
//!
//! Needs `redis-server` on the PATH (the tests' setup installs it). Uses the emulator's
//! `demo-bench` key, whose limits are out of reach, so every request is forwarded. A benchmark,
//! not a test: the figures depend on the machine and its load.

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>;

const PATH: &str = "/v1/fiat/map?limit=1";
const CONCURRENCY: usize = 16;

async fn bind() -> (tokio::net::TcpListener, u16) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    (listener, port)
}

async fn one(client: &HttpClient, url: &str) -> u16 {
    // Direct calls carry the key, as a client without a gateway must; the gateway adds its own.
    let request = hyper::Request::get(url)
        .header("X-CMC_PRO_API_KEY", "demo-bench")
        .body(Empty::new())
        .expect("request");
    let response = client.request(request).await.expect("answer");
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    status
}

/// p50 and p99 of `n` requests sent one after the other, in microseconds.
async fn latency(client: &HttpClient, url: &str, n: usize) -> (u128, u128) {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        assert_eq!(one(client, url).await, 200, "{url}");
        took.push(started.elapsed().as_micros());
    }
    took.sort_unstable();
    (took[n / 2], took[(n * 99 / 100).min(n - 1)])
}

/// Requests answered per second by `CONCURRENCY` clients over `seconds`.
async fn throughput(client: &HttpClient, url: &str, seconds: u64) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, done, stop) =
            (client.clone(), url.to_string(), done.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                assert_eq!(one(&client, &url).await, 200);
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

async fn gateway(upstream: &str, redis: Option<String>) -> String {
    let mut config = credit_gauge_gateway::Config::new(upstream, "demo-bench");
    config.redis = redis;
    let (listener, port) = bind().await;
    tokio::spawn(credit_gauge_gateway::serve(
        listener,
        config,
        std::future::pending(),
    ));
    format!("http://127.0.0.1:{port}")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);

    let (listener, port) = bind().await;
    tokio::spawn(credit_gauge_emulator::serve(
        listener,
        credit_gauge_emulator::Config::default(),
    ));
    let upstream = format!("http://127.0.0.1:{port}/cmc");

    let redis_port = bind().await.1;
    let mut redis = tokio::process::Command::new("redis-server")
        .args([
            "--port",
            &redis_port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--bind",
            "127.0.0.1",
        ])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server on the PATH");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let in_memory = gateway(&upstream, None).await;
    let in_redis = gateway(&upstream, Some(format!("redis://127.0.0.1:{redis_port}/0"))).await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let direct = format!("{upstream}{PATH}");
    let targets = [
        ("direct to the emulator", direct.clone()),
        ("gateway, ledger in memory", format!("{in_memory}{PATH}")),
        ("gateway, ledger in Redis", format!("{in_redis}{PATH}")),
    ];
    // Warm up every path (connections, the gateways' first read of the key's usage).
    for (_, url) in &targets {
        for _ in 0..50 {
            assert_eq!(one(&client, url).await, 200, "{url}");
        }
    }
    println!(
        "{n} sequential requests for latency; {CONCURRENCY} clients for {seconds} s for throughput"
    );
    println!("| path | p50 | p99 | requests/s |");
    println!("|---|---|---|---|");
    for (name, url) in &targets {
        let (p50, p99) = latency(&client, url, n).await;
        let rps = throughput(&client, url, seconds).await;
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {rps:.0} |",
            p50 as f64 / 1000.0,
            p99 as f64 / 1000.0
        );
    }
    let _ = redis.kill().await;
}
