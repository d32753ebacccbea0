use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use credit_gauge_emulator::cryptowatch::KEYED_ALLOWANCE_MILLI;
use credit_gauge_emulator::{serve, Config, Cors};

/// Local emulator of the CoinMarketCap Pro and Cryptowatch REST APIs for credit-gauge
///
/// Serves CoinMarketCap under /cmc, Cryptowatch under /cryptowatch, the emulator's ledger and
/// fault switch under /_emulator and the built app at /, on 127.0.0.1 only.
/// State lives in memory: a restart starts fresh.
#[derive(Parser, Debug)]
#[command(
    name = "credit-gauge-emulator",
    verbatim_doc_comment,
    // A flag given twice takes its last value, as it always has.
    args_override_self = true
)]
struct Cli {
    /// Listen on 127.0.0.1:N (0 picks a free port)
    ///
    /// Always loopback.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8787,
        allow_hyphen_values = true,
        verbatim_doc_comment
    )]
    port: u16,

    /// Serve the built app from DIR at /
    ///
    /// Unknown paths fall back to index.html; a missing file (a last path part with an
    /// extension) is a 404.
    #[arg(
        long,
        value_name = "DIR",
        allow_hyphen_values = true,
        verbatim_doc_comment
    )]
    dist: Option<PathBuf>,

    /// Every window (minute, day, month, 24 h) passes N times faster
    ///
    /// The emulated clock is start + (real now - start) x N, N a whole number from 1 up.
    /// Injected latency stays real time.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..),
        allow_hyphen_values = true,
        verbatim_doc_comment
    )]
    time_scale: u32,

    /// CoinMarketCap plans, gates and demo keys (default: the shipped plans.json)
    ///
    /// A JSON file in the shape of the emulator's plans.json: the plans, which plan each
    /// endpoint needs, and the demo keys.
    #[arg(
        long,
        value_name = "FILE",
        allow_hyphen_values = true,
        verbatim_doc_comment
    )]
    plans: Option<PathBuf>,

    /// Allow only this browser origin (repeatable; default: any origin)
    ///
    /// For example http://localhost:8080; a trailing slash is ignored. Without this option
    /// every origin may read the emulated APIs (Access-Control-Allow-Origin: *).
    #[arg(
        long = "cors-origin",
        value_name = "ORIGIN",
        allow_hyphen_values = true,
        verbatim_doc_comment
    )]
    cors_origins: Vec<String>,

    /// Send no CORS headers, like the real CoinMarketCap
    ///
    /// Reproduces the real CoinMarketCap's refusal in a browser. Contradicts --cors-origin.
    #[arg(long, conflicts_with = "cors_origins", verbatim_doc_comment)]
    no_cors: bool,

    /// Credits per 24 h for the keyed Cryptowatch caller
    ///
    /// The caller with the key demo-cw; a whole number of credits. Anonymous callers have
    /// 10 credits per 24 h.
    #[arg(
        long,
        value_name = "N",
        default_value_t = KEYED_ALLOWANCE_MILLI / 1000,
        value_parser = whole_credits,
        allow_hyphen_values = true,
        verbatim_doc_comment
    )]
    cw_keyed_allowance: u64,
}

/// A number of credits that is still a number once counted in milli-credits.
fn whole_credits(v: &str) -> Result<u64, String> {
    v.parse::<u64>()
        .ok()
        .filter(|c| c.checked_mul(1000).is_some())
        .ok_or_else(|| "a whole number of credits is needed".to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = Config {
        static_dir: cli.dist,
        time_scale: cli.time_scale,
        cw_keyed_allowance_milli: cli.cw_keyed_allowance * 1000,
        ..Config::default()
    };
    if let Some(file) = &cli.plans {
        match std::fs::read_to_string(file) {
            Ok(text) => config.plans_json = Some(text),
            Err(e) => {
                return usage_error(
                    ErrorKind::Io,
                    &format!("cannot read {}: {e}", file.display()),
                )
            }
        }
    }
    let origins: Vec<String> = cli
        .cors_origins
        .iter()
        .map(|o| o.trim_end_matches('/').to_string())
        .collect();
    config.cors = match (cli.no_cors, origins.is_empty()) {
        (true, _) => Cors::Off,
        (false, true) => Cors::Any,
        (false, false) => Cors::Origins(origins),
    };
    let port = cli.port;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    runtime.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => return fail(&format!("cannot listen on {addr}: {e}")),
        };
        let addr = listener.local_addr().unwrap_or(addr);
        announce(&addr, &config);
        match serve(listener, config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("server stopped: {e}")),
        }
    })
}

fn announce(addr: &SocketAddr, config: &Config) {
    println!("credit-gauge emulator on http://{addr}");
    println!("  CoinMarketCap  http://{addr}/cmc/v1/…");
    println!("  Cryptowatch    http://{addr}/cryptowatch/…");
    println!("  ledger         http://{addr}/_emulator/ledger");
    if config.time_scale > 1 {
        println!("  time runs {}× faster", config.time_scale);
    }
    println!("CoinMarketCap demo keys (header X-CMC_PRO_API_KEY or ?CMC_PRO_API_KEY=):");
    println!(
        "  demo-basic demo-hobbyist demo-startup demo-standard demo-professional demo-enterprise"
    );
    println!("  demo-bench (no practical limits, for load tests)");
    println!("  failures: demo-unpaid (1003) demo-expired (1004) demo-disabled (1007); any other key → 1001");
    println!(
        "Cryptowatch: no key = anonymous (10 credits / 24 h); apikey=demo-cw = keyed ({} credits / 24 h)",
        config.cw_keyed_allowance_milli / 1000
    );
    println!("State lives in memory: a restart starts fresh.");
}

/// Bad input found after parsing (a file that cannot be read): reported like
/// the parser's own errors, with the usage line, and exit code 2.
fn usage_error(kind: ErrorKind, message: &str) -> ExitCode {
    let _ = Cli::command().error(kind, message).print();
    ExitCode::from(2)
}

/// The server could not start or stopped: exit code 2.
fn fail(message: &str) -> ExitCode {
    eprintln!("credit-gauge-emulator: {message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_options_give_the_library_defaults() {
        let cli = Cli::try_parse_from(["credit-gauge-emulator"]).expect("no options parse");
        let config = Config::default();
        assert_eq!(cli.port, 8787);
        assert_eq!(cli.time_scale, config.time_scale);
        assert_eq!(
            cli.cw_keyed_allowance * 1000,
            config.cw_keyed_allowance_milli
        );
        assert!(!cli.no_cors && cli.cors_origins.is_empty());
    }

    #[test]
    fn a_repeated_option_takes_its_last_value() {
        // scripts/run passes --dist dist before the caller's own arguments.
        let cli = Cli::try_parse_from([
            "credit-gauge-emulator",
            "--dist",
            "dist",
            "--port",
            "1",
            "--dist",
            "other",
            "--port",
            "0",
        ])
        .expect("repeated options parse");
        assert_eq!(cli.dist, Some(PathBuf::from("other")));
        assert_eq!(cli.port, 0);
        let cli = Cli::try_parse_from([
            "credit-gauge-emulator",
            "--cors-origin",
            "http://a",
            "--cors-origin",
            "http://b/",
        ])
        .expect("repeated origins parse");
        assert_eq!(cli.cors_origins, ["http://a", "http://b/"]);
    }
}
