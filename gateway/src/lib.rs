//! credit-gauge-gateway: the server a team puts between its clients and CoinMarketCap. It holds
//! the key, keeps the one authoritative ledger of the key's limits (in memory, or in Redis so
//! several instances share it), refuses before spending what a limit would refuse, and tells
//! every client the team's budget in the IETF RateLimit header fields.
//!
//! `budget` (the ledger), `spend` (reserve → send → settle), `upstream` (the key and the
//! wire), `access` (tokens, origins), `routes` (HTTP), `ratelimit`, `answers`, `metrics`,
//! `tokens`.

pub mod access;
pub mod answers;
pub mod budget;
pub mod metrics;
pub mod ratelimit;
mod routes;
pub mod spend;
pub mod tokens;
pub mod upstream;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use credit_gauge_core::{CmcPlan, UnixMillis};

pub use access::Access;
pub use budget::Budget;
pub use credit_gauge_serve::Bounds;

/// The real CoinMarketCap Pro API.
pub const CMC_UPSTREAM: &str = "https://pro-api.coinmarketcap.com";
/// How long one exchange with the upstream may take, unless configured otherwise.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a caller may ask to wait for its window (`Prefer: wait=N`).
pub const MAX_WAIT: Duration = Duration::from_secs(120);
/// How often the plan and usage are read again from `/v1/key/info`, when not configured.
pub const RELEARN_EVERY: Duration = Duration::from_secs(300);

/// How a gateway runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub upstream: String,
    /// The CoinMarketCap key. Never printed: see [`Config`]'s `Debug`.
    pub key: Hidden,
    /// `redis://host:port/db`; absent: a ledger in memory, for one instance.
    pub redis: Option<String>,
    pub access: Access,
    /// The key's plan; absent: learnt from `/v1/key/info` at start and every
    /// [`Config::relearn_every`].
    pub plan: Option<CmcPlan>,
    pub upstream_timeout: Duration,
    pub max_wait: Duration,
    pub relearn_every: Duration,
    pub bounds: Bounds,
}

/// A secret that never prints.
#[derive(Clone)]
pub struct Hidden(pub String);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

impl Config {
    /// A gateway in front of `upstream` with `key`, closed by default (loopback only, no
    /// browser origin), its ledger in memory.
    pub fn new(upstream: impl Into<String>, key: impl Into<String>) -> Config {
        Config {
            upstream: upstream.into(),
            key: Hidden(key.into()),
            redis: None,
            access: Access::default(),
            plan: None,
            upstream_timeout: UPSTREAM_TIMEOUT,
            max_wait: MAX_WAIT,
            relearn_every: RELEARN_EVERY,
            bounds: Bounds::default(),
        }
    }
}

/// Everything a request reads.
pub struct Gateway {
    pub budget: Budget,
    pub upstream: upstream::Upstream,
    pub access: Access,
    pub metrics: metrics::Metrics,
    pub max_wait: Duration,
    /// Held while this instance reads the key's usage, so it reads it once.
    pub syncing: tokio::sync::Mutex<()>,
}

/// The current time, UTC milliseconds.
pub fn now() -> UnixMillis {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    UnixMillis(ms)
}

/// The gateway for `config`, or why it cannot run.
pub fn gateway(config: &Config) -> Result<Arc<Gateway>, String> {
    let budget = match &config.redis {
        Some(url) => Budget::redis(url, config.plan)?,
        None => Budget::memory(config.plan),
    };
    let upstream =
        upstream::Upstream::new(&config.upstream, &config.key.0, config.upstream_timeout)?;
    Ok(Arc::new(Gateway {
        budget,
        upstream,
        access: config.access.clone(),
        metrics: metrics::Metrics::default(),
        max_wait: config.max_wait,
        syncing: tokio::sync::Mutex::new(()),
    }))
}

/// The router of `gateway`.
pub fn router(gateway: Arc<Gateway>) -> Router {
    Router::new().fallback(routes::handle).with_state(gateway)
}

/// Serves the gateway on an already bound listener until `stop` completes, then lets the
/// requests in progress finish (up to the upstream's deadline).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let gw =
        gateway(&config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let learner = config.plan.is_none().then(|| {
        let gw = gw.clone();
        let every = config.relearn_every;
        tokio::spawn(async move {
            loop {
                gw.learn_plan().await;
                tokio::time::sleep(every).await;
            }
        })
    });
    let served = credit_gauge_serve::serve(
        listener,
        router(gw),
        config.bounds,
        stop,
        config.upstream_timeout,
    )
    .await;
    if let Some(learner) = learner {
        learner.abort();
    }
    served
}
