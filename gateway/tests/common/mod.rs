//! Real parts for the gateway's tests: a `redis-server` on a free port, the emulator as the
//! upstream, gateways as processes (so one can be killed), and a plain HTTP client.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// The emulator's demo key on the Basic plan: 30 requests a minute.
pub const BASIC_KEY: &str = "demo-basic";

/// A free port on loopback (bound and released; the caller binds it again at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Where a test's logs go.
pub fn log_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/gateway-tests")
        .join(test);
    std::fs::create_dir_all(&dir).expect("log dir");
    dir
}

/// A `redis-server` of this test's own, on a free port, without persistence.
pub struct Redis {
    pub port: u16,
    child: Option<tokio::process::Child>,
}

impl Redis {
    pub async fn start() -> Redis {
        let mut redis = Redis {
            port: free_port(),
            child: None,
        };
        redis.resume().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts it again (on the same port) after [`Redis::stop`].
    pub async fn resume(&mut self) {
        let child = tokio::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(["--bind", "127.0.0.1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server is installed (scripts/setup --test installs it)");
        self.child = Some(child);
        wait_for_port(self.port).await;
    }

    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }
}

async fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("nothing listens on {port}");
}

/// The emulator, the gateway's upstream.
pub struct Upstream {
    pub addr: SocketAddr,
}

impl Upstream {
    pub async fn start() -> Upstream {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(credit_gauge_emulator::serve(
            listener,
            credit_gauge_emulator::Config::default(),
        ));
        Upstream { addr }
    }

    pub fn base(&self) -> String {
        format!("http://{}/cmc", self.addr)
    }

    /// What the emulator counted for the Basic demo key.
    pub async fn counted(&self) -> Value {
        let (_, _, body) = get(&format!("http://{}/_emulator/ledger", self.addr), &[]).await;
        let ledger: Value = serde_json::from_slice(&body).expect("ledger JSON");
        ledger["cmc"][BASIC_KEY].clone()
    }

    /// Faults the next `count` CoinMarketCap requests with `fault`.
    pub async fn fault(&self, fault: &str, count: u32) {
        let body = format!("{{\"fault\":\"{fault}\",\"count\":{count},\"path_prefix\":\"/cmc\"}}");
        let request = hyper::Request::post(format!("http://{}/_emulator/faults", self.addr))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(Bytes::from(body)))
            .expect("request");
        let client = Client::builder(TokioExecutor::new()).build_http();
        let response = client.request(request).await.expect("fault switch");
        assert!(response.status().is_success());
    }
}

/// A gateway process.
pub struct Gateway {
    pub port: u16,
    pub log: PathBuf,
    child: tokio::process::Child,
}

impl Gateway {
    /// Starts `credit-gauge-gateway` in front of `upstream` with the Basic demo key and
    /// `extra` arguments; its log goes to `log`.
    pub async fn start(upstream: &Upstream, extra: &[&str], log: PathBuf) -> Gateway {
        let port = free_port();
        let file = std::fs::File::create(&log).expect("log file");
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_credit-gauge-gateway"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--cmc-upstream", &upstream.base()])
            .args(["--cmc-key-env", "TEAM_CMC_KEY"])
            .args(extra)
            .env("TEAM_CMC_KEY", BASIC_KEY)
            .env("NO_COLOR", "1")
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .expect("the gateway binary");
        wait_for_port(port).await;
        Gateway { port, log, child }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Kills the process at once (SIGKILL): nothing it had in flight is settled.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }

    /// Asks the process to stop (SIGTERM) and waits, at most `within`, for it to exit;
    /// whether it exited successfully.
    pub async fn terminate(mut self, within: Duration) -> bool {
        let pid = self.child.id().expect("running").to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
        match tokio::time::timeout(within, self.child.wait()).await {
            Ok(Ok(status)) => status.success(),
            _ => false,
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// GET `url` with `headers`: status, headers, body.
pub async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, hyper::HeaderMap, Bytes) {
    let mut request = hyper::Request::get(url);
    for (n, v) in headers {
        request = request.header(*n, *v);
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let response = client
        .request(request.body(Empty::new()).expect("request"))
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, body)
}

/// A header as text.
pub fn header<'a>(headers: &'a hyper::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// `error_code` of a CoinMarketCap envelope.
pub fn error_code(body: &[u8]) -> i64 {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["status"]["error_code"].as_i64())
        .unwrap_or(-1)
}

/// The `r` of policy `name` in a `RateLimit` field.
pub fn remaining(field: &str, name: &str) -> Option<i64> {
    field.split(',').find_map(|item| {
        let item = item.trim();
        let rest = item.strip_prefix(&format!("\"{name}\""))?;
        rest.split(';')
            .find_map(|p| p.trim().strip_prefix("r="))
            .and_then(|r| r.parse().ok())
    })
}
