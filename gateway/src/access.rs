//! Who may spend through the gateway, closed by default: a team token (or, with no tokens
//! file, this machine only), an origin on the allow-list for browsers, and no request a page
//! of another site made without asking (`<img>`, `<script>`, a no-cors fetch).

use std::net::SocketAddr;

use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, AUTHORIZATION, HOST, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use credit_gauge_serve::is_loopback_host;

use crate::answers::Refusal;
use crate::tokens::Tokens;
use crate::upstream::KEY_HEADER;

/// The gateway's access rules.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// Absent: no token needed, but only from loopback.
    pub tokens: Option<Tokens>,
    /// Browser origins allowed to call (`https://dashboard.example`); none by default.
    pub origins: Vec<String>,
}

/// What a browser may read and send, for an allowed origin.
const EXPOSED: &str = "RateLimit, RateLimit-Policy, Retry-After";
const ALLOWED_HEADERS: &str = "Authorization, X-CMC_PRO_API_KEY, X-Credit-Gauge, Accept";

impl Access {
    /// The caller's name (its token's, or `loopback`), or why it is refused.
    pub fn caller(&self, headers: &HeaderMap, peer: SocketAddr) -> Result<String, Refusal> {
        let forbidden = |message: &str| Refusal::new(StatusCode::FORBIDDEN, 403, message);
        if let Some(origin) = headers.get(ORIGIN) {
            if self.allowed(origin).is_none() {
                return Err(forbidden(
                    "The gateway does not serve this origin; its operator can add it with --allow-origin.",
                ));
            }
        } else if let Some(site) = headers.get("sec-fetch-site") {
            // A browser says where a request comes from: from another site, only a page of an
            // allowed origin is served, and such a request always carries its Origin.
            let site = site.to_str().unwrap_or("cross-site");
            if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
                return Err(forbidden(
                    "The gateway refuses requests another site's page made without asking (no Origin).",
                ));
            }
        }
        match &self.tokens {
            // A page whose name an attacker re-pointed at 127.0.0.1 (DNS rebinding) reaches
            // the gateway as its own origin, but still under its own name in `Host`.
            None if !headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .is_some_and(is_loopback_host) => {
                Err(forbidden(
                    "This gateway has no tokens file, so it answers only requests addressed to a loopback name.",
                ))
            }
            None if peer.ip().is_loopback() => Ok("loopback".into()),
            None => Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                1002,
                "This gateway has no tokens file, so it serves only its own machine.",
            )),
            Some(tokens) => {
                let Some(presented) = presented_token(headers) else {
                    return Err(Refusal::new(
                        StatusCode::UNAUTHORIZED,
                        1002,
                        "A team token is required: send it as `Authorization: Bearer …` or in the X-CMC_PRO_API_KEY header.",
                    ));
                };
                tokens.holder(presented).map(str::to_string).ok_or_else(|| {
                    Refusal::new(
                        StatusCode::UNAUTHORIZED,
                        1001,
                        "This team token is not valid for this gateway.",
                    )
                })
            }
        }
    }

    /// `origin` when it is on the allow-list.
    fn allowed<'a>(&self, origin: &'a HeaderValue) -> Option<&'a HeaderValue> {
        let text = origin.to_str().ok()?;
        self.origins.iter().any(|o| o == text).then_some(origin)
    }

    /// The CORS fields of an answer to an allowed origin (none for other callers).
    pub fn cors(&self, request: &HeaderMap, answer: &mut HeaderMap) {
        let Some(origin) = request.get(ORIGIN).and_then(|o| self.allowed(o)) else {
            return;
        };
        answer.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        answer.insert(VARY, HeaderValue::from_static("Origin"));
        answer.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
    }

    /// The answer to a preflight: allowed for an allowed origin asking for GET.
    pub fn preflight(&self, request: &HeaderMap) -> Result<HeaderMap, Refusal> {
        let Some(origin) = request.get(ORIGIN).and_then(|o| self.allowed(o)) else {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                403,
                "The gateway does not serve this origin; its operator can add it with --allow-origin.",
            ));
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(VARY, HeaderValue::from_static("Origin"));
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET"),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOWED_HEADERS),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        Ok(headers)
    }
}

/// The token a request presents: `Authorization: Bearer …`, else the CoinMarketCap key header.
fn presented_token(headers: &HeaderMap) -> Option<&[u8]> {
    if let Some(auth) = headers.get(AUTHORIZATION) {
        let bytes = auth.as_bytes();
        let scheme = b"bearer ";
        if bytes.len() > scheme.len() && bytes[..scheme.len()].eq_ignore_ascii_case(scheme) {
            return Some(bytes[scheme.len()..].trim_ascii());
        }
    }
    headers.get(KEY_HEADER).map(|v| v.as_bytes().trim_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(ip: &str) -> SocketAddr {
        format!("{ip}:40000").parse().expect("address")
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).expect("value"));
        }
        h
    }

    #[test]
    fn without_tokens_only_this_machine_is_served_under_a_loopback_name() {
        let access = Access::default();
        let local = headers(&[("host", "127.0.0.1:8788")]);
        assert_eq!(
            access.caller(&local, peer("127.0.0.1")),
            Ok("loopback".into())
        );
        let named = headers(&[("host", "localhost")]);
        assert_eq!(
            access.caller(&named, peer("127.0.0.1")),
            Ok("loopback".into())
        );
        let refused = access.caller(&local, peer("10.0.0.7")).unwrap_err();
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        // DNS rebinding: loopback peer, foreign name.
        let rebound = headers(&[("host", "evil.example:8788")]);
        let refused = access.caller(&rebound, peer("127.0.0.1")).unwrap_err();
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(access.caller(&headers(&[]), peer("127.0.0.1")).is_err());
        assert!(!is_loopback_host("127.0.0.1.evil.example"));
        assert!(is_loopback_host("[::1]:8788"));
    }

    #[test]
    fn a_token_is_found_in_either_header_and_checked() {
        let access = Access {
            tokens: Some(Tokens::parse("ana ana-0123456789abcdef").expect("tokens")),
            origins: Vec::new(),
        };
        let far = peer("10.0.0.7");
        let bearer = headers(&[("authorization", "Bearer ana-0123456789abcdef")]);
        assert_eq!(access.caller(&bearer, far), Ok("ana".into()));
        let key = headers(&[("x-cmc_pro_api_key", "ana-0123456789abcdef")]);
        assert_eq!(access.caller(&key, far), Ok("ana".into()));
        let wrong = headers(&[("authorization", "Bearer ana-0123456789abcdeX")]);
        assert_eq!(access.caller(&wrong, far).unwrap_err().code, 1001);
        assert_eq!(access.caller(&headers(&[]), far).unwrap_err().code, 1002);
        // Loopback needs the token too once there is a tokens file.
        assert!(access.caller(&headers(&[]), peer("127.0.0.1")).is_err());
    }

    #[test]
    fn browsers_need_an_allowed_origin_and_other_sites_cannot_send_blind() {
        let access = Access {
            tokens: None,
            origins: vec!["http://dash.example".into()],
        };
        let here = peer("127.0.0.1");
        let allowed = headers(&[("origin", "http://dash.example"), ("host", "127.0.0.1")]);
        assert!(access.caller(&allowed, here).is_ok());
        let foreign = headers(&[("origin", "http://evil.example"), ("host", "127.0.0.1")]);
        assert_eq!(
            access.caller(&foreign, here).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        let blind = headers(&[("sec-fetch-site", "cross-site"), ("host", "127.0.0.1")]);
        assert_eq!(
            access.caller(&blind, here).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        assert!(access.preflight(&foreign).is_err());
        let pre = access.preflight(&allowed).expect("allowed");
        assert_eq!(pre[ACCESS_CONTROL_ALLOW_ORIGIN], "http://dash.example");
        let mut answer = HeaderMap::new();
        access.cors(&allowed, &mut answer);
        assert!(answer[ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .contains("RateLimit"));
    }
}
