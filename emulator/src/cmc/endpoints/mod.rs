//! The emulated CoinMarketCap endpoints: argument checks, the data they return and the
//! numbers their credit cost depends on (items returned, batch size, convert targets).
//!
//! Here: what every endpoint shares and which path is which endpoint. `accepted` is what an
//! accepted call returns and costs, `args` checks the arguments, `coin_fields` builds the
//! fields several answers share, `params` lists each endpoint's parameters; the endpoints
//! themselves are grouped by family in `listings`, `maps`, `global` and `exchanges`.

mod accepted;
mod args;
mod coin_fields;
mod exchanges;
mod global;
mod listings;
mod maps;
mod params;

pub use accepted::{Accepted, Pricing, MAX_VALUES};
pub use args::Ctx;
pub use exchanges::{exchange_info, exchange_listings, exchange_map};
pub use global::{global_metrics, price_conversion};
pub use listings::{listings_latest, ohlcv_latest, quotes_historical, quotes_latest};
pub use maps::{cryptocurrency_map, fiat_map, info};
pub use params::{
    CONVERSION_PARAMS, EXCHANGE_INFO_PARAMS, EXCHANGE_LISTINGS_PARAMS, EXCHANGE_MAP_PARAMS,
    FIAT_PARAMS, GLOBAL_PARAMS, HISTORICAL_PARAMS, INFO_PARAMS, LISTINGS_PARAMS, MAP_PARAMS,
    OHLCV_PARAMS, QUOTES_PARAMS,
};

/// Why a call was refused before any credit was charged.
#[derive(Debug)]
pub enum Refusal {
    /// 400, with a message naming the argument.
    Argument(String),
    /// 403/1006: the plan does not cover this use of the endpoint.
    Plan,
}

pub type Outcome<'a> = Result<Accepted<'a>, Refusal>;

/// An endpoint: checks its arguments and says what it will answer.
pub type Endpoint = for<'a> fn(&'a Ctx<'a>) -> Outcome<'a>;

/// The handler for a path below `/cmc`, if it is one the emulator serves.
pub fn lookup(path: &str) -> Option<Endpoint> {
    Some(match path {
        "/v1/cryptocurrency/map" => cryptocurrency_map,
        "/v1/cryptocurrency/listings/latest" => listings_latest,
        "/v2/cryptocurrency/quotes/latest" => quotes_latest,
        "/v2/cryptocurrency/info" => info,
        "/v1/global-metrics/quotes/latest" => global_metrics,
        "/v2/tools/price-conversion" => price_conversion,
        "/v1/fiat/map" => fiat_map,
        "/v1/exchange/map" => exchange_map,
        "/v1/exchange/info" => exchange_info,
        "/v1/exchange/listings/latest" => exchange_listings,
        "/v2/cryptocurrency/quotes/historical" => quotes_historical,
        "/v2/cryptocurrency/ohlcv/latest" => ohlcv_latest,
        _ => return None,
    })
}
