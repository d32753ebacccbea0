//! One run: a fresh emulator, a client clock learnt from it, and one strategy spending a
//! budget until the run ends.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use credit_gauge_core::time::MINUTE_MS;
use credit_gauge_core::{
    cmc_outcome, cw_outcome, reconcile, reserve, Account, ApiKind, ClientFailure, Credits,
    Decision, Outcome, Request, UnixMillis,
};
use credit_gauge_emulator::Config;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::clock::EmuClock;
use crate::tally::{spaced, CwWindows};

/// How long one request may take before it counts as failed (real time).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How a client spends its budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// The core decides; `concurrency` requests may be in flight.
    CreditGauge,
    /// Sends back to back; after a 429 waits `retry_ms` (emulated) and tries again.
    Naive,
    /// One request every window ÷ limit, whatever the answers say.
    FixedSpacing,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [
        Strategy::CreditGauge,
        Strategy::Naive,
        Strategy::FixedSpacing,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::CreditGauge => "credit-gauge",
            Strategy::Naive => "naive retry on 429",
            Strategy::FixedSpacing => "fixed spacing",
        }
    }
}

/// What a run sends and how its budget is shaped.
#[derive(Clone, Debug)]
pub struct Target {
    /// A fresh account for the strategy `CreditGauge`.
    pub account: Account,
    /// The request sent again and again.
    pub request: Request,
    /// A header carrying the key, if any.
    pub key_header: Option<(&'static str, String)>,
    /// Requests per window, for fixed spacing.
    pub per_window: u64,
    /// The window's length in emulated milliseconds, for fixed spacing.
    pub window_ms: i64,
    /// The naive client's wait after a 429, emulated milliseconds.
    pub retry_ms: i64,
}

/// An answer, or its absence.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Real time since the run started, when the answer came.
    pub answered: Duration,
    /// The HTTP status; `None` when no answer came.
    pub http: Option<u16>,
    /// CoinMarketCap: `status.timestamp`, the server's instant.
    pub server_time: Option<UnixMillis>,
    /// Cryptowatch: `allowance.cost` and `allowance.remaining`, in milli-credits.
    pub cost_milli: Option<i64>,
    /// See `cost_milli`.
    pub remaining_milli: Option<i64>,
}

/// Everything a run recorded.
#[derive(Debug)]
pub struct RunResult {
    pub samples: Vec<Sample>,
    /// Cryptowatch windows, when the run tracked them.
    pub windows: Option<CwWindows>,
    /// The run's first emulated instant (after the clock was learnt).
    pub start: UnixMillis,
    /// Real duration of the run.
    pub wall: Duration,
    /// The emulator's ledger after the run.
    pub ledger: Value,
    /// The client clock minus the server clock, measured after the run (emulated ms).
    pub clock_error_ms: i64,
}

impl RunResult {
    /// The longest real time between two answers (a stalled client or server shows here).
    pub fn longest_gap(&self) -> Duration {
        let mut at: Vec<Duration> = self.samples.iter().map(|s| s.answered).collect();
        at.sort_unstable();
        at.windows(2).map(|w| w[1] - w[0]).max().unwrap_or_default()
    }

    pub fn count(&self, status: u16) -> usize {
        self.samples
            .iter()
            .filter(|s| s.http == Some(status))
            .count()
    }
}

/// When a run stops.
#[derive(Clone, Copy, Debug)]
pub enum Until {
    /// At the end of this many complete UTC minutes after the run's start (the partial minute
    /// the run starts in comes first).
    Minutes(i64),
    /// When the answers show window number `n + 1` opening (Cryptowatch), or after the emulated
    /// deadline, whichever comes first.
    Windows {
        n: usize,
        allowance_milli: i64,
        deadline_ms: i64,
    },
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

struct Run {
    client: HttpClient,
    base: String,
    target: Target,
    clock: EmuClock,
    real_start: Instant,
    end: UnixMillis,
    stop_after_windows: Option<usize>,
    stopped: AtomicBool,
    samples: Mutex<Vec<Sample>>,
    windows: Option<Mutex<CwWindows>>,
}

impl Run {
    fn done(&self) -> bool {
        self.stopped.load(Ordering::Relaxed) || self.clock.now() >= self.end
    }

    async fn sleep_until(&self, t: UnixMillis) {
        let at = self.clock.real_at(t.min(self.end));
        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
    }

    /// Sends the request once and records the answer; returns the outcome for the core.
    async fn send(&self) -> (Option<u16>, Outcome) {
        let uri = format!("{}{}", self.base, self.target.request.path_and_query());
        let answer = get(&self.client, &uri, self.target.key_header.as_ref()).await;
        let answered = self.real_start.elapsed();
        let (http, outcome, body) = match answer {
            Ok((status, body)) => {
                let outcome = match self.target.account.api {
                    ApiKind::CoinMarketCap => cmc_outcome(status, &body),
                    ApiKind::Cryptowatch => cw_outcome(status, &body),
                };
                (Some(status), outcome, serde_json::from_str(&body).ok())
            }
            Err(failure) => (
                None,
                Outcome::Failed {
                    failure,
                    http_status: None,
                },
                None,
            ),
        };
        let body: Option<Value> = body;
        let milli = |v: Option<&Value>| {
            // Read from the number's text as the widget reads it.
            v.filter(|v| v.is_number())
                .and_then(|v| credit_gauge_core::json::parse(&v.to_string()))
                .and_then(|n| Credits::from_json_number(&n))
                .map(Credits::millis)
        };
        let sample = Sample {
            answered,
            http,
            server_time: body
                .as_ref()
                .and_then(|b| b.pointer("/status/timestamp"))
                .and_then(Value::as_str)
                .and_then(UnixMillis::parse_iso8601),
            cost_milli: milli(body.as_ref().and_then(|b| b.pointer("/allowance/cost"))),
            remaining_milli: milli(
                body.as_ref()
                    .and_then(|b| b.pointer("/allowance/remaining")),
            ),
        };
        if let (Some(windows), Some(200), Some(cost), Some(remaining)) = (
            &self.windows,
            http,
            sample.cost_milli,
            sample.remaining_milli,
        ) {
            let mut windows = windows.lock().expect("windows");
            windows.accept(cost, remaining, answered);
            if self
                .stop_after_windows
                .is_some_and(|n| windows.windows.len() > n)
            {
                self.stopped.store(true, Ordering::Relaxed);
            }
        }
        self.samples.lock().expect("samples").push(sample);
        (http, outcome)
    }
}

/// `GET uri` with an optional header: the status and the body, or why nothing readable came.
async fn get(
    client: &HttpClient,
    uri: &str,
    header: Option<&(&'static str, String)>,
) -> Result<(u16, String), ClientFailure> {
    let mut request = hyper::Request::get(uri);
    if let Some((name, value)) = header {
        request = request.header(*name, value);
    }
    let request = request
        .body(Empty::new())
        .map_err(|_| ClientFailure::Network)?;
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|_| ClientFailure::Network)?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|_| ClientFailure::Network)?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    };
    tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| ClientFailure::Timeout)?
}

/// Reads the server's clock a few times and keeps the reading with the shortest round trip,
/// placed at the middle of it.
async fn learn_clock(client: &HttpClient, origin: &str) -> Result<EmuClock, String> {
    let uri = format!("{origin}/_emulator/ledger");
    let mut best: Option<(Duration, EmuClock)> = None;
    for _ in 0..8 {
        let sent = Instant::now();
        let (_, body) = get(client, &uri, None)
            .await
            .map_err(|e| format!("ledger: {e}"))?;
        let rtt = sent.elapsed();
        let ledger: Value = serde_json::from_str(&body).map_err(|e| format!("ledger: {e}"))?;
        let now = ledger["now"]
            .as_str()
            .and_then(UnixMillis::parse_iso8601)
            .ok_or("ledger: no `now`")?;
        let scale = ledger["time_scale"]
            .as_u64()
            .and_then(|s| u32::try_from(s).ok())
            .ok_or("ledger: no `time_scale`")?;
        if best.as_ref().is_none_or(|(b, _)| rtt < *b) {
            best = Some((rtt, EmuClock::new(sent + rtt / 2, now, scale)));
        }
    }
    best.map(|(_, c)| c).ok_or_else(|| "no clock".to_owned())
}

/// The ledger, and the real instant it was read at (the middle of the round trip).
async fn ledger(client: &HttpClient, origin: &str) -> Result<(Instant, Value), String> {
    let sent = Instant::now();
    let (_, body) = get(client, &format!("{origin}/_emulator/ledger"), None)
        .await
        .map_err(|e| format!("ledger: {e}"))?;
    let at = sent + sent.elapsed() / 2;
    Ok((
        at,
        serde_json::from_str(&body).map_err(|e| format!("ledger: {e}"))?,
    ))
}

/// Starts a fresh emulator, runs `strategy` against it until `until`, and stops the emulator.
pub async fn run(
    strategy: Strategy,
    target: Target,
    api_path: &str,
    time_scale: u32,
    concurrency: usize,
    until: Until,
) -> Result<RunResult, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
    let config = Config {
        time_scale,
        ..Config::default()
    };
    let server = tokio::spawn(credit_gauge_emulator::serve(listener, config));
    let origin = format!("http://{addr}");
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let result = async {
        let clock = learn_clock(&client, &origin).await?;
        if clock.scale() != time_scale {
            return Err(format!(
                "the emulator runs at ×{}, not ×{time_scale}",
                clock.scale()
            ));
        }
        let real_start = Instant::now();
        let start = clock.at(real_start);
        let (end, stop_after_windows, windows) = match until {
            Until::Minutes(m) => (start.next_utc_minute().plus(m * MINUTE_MS), None, None),
            Until::Windows {
                n,
                allowance_milli,
                deadline_ms,
            } => (
                start.plus(deadline_ms),
                Some(n),
                Some(Mutex::new(CwWindows::new(allowance_milli))),
            ),
        };
        let run = Arc::new(Run {
            client: client.clone(),
            base: format!("{origin}{api_path}"),
            target,
            clock,
            real_start,
            end,
            stop_after_windows,
            stopped: AtomicBool::new(false),
            samples: Mutex::new(Vec::new()),
            windows,
        });
        match strategy {
            Strategy::CreditGauge => credit_gauge(&run, concurrency).await?,
            Strategy::Naive => naive(&run, concurrency).await,
            Strategy::FixedSpacing => fixed_spacing(&run).await,
        }
        let wall = real_start.elapsed();
        let (read_at, ledger) = ledger(&client, &origin).await?;
        let server_now = ledger["now"]
            .as_str()
            .and_then(UnixMillis::parse_iso8601)
            .ok_or("ledger: no `now`")?;
        let clock_error_ms = clock.at(read_at).0 - server_now.0;
        let run = Arc::try_unwrap(run).map_err(|_| "a task still holds the run".to_owned())?;
        Ok(RunResult {
            samples: run.samples.into_inner().expect("samples"),
            windows: run.windows.map(|w| w.into_inner().expect("windows")),
            start,
            wall,
            ledger,
            clock_error_ms,
        })
    }
    .await;
    server.abort();
    result
}

/// The widget's way: decide with the core, reserve, send, reconcile; wait when told to.
async fn credit_gauge(run: &Arc<Run>, concurrency: usize) -> Result<(), String> {
    let account = Arc::new(Mutex::new(run.target.account.clone()));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (run, account) = (Arc::clone(run), Arc::clone(&account));
        workers.spawn(async move {
            while !run.done() {
                let now = run.clock.now();
                let reserved = reserve(
                    &mut account.lock().expect("account"),
                    &run.target.request,
                    now,
                );
                match reserved {
                    Ok(id) => {
                        let (_, outcome) = run.send().await;
                        let answered = run.clock.now();
                        reconcile(
                            &mut account.lock().expect("account"),
                            id,
                            &outcome,
                            answered,
                        );
                    }
                    Err(Decision::WaitUntil { at, .. }) => run.sleep_until(at).await,
                    Err(other) => return Err(format!("the core refused: {other:?}")),
                }
            }
            Ok(())
        });
    }
    while let Some(done) = workers.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// Sends back to back; after a 429 (or no answer) waits a fixed time and sends again.
async fn naive(run: &Arc<Run>, concurrency: usize) {
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let run = Arc::clone(run);
        workers.spawn(async move {
            while !run.done() {
                let (http, _) = run.send().await;
                if http != Some(200) {
                    let retry = run.clock.now().plus(run.target.retry_ms);
                    run.sleep_until(retry).await;
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
}

/// One request every window ÷ limit from the run's start, each on its own task so a slow
/// answer never delays the next send; no retries.
async fn fixed_spacing(run: &Arc<Run>) {
    let start = run.clock.now();
    let mut sends = JoinSet::new();
    for k in 0.. {
        let at = spaced(start, run.target.window_ms, run.target.per_window, k);
        if at >= run.end {
            break;
        }
        run.sleep_until(at).await;
        if run.done() {
            break;
        }
        let run = Arc::clone(run);
        sends.spawn(async move {
            run.send().await;
        });
        while sends.try_join_next().is_some() {}
    }
    while sends.join_next().await.is_some() {}
}
