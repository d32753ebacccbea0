//! The end-to-end harness: a real emulator serving the built app on loopback, and a real
//! headless Chromium driven through chromedriver.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use credit_gauge_emulator::{serve, Config};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::process::{Child, Command};

/// How long a test waits for the page to show something before it fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// Polls `probe` every `every` until it gives `Ok(value)`, for at most `patience`; then fails
/// with the last `Err(message)` it gave. The one polling loop of the end-to-end tests.
pub async fn eventually<T, Fut>(
    patience: Duration,
    every: Duration,
    mut probe: impl FnMut() -> Fut,
) -> T
where
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + patience;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) => assert!(Instant::now() < deadline, "{last}"),
        }
        tokio::time::sleep(every).await;
    }
}

/// `script` with the shadow-root helpers defined: `shadow(id)` (the shadow root of the
/// element `#id`, or null), `q(id, css)` (an element in it) and `text(id, css)` (its text).
pub fn in_shadow(script: &str) -> String {
    format!(
        "const shadow = (id) => {{ const h = document.getElementById(id); return h ? h.shadowRoot : null; }};
         const q = (id, css) => {{ const r = shadow(id); return r ? r.querySelector(css) : null; }};
         const text = (id, css) => {{ const e = q(id, css); return e ? e.textContent : ''; }};
         {script}"
    )
}

/// The built app (`scripts/build`), which the emulator serves at `/`.
pub fn dist_dir() -> PathBuf {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "the app is not built: run scripts/build (scripts/test does) before the end-to-end tests"
    );
    dist
}

/// A copy of the built app with extra files (test host pages) beside it.
pub fn dist_with(name: &str, extra: &[(&str, &str)]) -> PathBuf {
    let dir = temp_root().join(format!("dist-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a dist copy");
    for entry in std::fs::read_dir(dist_dir()).expect("read dist") {
        let entry = entry.expect("a dist entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy a dist file");
        }
    }
    for (file, text) in extra {
        std::fs::write(dir.join(file), text).expect("write a test page");
    }
    dir
}

/// A running emulator on a free loopback port.
pub struct Emulator {
    pub addr: SocketAddr,
}

impl Emulator {
    pub async fn start(mut config: Config) -> Self {
        if config.static_dir.is_none() {
            config.static_dir = Some(dist_dir());
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(serve(listener, config));
        Emulator { addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A plain GET of `path` from outside the browser (another client on the same address),
    /// with extra `headers`; returns the HTTP status.
    pub async fn get_status(&self, path: &str, headers: &[(&str, &str)]) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("Connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.expect("read");
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// A raw request's head, up to its blank line (at most 16 KiB), read byte by byte: `None`
/// when the client hangs up first. For the tests' own plain servers.
pub async fn read_request_head(stream: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// The body of a plain GET of `url` (`http://host:port/path`), as a script on this machine
/// sends it (no Origin).
pub async fn get_text(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = tokio::net::TcpStream::connect(authority)
        .await
        .expect("connect");
    let path = if path.is_empty() { "/" } else { path };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

/// Serves `html` as `/<name>.html` from an emulator of its own, and returns it with the
/// page's address on `localhost`: an origin apart from the widget's `127.0.0.1`.
pub async fn host_page(name: &str, html: &str) -> (Emulator, String) {
    let file = format!("{name}.html");
    let server = Emulator::start(Config {
        static_dir: Some(dist_with(name, &[(file.as_str(), html)])),
        ..Config::default()
    })
    .await;
    let url = format!("http://localhost:{}/{file}", server.addr.port());
    (server, url)
}

/// Starts an emulator with `config` and a browser, and opens `path` on the emulator.
pub async fn open_app(config: Config, path: &str) -> (Emulator, Browser) {
    let emulator = Emulator::start(config).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&emulator.url(path))
        .await
        .unwrap_or_else(|e| panic!("open {path}: {e}"));
    (emulator, browser)
}

/// [`open_app`] on the app itself, once its minute gauge shows what is left and its panels
/// (mounted after the gauges are painted, the history last) are there.
pub async fn open_app_ready(config: Config) -> (Emulator, Browser) {
    let (emulator, browser) = open_app(config, "/").await;
    browser
        .wait_for_text("[data-limit=minute] .gauge-text", |t| t.ends_with("left"))
        .await;
    browser.wait_for_text("#history", |_| true).await;
    (emulator, browser)
}

/// The app's page with `script` run first in its `<head>`, served as `name` beside the app.
pub fn app_page_with_script(name: &str, script: &str) -> Config {
    let index = std::fs::read_to_string(dist_dir().join("index.html")).expect("read index.html");
    let page = index.replacen("<head>", &format!("<head><script>{script}</script>"), 1);
    let file = format!("{name}.html");
    Config {
        static_dir: Some(dist_with(name, &[(file.as_str(), page.as_str())])),
        ..Config::default()
    }
}

/// A chromedriver process and a fresh Chromium profile; both go away on drop.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: TempDir,
}

/// chromedriver in its own process group. Dropping it kills the whole group, so the Chromium
/// it started does not outlive a test that failed before closing its session.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.0.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Chromium, found on `PATH` as `chromium` (Debian's) or `chromium-browser`, `google-chrome`.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .expect("Chromium on PATH (scripts/setup installs it)")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn temp_root() -> PathBuf {
    // Each Chromium run leaves tens of megabytes behind: keep them under target/.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-tmp");
    std::fs::create_dir_all(&root).expect("create target/e2e-tmp");
    root
}

impl Browser {
    /// A fresh browser (nothing cached) on `url`.
    pub async fn visit(url: &str) -> Self {
        let browser = Browser::start().await;
        browser.client.goto(url).await.expect("open the page");
        browser
    }

    pub async fn start() -> Self {
        let port = free_port();
        let profile = temp_root().join(format!("profile-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&profile).expect("create a Chromium profile folder");
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .env("TMPDIR", temp_root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .process_group(0)
            .spawn()
            .expect("start chromedriver (scripts/setup installs it)");
        let deadline = Instant::now() + PATIENCE;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium().display().to_string(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--window-size=1100,900",
                    // A frame of another site in the page's own process, so that chromedriver's
                    // console log (`traps`) has its messages too; the same-origin policy holds.
                    "--disable-site-isolation-trials",
                    "--disable-features=IsolateOrigins,site-per-process",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        // The console log, read by `traps` (chromedriver keeps it; `goog:loggingPrefs`).
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("open a Chromium session");
        Browser {
            client,
            _driver: Driver(driver),
            _profile: TempDir(profile),
        }
    }

    /// Waits until the first element matching `css` has text for which `want` holds, and
    /// returns that text; fails with the last text seen.
    pub async fn wait_for_text(&self, css: &str, want: impl Fn(&str) -> bool) -> String {
        let want = &want;
        eventually(PATIENCE, Duration::from_millis(50), || async move {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.ok(),
                Err(_) => None,
            };
            match text {
                Some(text) if want(&text) => Ok(text),
                last => Err(format!(
                    "`{css}` never showed the expected text; last seen: {:?}",
                    last.unwrap_or_else(|| "<no such element>".into())
                )),
            }
        })
        .await
    }

    /// Runs `script` until it gives a value other than null, false or "", and returns it;
    /// fails naming `what` and the last value.
    pub async fn wait_until(&self, what: &str, script: &str) -> serde_json::Value {
        eventually(PATIENCE, Duration::from_millis(100), || async move {
            let last = match self.client.execute(script, vec![]).await {
                Ok(v) => v,
                Err(e) => json!(e.to_string()),
            };
            if last.is_null() || last == json!(false) || last == json!("") {
                Err(format!("{what}: never true; last {last}"))
            } else {
                Ok(last)
            }
        })
        .await
    }

    pub async fn click(&self, css: &str) {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` to click: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("could not click `{css}`: {e}"));
    }

    /// Runs `script` in the page (its arguments in `arguments`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Sets a form control's value the way a person would, and fires its event. Waits for the
    /// control first, as a person would (a full widget's panels come after its gauges).
    pub async fn set(&self, css: &str, value: &str) {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` to set: {e}"));
        let found = self
            .js(
                "const e = document.querySelector(arguments[0]);
                 if (!e) return false;
                 e.value = arguments[1];
                 e.dispatchEvent(new Event('input', { bubbles: true }));
                 e.dispatchEvent(new Event('change', { bubbles: true }));
                 return true;",
                vec![json!(css), json!(value)],
            )
            .await;
        assert_eq!(found, json!(true), "no `{css}` to set");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// The text of the first element matching `css`, or "" when there is none.
    pub async fn text(&self, css: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            vec![json!(css)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Fetches a JSON document from the page's origin (the emulator's ledger, say).
    pub async fn fetch_json(&self, path: &str) -> serde_json::Value {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0]).then(r => r.json()).then(done, e => done(String(e)));",
                vec![json!(path)],
            )
            .await
            .expect("fetch from the page")
    }

    /// Writes a screenshot to `target/screenshots/<name>.png`. Tests never rewrite tracked
    /// files: `scripts/screenshots` copies these to `docs/screenshots/` when asked.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("take a screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("create target/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    }

    /// The wasm traps the pages met since the last call, in any frame, from the first script
    /// on: the console's `Uncaught RuntimeError: unreachable` lines (reading the log empties
    /// it). The shipped modules stop at a panic with a trap (`-C panic=immediate-abort`,
    /// scripts/build), which the page sees as an uncaught `RuntimeError`; no panic hook runs.
    pub async fn traps(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(ConsoleLog)
            .await
            .expect("read the browser's console log");
        log.as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| entry["message"].as_str())
            .filter(|line| line.contains("RuntimeError"))
            .map(str::to_owned)
            .collect()
    }

    /// Closes the browser, after checking that no page it showed trapped: a panic of the shipped
    /// modules (the panic hook, which counts panics in `window.__creditGaugePanics`, is compiled
    /// out of them; the in-browser tests of `tests/web.rs` still read it).
    pub async fn close(self) {
        let traps = self.traps().await;
        assert_eq!(traps, Vec::<String>::new(), "the widget trapped");
        let _ = self.client.close().await;
    }
}

/// Now, on the real clock.
pub fn real_now() -> credit_gauge_core::UnixMillis {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    credit_gauge_core::UnixMillis(ms)
}

/// Whether the UTC month ends (the 1st, 00:00) within `minutes` of now. A test whose counts
/// would cross that reset (the emulator and the widget both start the month again there,
/// as they should) checks this first and says why it does not run.
pub fn month_ends_within(minutes: i64) -> bool {
    let now = real_now();
    now.first_of_next_month().0 - now.0 < minutes * 60_000
}

/// Waits until the real clock is at most `latest` seconds into its minute, so that what the
/// test does next falls in one minute window.
pub async fn early_in_minute(latest: u64) {
    while real_now().0 / 1000 % 60 > latest as i64 {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// chromedriver's command for a log (the browser's console), which WebDriver does not define
/// and fantoccini has no method for.
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}
