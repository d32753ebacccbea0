//! The built app at `/`, when the emulator is given its folder; the app's own routes fall
//! back to `index.html` so a reload on any of them works.

use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

pub async fn serve(dir: Option<&Path>, request: Request) -> Response {
    let Some(dir) = dir else {
        return (
            StatusCode::NOT_FOUND,
            "Not found: the emulator serves /cmc, /cryptowatch and /_emulator\n",
        )
            .into_response();
    };
    let service = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    match tower::ServiceExt::oneshot(service, request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}
