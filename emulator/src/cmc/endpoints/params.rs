//! The parameters each endpoint takes: what its 400 check allows.

/// The parameters each endpoint takes (besides the key), from the reference; anything else
/// answers 400.
pub const MAP_PARAMS: &[&str] = &["listing_status", "start", "limit", "sort", "symbol", "aux"];
pub const LISTINGS_PARAMS: &[&str] = &[
    "start",
    "limit",
    "price_min",
    "price_max",
    "market_cap_min",
    "market_cap_max",
    "volume_24h_min",
    "volume_24h_max",
    "convert",
    "convert_id",
    "sort",
    "sort_dir",
    "cryptocurrency_type",
    "tag",
    "aux",
];
pub const QUOTES_PARAMS: &[&str] = &[
    "id",
    "slug",
    "symbol",
    "convert",
    "convert_id",
    "aux",
    "skip_invalid",
];
pub const INFO_PARAMS: &[&str] = &["id", "slug", "symbol", "address", "aux", "skip_invalid"];
pub const GLOBAL_PARAMS: &[&str] = &["convert", "convert_id"];
pub const CONVERSION_PARAMS: &[&str] = &["amount", "id", "symbol", "time", "convert", "convert_id"];
pub const FIAT_PARAMS: &[&str] = &["start", "limit", "sort", "include_metals"];
pub const EXCHANGE_MAP_PARAMS: &[&str] = &[
    "listing_status",
    "slug",
    "start",
    "limit",
    "sort",
    "aux",
    "crypto_id",
];
pub const EXCHANGE_INFO_PARAMS: &[&str] = &["id", "slug", "aux"];
pub const EXCHANGE_LISTINGS_PARAMS: &[&str] = &[
    "start",
    "limit",
    "sort",
    "sort_dir",
    "market_type",
    "category",
    "aux",
    "convert",
    "convert_id",
];
pub const HISTORICAL_PARAMS: &[&str] = &[
    "id",
    "symbol",
    "time_start",
    "time_end",
    "count",
    "interval",
    "convert",
    "convert_id",
    "aux",
    "skip_invalid",
];
pub const OHLCV_PARAMS: &[&str] = &["id", "symbol", "convert", "convert_id", "skip_invalid"];
