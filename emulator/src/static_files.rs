//! The built app at `/`, when the emulator is given its folder; the app's own routes fall
//! back to `index.html` so a reload on any of them works. TypeScript declarations (`.d.ts`)
//! are served as text, not as the MPEG stream their extension otherwise names.

use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
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
    let typescript = request.uri().path().ends_with(".ts");
    let service = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    let mut response = match tower::ServiceExt::oneshot(service, request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if typescript && response.status() == StatusCode::OK {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
}
