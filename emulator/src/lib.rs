//! A local emulator of the CoinMarketCap Pro and Cryptowatch REST APIs, so credit-gauge works
//! offline and every test talks to a real HTTP server on loopback.
//!
//! It is deliberately independent of `credit-gauge-core`: the server's accounting is written
//! from the API reference on its own, so it cannot share the client's mistakes.
//!
//! Here: the configuration, the state every request shares and the server loop. `routing`
//! takes each request to its API (faults and CORS on the way), `control` answers
//! `/_emulator/…`.

pub mod clock;
pub mod cmc;
mod control;
pub mod cors;
pub mod cryptowatch;
pub mod faults;
pub mod http;
pub mod ledger;
pub mod query;
mod routing;
mod static_files;
pub mod synth;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;

pub use cors::Cors;

use clock::Clock;
use faults::Switch;
use ledger::Ledger;

/// How the emulator runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The built app to serve at `/` (Trunk's `dist/`), if any.
    pub static_dir: Option<PathBuf>,
    /// Every window (minute, day, month, 24 hours) passes this many times faster.
    pub time_scale: u32,
    /// The plans file's text; `None` uses the one shipped with the emulator.
    pub plans_json: Option<String>,
    /// Which browser origins may read the emulated APIs.
    pub cors: Cors,
    /// Cryptowatch's anonymous allowance per 24 hours, in milli-credits.
    pub cw_anonymous_allowance_milli: u64,
    /// The keyed demo caller's allowance per 24 hours, in milli-credits.
    pub cw_keyed_allowance_milli: u64,
    /// How long a client may take to send a request's head (a connection's first, or the
    /// next one on a kept-alive connection) before the connection is closed.
    pub header_read_timeout: Duration,
    /// The most connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
}

pub use credit_gauge_serve::{HEADER_READ_TIMEOUT, MAX_CONNECTIONS};

impl Default for Config {
    fn default() -> Self {
        Config {
            static_dir: None,
            time_scale: 1,
            plans_json: None,
            cors: Cors::Any,
            cw_anonymous_allowance_milli: cryptowatch::ANONYMOUS_ALLOWANCE_MILLI,
            cw_keyed_allowance_milli: cryptowatch::KEYED_ALLOWANCE_MILLI,
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Everything a request may read or change.
pub struct Shared {
    pub clock: Clock,
    pub plans: cmc::plans::Plans,
    pub market: cmc::data::Market,
    pub cw_catalog: cryptowatch::Catalog,
    pub cw_anonymous_allowance_milli: u64,
    pub cw_keyed_allowance_milli: u64,
    ledger: Mutex<Ledger>,
    faults: Mutex<Option<Switch>>,
    cors: Cors,
    static_dir: Option<PathBuf>,
}

impl Shared {
    /// The ledger; a panic elsewhere while it was held cannot leave it half-written (every
    /// change is a few integer updates), so a poisoned lock is simply taken over.
    pub fn lock_ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_faults(&self) -> MutexGuard<'_, Option<Switch>> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The router, or why the configuration cannot run.
pub fn app(config: Config) -> Result<Router, String> {
    let plans = cmc::plans::Plans::parse(
        config
            .plans_json
            .as_deref()
            .unwrap_or(cmc::plans::DEFAULT_PLANS),
    )?;
    let shared = Arc::new(Shared {
        clock: Clock::new(config.time_scale),
        plans,
        market: cmc::data::Market::new(),
        cw_catalog: cryptowatch::Catalog::new(),
        cw_anonymous_allowance_milli: config.cw_anonymous_allowance_milli,
        cw_keyed_allowance_milli: config.cw_keyed_allowance_milli,
        ledger: Mutex::new(Ledger::default()),
        faults: Mutex::new(None),
        cors: config.cors,
        static_dir: config.static_dir,
    });
    Ok(Router::new().fallback(routing::dispatch).with_state(shared))
}

/// Serves the emulator on an already bound listener until the process ends, bounded as
/// [`credit_gauge_serve::serve`] says ([`Config::header_read_timeout`],
/// [`Config::max_connections`]).
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    let bounds = credit_gauge_serve::Bounds {
        header_read_timeout: config.header_read_timeout,
        max_connections: config.max_connections,
    };
    let router =
        app(config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    credit_gauge_serve::serve(
        listener,
        router,
        bounds,
        std::future::pending(),
        Duration::ZERO,
    )
    .await
}
