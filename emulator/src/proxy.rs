//! Proxy mode: `/cmc` forwards to the real CoinMarketCap with a key kept server-side.
//!
//! The proxy is not an open one: it forwards only the API paths the widget uses, to the one
//! configured upstream, for requests addressed to a loopback name (so a rebinding DNS name
//! cannot reach it) and from the emulator's own origin or an allowed one. The key is added
//! here, never logged, and scrubbed from anything that comes back.

use std::fmt;
use std::time::{Duration, Instant};

use axum::http::header::{ACCEPT, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::cmc::{endpoints, error, KEY_HEADER, KEY_PARAM};
use crate::cors::Cors;
use crate::query::{encode, Query};

/// The CoinMarketCap paths the widget uses; nothing else is forwarded.
pub const FORWARDED_PATHS: &[&str] = &[
    "/v1/key/info",
    "/v1/cryptocurrency/map",
    "/v1/cryptocurrency/listings/latest",
    "/v2/cryptocurrency/quotes/latest",
    "/v2/cryptocurrency/info",
    "/v1/global-metrics/quotes/latest",
    "/v2/tools/price-conversion",
    "/v1/fiat/map",
    "/v1/exchange/map",
    "/v1/exchange/info",
    "/v1/exchange/listings/latest",
];

/// How long the whole exchange with the upstream (request, head and body) may take before the
/// caller gets a 504, unless the configuration says otherwise.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest upstream body passed on (listings of 5,000 coins in many currencies are big).
const MAX_UPSTREAM_BODY: usize = 64 * 1024 * 1024;

/// Where to forward and with which key.
#[derive(Clone)]
pub struct ProxyConfig {
    /// `https://host[:port][/prefix]`; the API paths are appended to it.
    pub upstream: String,
    pub key: String,
    /// The deadline for one whole exchange with the upstream, body included.
    pub timeout: Duration,
}

impl ProxyConfig {
    /// A proxy to `upstream` with `key`, and the default deadline.
    pub fn new(upstream: impl Into<String>, key: impl Into<String>) -> ProxyConfig {
        ProxyConfig {
            upstream: upstream.into(),
            key: key.into(),
            timeout: UPSTREAM_TIMEOUT,
        }
    }
}

// Hand-written so that printing a Config can never print the key.
impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("upstream", &self.upstream)
            .field("key", &"<hidden>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

pub struct Proxy {
    base: String,
    key: HeaderValue,
    key_text: String,
    client: HttpsClient,
    timeout: Duration,
}

/// The header that marks a request as credit-gauge's own. A page elsewhere can make a browser
/// send a GET with no custom header and no `Origin` (`<img>`, `<script>`, a no-cors fetch);
/// one with a custom header needs a CORS preflight first, which the proxy grants only to the
/// origins it serves.
pub const OWN_HEADER: &str = "x-credit-gauge";

impl Proxy {
    pub fn new(config: &ProxyConfig) -> Result<Proxy, String> {
        let base = config.upstream.trim_end_matches('/').to_string();
        let uri: Uri = base
            .parse()
            .map_err(|_| "--proxy-cmc needs a URL such as https://host[/prefix]".to_string())?;
        if !matches!(uri.scheme_str(), Some("http") | Some("https"))
            || uri.host().is_none()
            || uri.query().is_some()
        {
            return Err("--proxy-cmc needs an http or https URL without a query".into());
        }
        let key = config.key.trim();
        if key.is_empty() {
            return Err("the proxy's CoinMarketCap key is empty".into());
        }
        let mut key_value = HeaderValue::from_str(key)
            .map_err(|_| "the proxy's key is not a valid header value")?;
        key_value.set_sensitive(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("TLS set-up failed: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Proxy {
            base,
            key: key_value,
            key_text: key.to_string(),
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout: config.timeout,
        })
    }

    /// Forwards one request for `path` (below `/cmc`), or refuses it.
    pub async fn forward(
        &self,
        cors: &Cors,
        parts: &Parts,
        path: &str,
        started: Instant,
        now: i64,
    ) -> Response {
        let refuse = |http: StatusCode, message: &str| {
            error(now, started, http, http.as_u16().into(), message)
        };
        // Absolute-form requests (`GET http://elsewhere/…`) ask for another host.
        if parts.uri.authority().is_some() {
            return refuse(
                StatusCode::FORBIDDEN,
                "The proxy forwards only to its configured upstream.",
            );
        }
        let host = parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !is_loopback_host(host) {
            return refuse(
                StatusCode::FORBIDDEN,
                "The proxy answers only requests addressed to a loopback name.",
            );
        }
        if let Some(origin) = parts.headers.get(ORIGIN) {
            let same = origin
                .to_str()
                .ok()
                .is_some_and(|o| o == format!("http://{host}"));
            if !same && !cors.allows(&parts.headers) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "The proxy does not serve this origin.",
                );
            }
        }
        match parts.headers.get(OWN_HEADER) {
            None => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "The proxy serves only credit-gauge's own requests: the X-Credit-Gauge header is missing.",
                )
            }
            Some(v) if v.as_bytes() != b"1" => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "The proxy serves only credit-gauge's own requests: the X-Credit-Gauge header must be 1.",
                )
            }
            Some(_) => {}
        }
        // A browser says where a request comes from; from another site, only a page of an
        // origin checked above may be served, and such a request always carries its Origin.
        if let Some(site) = parts.headers.get("sec-fetch-site") {
            let site = site.to_str().unwrap_or("cross-site");
            let foreign =
                site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site");
            if foreign && !parts.headers.contains_key(ORIGIN) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "The proxy serves only credit-gauge's own requests: a request from another site without an allowed Origin.",
                );
            }
        }
        if parts.method != Method::GET {
            return refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "The proxy forwards only GET requests.",
            );
        }
        let (true, Some(takes)) = (FORWARDED_PATHS.contains(&path), endpoints::params(path)) else {
            return refuse(
                StatusCode::NOT_FOUND,
                "Not found: the proxy forwards only the API paths the widget uses.",
            );
        };
        let Ok(q) = Query::parse(parts.uri.query()) else {
            return refuse(StatusCode::BAD_REQUEST, "Invalid query string: not UTF-8");
        };
        // Only the parameters this endpoint takes go upstream: never the caller's key (under
        // any spelling: only the server's key is sent), never the emulator's fault parameter.
        let pairs = forwarded_pairs(&q, takes);
        let mut url = format!("{}{}", self.base, path);
        if !pairs.is_empty() {
            let qs: Vec<String> = pairs
                .iter()
                .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
                .collect();
            url.push('?');
            url.push_str(&qs.join("&"));
        }
        let request = match hyper::Request::get(&url)
            .header(ACCEPT, "application/json")
            .header(KEY_HEADER, self.key.clone())
            .body(Empty::<Bytes>::new())
        {
            Ok(r) => r,
            Err(_) => return refuse(StatusCode::BAD_REQUEST, "Invalid request for the upstream."),
        };
        // One deadline for the whole exchange: a slow head and a trickling body alike.
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|_| Failure::Unreachable)?;
            let status = response.status();
            let content_type = response.headers().get(CONTENT_TYPE).cloned();
            let body = Limited::new(response.into_body(), MAX_UPSTREAM_BODY)
                .collect()
                .await
                .map_err(|_| Failure::Cut)?
                .to_bytes();
            Ok((status, content_type, body))
        };
        let (status, content_type, body) = match tokio::time::timeout(self.timeout, exchange).await
        {
            Err(_) => {
                return refuse(
                    StatusCode::GATEWAY_TIMEOUT,
                    "The upstream did not answer in time.",
                )
            }
            Ok(Err(Failure::Unreachable)) => {
                return refuse(
                    StatusCode::BAD_GATEWAY,
                    "The upstream could not be reached.",
                )
            }
            Ok(Err(Failure::Cut)) => {
                return refuse(
                    StatusCode::BAD_GATEWAY,
                    "The upstream's answer was cut short or too big.",
                )
            }
            Ok(Ok(answer)) => answer,
        };
        let body = self.scrub(body);
        let mut out = (status, body).into_response();
        if let Some(ct) = content_type {
            out.headers_mut().insert(CONTENT_TYPE, ct);
        }
        out
    }

    /// Replaces every occurrence of the key in an upstream body, should one ever echo it.
    fn scrub(&self, body: Bytes) -> Bytes {
        let key = self.key_text.as_bytes();
        if key.is_empty() || !body.windows(key.len()).any(|w| w == key) {
            return body;
        }
        let mut out = Vec::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            if body[i..].starts_with(key) {
                out.extend_from_slice(b"[hidden]");
                i += key.len();
            } else {
                out.push(body[i]);
                i += 1;
            }
        }
        Bytes::from(out)
    }
}

/// Why an exchange with the upstream failed before the deadline.
enum Failure {
    Unreachable,
    Cut,
}

/// The pairs of `q` an endpoint taking `takes` is sent: only those, and never a key parameter
/// (matched without regard to case) or the fault parameter.
fn forwarded_pairs(q: &Query, takes: &[&str]) -> Vec<(String, String)> {
    q.pairs()
        .filter(|(n, _)| {
            takes.contains(n) && !n.eq_ignore_ascii_case(KEY_PARAM) && *n != "emulator_fault"
        })
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// `127.0.0.1`, `localhost` or `[::1]`, with or without a port.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_are_served() {
        assert!(is_loopback_host("127.0.0.1:8787"));
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("[::1]:8787"));
        assert!(!is_loopback_host("evil.example:8787"));
        assert!(!is_loopback_host("127.0.0.1.evil.example"));
        assert!(!is_loopback_host(""));
    }

    #[test]
    fn only_the_endpoints_parameters_are_forwarded() {
        let q = Query::parse(Some(
            "limit=5&cmc_pro_api_key=a&CMC_PRO_API_KEY=b&emulator_fault=drop&junk=1&convert=EUR",
        ))
        .expect("parses");
        let takes = endpoints::params("/v1/cryptocurrency/listings/latest").expect("known");
        let pairs = forwarded_pairs(&q, takes);
        let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["limit", "convert"]);
        assert!(forwarded_pairs(&q, endpoints::params("/v1/key/info").expect("known")).is_empty());
    }

    #[test]
    fn the_key_never_prints() {
        let c = ProxyConfig::new("https://example.invalid", "secret-123");
        assert!(!format!("{c:?}").contains("secret-123"));
    }
}
