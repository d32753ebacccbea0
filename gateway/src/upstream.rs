//! The one upstream: CoinMarketCap (or an emulator of it), with the key added here and
//! nowhere else. One deadline over the whole exchange, a bounded body, every failure typed as
//! the core reads it (so it is settled as the core would settle it).

use std::fmt;
use std::time::Duration;

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderValue, Uri};
use bytes::Bytes;
use credit_gauge_core::{cmc_outcome, ClientFailure, Outcome, Request};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// CoinMarketCap's key header.
pub const KEY_HEADER: &str = "X-CMC_PRO_API_KEY";
/// The largest upstream body passed on (listings of 5,000 coins in many currencies are big).
const MAX_BODY: usize = 64 * 1024 * 1024;

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// What came back from the upstream.
pub struct Reply {
    /// The outcome the core settles.
    pub outcome: Outcome,
    /// The status, content type and body to pass on, when an answer arrived.
    pub answer: Option<(u16, Option<HeaderValue>, Bytes)>,
    /// How long the exchange took.
    pub took: Duration,
}

pub struct Upstream {
    base: String,
    key: HeaderValue,
    key_text: String,
    client: HttpsClient,
    timeout: Duration,
}

// Hand-written so that printing it never prints the key.
impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("base", &self.base)
            .field("key", &"<hidden>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Upstream {
    /// The upstream at `base` (`https://host[:port][/prefix]`) with `key`.
    pub fn new(base: &str, key: &str, timeout: Duration) -> Result<Upstream, String> {
        let base = base.trim_end_matches('/').to_string();
        let uri: Uri = base
            .parse()
            .map_err(|_| "--cmc-upstream needs a URL such as https://host[/prefix]".to_string())?;
        if !matches!(uri.scheme_str(), Some("http") | Some("https"))
            || uri.host().is_none()
            || uri.query().is_some()
        {
            return Err("--cmc-upstream needs an http or https URL without a query".into());
        }
        let key = key.trim();
        if key.is_empty() {
            return Err("the CoinMarketCap key is empty".into());
        }
        let mut key_value = HeaderValue::from_str(key)
            .map_err(|_| "the CoinMarketCap key is not a valid header value")?;
        key_value.set_sensitive(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("TLS set-up failed: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Upstream {
            base,
            key: key_value,
            key_text: key.to_string(),
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout,
        })
    }

    /// Sends `request` (checked against the catalog: only its endpoint and parameters go).
    pub async fn send(&self, request: &Request) -> Reply {
        let started = std::time::Instant::now();
        let url = format!("{}{}", self.base, request.path_and_query());
        let failed = |failure, status: Option<u16>| Reply {
            outcome: Outcome::Failed {
                failure,
                http_status: status,
            },
            answer: None,
            took: started.elapsed(),
        };
        let Ok(http) = hyper::Request::get(&url)
            .header(ACCEPT, "application/json")
            .header(KEY_HEADER, self.key.clone())
            .body(Empty::<Bytes>::new())
        else {
            return failed(ClientFailure::Network, None);
        };
        let exchange = async {
            let response = self
                .client
                .request(http)
                .await
                .map_err(|_| (ClientFailure::Network, None))?;
            let status = response.status().as_u16();
            let content_type = response.headers().get(CONTENT_TYPE).cloned();
            let body = Limited::new(response.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|_| (ClientFailure::NotJson, Some(status)))?
                .to_bytes();
            Ok::<_, (ClientFailure, Option<u16>)>((status, content_type, body))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            // The request left: the upstream may have served and charged it.
            Err(_) => failed(ClientFailure::Timeout, None),
            Ok(Err((failure, status))) => failed(failure, status),
            Ok(Ok((status, content_type, body))) => {
                let outcome = cmc_outcome(status, &String::from_utf8_lossy(&body));
                Reply {
                    outcome,
                    answer: Some((status, content_type, self.scrub(body))),
                    took: started.elapsed(),
                }
            }
        }
    }

    /// The body with every occurrence of the key replaced, should an upstream ever echo it.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_prints_and_is_scrubbed_from_answers() {
        let upstream = Upstream::new(
            "https://example.invalid",
            "secret-123",
            Duration::from_secs(1),
        )
        .expect("valid");
        assert!(!format!("{upstream:?}").contains("secret-123"));
        let scrubbed = upstream.scrub(Bytes::from_static(b"{\"echo\":\"secret-123\"}"));
        assert_eq!(&scrubbed[..], b"{\"echo\":\"[hidden]\"}");
    }

    #[test]
    fn an_upstream_must_be_a_plain_http_url() {
        let t = Duration::from_secs(1);
        assert!(Upstream::new("ftp://x", "k", t).is_err());
        assert!(Upstream::new("https://x/?a=1", "k", t).is_err());
        assert!(Upstream::new("https://x", "  ", t).is_err());
        assert!(Upstream::new("http://127.0.0.1:9/cmc/", "k", t).is_ok());
    }
}
