//! A local emulator of the CoinMarketCap Pro and Cryptowatch REST APIs, so credit-gauge works
//! offline and every test talks to a real HTTP server on loopback.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_http::services::{ServeDir, ServeFile};

/// How the emulator runs.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The built app to serve at `/` (Trunk's `dist/`), if any.
    pub static_dir: Option<PathBuf>,
}

#[derive(Default)]
struct Ledger {
    minute: u64,
    requests_this_minute: u32,
}

#[derive(Clone)]
struct AppState {
    ledger: Arc<Mutex<Ledger>>,
}

const BASIC_RATE_LIMIT_MINUTE: u32 = 30;
const BASIC_CREDITS_MONTHLY: u32 = 10_000;

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The router: the emulated APIs, and the built app at `/` when a folder is given.
pub fn app(config: Config) -> Router {
    let state = AppState {
        ledger: Arc::new(Mutex::new(Ledger::default())),
    };
    let api = Router::new()
        .route("/cmc/v1/key/info", get(key_info).options(preflight))
        .with_state(state);
    match config.static_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            api.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => api,
    }
}

fn cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("X-CMC_PRO_API_KEY, Accept"),
    );
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, OPTIONS"),
    );
    response
}

async fn preflight(_method: Method) -> Response {
    cors(StatusCode::NO_CONTENT.into_response())
}

fn status(error_code: u32, error_message: Option<&str>, credit_count: u32) -> Value {
    json!({
        "timestamp": "1970-01-01T00:00:00.000Z",
        "error_code": error_code,
        "error_message": error_message,
        "elapsed": 0,
        "credit_count": credit_count,
        "notice": null,
    })
}

async fn key_info(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let key = headers
        .get("x-cmc_pro_api_key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if key.is_empty() {
        let body = json!({ "status": status(1002, Some("API key missing."), 0) });
        return cors((StatusCode::UNAUTHORIZED, Json(body)).into_response());
    }
    if key != "demo-basic" {
        let body = json!({ "status": status(1001, Some("This API Key is invalid."), 0) });
        return cors((StatusCode::UNAUTHORIZED, Json(body)).into_response());
    }
    let made = {
        let mut ledger = state.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let minute = now_millis() / 60_000;
        if ledger.minute != minute {
            ledger.minute = minute;
            ledger.requests_this_minute = 0;
        }
        ledger.requests_this_minute += 1;
        ledger.requests_this_minute
    };
    let body = json!({
        "status": status(0, None, 0),
        "data": {
            "plan": {
                "credit_limit_monthly": BASIC_CREDITS_MONTHLY,
                "rate_limit_minute": BASIC_RATE_LIMIT_MINUTE,
            },
            "usage": {
                "current_minute": {
                    "requests_made": made,
                    "requests_left": BASIC_RATE_LIMIT_MINUTE.saturating_sub(made),
                },
                "current_month": { "credits_used": 0, "credits_left": BASIC_CREDITS_MONTHLY },
            },
        },
    });
    cors(Json(body).into_response())
}

/// Serves the emulator on an already bound listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, app(config)).await
}
