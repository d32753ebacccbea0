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
pub mod proxy;
pub mod query;
mod routing;
mod static_files;
pub mod synth;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;

pub use cors::Cors;
pub use proxy::ProxyConfig;

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
    /// Forward `/cmc` to a real CoinMarketCap instead of emulating it.
    pub proxy_cmc: Option<ProxyConfig>,
    /// Cryptowatch's anonymous allowance per 24 hours, in milli-credits.
    pub cw_anonymous_allowance_milli: u64,
    /// The keyed demo caller's allowance per 24 hours, in milli-credits.
    pub cw_keyed_allowance_milli: u64,
    /// In proxy mode, still offer fault injection (the switch, and per-request faults on the
    /// proxied paths); off by default, so a proxy holding a real key cannot be faulted.
    pub proxy_faults: bool,
    /// How long a client may take to send a request's head (a connection's first, or the
    /// next one on a kept-alive connection) before the connection is closed.
    pub header_read_timeout: Duration,
    /// The most connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
}

/// The default for [`Config::header_read_timeout`].
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default for [`Config::max_connections`].
pub const MAX_CONNECTIONS: usize = 512;

impl Default for Config {
    fn default() -> Self {
        Config {
            static_dir: None,
            time_scale: 1,
            plans_json: None,
            cors: Cors::Any,
            proxy_cmc: None,
            cw_anonymous_allowance_milli: cryptowatch::ANONYMOUS_ALLOWANCE_MILLI,
            cw_keyed_allowance_milli: cryptowatch::KEYED_ALLOWANCE_MILLI,
            proxy_faults: false,
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
    /// In proxy mode only origins named explicitly may call `/cmc`: a proxy that holds a real
    /// key must not be usable from every page the user visits.
    proxy_cors: Cors,
    proxy: Option<proxy::Proxy>,
    /// Fault injection stays available in proxy mode (`--proxy-faults`).
    proxy_faults: bool,
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
    let proxy = config
        .proxy_cmc
        .as_ref()
        .map(proxy::Proxy::new)
        .transpose()?;
    let proxy_cors = match &config.cors {
        Cors::Any => Cors::Origins(Vec::new()),
        other => other.clone(),
    };
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
        proxy_cors,
        proxy,
        proxy_faults: config.proxy_faults,
        static_dir: config.static_dir,
    });
    Ok(Router::new().fallback(routing::dispatch).with_state(shared))
}

/// Serves the emulator on an already bound listener until the process ends.
///
/// Each connection is HTTP/1.1 (keep-alive included) with a deadline for every request head
/// ([`Config::header_read_timeout`]), so a client that stalls mid-request is cut off; at most
/// [`Config::max_connections`] are served at once, and further ones wait in the listener's
/// queue until a place frees up.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    use tower::Service;

    let header_read_timeout = config.header_read_timeout;
    let places = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let router =
        app(config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    loop {
        let place = places
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| std::io::Error::other("the connection places were closed"))?;
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // A connection that failed before it was accepted concerns only itself; any
                // other error (out of file descriptors) is waited out instead of spun on.
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionRefused
                ) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
        };
        // The router with the peer's address for `ConnectInfo` (Cryptowatch's anonymous
        // callers are told apart by it).
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let service = hyper_util::service::TowerToHyperService::new(service);
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        tokio::spawn(async move {
            // Errors (a client gone, a head too slow) end only this connection.
            let _ = connection.await;
            drop(place);
        });
    }
}
