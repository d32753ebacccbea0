//! Proxy mode, against a second emulator standing in for the real CoinMarketCap.

use credit_gauge_emulator::{Config, Cors, ProxyConfig};

use crate::support::{get, ledger, raw, start};

async fn pair(cors: Cors) -> (std::net::SocketAddr, std::net::SocketAddr) {
    let upstream = start(Config::default()).await;
    let proxy = start(Config {
        cors,
        proxy_cmc: Some(ProxyConfig::new(
            format!("http://{upstream}/cmc"),
            "demo-hobbyist",
        )),
        ..Config::default()
    })
    .await;
    (upstream, proxy)
}

#[tokio::test]
async fn the_proxy_adds_its_key_and_forwards_the_widgets_paths() {
    let (upstream, proxy) = pair(Cors::Any).await;
    let reply = get(proxy, "/cmc/v1/key/info", &[OWN]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(
        body["data"]["plan"]["credit_limit_daily"], 1_333,
        "the server's key was used"
    );
    assert!(
        !reply.text().contains("demo-hobbyist"),
        "the key never comes back"
    );
    // A caller's own key is dropped, whether in the header or the query.
    let theirs = get(
        proxy,
        "/cmc/v1/cryptocurrency/listings/latest?limit=201&CMC_PRO_API_KEY=stolen&convert=EUR",
        &[OWN, ("X-CMC_PRO_API_KEY", "other")],
    )
    .await;
    assert_eq!(theirs.status, 200, "{}", theirs.text());
    assert_eq!(theirs.json()["status"]["credit_count"], 2);
    assert!(
        theirs.json()["data"][0]["quote"]["EUR"].is_object(),
        "the query went through"
    );
    // Upstream errors pass through as they are.
    let bad = get(
        proxy,
        "/cmc/v1/cryptocurrency/listings/latest?limit=0",
        &[OWN],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["status"]["error_code"], 400);
    let counted = ledger(upstream).await;
    assert_eq!(
        counted["cmc"]["demo-hobbyist"]["requests_this_minute"], 3,
        "{counted}"
    );
    assert!(counted["cmc"].get("stolen").is_none() && counted["cmc"].get("other").is_none());
}

#[tokio::test]
async fn the_proxy_refuses_other_paths_hosts_and_origins() {
    let (upstream, proxy) = pair(Cors::Any).await;
    for path in [
        "/cmc/v1/cryptocurrency/trending/latest",
        "/cmc/v1/../../_emulator/ledger",
        "/cmc/v1/key/info/../../../etc/passwd",
        "/cmc/",
    ] {
        let reply = get(proxy, path, &[OWN]).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.json()["status"]["error_code"], 404);
    }
    // Another host in the request line or the Host header is refused.
    let absolute = raw(
        proxy,
        b"GET http://evil.example/cmc/v1/key/info HTTP/1.1\r\nHost: evil.example\r\nX-Credit-Gauge: 1\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect("an answer");
    assert_eq!(absolute.status, 403);
    let rebound = raw(
        proxy,
        b"GET /cmc/v1/key/info HTTP/1.1\r\nHost: evil.example\r\nX-Credit-Gauge: 1\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect("an answer");
    assert_eq!(rebound.status, 403);
    // Pages from other origins cannot spend the key, and get no CORS headers.
    let foreign = get(
        proxy,
        "/cmc/v1/key/info",
        &[OWN, ("Origin", "http://evil.example")],
    )
    .await;
    assert_eq!(foreign.status, 403);
    assert_eq!(foreign.header("access-control-allow-origin"), None);
    let pre = crate::support::request(
        proxy,
        "OPTIONS",
        "/cmc/v1/key/info",
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        "",
    )
    .await
    .expect("preflight");
    assert_eq!(pre.header("access-control-allow-origin"), None);
    // The app served by the emulator itself is same-origin and allowed.
    let same = get(
        proxy,
        "/cmc/v1/key/info",
        &[OWN, ("Origin", &format!("http://{proxy}"))],
    )
    .await;
    assert_eq!(same.status, 200);
    // None of the refusals reached the upstream.
    assert_eq!(
        ledger(upstream).await["cmc"]["demo-hobbyist"]["requests_this_minute"],
        1
    );
}

#[tokio::test]
async fn the_proxy_serves_only_the_origins_it_is_told() {
    let (_upstream, proxy) = pair(Cors::Origins(vec!["http://embed.example".into()])).await;
    let ok = get(
        proxy,
        "/cmc/v1/key/info",
        &[OWN, ("Origin", "http://embed.example")],
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://embed.example")
    );
    let other = get(
        proxy,
        "/cmc/v1/key/info",
        &[OWN, ("Origin", "http://other.example")],
    )
    .await;
    assert_eq!(other.status, 403);
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502() {
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let proxy = start(Config {
        proxy_cmc: Some(ProxyConfig::new(format!("http://127.0.0.1:{port}"), "k")),
        ..Config::default()
    })
    .await;
    let reply = get(proxy, "/cmc/v1/key/info", &[OWN]).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.json()["status"]["error_code"], 502);
    assert!(!reply.text().contains("\"k\""));
}

/// The header that marks the widget's own requests to the proxy.
const OWN: (&str, &str) = ("X-Credit-Gauge", "1");

/// How a test upstream answers.
#[derive(Clone, Copy)]
enum Upstream {
    /// A small JSON answer at once.
    Json,
    /// The head at once, then the body one byte every 200 ms.
    Trickle,
}

/// A local stand-in for CoinMarketCap that records every request head it receives.
async fn recording_upstream(
    mode: Upstream,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                record
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(String::from_utf8_lossy(&head).into_owned());
                match mode {
                    Upstream::Json => {
                        let body = r#"{"status":{"error_code":0,"credit_count":1},"data":{}}"#;
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = stream.write_all(reply.as_bytes()).await;
                    }
                    Upstream::Trickle => {
                        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                                    Content-Length: 100000\r\n\r\n";
                        if stream.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        for _ in 0..100_000 {
                            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                            if stream.write_all(b" ").await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    (addr, seen)
}

/// The request line's target of every request the upstream saw.
fn targets(seen: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter_map(|h| h.split(' ').nth(1).map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_proxy_serves_only_requests_marked_as_its_own() {
    let (upstream, seen) = recording_upstream(Upstream::Json).await;
    let proxy = start(Config {
        cors: Cors::Origins(vec!["http://embed.example".into()]),
        proxy_cmc: Some(ProxyConfig::new(format!("http://{upstream}"), "server-key")),
        ..Config::default()
    })
    .await;
    let path = "/cmc/v1/key/info";
    // What an <img>, a <script> or a no-cors fetch from any page sends: no custom header,
    // no Origin.
    let no_cors = get(proxy, path, &[("Sec-Fetch-Site", "cross-site")]).await;
    assert_eq!(no_cors.status, 403, "{}", no_cors.text());
    let message = no_cors.json()["status"]["error_message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(message.contains("X-Credit-Gauge"), "{message}");
    // The header alone is not enough from another site without an allowed Origin.
    for site in ["cross-site", "same-site", "CROSS-SITE"] {
        let reply = get(proxy, path, &[OWN, ("Sec-Fetch-Site", site)]).await;
        assert_eq!(reply.status, 403, "{site}: {}", reply.text());
        assert!(reply.text().contains("Origin"), "{site}: {}", reply.text());
    }
    // Plain clients without the header are refused too, saying what is missing.
    let bare = get(proxy, path, &[]).await;
    assert_eq!(bare.status, 403);
    assert!(
        bare.text().contains("the X-Credit-Gauge header is missing"),
        "{}",
        bare.text()
    );
    let wrong = get(proxy, path, &[("X-Credit-Gauge", "yes")]).await;
    assert_eq!(wrong.status, 403);
    assert!(targets(&seen).is_empty(), "nothing was forwarded");

    // curl with the header, the emulator's own page, and an allowed origin are served.
    assert_eq!(get(proxy, path, &[OWN]).await.status, 200);
    let own_origin = format!("http://{proxy}");
    let same = get(
        proxy,
        path,
        &[
            OWN,
            ("Origin", &own_origin),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    )
    .await;
    assert_eq!(same.status, 200, "{}", same.text());
    let allowed = get(
        proxy,
        path,
        &[
            OWN,
            ("Origin", "http://embed.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    )
    .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text());
    assert_eq!(targets(&seen).len(), 3);
    // The preflight lets an allowed origin send the header, and no other origin.
    let pre = |origin: &'static str| async move {
        crate::support::request(
            proxy,
            "OPTIONS",
            path,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "x-credit-gauge"),
            ],
            "",
        )
        .await
    };
    let ok = pre("http://embed.example").await.expect("preflight");
    assert!(ok
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase()
        .contains("x-credit-gauge"));
    let evil = pre("http://evil.example").await.expect("preflight");
    assert_eq!(evil.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn the_proxy_forwards_only_the_parameters_the_endpoint_takes() {
    let (upstream, seen) = recording_upstream(Upstream::Json).await;
    let config = |proxy_faults| Config {
        proxy_cmc: Some(ProxyConfig::new(format!("http://{upstream}"), "server-key")),
        proxy_faults,
        ..Config::default()
    };
    let plain = start(config(false)).await;
    let reply = get(
        plain,
        "/cmc/v1/cryptocurrency/listings/latest?limit=5&cmc_pro_api_key=stolen\
         &Cmc_Pro_Api_Key=stolen2&CMC%5FPRO%5FAPI%5FKEY=stolen3&junk=1&convert=EUR",
        &[OWN, ("X-CMC_PRO_API_KEY", "stolen4")],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let faulty = start(config(true)).await;
    let reply = get(
        faulty,
        "/cmc/v2/cryptocurrency/quotes/latest?id=1&emulator_fault=latency%3D1\
         &emulator%5Ffault=latency%3D1&CMC_PRO_API_KEY=stolen",
        &[OWN],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        targets(&seen),
        [
            "/v1/cryptocurrency/listings/latest?limit=5&convert=EUR",
            "/v2/cryptocurrency/quotes/latest?id=1"
        ]
    );
    let heads = seen.lock().unwrap_or_else(|e| e.into_inner()).join("\n");
    assert!(!heads.contains("stolen"), "{heads}");
    assert!(!heads.to_ascii_lowercase().contains("emulator"), "{heads}");
    assert!(
        heads.contains("server-key"),
        "the server's key went upstream"
    );
}

#[tokio::test]
async fn a_trickling_upstream_gets_a_504_within_the_deadline() {
    let (upstream, seen) = recording_upstream(Upstream::Trickle).await;
    let mut proxy_config = ProxyConfig::new(format!("http://{upstream}"), "server-key");
    proxy_config.timeout = std::time::Duration::from_secs(1);
    let proxy = start(Config {
        proxy_cmc: Some(proxy_config),
        ..Config::default()
    })
    .await;
    // `raw` gives up after 10 s: the deadline must cover the body, not just the head.
    let reply = crate::support::request(proxy, "GET", "/cmc/v1/key/info", &[OWN], "")
        .await
        .expect("an answer before the test's own limit");
    assert_eq!(reply.status, 504, "{}", reply.text());
    assert_eq!(reply.json()["status"]["error_code"], 504);
    assert_eq!(targets(&seen).len(), 1);
}
