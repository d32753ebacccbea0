//! The built app at `/`, when the emulator is given its folder; the app's own routes fall
//! back to `index.html` so a reload on any of them works. A missing file (a path whose last
//! part has an extension: `x.wasm`, `y.js`) is a 404, not that page: a browser would take the
//! page for the file and might cache it so. TypeScript declarations (`.d.ts`) are served as
//! text, not as the MPEG stream their extension otherwise names.

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
    let path = request.uri().path();
    let typescript = path.ends_with(".ts");
    let a_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.') || last.to_ascii_lowercase().contains("%2e"));
    let files = ServeDir::new(dir);
    let answer = if a_file {
        tower::ServiceExt::oneshot(files, request).await
    } else {
        let app = files.fallback(ServeFile::new(dir.join("index.html")));
        tower::ServiceExt::oneshot(app, request).await
    };
    let mut response = match answer {
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
