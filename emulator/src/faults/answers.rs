//! Applying a fault list: the latency slept, then the first terminal fault's answer in the
//! shape of the API it imitates.

use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;

use super::Fault;
use crate::http::json_text;

/// Which API's error shapes to imitate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Cmc,
    Cryptowatch,
}

/// Markup that runs script if a client ever parses server text as HTML.
pub const INJECTED: &str =
    "<img src=x onerror=\"window.__injected=1\"><script>window.__injected=1</script><b>bold</b>";

/// Sleeps for the latency faults and returns the answer of the first terminal one, if any.
pub async fn apply(faults: &[Fault], api: Api, timestamp: &str) -> Option<Response> {
    for f in faults {
        if let Fault::Latency(ms) = f {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    let terminal = faults.iter().find(|f| !matches!(f, Fault::Latency(_)))?;
    Some(answer(*terminal, api, timestamp))
}

fn answer(fault: Fault, api: Api, timestamp: &str) -> Response {
    match fault {
        Fault::Latency(_) => StatusCode::NO_CONTENT.into_response(),
        Fault::Status500 => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": timestamp, "error_code": 500,
                    "error_message": "An internal server error occurred", "elapsed": 0,
                    "credit_count": 0, "notice": null}}),
                Api::Cryptowatch => json!({"error": "Internal Server Error"}),
            };
            json_text(StatusCode::INTERNAL_SERVER_ERROR, body.to_string())
        }
        Fault::Html502 => (
            StatusCode::BAD_GATEWAY,
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
             <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
             </body>\r\n</html>\r\n",
        )
            .into_response(),
        Fault::MalformedJson => {
            let body = match api {
                Api::Cmc => format!(
                    "{{\"status\":{{\"timestamp\":\"{timestamp}\",\"error_code\":0,\"credit_count\":1,"
                ),
                Api::Cryptowatch => "{\"result\":{\"price\":1234.5,\"allowance\":".to_string(),
            };
            json_text(StatusCode::OK, body)
        }
        Fault::HtmlInMessage => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": timestamp, "error_code": 400,
                    "error_message": INJECTED, "elapsed": 0, "credit_count": 0, "notice": null}}),
                Api::Cryptowatch => json!({"error": INJECTED}),
            };
            json_text(StatusCode::BAD_REQUEST, body.to_string())
        }
        Fault::HtmlInData => {
            let body = match api {
                Api::Cmc => json!({
                    "status": {"timestamp": timestamp, "error_code": 0, "error_message": null,
                        "elapsed": 0, "credit_count": 0, "notice": INJECTED},
                    "data": [{"id": 1, "name": INJECTED, "symbol": INJECTED, "cmc_rank": 1,
                        "quote": {"USD": {"price": 1.5}}}]
                }),
                Api::Cryptowatch => json!({
                    "result": {INJECTED: 1.5},
                    "allowance": {"cost": 0.015, "remaining": 9.985, "upgrade": INJECTED}
                }),
            };
            json_text(StatusCode::OK, body.to_string())
        }
        Fault::WrongTypes => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": 12, "error_code": "0",
                    "error_message": false, "elapsed": "fast", "credit_count": "one"},
                    "data": "not a list"}),
                Api::Cryptowatch => json!({"result": "not a price",
                    "allowance": {"cost": "0.005", "remaining": [9.995]}}),
            };
            json_text(StatusCode::OK, body.to_string())
        }
        Fault::MissingFields => {
            let body = match api {
                Api::Cmc => json!({"data": []}),
                Api::Cryptowatch => json!({"result": {}}),
            };
            json_text(StatusCode::OK, body.to_string())
        }
        Fault::TooManyNoCode => {
            let body = match api {
                Api::Cmc => json!({"status": {"timestamp": timestamp,
                    "error_message": "Too Many Requests", "elapsed": 0, "credit_count": 0}}),
                Api::Cryptowatch => json!({"error": "Too Many Requests"}),
            };
            json_text(StatusCode::TOO_MANY_REQUESTS, body.to_string())
        }
        Fault::Truncated => {
            let full = match api {
                Api::Cmc => format!(
                    "{{\"status\":{{\"timestamp\":\"{timestamp}\",\"error_code\":0,\"error_message\":null,\
                     \"elapsed\":0,\"credit_count\":1,\"notice\":null}},\"data\":{{\"padding\":\"{}\"}}}}",
                    "x".repeat(512)
                ),
                Api::Cryptowatch => format!(
                    "{{\"result\":{{\"price\":1234.5}},\"allowance\":{{\"cost\":0.005,\"remaining\":9.995,\"padding\":\"{}\"}}}}",
                    "x".repeat(512)
                ),
            };
            let half = Bytes::from(full.as_bytes()[..full.len() / 2].to_vec());
            // The promised length is the whole body; the stream fails halfway, so the server
            // closes the connection and the client sees a body that ends too early.
            // The pause lets the head and the first half reach the client before the cut.
            let first =
                futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) });
            let cut = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "truncated",
                ))
            });
            let stream = futures_util::StreamExt::chain(first, cut);
            let mut response = Response::new(Body::from_stream(stream));
            let h = response.headers_mut();
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            h.insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
            response
        }
        Fault::Drop => {
            // A body that fails before its first byte: the server abandons the connection
            // before the head is flushed, so the client sees it closed with no answer.
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "dropped",
            ))];
            Response::new(Body::from_stream(futures_util::stream::iter(chunks)))
        }
    }
}
