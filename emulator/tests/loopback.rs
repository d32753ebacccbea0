//! The emulator answers over real loopback HTTP.

use credit_gauge_emulator::{serve, Config};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

async fn start() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, Config::default()));
    addr
}

async fn get(
    addr: std::net::SocketAddr,
    path: &str,
    key: Option<&str>,
) -> (u16, serde_json::Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    let mut req = hyper::Request::get(format!("http://{addr}{path}"));
    if let Some(key) = key {
        req = req.header("X-CMC_PRO_API_KEY", key);
    }
    let res = client
        .request(req.body(Empty::new()).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn key_info_answers_a_demo_key_on_loopback() {
    let addr = start().await;
    let (status, body) = get(addr, "/cmc/v1/key/info", Some("demo-basic")).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"]["error_code"], 0);
    assert_eq!(body["status"]["credit_count"], 0);
    assert_eq!(body["data"]["plan"]["rate_limit_minute"], 30);
}

#[tokio::test]
async fn a_missing_key_is_refused_with_1002() {
    let addr = start().await;
    let (status, body) = get(addr, "/cmc/v1/key/info", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["status"]["error_code"], 1002);
    assert_eq!(body["status"]["error_message"], "API key missing.");
}
