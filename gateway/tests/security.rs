//! The gateway is closed by default: tokens, origins, no blind cross-site requests, only the
//! catalog's endpoints; and the key appears in no answer, header or log line.

mod common;

use common::{error_code, get, header, log_dir, Gateway, Upstream, BASIC_KEY};

const MAP: &str = "/v1/fiat/map?limit=1";
const ANA: &str = "ana-0123456789abcdef";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_team_from_allowed_origins_may_spend_and_the_key_never_shows() {
    let upstream = Upstream::start().await;
    let logs = log_dir("security");
    let tokens = logs.join("tokens");
    std::fs::write(&tokens, format!("ana {ANA}\nwall bo-0123456789abcdef\n")).expect("tokens");
    let gateway = Gateway::start(
        &upstream,
        &[
            "--tokens",
            tokens.to_str().expect("path"),
            "--allow-origin",
            "http://dash.example",
            "--plan",
            "Basic",
        ],
        logs.join("gateway.log"),
    )
    .await;
    let bearer = format!("Bearer {ANA}");
    let mut seen = String::new();
    let ask = |path: &str, headers: Vec<(&'static str, String)>| {
        let url = gateway.url(path);
        async move {
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            get(&url, &pairs).await
        }
    };
    let mut record = |answer: &(u16, hyper::HeaderMap, bytes::Bytes)| {
        seen.push_str(&format!(
            "{:?}{}",
            answer.1,
            String::from_utf8_lossy(&answer.2)
        ));
    };

    let none = ask(MAP, vec![]).await;
    record(&none);
    assert_eq!((none.0, error_code(&none.2)), (401, 1002));
    let wrong = ask(
        MAP,
        vec![("authorization", "Bearer not-a-team-token-at-all".into())],
    )
    .await;
    record(&wrong);
    assert_eq!((wrong.0, error_code(&wrong.2)), (401, 1001));
    let foreign = ask(
        MAP,
        vec![
            ("authorization", bearer.clone()),
            ("origin", "http://evil.example".into()),
        ],
    )
    .await;
    record(&foreign);
    assert_eq!(foreign.0, 403);
    let blind = ask(
        MAP,
        vec![
            ("authorization", bearer.clone()),
            ("sec-fetch-site", "cross-site".into()),
        ],
    )
    .await;
    record(&blind);
    assert_eq!(blind.0, 403);
    let unknown = ask(
        "/v1/not-an-endpoint",
        vec![("authorization", bearer.clone())],
    )
    .await;
    record(&unknown);
    assert_eq!(unknown.0, 404);
    let key_in_query = ask(
        "/v1/fiat/map?CMC_PRO_API_KEY=x",
        vec![("authorization", bearer.clone())],
    )
    .await;
    record(&key_in_query);
    assert_eq!(key_in_query.0, 400);
    assert!(
        upstream.counted().await.is_null(),
        "a refused request reached the upstream"
    );

    // The team, from its dashboard: served, with the budget readable by the page.
    let ok = ask(
        MAP,
        vec![
            ("x-cmc_pro_api_key", ANA.into()),
            ("origin", "http://dash.example".into()),
        ],
    )
    .await;
    record(&ok);
    assert_eq!(ok.0, 200);
    assert_eq!(
        header(&ok.1, "access-control-allow-origin"),
        "http://dash.example"
    );
    assert!(header(&ok.1, "access-control-expose-headers").contains("RateLimit"));
    assert!(header(&ok.1, "ratelimit").contains("\"requests-per-minute\";r="));
    assert!(header(&ok.1, "ratelimit-policy").contains("\"requests-per-minute\";q=30;w=60"));

    let metrics = ask("/metrics", vec![]).await;
    assert_eq!(metrics.0, 401);
    let metrics = ask("/metrics", vec![("authorization", bearer.clone())]).await;
    record(&metrics);
    let text = String::from_utf8_lossy(&metrics.2).to_string();
    assert!(
        text.contains("credit_gauge_gateway_forwarded_total{token=\"ana\"} 1"),
        "{text}"
    );
    assert!(text.contains("reason=\"access\""), "{text}");

    assert!(!seen.contains(BASIC_KEY), "the key showed in an answer");
    let log = gateway.log_text();
    assert!(log.contains("forwarded"), "{log}");
    assert!(!log.contains(BASIC_KEY), "the key showed in the log");
    assert!(!log.contains(ANA), "a token showed in the log");
}
