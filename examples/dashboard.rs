//! Market-board benchmark: the board (`dashboard.html`) left running on the emulator's demo
//! Basic key, its requests sent through the gauge, for some minutes of real time; then what
//! it got from the budget.
//!
//! ```sh
//! scripts/build
//! cargo run --example dashboard -- --minutes 10 --every 2 dist
//! ```
//!
//! Reports: the board's calls, ok answers and credits charged (its `window.dashboard`
//! counters) and how often a limit made it wait; the requests the emulator counted in each
//! complete UTC minute of the run, as a share of the Basic plan's 30 (the ledger is read every
//! half second; the first and last, partial, minutes are left out); the credits the emulator
//! counted; and its 429s, which must be 0. A benchmark, not a test: the figures depend on the
//! machine and its load.

// The browser and the emulator only run natively; the wasm build of the examples is empty.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    native::main().await;
}

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::common;

    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use common::{Browser, Emulator};
    use credit_gauge_emulator::Config;
    use serde_json::Value;

    /// The Basic plan's requests a minute.
    const BASIC_PER_MINUTE: u64 = 30;

    struct Args {
        minutes: f64,
        every: u32,
        dist: PathBuf,
    }

    fn args() -> Args {
        let mut parsed = Args {
            minutes: 10.0,
            every: 2,
            dist: PathBuf::from("dist"),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--minutes" => {
                    parsed.minutes = args
                        .next()
                        .and_then(|n| n.parse().ok())
                        .filter(|n: &f64| n.is_finite() && *n > 0.0)
                        .expect("--minutes takes a positive number")
                }
                "--every" => {
                    parsed.every = args
                        .next()
                        .and_then(|n| n.parse().ok())
                        .filter(|n| (1..=3600).contains(n))
                        .expect("--every takes seconds, 1 to 3600")
                }
                _ if arg.starts_with('-') => {
                    panic!("usage: dashboard [--minutes N] [--every SECONDS] [dist-dir]")
                }
                _ => parsed.dist = PathBuf::from(arg),
            }
        }
        parsed
    }

    /// What the emulator counted for the demo Basic key (null before its first request).
    async fn basic(browser: &Browser) -> Value {
        browser.fetch_json("/_emulator/ledger").await["cmc"]["demo-basic"].clone()
    }

    fn count(v: &Value) -> u64 {
        v.as_u64().unwrap_or(0)
    }

    pub async fn main() {
        let Args {
            minutes,
            every,
            dist,
        } = args();
        let dist = dist
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", dist.display()));
        assert!(
            dist.join("dashboard.html").is_file(),
            "no dashboard.html in {}: build the app (scripts/build)",
            dist.display()
        );
        let emulator = Emulator::start(Config {
            static_dir: Some(dist),
            ..Config::default()
        })
        .await;
        let browser = Browser::start().await;
        browser
            .client
            .goto(&emulator.url(&format!("/dashboard.html?every={every}")))
            .await
            .expect("open the board");

        // Requests the emulator counted in each UTC minute: the last reading of the minute.
        let mut per_minute: BTreeMap<String, u64> = BTreeMap::new();
        let started = Instant::now();
        let length = Duration::from_secs_f64(minutes * 60.0);
        let mut last_report = Instant::now();
        while started.elapsed() < length {
            let server = basic(&browser).await;
            if let Some(minute) = server["minute_start"].as_str() {
                let n = count(&server["requests_this_minute"]);
                let seen = per_minute.entry(minute.to_string()).or_default();
                *seen = (*seen).max(n);
            }
            if last_report.elapsed() >= Duration::from_secs(60) {
                last_report = Instant::now();
                let board = browser.js("return window.dashboard", vec![]).await;
                eprintln!(
                    "{:>5.1} min: board {board}, server 429s {}",
                    started.elapsed().as_secs_f64() / 60.0,
                    server["refused_429"]
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }

        let board = browser.js("return window.dashboard", vec![]).await;
        let server = basic(&browser).await;
        let wall = started.elapsed().as_secs_f64();
        // The first minute began before the board did, and the last is cut short.
        let complete: Vec<u64> = per_minute
            .values()
            .copied()
            .skip(1)
            .take(per_minute.len().saturating_sub(2))
            .collect();
        let used: u64 = complete.iter().sum();
        let budget = BASIC_PER_MINUTE * complete.len() as u64;
        let share = |n: u64| 100.0 * n as f64 / BASIC_PER_MINUTE as f64;
        let (low, high) = (
            complete.iter().min().copied().unwrap_or(0),
            complete.iter().max().copied().unwrap_or(0),
        );
        println!("| every | wall (min) | calls | ok | failed | waits | credits charged (board / server) | minute budget used (complete minutes) | requests per minute (min–max) | 429s |");
        println!("|---|---|---|---|---|---|---|---|---|---|");
        println!(
            "| {every} s | {:.1} | {} | {} | {} | {} | {} / {} | {:.1} % ({used}/{budget}, {} minute{}) | {low}–{high} ({:.0}–{:.0} %) | {} |",
            wall / 60.0,
            count(&board["calls"]),
            count(&board["ok"]),
            count(&board["failed"]),
            count(&board["waits"]),
            count(&board["charged"]),
            count(&server["credits_this_month"]),
            if budget == 0 { 0.0 } else { 100.0 * used as f64 / budget as f64 },
            complete.len(),
            if complete.len() == 1 { "" } else { "s" },
            share(low),
            share(high),
            count(&server["refused_429"]),
        );
        let refused = count(&server["refused_429"]);
        browser.close().await;
        assert_eq!(refused, 0, "the emulator answered 429s");
    }
}
