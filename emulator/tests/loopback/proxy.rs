//! Proxy mode, against a second emulator standing in for the real CoinMarketCap.

use credit_gauge_emulator::{Config, Cors, ProxyConfig};

use crate::support::{get, ledger, raw, start};

async fn pair(cors: Cors) -> (std::net::SocketAddr, std::net::SocketAddr) {
    let upstream = start(Config::default()).await;
    let proxy = start(Config {
        cors,
        proxy_cmc: Some(ProxyConfig {
            upstream: format!("http://{upstream}/cmc"),
            key: "demo-hobbyist".into(),
        }),
        ..Config::default()
    })
    .await;
    (upstream, proxy)
}

#[tokio::test]
async fn the_proxy_adds_its_key_and_forwards_the_widgets_paths() {
    let (upstream, proxy) = pair(Cors::Any).await;
    let reply = get(proxy, "/cmc/v1/key/info", &[]).await;
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
        &[("X-CMC_PRO_API_KEY", "other")],
    )
    .await;
    assert_eq!(theirs.status, 200, "{}", theirs.text());
    assert_eq!(theirs.json()["status"]["credit_count"], 2);
    assert!(
        theirs.json()["data"][0]["quote"]["EUR"].is_object(),
        "the query went through"
    );
    // Upstream errors pass through as they are.
    let bad = get(proxy, "/cmc/v1/cryptocurrency/listings/latest?limit=0", &[]).await;
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
        let reply = get(proxy, path, &[]).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.json()["status"]["error_code"], 404);
    }
    // Another host in the request line or the Host header is refused.
    let absolute = raw(
        proxy,
        b"GET http://evil.example/cmc/v1/key/info HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect("an answer");
    assert_eq!(absolute.status, 403);
    let rebound = raw(
        proxy,
        b"GET /cmc/v1/key/info HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect("an answer");
    assert_eq!(rebound.status, 403);
    // Pages from other origins cannot spend the key, and get no CORS headers.
    let foreign = get(
        proxy,
        "/cmc/v1/key/info",
        &[("Origin", "http://evil.example")],
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
        &[("Origin", &format!("http://{proxy}"))],
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
        &[("Origin", "http://embed.example")],
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
        &[("Origin", "http://other.example")],
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
        proxy_cmc: Some(ProxyConfig {
            upstream: format!("http://127.0.0.1:{port}"),
            key: "k".into(),
        }),
        ..Config::default()
    })
    .await;
    let reply = get(proxy, "/cmc/v1/key/info", &[]).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.json()["status"]["error_code"], 502);
    assert!(!reply.text().contains("\"k\""));
}
