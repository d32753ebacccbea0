//! Utilisation benchmark: how much of a rate budget credit-gauge uses, against a naive client
//! that retries on 429 and a client with fixed spacing (window ÷ limit).
//!
//! Every run starts a fresh in-process emulator at a time scale (`--time-scale`, default ×60:
//! a CoinMarketCap minute lasts one real second), learns the emulated clock from the
//! emulator's ledger, and spends one budget with one strategy:
//!
//! - each CoinMarketCap demo plan's per-minute limit with `/v1/fiat/map` (1 credit), for
//!   `--minutes` complete minutes;
//! - the anonymous Cryptowatch allowance (10 credits per 24 h) with
//!   `/markets/kraken/btcusd/price` (0.005 credits), for `--cw-windows` windows at
//!   `--cw-time-scale` (default ×8640: 24 h last 10 real seconds).
//!
//! Latency counts in emulated time too: one real millisecond is 60 emulated ones at ×60. A
//! stalled process (a loaded machine) loses emulated minutes, whatever the strategy.
//!
//! Prints markdown tables; the definitions are in `BENCHMARKS.md`.

mod clock;
mod runs;
mod tally;

use std::process::ExitCode;

use credit_gauge_core::catalog::CW_ANONYMOUS_ALLOWANCE;
use credit_gauge_core::time::{DAY_MS, HOUR_MS, MINUTE_MS};
use credit_gauge_core::{estimate, Account, CmcPlan, EndpointId, Request};

use runs::{run, RunResult, Strategy, Target, Until};
use tally::MinuteTally;

const USAGE: &str = "usage: credit-gauge-bench [--time-scale N] [--minutes M] [--plan NAME]... \
[--cw-time-scale N] [--cw-windows W] [--concurrency C] [--no-cmc] [--no-cw]";

/// The demo keys of the emulator's `plans.json`, one per plan.
const PLANS: [(CmcPlan, &str); 6] = [
    (CmcPlan::Basic, "demo-basic"),
    (CmcPlan::Hobbyist, "demo-hobbyist"),
    (CmcPlan::Startup, "demo-startup"),
    (CmcPlan::Standard, "demo-standard"),
    (CmcPlan::Professional, "demo-professional"),
    (CmcPlan::Enterprise, "demo-enterprise"),
];

/// The naive client's wait after a 429, in emulated time: one second on CoinMarketCap, one
/// minute on Cryptowatch, whose runs go 144 times faster at the default scales (a minute is then
/// 7 ms real: a shorter wait would only flood the loopback).
const NAIVE_RETRY_CMC_MS: i64 = 1_000;
const NAIVE_RETRY_CW_MS: i64 = MINUTE_MS;

#[derive(Debug)]
struct Options {
    time_scale: u32,
    minutes: i64,
    plans: Vec<String>,
    cw_time_scale: u32,
    cw_windows: usize,
    concurrency: usize,
    cmc: bool,
    cw: bool,
}

fn parse_options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        time_scale: 60,
        minutes: 10,
        plans: Vec::new(),
        cw_time_scale: 8_640,
        cw_windows: 3,
        concurrency: 4,
        cmc: true,
        cw: true,
    };
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{flag}: {v}?"));
        match flag.as_str() {
            "--time-scale" => o.time_scale = number(value()?)?.clamp(1, 1_000_000) as u32,
            "--minutes" => o.minutes = number(value()?)?.clamp(1, 1_000) as i64,
            "--plan" => o.plans.push(value()?.to_lowercase()),
            "--cw-time-scale" => o.cw_time_scale = number(value()?)?.clamp(1, 1_000_000) as u32,
            "--cw-windows" => o.cw_windows = number(value()?)?.clamp(1, 100) as usize,
            "--concurrency" => o.concurrency = number(value()?)?.clamp(1, 64) as usize,
            "--no-cmc" => o.cmc = false,
            "--no-cw" => o.cw = false,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(o)
}

fn plan_name(plan: CmcPlan) -> String {
    format!("{plan:?}").to_lowercase()
}

fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

async fn cmc_table(o: &Options) -> Result<(), String> {
    println!(
        "### CoinMarketCap per-minute limit (×{}, {} complete minutes, `/v1/fiat/map`, \
         concurrency {})\n",
        o.time_scale, o.minutes, o.concurrency
    );
    println!("| plan | limit/min | strategy | used | 429s | sent | minute filled at (emulated s) | wall (s) | clock error (emulated ms) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (plan, key) in PLANS {
        if !o.plans.is_empty() && !o.plans.contains(&plan_name(plan)) {
            continue;
        }
        let limit = plan.limits().requests_per_minute;
        for strategy in Strategy::ALL {
            let target = Target {
                account: Account::cmc(key, plan),
                request: Request::new(EndpointId::CmcFiatMap),
                key_header: Some(("X-CMC_PRO_API_KEY", key.to_owned())),
                per_window: u64::from(limit),
                window_ms: MINUTE_MS,
                retry_ms: NAIVE_RETRY_CMC_MS,
            };
            eprintln!("{key}: {} …", strategy.name());
            let r = run(
                strategy,
                target,
                "/cmc",
                o.time_scale,
                o.concurrency,
                Until::Minutes(o.minutes),
            )
            .await?;
            check_cmc_ledger(&r, key, limit);
            let mut tally = MinuteTally::new(r.start.next_utc_minute(), o.minutes as usize, limit);
            for s in r.samples.iter().filter(|s| s.http == Some(200)) {
                if let Some(t) = s.server_time {
                    tally.accept(t);
                }
            }
            if tally.accepted() < limit as usize * o.minutes as usize {
                eprintln!(
                    "note: {key}, {}: accepted per minute {:?}; longest gap between answers {:.0} ms real",
                    strategy.name(),
                    tally.per_minute(),
                    r.longest_gap().as_secs_f64() * 1000.0
                );
            }
            let fill = tally
                .mean_fill_ms()
                .map_or("never".to_owned(), |ms| format!("{:.1}", ms / 1000.0));
            println!(
                "| {} | {limit} | {} | {} ({}/{}) | {} | {} | {fill} | {:.1} | {} |",
                plan_name(plan),
                strategy.name(),
                percent(tally.used()),
                tally.accepted(),
                u64::from(limit) * o.minutes as u64,
                r.count(429),
                r.samples.len(),
                r.wall.as_secs_f64(),
                r.clock_error_ms,
            );
        }
    }
    println!();
    Ok(())
}

/// The server's own count must match the answers: every 200 of `/v1/fiat/map` is one credit.
fn check_cmc_ledger(r: &RunResult, key: &str, limit: u32) {
    let entry = &r.ledger["cmc"][key];
    let credits = entry["credits_this_month"].as_u64();
    let accepted = r.count(200) as u64;
    if credits != Some(accepted) {
        eprintln!("warning: {key}: the ledger counts {credits:?} credits, the answers {accepted}");
    }
    if entry["rate_limit_minute"].as_u64() != Some(u64::from(limit)) {
        eprintln!(
            "warning: {key}: the emulator's limit is {}, the core's {limit}",
            entry["rate_limit_minute"]
        );
    }
    let failed = r.samples.iter().filter(|s| s.http.is_none()).count();
    if failed > 0 {
        eprintln!("warning: {key}: {failed} requests got no answer");
    }
}

async fn cw_table(o: &Options) -> Result<(), String> {
    let request = Request::new(EndpointId::CwPrice)
        .with("exchange", "kraken")
        .with("pair", "btcusd");
    let cost = estimate(&request)
        .map_err(|e| format!("{e:?}"))?
        .credits
        .millis();
    let allowance = CW_ANONYMOUS_ALLOWANCE.millis();
    let emulator_allowance = credit_gauge_emulator::Config::default().cw_anonymous_allowance_milli;
    if u64::try_from(allowance).ok() != Some(emulator_allowance) {
        return Err(format!(
            "the core assumes {allowance} milli-credits, the emulator grants {emulator_allowance}"
        ));
    }
    let per_window = (allowance / cost) as u64;
    println!(
        "### Cryptowatch anonymous allowance (×{}, {} windows of 24 h, `/markets/kraken/btcusd/price` \
         at {cost} milli-credits: {per_window} requests per window, concurrency {})\n",
        o.cw_time_scale, o.cw_windows, o.concurrency
    );
    println!("| strategy | used per window | used per 24 h | 429s | sent | time to spend a window: real s (emulated h) | wall (s) |");
    println!("|---|---|---|---|---|---|---|");
    for strategy in Strategy::ALL {
        let target = Target {
            account: Account::cryptowatch("anonymous", false),
            request: request.clone(),
            key_header: None,
            per_window,
            window_ms: DAY_MS,
            retry_ms: NAIVE_RETRY_CW_MS,
        };
        eprintln!("cryptowatch: {} …", strategy.name());
        let r = run(
            strategy,
            target,
            "/cryptowatch",
            o.cw_time_scale,
            o.concurrency,
            Until::Windows {
                n: o.cw_windows,
                allowance_milli: allowance,
                deadline_ms: o.cw_windows as i64 * DAY_MS + 2 * HOUR_MS,
            },
        )
        .await?;
        let tally = r.windows.as_ref().ok_or("no windows")?;
        let counted: Vec<_> = tally.windows.iter().take(o.cw_windows).collect();
        let used: Vec<String> = counted.iter().map(|w| percent(tally.used(w))).collect();
        let spend: Vec<f64> = counted
            .iter()
            .map(|w| (w.last - w.first).as_secs_f64())
            .collect();
        let mean_spend = spend.iter().sum::<f64>() / spend.len().max(1) as f64;
        let per_day = tally
            .used_per_day(o.cw_windows, o.cw_time_scale)
            .map_or("–".to_owned(), percent);
        println!(
            "| {} | {} | {per_day} | {} | {} | {:.2} ({:.1}) | {:.1} |",
            strategy.name(),
            used.join(", "),
            r.count(429),
            r.samples.len(),
            mean_spend,
            mean_spend * f64::from(o.cw_time_scale) / 3_600.0,
            r.wall.as_secs_f64(),
        );
        if counted.len() < o.cw_windows {
            eprintln!(
                "warning: {}: only {} windows before the deadline",
                strategy.name(),
                counted.len()
            );
        }
        let failed = r.samples.iter().filter(|s| s.http.is_none()).count();
        if failed > 0 {
            eprintln!(
                "warning: {}: {failed} requests got no answer",
                strategy.name()
            );
        }
    }
    println!();
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let o = match parse_options(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = async {
        if o.cmc {
            cmc_table(&o).await?;
        }
        if o.cw {
            cw_table(&o).await?;
        }
        Ok::<(), String>(())
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
