//! All network I/O of the widget: builds requests, sends them, and turns every answer or
//! failure into a typed result.

use gloo_net::http::Request;
use serde::Deserialize;

/// Where the emulator serves CoinMarketCap on the page's own origin.
pub const CMC_BASE: &str = "/cmc";

/// The per-minute part of `/v1/key/info`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CurrentMinute {
    pub requests_made: u32,
    pub requests_left: u32,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
struct Usage {
    current_minute: CurrentMinute,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
struct KeyInfoData {
    usage: Usage,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
struct KeyInfoEnvelope {
    data: KeyInfoData,
}

/// Calls CoinMarketCap's `/v1/key/info` with the key in the header (never in the URL).
pub async fn key_info(base: &str, key: &str) -> Result<CurrentMinute, String> {
    let response = Request::get(&format!("{base}/v1/key/info"))
        .header("X-CMC_PRO_API_KEY", key)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("The request did not reach the server: {e}"))?;
    if !response.ok() {
        return Err(format!("The server answered HTTP {}", response.status()));
    }
    let envelope: KeyInfoEnvelope = response
        .json()
        .await
        .map_err(|e| format!("The answer was not the expected JSON: {e}"))?;
    Ok(envelope.data.usage.current_minute)
}
