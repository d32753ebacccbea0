//! `credit-gauge-gateway`: see the crate's documentation and the README's "For a team".

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use credit_gauge_core::CmcPlan;
use credit_gauge_gateway::tokens::Tokens;
use credit_gauge_gateway::{Access, Config, Hidden, CMC_UPSTREAM};

/// A key-holding gateway to the CoinMarketCap Pro API with one ledger for a whole team.
#[derive(Parser, Debug)]
#[command(name = "credit-gauge-gateway", version)]
struct Cli {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8788")]
    listen: SocketAddr,
    /// The CoinMarketCap API to forward to (or an emulator of it).
    #[arg(long, default_value = CMC_UPSTREAM)]
    cmc_upstream: String,
    /// The environment variable that holds the CoinMarketCap key.
    #[arg(long, value_name = "VAR", conflicts_with = "cmc_key_file")]
    cmc_key_env: Option<String>,
    /// A file that holds the CoinMarketCap key (its first line).
    #[arg(long, value_name = "FILE")]
    cmc_key_file: Option<PathBuf>,
    /// Keep the ledger in Redis (`redis://127.0.0.1:6379/0`), shared by every instance.
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// A browser origin allowed to call the gateway (repeatable).
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// The team's tokens: `name token` per line. Without it, only this machine is served.
    #[arg(long, value_name = "FILE")]
    tokens: Option<PathBuf>,
    /// The key's plan (Basic … Enterprise); without it, read from /v1/key/info.
    #[arg(long, value_name = "NAME")]
    plan: Option<String>,
    /// Seconds one exchange with the upstream may take, body included (1–300).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=300))]
    upstream_timeout: u64,
}

/// The configuration the command line asks for, or what is wrong with it.
fn config(cli: Cli) -> Result<Config, String> {
    let key = match (&cli.cmc_key_env, &cli.cmc_key_file) {
        (Some(var), None) => std::env::var(var)
            .map_err(|_| format!("--cmc-key-env {var}: the variable is not set"))?,
        (None, Some(file)) => std::fs::read_to_string(file)
            .map_err(|e| format!("--cmc-key-file {}: {e}", file.display()))?
            .lines()
            .next()
            .unwrap_or("")
            .to_string(),
        _ => return Err("the key: give --cmc-key-env VAR or --cmc-key-file FILE (never on the command line, where other users can read it)".into()),
    };
    let tokens = cli
        .tokens
        .as_ref()
        .map(|file| {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("--tokens {}: {e}", file.display()))?;
            Tokens::parse(&text).map_err(|e| format!("--tokens {}: {e}", file.display()))
        })
        .transpose()?;
    for origin in &cli.allow_origin {
        if origin == "*"
            || !(origin.starts_with("http://") || origin.starts_with("https://"))
            || origin.ends_with('/')
        {
            return Err(format!(
                "--allow-origin {origin}: name one origin, such as https://dashboard.example"
            ));
        }
    }
    let plan = cli
        .plan
        .as_deref()
        .map(|name| {
            CmcPlan::ALL
                .into_iter()
                .find(|p| p.name().eq_ignore_ascii_case(name))
                .ok_or_else(|| format!("--plan {name}: one of Basic, Hobbyist, Startup, Standard, Professional, Enterprise"))
        })
        .transpose()?;
    let mut config = Config::new(cli.cmc_upstream, key);
    config.key = Hidden(config.key.0.trim().to_string());
    config.redis = cli.redis;
    config.access = Access {
        tokens,
        origins: cli.allow_origin,
    };
    config.plan = plan;
    config.upstream_timeout = std::time::Duration::from_secs(cli.upstream_timeout);
    Ok(config)
}

/// Completes on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_target(false).init();
    let cli = Cli::parse();
    let listen = cli.listen;
    let config = match config(cli) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("credit-gauge-gateway: {e}");
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("credit-gauge-gateway: cannot listen on {listen}: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(
        %listen,
        upstream = %config.upstream,
        ledger = if config.redis.is_some() { "redis" } else { "memory" },
        "credit-gauge-gateway listening"
    );
    if let Err(e) = credit_gauge_gateway::serve(listener, config, stop_signal()).await {
        eprintln!("credit-gauge-gateway: {e}");
        std::process::exit(1);
    }
    tracing::info!("stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        let cli = Cli::try_parse_from(
            std::iter::once("credit-gauge-gateway").chain(args.iter().copied()),
        )
        .map_err(|e| e.to_string())?;
        config(cli)
    }

    #[test]
    fn the_key_comes_from_the_environment_or_a_file_never_the_command_line() {
        let missing = parse(&[]).unwrap_err();
        assert!(missing.contains("--cmc-key-env"), "{missing}");
        std::env::set_var("CREDIT_GAUGE_TEST_KEY", " secret-key \n");
        let c = parse(&["--cmc-key-env", "CREDIT_GAUGE_TEST_KEY"]).expect("config");
        assert_eq!(c.key.0, "secret-key");
        assert!(!format!("{c:?}").contains("secret-key"));
        assert!(parse(&["--cmc-key-env", "CREDIT_GAUGE_NO_SUCH_VAR"])
            .unwrap_err()
            .contains("not set"));
    }

    #[test]
    fn origins_and_plans_are_checked() {
        std::env::set_var("CREDIT_GAUGE_TEST_KEY2", "k");
        let base = ["--cmc-key-env", "CREDIT_GAUGE_TEST_KEY2"];
        let with = |extra: &[&str]| parse(&[&base[..], extra].concat());
        assert!(with(&["--allow-origin", "*"]).is_err());
        assert!(with(&["--allow-origin", "https://dash.example/"]).is_err());
        let ok = with(&[
            "--allow-origin",
            "https://dash.example",
            "--plan",
            "standard",
        ])
        .expect("ok");
        assert_eq!(ok.access.origins, ["https://dash.example"]);
        assert_eq!(ok.plan, Some(CmcPlan::Standard));
        assert!(with(&["--plan", "gold"]).unwrap_err().contains("one of"));
        assert_eq!(ok.upstream, CMC_UPSTREAM);
    }
}
