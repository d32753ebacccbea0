//! What each API offers: endpoints, their parameters, what they cost, and CoinMarketCap's plans.
//!
//! All of it is data (`static` tables) so that a changed price or a new plan is a one-line edit,
//! and so the widget can render forms and cost previews from the same source that decides.
//! The figures follow the shared API reference; where it flags a figure as uncertain (⚠) the
//! comment next to it says which side we chose and why.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cat;
use crate::credits::Credits;
use crate::text::Piece;

/// Which API a request, an answer or an account belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ApiKind {
    /// The CoinMarketCap Pro API.
    CoinMarketCap,
    /// The Cryptowatch REST API.
    Cryptowatch,
}

impl ApiKind {
    /// The variant's name, as stored accounts write it (serde's name for it).
    pub const fn name(self) -> &'static str {
        match self {
            ApiKind::CoinMarketCap => "CoinMarketCap",
            ApiKind::Cryptowatch => "Cryptowatch",
        }
    }
}

/// A CoinMarketCap plan, ordered from smallest to largest so gates can compare them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CmcPlan {
    /// The free plan.
    Basic,
    /// The first paid plan.
    Hobbyist,
    /// Second paid plan.
    Startup,
    /// Third paid plan.
    Standard,
    /// Fourth paid plan.
    Professional,
    /// Custom contracts.
    Enterprise,
}

/// The limits of a CoinMarketCap plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanLimits {
    /// Credits per month.
    pub monthly_credits: Credits,
    /// Credits per day, where the plan had a daily cap (see [`CmcPlan::limits`]).
    pub daily_credits: Option<Credits>,
    /// HTTP requests per UTC minute.
    pub requests_per_minute: u32,
    /// The most `convert` currencies one request may name (Basic: one, per reports).
    pub max_converts: u32,
}

impl CmcPlan {
    /// Every plan, smallest first.
    pub const ALL: [CmcPlan; 6] = [
        CmcPlan::Basic,
        CmcPlan::Hobbyist,
        CmcPlan::Startup,
        CmcPlan::Standard,
        CmcPlan::Professional,
        CmcPlan::Enterprise,
    ];

    /// The plan's limits.
    ///
    /// ⚠ Daily caps appear in older key/info payloads only; we start with them enforced (the
    /// conservative side) and drop them as soon as key/info reports no daily limit.
    /// ⚠ Enterprise is a custom contract: until key/info reports its figures we assume it is at
    /// least Professional's credits (an assumption, chosen low on purpose) at the 120 requests a
    /// minute the plan guide lists.
    pub const fn limits(self) -> PlanLimits {
        let (monthly, daily, minute, converts) = match self {
            CmcPlan::Basic => (10_000, 333, 30, 1),
            CmcPlan::Hobbyist => (40_000, 1_333, 30, 40),
            CmcPlan::Startup => (120_000, 4_000, 60, 120),
            CmcPlan::Standard => (500_000, 16_667, 60, 120),
            CmcPlan::Professional => (2_000_000, 66_667, 60, 120),
            CmcPlan::Enterprise => (2_000_000, 66_667, 120, 120),
        };
        PlanLimits {
            monthly_credits: Credits::from_whole(monthly),
            daily_credits: Some(Credits::from_whole(daily)),
            requests_per_minute: minute,
            max_converts: converts,
        }
    }

    /// The plan's name as CoinMarketCap writes it.
    pub const fn name(self) -> &'static str {
        match self {
            CmcPlan::Basic => "Basic",
            CmcPlan::Hobbyist => "Hobbyist",
            CmcPlan::Startup => "Startup",
            CmcPlan::Standard => "Standard",
            CmcPlan::Professional => "Professional",
            CmcPlan::Enterprise => "Enterprise",
        }
    }

    /// Whether the plan's daily and monthly windows follow the UTC calendar (free plan) rather
    /// than a billing anchor (paid plans).
    pub const fn uses_calendar_resets(self) -> bool {
        matches!(self, CmcPlan::Basic)
    }

    /// The plan whose published limits match what key/info reported, if any; a larger monthly
    /// figure than any published plan means a custom (Enterprise) contract.
    pub fn from_reported(
        monthly_credits: i64,
        requests_per_minute: Option<u32>,
    ) -> Option<CmcPlan> {
        let exact = CmcPlan::ALL.into_iter().find(|p| {
            let l = p.limits();
            l.monthly_credits == Credits::from_whole(monthly_credits)
                && requests_per_minute.is_none_or(|r| r == l.requests_per_minute)
                && *p != CmcPlan::Enterprise
        });
        match exact {
            Some(p) => Some(p),
            None if monthly_credits > 2_000_000 => Some(CmcPlan::Enterprise),
            None => None,
        }
    }
}

/// Cryptowatch's anonymous allowance: 10 credits per 24 hours from the first request.
pub const CW_ANONYMOUS_ALLOWANCE: Credits = Credits::from_whole(10);

/// The allowance assumed for a Cryptowatch key before the server has reported one.
///
/// ⚠ Keyed access was billed from a paid balance the reference does not size ("unlimited" in the
/// anonymous upsell). We assume 100 credits per 24 hours — ten times the anonymous bucket, a
/// modest paid balance — and replace it with the server's `remaining` (+ `remainingPaid`) after the
/// first answer.
pub const CW_KEYED_ALLOWANCE: Credits = Credits::from_whole(100);

/// The cost we charge locally for Cryptowatch's root path `GET /`.
///
/// ⚠ The docs say the root "costs very little" and anonymous answers show no allowance; we count
/// one thousandth, the smallest amount the server could charge, so probes are never free in our
/// books.
pub const CW_ROOT_COST: Credits = Credits::from_millis(1);

/// Declares [`EndpointId`] with [`EndpointId::name`] from one list of variants, so an endpoint
/// cannot be added without its name.
macro_rules! endpoint_ids {
    ($(#[$meta:meta])* pub enum EndpointId { $($(#[$doc:meta])* $id:ident,)* }) => {
        $(#[$meta])*
        pub enum EndpointId {
            $($(#[$doc])* $id,)*
        }

        impl EndpointId {
            /// The variant's name, as stored accounts and histories write it (serde's name for
            /// it): written out rather than the derived `Debug`, which brings `core::fmt` along.
            pub const fn name(self) -> &'static str {
                match self {
                    $(EndpointId::$id => stringify!($id),)*
                }
            }
        }
    };
}

endpoint_ids! {
    /// Every endpoint the widget offers.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum EndpointId {
        /// CMC `GET /v1/cryptocurrency/map`.
        CmcCryptocurrencyMap,
        /// CMC `GET /v1/cryptocurrency/listings/latest`.
        CmcListingsLatest,
        /// CMC `GET /v2/cryptocurrency/quotes/latest`.
        CmcQuotesLatest,
        /// CMC `GET /v2/cryptocurrency/info`.
        CmcInfo,
        /// CMC `GET /v1/global-metrics/quotes/latest`.
        CmcGlobalMetricsLatest,
        /// CMC `GET /v2/tools/price-conversion`.
        CmcPriceConversion,
        /// CMC `GET /v1/fiat/map`.
        CmcFiatMap,
        /// CMC `GET /v1/key/info`.
        CmcKeyInfo,
        /// CMC `GET /v1/exchange/map`.
        CmcExchangeMap,
        /// CMC `GET /v1/exchange/info`.
        CmcExchangeInfo,
        /// CMC `GET /v1/exchange/listings/latest`.
        CmcExchangeListingsLatest,
        /// CMC `GET /v1/exchange/quotes/latest`.
        CmcExchangeQuotesLatest,
        /// CMC `GET /v1/exchange/market-pairs/latest`.
        CmcExchangeMarketPairsLatest,
        /// CMC `GET /v2/cryptocurrency/quotes/historical`.
        CmcQuotesHistorical,
        /// CMC `GET /v2/cryptocurrency/ohlcv/historical`.
        CmcOhlcvHistorical,
        /// CMC `GET /v2/cryptocurrency/ohlcv/latest`.
        CmcOhlcvLatest,
        /// CMC `GET /v1/cryptocurrency/trending/latest`.
        CmcTrendingLatest,
        /// CMC `GET /v1/cryptocurrency/listings/new`.
        CmcListingsNew,
        /// CMC `GET /v2/cryptocurrency/market-pairs/latest`.
        CmcMarketPairsLatest,
        /// Cryptowatch `GET /`.
        CwRoot,
        /// Cryptowatch `GET /assets`.
        CwAssets,
        /// Cryptowatch `GET /assets/:asset`.
        CwAsset,
        /// Cryptowatch `GET /exchanges`.
        CwExchanges,
        /// Cryptowatch `GET /exchanges/:exchange`.
        CwExchange,
        /// Cryptowatch `GET /markets/:exchange`.
        CwExchangeMarkets,
        /// Cryptowatch `GET /pairs`.
        CwPairs,
        /// Cryptowatch `GET /pairs/:pair`.
        CwPair,
        /// Cryptowatch `GET /markets`.
        CwMarkets,
        /// Cryptowatch `GET /markets/:exchange/:pair`.
        CwMarket,
        /// Cryptowatch `GET /markets/:exchange/:pair/price`.
        CwPrice,
        /// Cryptowatch `GET /markets/:exchange/:pair/trades`.
        CwTrades,
        /// Cryptowatch `GET /markets/:exchange/:pair/summary`.
        CwSummary,
        /// Cryptowatch `GET /markets/summaries`.
        CwSummaries,
        /// Cryptowatch `GET /markets/:exchange/:pair/orderbook`.
        CwOrderbook,
        /// Cryptowatch `GET /markets/:exchange/:pair/orderbook/liquidity`.
        CwLiquidity,
        /// Cryptowatch `GET /markets/:exchange/:pair/orderbook/calculator`.
        CwCalculator,
        /// Cryptowatch `GET /markets/:exchange/:pair/ohlc`.
        CwOhlc,
        /// Cryptowatch `GET /markets/prices`.
        CwPrices,
    }
}

/// Where a parameter goes in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `:name` segment of the path.
    Path,
    /// A `name=value` pair of the query string.
    Query,
}

/// What values a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A whole number within `min..=max`.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A positive decimal number such as `0.5` or `10`.
    PositiveDecimal,
    /// A lowercase identifier such as `kraken`, `btceur` or `bitcoin` (path segments, slugs).
    Slug,
    /// An opaque token such as a pagination cursor.
    Token,
    /// A comma-separated list of items, each an identifier (`BTC`, `1027`, `bitcoin`).
    List {
        /// Most items accepted.
        max_items: u32,
    },
    /// One value of a fixed set.
    OneOf(&'static [&'static str]),
    /// A comma-separated list of values of a fixed set.
    ListOf(&'static [&'static str]),
}

/// One parameter of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// Its name in the URL.
    pub name: &'static str,
    /// Where it goes.
    pub location: ParamLocation,
    /// What it accepts.
    pub kind: ParamKind,
    /// Whether the request is invalid without it.
    pub required: bool,
    /// A short label for forms.
    pub label: &'static str,
}

/// What a CoinMarketCap batched cost counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemCount {
    /// The integer value of a parameter (`limit`, `count`), or `default` when it is absent.
    Param {
        /// The parameter's name.
        name: &'static str,
        /// The server's default when the parameter is absent.
        default: u32,
    },
    /// The number of comma-separated items in whichever of these list parameters are present.
    ListItems(&'static [&'static str]),
}

/// How an endpoint's cost is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostRule {
    /// Never charged (CoinMarketCap `/v1/key/info`). It still counts toward the minute limit.
    Free,
    /// A fixed price per call (Cryptowatch's table).
    Fixed(Credits),
    /// One CoinMarketCap credit per call, plus one per extra `convert` if `converts`.
    PerCall {
        /// Whether the endpoint takes `convert`.
        converts: bool,
    },
    /// `ceil(items / batch)` CoinMarketCap credits (at least one), plus one per extra `convert`.
    Batched {
        /// Items per credit.
        batch: u32,
        /// What counts as an item.
        items: ItemCount,
        /// What the items are called ("coins", "exchanges"), for the cost preview.
        unit: &'static str,
        /// Whether the endpoint takes `convert`.
        converts: bool,
    },
}

/// Everything the widget and the decisions need to know about one endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndpointSpec {
    /// Which endpoint.
    pub id: EndpointId,
    /// Which API serves it.
    pub api: ApiKind,
    /// The path template, with `:name` segments for path parameters.
    pub path: &'static str,
    /// A short human title.
    pub title: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
    /// At least one of these parameters must be present (empty: no such rule).
    pub needs_one_of: &'static [&'static str],
    /// Its cost rule.
    pub cost: CostRule,
    /// The smallest CoinMarketCap plan that may call it (`None` for Cryptowatch).
    pub min_plan: Option<CmcPlan>,
}

const fn q(name: &'static str, kind: ParamKind, label: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        location: ParamLocation::Query,
        kind,
        required: false,
        label,
    }
}

const fn req(name: &'static str, kind: ParamKind, label: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        location: ParamLocation::Query,
        kind,
        required: true,
        label,
    }
}

const fn path(name: &'static str, label: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        location: ParamLocation::Path,
        kind: ParamKind::Slug,
        required: true,
        label,
    }
}

const fn int(min: i64, max: i64) -> ParamKind {
    ParamKind::Integer { min, max }
}

// CoinMarketCap's convert list accepts up to 120 targets (price-conversion documents it).
const CONVERT: ParamSpec = q("convert", ParamKind::List { max_items: 120 }, "Convert to");
const CONVERT_ID: ParamSpec = q(
    "convert_id",
    ParamKind::List { max_items: 120 },
    "Convert to (ids)",
);
const START: ParamSpec = q("start", int(1, i64::MAX), "Start at");
const IDS: ParamSpec = q("id", ParamKind::List { max_items: 1000 }, "Ids");
const SLUGS: ParamSpec = q("slug", ParamKind::List { max_items: 1000 }, "Slugs");
const SYMBOLS: ParamSpec = q("symbol", ParamKind::List { max_items: 1000 }, "Symbols");
const LIMIT_5000: ParamSpec = q("limit", int(1, 5000), "How many");
const COINS: &[&str] = &["id", "slug", "symbol"];
const INTERVALS: &[&str] = &[
    "5m", "10m", "15m", "30m", "45m", "1h", "2h", "3h", "4h", "6h", "12h", "24h", "1d", "2d", "3d",
    "7d", "14d", "15d", "30d", "60d", "90d", "365d", "hourly", "daily", "weekly", "monthly",
    "yearly",
];

const CW_EXCHANGE: ParamSpec = path("exchange", "Exchange");
const CW_PAIR: ParamSpec = path("pair", "Pair");
const CW_CURSOR: ParamSpec = q("cursor", ParamKind::Token, "Cursor");
const CW_LIMIT: ParamSpec = q("limit", int(1, 20_000), "How many");
const CW_MARKET: &[ParamSpec] = &[CW_EXCHANGE, CW_PAIR];
const CW_PAGED: &[ParamSpec] = &[CW_CURSOR, CW_LIMIT];
const OHLC_PERIODS: &[&str] = &[
    "60",
    "180",
    "300",
    "900",
    "1800",
    "3600",
    "7200",
    "14400",
    "21600",
    "43200",
    "86400",
    "259200",
    "604800",
    "604800_Monday",
];

const fn cmc(
    id: EndpointId,
    path: &'static str,
    title: &'static str,
    params: &'static [ParamSpec],
    needs_one_of: &'static [&'static str],
    cost: CostRule,
    min_plan: CmcPlan,
) -> EndpointSpec {
    EndpointSpec {
        id,
        api: ApiKind::CoinMarketCap,
        path,
        title,
        params,
        needs_one_of,
        cost,
        min_plan: Some(min_plan),
    }
}

const fn cw(
    id: EndpointId,
    path: &'static str,
    title: &'static str,
    params: &'static [ParamSpec],
    millis: i64,
) -> EndpointSpec {
    EndpointSpec {
        id,
        api: ApiKind::Cryptowatch,
        path,
        title,
        params,
        needs_one_of: &[],
        cost: CostRule::Fixed(Credits::from_millis(millis)),
        min_plan: None,
    }
}

const fn batched(batch: u32, items: ItemCount, unit: &'static str, converts: bool) -> CostRule {
    CostRule::Batched {
        batch,
        items,
        unit,
        converts,
    }
}

const fn by_limit(default: u32) -> ItemCount {
    ItemCount::Param {
        name: "limit",
        default,
    }
}

/// The catalog: every endpoint the widget offers, in display order.
pub static ENDPOINTS: &[EndpointSpec] = {
    use CmcPlan::*;
    use EndpointId::*;
    &[
        // ⚠ 2026 docs make /map free; classic docs charge 1 per call. We count 1 (conservative);
        // the server's credit_count corrects it after the call.
        cmc(
            CmcCryptocurrencyMap,
            "/v1/cryptocurrency/map",
            "Coin map",
            &[START, LIMIT_5000, SYMBOLS],
            &[],
            CostRule::PerCall { converts: false },
            Basic,
        ),
        cmc(
            CmcListingsLatest,
            "/v1/cryptocurrency/listings/latest",
            "Latest listings",
            &[START, LIMIT_5000, CONVERT, CONVERT_ID],
            &[],
            batched(200, by_limit(100), "coins", true),
            Basic,
        ),
        cmc(
            CmcQuotesLatest,
            "/v2/cryptocurrency/quotes/latest",
            "Latest quotes",
            &[IDS, SLUGS, SYMBOLS, CONVERT, CONVERT_ID],
            COINS,
            batched(100, ItemCount::ListItems(COINS), "coins", true),
            Basic,
        ),
        cmc(
            CmcInfo,
            "/v2/cryptocurrency/info",
            "Coin metadata",
            &[IDS, SLUGS, SYMBOLS],
            COINS,
            batched(100, ItemCount::ListItems(COINS), "coins", false),
            Basic,
        ),
        cmc(
            CmcGlobalMetricsLatest,
            "/v1/global-metrics/quotes/latest",
            "Global metrics",
            &[CONVERT, CONVERT_ID],
            &[],
            CostRule::PerCall { converts: true },
            Basic,
        ),
        cmc(
            CmcPriceConversion,
            "/v2/tools/price-conversion",
            "Price conversion",
            &[
                req("amount", ParamKind::PositiveDecimal, "Amount"),
                q("id", ParamKind::List { max_items: 1 }, "Id"),
                q("symbol", ParamKind::List { max_items: 1 }, "Symbol"),
                CONVERT,
                CONVERT_ID,
            ],
            &["id", "symbol"],
            CostRule::PerCall { converts: true },
            Basic,
        ),
        cmc(
            CmcFiatMap,
            "/v1/fiat/map",
            "Fiat map",
            &[START, LIMIT_5000],
            &[],
            CostRule::PerCall { converts: false },
            Basic,
        ),
        cmc(
            CmcKeyInfo,
            "/v1/key/info",
            "Key usage",
            &[],
            &[],
            CostRule::Free,
            Basic,
        ),
        cmc(
            CmcExchangeMap,
            "/v1/exchange/map",
            "Exchange map",
            &[START, LIMIT_5000, SLUGS],
            &[],
            CostRule::PerCall { converts: false },
            Basic,
        ),
        cmc(
            CmcExchangeInfo,
            "/v1/exchange/info",
            "Exchange metadata",
            &[IDS, SLUGS],
            &["id", "slug"],
            batched(
                100,
                ItemCount::ListItems(&["id", "slug"]),
                "exchanges",
                false,
            ),
            Basic,
        ),
        cmc(
            CmcExchangeListingsLatest,
            "/v1/exchange/listings/latest",
            "Exchange listings",
            &[START, LIMIT_5000, CONVERT, CONVERT_ID],
            &[],
            batched(100, by_limit(100), "exchanges", true),
            Standard,
        ),
        cmc(
            CmcExchangeQuotesLatest,
            "/v1/exchange/quotes/latest",
            "Exchange quotes",
            &[IDS, SLUGS, CONVERT, CONVERT_ID],
            &["id", "slug"],
            batched(
                100,
                ItemCount::ListItems(&["id", "slug"]),
                "exchanges",
                true,
            ),
            Standard,
        ),
        cmc(
            CmcExchangeMarketPairsLatest,
            "/v1/exchange/market-pairs/latest",
            "Exchange market pairs",
            &[
                q("id", ParamKind::List { max_items: 1 }, "Id"),
                q("slug", ParamKind::List { max_items: 1 }, "Slug"),
                START,
                LIMIT_5000,
                CONVERT,
                CONVERT_ID,
            ],
            &["id", "slug"],
            batched(100, by_limit(100), "market pairs", true),
            Standard,
        ),
        // ⚠ 2026 docs open historical quotes to Basic with a short history; classic docs and the
        // plan map say Hobbyist. We gate at Hobbyist: a refused call would still use a minute slot.
        cmc(
            CmcQuotesHistorical,
            "/v2/cryptocurrency/quotes/historical",
            "Historical quotes",
            &[
                IDS,
                SYMBOLS,
                q("count", int(1, 10_000), "Data points"),
                q("interval", ParamKind::OneOf(INTERVALS), "Interval"),
                CONVERT,
                CONVERT_ID,
            ],
            &["id", "symbol"],
            batched(
                100,
                ItemCount::Param {
                    name: "count",
                    default: 10,
                },
                "data points",
                true,
            ),
            Hobbyist,
        ),
        cmc(
            CmcOhlcvHistorical,
            "/v2/cryptocurrency/ohlcv/historical",
            "Historical OHLCV",
            &[
                IDS,
                SYMBOLS,
                q("count", int(1, 10_000), "Data points"),
                q(
                    "time_period",
                    ParamKind::OneOf(&["daily", "hourly"]),
                    "Period",
                ),
                CONVERT,
                CONVERT_ID,
            ],
            &["id", "symbol"],
            batched(
                100,
                ItemCount::Param {
                    name: "count",
                    default: 10,
                },
                "OHLCV points",
                true,
            ),
            Startup,
        ),
        cmc(
            CmcOhlcvLatest,
            "/v2/cryptocurrency/ohlcv/latest",
            "Latest OHLCV",
            &[IDS, SYMBOLS, CONVERT, CONVERT_ID],
            &["id", "symbol"],
            batched(100, ItemCount::ListItems(&["id", "symbol"]), "values", true),
            Startup,
        ),
        cmc(
            CmcTrendingLatest,
            "/v1/cryptocurrency/trending/latest",
            "Trending",
            &[START, LIMIT_5000, CONVERT, CONVERT_ID],
            &[],
            batched(200, by_limit(100), "coins", true),
            Startup,
        ),
        cmc(
            CmcListingsNew,
            "/v1/cryptocurrency/listings/new",
            "New listings",
            &[START, LIMIT_5000, CONVERT, CONVERT_ID],
            &[],
            batched(200, by_limit(100), "coins", true),
            Startup,
        ),
        cmc(
            CmcMarketPairsLatest,
            "/v2/cryptocurrency/market-pairs/latest",
            "Market pairs",
            &[
                q("id", ParamKind::List { max_items: 1 }, "Id"),
                q("slug", ParamKind::List { max_items: 1 }, "Slug"),
                q("symbol", ParamKind::List { max_items: 1 }, "Symbol"),
                START,
                LIMIT_5000,
                CONVERT,
                CONVERT_ID,
            ],
            COINS,
            batched(100, by_limit(100), "market pairs", true),
            Standard,
        ),
        cw(CwRoot, "/", "Allowance probe", &[], CW_ROOT_COST.millis()),
        cw(CwAssets, "/assets", "Assets", CW_PAGED, 2),
        cw(
            CwAsset,
            "/assets/:asset",
            "Asset",
            &[path("asset", "Asset")],
            2,
        ),
        cw(CwExchanges, "/exchanges", "Exchanges", &[], 2),
        cw(
            CwExchange,
            "/exchanges/:exchange",
            "Exchange",
            &[CW_EXCHANGE],
            2,
        ),
        cw(
            CwExchangeMarkets,
            "/markets/:exchange",
            "Markets of an exchange",
            &[CW_EXCHANGE],
            2,
        ),
        cw(CwPairs, "/pairs", "Pairs", CW_PAGED, 3),
        cw(CwPair, "/pairs/:pair", "Pair", &[CW_PAIR], 2),
        cw(CwMarkets, "/markets", "Markets", CW_PAGED, 3),
        cw(CwMarket, "/markets/:exchange/:pair", "Market", CW_MARKET, 2),
        cw(
            CwPrice,
            "/markets/:exchange/:pair/price",
            "Price",
            CW_MARKET,
            5,
        ),
        cw(
            CwTrades,
            "/markets/:exchange/:pair/trades",
            "Trades",
            &[
                CW_EXCHANGE,
                CW_PAIR,
                q("since", int(0, i64::MAX), "Since (Unix s)"),
                q("limit", int(1, 1000), "How many"),
            ],
            10,
        ),
        cw(
            CwSummary,
            "/markets/:exchange/:pair/summary",
            "24 h summary",
            CW_MARKET,
            5,
        ),
        cw(
            CwSummaries,
            "/markets/summaries",
            "All summaries",
            &[
                q("keyBy", ParamKind::OneOf(&["id", "symbols"]), "Key by"),
                CW_CURSOR,
                CW_LIMIT,
            ],
            15,
        ),
        cw(
            CwOrderbook,
            "/markets/:exchange/:pair/orderbook",
            "Order book",
            &[
                CW_EXCHANGE,
                CW_PAIR,
                q("depth", ParamKind::PositiveDecimal, "Depth"),
                q("span", ParamKind::PositiveDecimal, "Span (%)"),
                q("limit", int(1, i64::MAX), "Orders per side"),
            ],
            10,
        ),
        cw(
            CwLiquidity,
            "/markets/:exchange/:pair/orderbook/liquidity",
            "Liquidity",
            CW_MARKET,
            5,
        ),
        cw(
            CwCalculator,
            "/markets/:exchange/:pair/orderbook/calculator",
            "Order calculator",
            &[
                CW_EXCHANGE,
                CW_PAIR,
                req("amount", ParamKind::PositiveDecimal, "Amount"),
            ],
            15,
        ),
        cw(
            CwOhlc,
            "/markets/:exchange/:pair/ohlc",
            "Candles",
            &[
                CW_EXCHANGE,
                CW_PAIR,
                q("periods", ParamKind::ListOf(OHLC_PERIODS), "Periods"),
                q("after", int(0, i64::MAX), "After (Unix s)"),
                q("before", int(0, i64::MAX), "Before (Unix s)"),
            ],
            15,
        ),
        cw(CwPrices, "/markets/prices", "All prices", CW_PAGED, 15),
    ]
};

impl EndpointId {
    /// The endpoint's catalog entry.
    pub fn spec(self) -> &'static EndpointSpec {
        // The table is in declaration order, so the discriminant is the index (a unit test pins it).
        &ENDPOINTS[self as usize]
    }

    /// Which API serves the endpoint.
    pub fn api(self) -> ApiKind {
        self.spec().api
    }
}

/// Parameter names or values as a message lists them: `` `id`, `slug` or `symbol` `` (a
/// `Debug` list would bring the standard library's string escaping into the widget).
struct Names(&'static [&'static str]);

impl Piece for Names {
    fn put(&self, out: &mut String) {
        for (i, name) in self.0.iter().enumerate() {
            let joint = match i {
                0 => "",
                _ if i + 1 == self.0.len() => " or ",
                _ => ", ",
            };
            out.push_str(joint);
            out.push('`');
            out.push_str(name);
            out.push('`');
        }
    }
}

/// Why a request's parameters were rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// The endpoint has no such parameter.
    Unknown(String),
    /// The parameter appears twice.
    Duplicate(&'static str),
    /// A required parameter is missing.
    Missing(&'static str),
    /// None of a group of parameters is present, but one is required.
    MissingOneOf(&'static [&'static str]),
    /// The value is not of the expected form.
    Malformed(&'static str),
    /// A number outside the accepted range.
    OutOfRange {
        /// The parameter.
        name: &'static str,
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A value outside the accepted set.
    NotAllowed {
        /// The parameter.
        name: &'static str,
        /// The accepted values.
        allowed: &'static [&'static str],
    },
    /// A list with more items than accepted.
    TooManyItems {
        /// The parameter.
        name: &'static str,
        /// Most items accepted.
        max: u32,
    },
}

impl ParamError {
    /// What is wrong, as a sentence fragment: "parameter `limit` is malformed".
    pub fn text(&self) -> String {
        match self {
            ParamError::Unknown(name) => cat!["unknown parameter `", name, '`'],
            ParamError::Duplicate(name) => cat!["parameter `", name, "` given twice"],
            ParamError::Missing(name) => cat!["parameter `", name, "` is required"],
            ParamError::MissingOneOf(names) => cat!["one of ", Names(names), " is required"],
            ParamError::Malformed(name) => cat!["parameter `", name, "` is malformed"],
            ParamError::OutOfRange { name, min, max } => {
                cat!["parameter `", name, "` must be between ", min, " and ", max]
            }
            ParamError::NotAllowed { name, allowed } => {
                cat!["parameter `", name, "` must be one of ", Names(allowed)]
            }
            ParamError::TooManyItems { name, max } => {
                cat!["parameter `", name, "` accepts at most ", max, " items"]
            }
        }
    }
}

impl fmt::Display for ParamError {
    /// [`ParamError::text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for ParamError {}

/// A request the widget wants to send: an endpoint and its parameters as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The endpoint.
    pub endpoint: EndpointId,
    /// The parameters, `(name, value)`, path parameters included.
    pub params: Vec<(String, String)>,
}

impl Request {
    /// A request without parameters.
    pub fn new(endpoint: EndpointId) -> Request {
        Request {
            endpoint,
            params: Vec::new(),
        }
    }

    /// The request with one more parameter.
    pub fn with(mut self, name: &str, value: &str) -> Request {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The request for an API path as a page writes it, e.g. `/markets/kraken/btcusd/price`:
    /// the endpoint whose path it matches (segment by segment; a `:name` segment takes any
    /// non-empty value as that path parameter) and its path parameters. Where two endpoints
    /// match, the one with more literal segments wins (`/markets/prices` over
    /// `/markets/:exchange`). `None` for a path no endpoint of `api` has.
    pub fn from_path(api: ApiKind, path: &str) -> Option<Request> {
        let given: Vec<&str> = path.split('/').collect();
        ENDPOINTS
            .iter()
            .filter(|e| e.api == api)
            .filter_map(|e| {
                let template: Vec<&str> = e.path.split('/').collect();
                if template.len() != given.len() {
                    return None;
                }
                let mut request = Request::new(e.id);
                let mut literal = 0;
                for (t, g) in template.iter().zip(&given) {
                    match t.strip_prefix(':') {
                        Some(name) if !g.is_empty() => request = request.with(name, g),
                        Some(_) => return None,
                        None if t == g => literal += 1,
                        None => return None,
                    }
                }
                Some((literal, request))
            })
            .max_by_key(|(literal, _)| *literal)
            .map(|(_, request)| request)
    }

    /// The value of a parameter, if present.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Which API the request goes to.
    pub fn api(&self) -> ApiKind {
        self.endpoint.api()
    }

    /// Checks every parameter against the catalog.
    pub fn validate(&self) -> Result<(), ParamError> {
        let spec = self.endpoint.spec();
        for (i, (name, value)) in self.params.iter().enumerate() {
            let p = spec
                .params
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| ParamError::Unknown(name.clone()))?;
            if self.params[..i].iter().any(|(n, _)| n == name) {
                return Err(ParamError::Duplicate(p.name));
            }
            validate_value(p, value)?;
        }
        if let Some(missing) = spec
            .params
            .iter()
            .find(|p| p.required && self.param(p.name).is_none())
        {
            return Err(ParamError::Missing(missing.name));
        }
        if !spec.needs_one_of.is_empty()
            && !spec.needs_one_of.iter().any(|n| self.param(n).is_some())
        {
            return Err(ParamError::MissingOneOf(spec.needs_one_of));
        }
        Ok(())
    }

    /// The number of `convert` targets named (`convert` and `convert_id` together; at least one,
    /// since the server defaults to USD).
    pub fn converts(&self) -> u32 {
        let named = list_len(self.param("convert")) + list_len(self.param("convert_id"));
        named.max(1)
    }

    /// The URL path and query for this request, e.g. `/markets/kraken/btceur/ohlc?periods=60`.
    ///
    /// Values are percent-encoded except for unreserved characters and the commas that separate
    /// list items. Call [`Request::validate`] first; an absent path parameter leaves its `:name`.
    pub fn path_and_query(&self) -> String {
        let spec = self.endpoint.spec();
        let mut out = String::with_capacity(spec.path.len() + 32);
        for (i, segment) in spec.path.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            match segment.strip_prefix(':').and_then(|name| self.param(name)) {
                Some(value) => encode_into(&mut out, value),
                None => out.push_str(segment),
            }
        }
        let mut first = true;
        for p in spec
            .params
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
        {
            if let Some(value) = self.param(p.name) {
                out.push(if first { '?' } else { '&' });
                first = false;
                out.push_str(p.name);
                out.push('=');
                encode_into(&mut out, value);
            }
        }
        out
    }
}

fn encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

fn list_len(value: Option<&str>) -> u32 {
    value.map_or(0, |v| {
        v.split(',').filter(|s| !s.trim().is_empty()).count() as u32
    })
}

/// A name such as `kraken`, `btc-usd` or `1inch`. It starts with a letter or a digit, so a
/// path segment built from it can never be `.` or `..` and leave the endpoint's path.
fn is_word(s: &str) -> bool {
    s.len() <= 64
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn is_positive_decimal(s: &str) -> bool {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    s.len() <= 40
        && !(whole.is_empty() && frac.is_empty())
        && digits(whole)
        && digits(frac)
        && s.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

fn validate_value(p: &ParamSpec, value: &str) -> Result<(), ParamError> {
    match p.kind {
        ParamKind::Integer { min, max } => {
            let n = crate::integer::parse_i64(value).ok_or(ParamError::Malformed(p.name))?;
            if n < min || n > max {
                return Err(ParamError::OutOfRange {
                    name: p.name,
                    min,
                    max,
                });
            }
        }
        ParamKind::PositiveDecimal => {
            if !is_positive_decimal(value) {
                return Err(ParamError::Malformed(p.name));
            }
        }
        ParamKind::Slug => {
            if !is_word(value) || value.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(ParamError::Malformed(p.name));
            }
        }
        ParamKind::Token => {
            if value.is_empty() || value.len() > 512 || value.chars().any(char::is_control) {
                return Err(ParamError::Malformed(p.name));
            }
        }
        ParamKind::List { max_items } => {
            let mut count = 0u32;
            for item in value.split(',') {
                if !is_word(item.trim()) {
                    return Err(ParamError::Malformed(p.name));
                }
                count += 1;
            }
            if count > max_items {
                return Err(ParamError::TooManyItems {
                    name: p.name,
                    max: max_items,
                });
            }
        }
        ParamKind::OneOf(allowed) => {
            if !allowed.contains(&value) {
                return Err(ParamError::NotAllowed {
                    name: p.name,
                    allowed,
                });
            }
        }
        ParamKind::ListOf(allowed) => {
            if !value.split(',').all(|v| allowed.contains(&v)) {
                return Err(ParamError::NotAllowed {
                    name: p.name,
                    allowed,
                });
            }
        }
    }
    Ok(())
}

/// Credits charged by a CoinMarketCap list or bundle endpoint:
/// `ceil(items / batch) + max(0, converts - 1)`, at least one batch even for an empty answer.
///
/// A `batch` of 0 is treated as 1 so the function never divides by zero.
pub fn cmc_credits(items: u32, batch: u32, converts: u32) -> u32 {
    let batch = batch.max(1);
    let batches = items.max(1).div_ceil(batch);
    batches.saturating_add(converts.saturating_sub(1))
}

/// How a cost was arrived at, so the widget can show it ("3 credits: 201 coins at 200 per
/// credit, + 1 extra convert").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostBasis {
    /// The endpoint is never charged.
    Free,
    /// A fixed price per call.
    Fixed,
    /// One credit per call (plus converts).
    PerCall,
    /// Charged per batch of items.
    Batched {
        /// Items requested (an upper bound on items returned).
        items: u32,
        /// Items per credit.
        batch_size: u32,
        /// What the items are called.
        unit: &'static str,
    },
}

/// The predicted cost of a request, with its breakdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostPreview {
    /// The total predicted cost.
    pub credits: Credits,
    /// How it was computed.
    pub basis: CostBasis,
    /// Credits for the data itself (batches, or 1 per call; 0 when free or fixed).
    pub batches: u32,
    /// Extra `convert` currencies charged (each costs one credit).
    pub extra_converts: u32,
}

/// Predicts what a request will cost, before sending it.
///
/// For batched CoinMarketCap endpoints the prediction counts the items *requested*, an upper
/// bound of what the server will return and charge; the answer's `credit_count` settles it.
pub fn estimate(request: &Request) -> Result<CostPreview, ParamError> {
    request.validate()?;
    Ok(estimate_unchecked(request))
}

/// [`estimate`] without validation, for callers that validated already.
pub(crate) fn estimate_unchecked(request: &Request) -> CostPreview {
    match request.endpoint.spec().cost {
        CostRule::Free => CostPreview {
            credits: Credits::ZERO,
            basis: CostBasis::Free,
            batches: 0,
            extra_converts: 0,
        },
        CostRule::Fixed(c) => CostPreview {
            credits: c,
            basis: CostBasis::Fixed,
            batches: 0,
            extra_converts: 0,
        },
        CostRule::PerCall { converts } => {
            let extra = if converts { request.converts() - 1 } else { 0 };
            CostPreview {
                credits: Credits::from_whole(i64::from(1 + extra)),
                basis: CostBasis::PerCall,
                batches: 1,
                extra_converts: extra,
            }
        }
        CostRule::Batched {
            batch,
            items,
            unit,
            converts,
        } => {
            let count = match items {
                ItemCount::Param { name, default } => request
                    .param(name)
                    .and_then(crate::integer::parse_u32)
                    .unwrap_or(default),
                ItemCount::ListItems(names) => {
                    names.iter().map(|n| list_len(request.param(n))).sum()
                }
            };
            let extra = if converts { request.converts() - 1 } else { 0 };
            let batches = cmc_credits(count, batch, 1);
            CostPreview {
                credits: Credits::from_whole(i64::from(batches) + i64::from(extra)),
                basis: CostBasis::Batched {
                    items: count,
                    batch_size: batch,
                    unit,
                },
                batches,
                extra_converts: extra,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_id_indexes_its_own_catalog_entry() {
        for (i, spec) in ENDPOINTS.iter().enumerate() {
            assert_eq!(spec.id as usize, i, "{:?}", spec.id);
            assert_eq!(spec.id.spec().id, spec.id);
            assert_eq!(spec.min_plan.is_some(), spec.api == ApiKind::CoinMarketCap);
        }
        assert_eq!(EndpointId::CwPrices.spec().path, "/markets/prices");
    }

    #[test]
    fn listings_of_201_coins_with_two_converts_cost_three_credits() {
        assert_eq!(cmc_credits(201, 200, 2), 3);
        let r = Request::new(EndpointId::CmcListingsLatest)
            .with("limit", "201")
            .with("convert", "USD,EUR");
        let p = estimate(&r).unwrap();
        assert_eq!(p.credits, Credits::from_whole(3));
        assert_eq!(
            p.basis,
            CostBasis::Batched {
                items: 201,
                batch_size: 200,
                unit: "coins"
            }
        );
        assert_eq!((p.batches, p.extra_converts), (2, 1));
    }

    #[test]
    fn an_empty_answer_still_costs_one_batch() {
        assert_eq!(cmc_credits(0, 100, 1), 1);
    }

    #[test]
    fn a_zero_batch_does_not_divide_by_zero() {
        assert_eq!(cmc_credits(5, 0, 0), 5);
    }

    #[test]
    fn listings_default_to_100_coins_and_one_credit() {
        let p = estimate(&Request::new(EndpointId::CmcListingsLatest)).unwrap();
        assert_eq!(p.credits, Credits::from_whole(1));
    }

    #[test]
    fn quotes_are_charged_per_100_coins_named() {
        let ids: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
        let r = Request::new(EndpointId::CmcQuotesLatest).with("id", &ids.join(","));
        assert_eq!(estimate(&r).unwrap().credits, Credits::from_whole(2));
    }

    #[test]
    fn convert_ids_count_as_converts_too() {
        let r = Request::new(EndpointId::CmcGlobalMetricsLatest)
            .with("convert", "USD")
            .with("convert_id", "2781,2790");
        assert_eq!(estimate(&r).unwrap().credits, Credits::from_whole(3));
    }

    #[test]
    fn key_info_is_free() {
        assert_eq!(
            estimate(&Request::new(EndpointId::CmcKeyInfo))
                .unwrap()
                .credits,
            Credits::ZERO
        );
    }

    #[test]
    fn cryptowatch_costs_come_from_the_fixed_table() {
        let market = |id| {
            Request::new(id)
                .with("exchange", "kraken")
                .with("pair", "btceur")
        };
        assert_eq!(
            estimate(&market(EndpointId::CwPrice)).unwrap().credits,
            Credits::from_millis(5)
        );
        assert_eq!(
            estimate(&market(EndpointId::CwOhlc)).unwrap().credits,
            Credits::from_millis(15)
        );
        assert_eq!(
            estimate(&market(EndpointId::CwTrades)).unwrap().credits,
            Credits::from_millis(10)
        );
        assert_eq!(
            estimate(&Request::new(EndpointId::CwPairs))
                .unwrap()
                .credits,
            Credits::from_millis(3)
        );
        assert_eq!(
            estimate(&Request::new(EndpointId::CwRoot)).unwrap().credits,
            CW_ROOT_COST
        );
    }

    #[test]
    fn a_page_path_finds_its_endpoint_and_path_parameters() {
        let price = Request::from_path(ApiKind::Cryptowatch, "/markets/kraken/btcusd/price")
            .expect("a price path");
        assert_eq!(price.endpoint, EndpointId::CwPrice);
        assert_eq!(price.param("exchange"), Some("kraken"));
        assert_eq!(price.param("pair"), Some("btcusd"));
        assert_eq!(price.path_and_query(), "/markets/kraken/btcusd/price");
        let listings =
            Request::from_path(ApiKind::CoinMarketCap, "/v1/cryptocurrency/listings/latest")
                .expect("listings");
        assert_eq!(listings.endpoint, EndpointId::CmcListingsLatest);
        assert!(listings.params.is_empty());
        assert_eq!(
            Request::from_path(ApiKind::CoinMarketCap, "/v1/nothing"),
            None
        );
        assert_eq!(
            Request::from_path(ApiKind::Cryptowatch, "/markets//btcusd/price"),
            None
        );
        // The other API's path is not this one's.
        assert_eq!(
            Request::from_path(ApiKind::Cryptowatch, "/v1/cryptocurrency/listings/latest"),
            None
        );
        // Every endpoint's own template path (with values for its parameters) finds it.
        for e in ENDPOINTS {
            let path: String = e
                .path
                .split('/')
                .map(|s| if s.starts_with(':') { "x1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let found = Request::from_path(e.api, &path).map(|r| r.endpoint);
            assert_eq!(found, Some(e.id), "{}", e.path);
        }
    }

    #[test]
    fn a_path_segment_cannot_climb_out_of_its_endpoint() {
        for bad in ["..", ".", ".hidden", "-x"] {
            let r = Request::new(EndpointId::CwPrice)
                .with("exchange", bad)
                .with("pair", "btcusd");
            assert_eq!(
                r.validate(),
                Err(ParamError::Malformed("exchange")),
                "{bad}"
            );
        }
        let ok = Request::new(EndpointId::CwPrice)
            .with("exchange", "kraken")
            .with("pair", "btc.usd");
        assert_eq!(ok.validate(), Ok(()));
    }

    #[test]
    fn a_missing_required_parameter_is_rejected() {
        let r = Request::new(EndpointId::CwCalculator)
            .with("exchange", "kraken")
            .with("pair", "btceur");
        assert_eq!(r.validate(), Err(ParamError::Missing("amount")));
        assert_eq!(
            Request::new(EndpointId::CmcQuotesLatest).validate(),
            Err(ParamError::MissingOneOf(COINS))
        );
    }

    #[test]
    fn lists_of_names_read_as_a_sentence() {
        assert_eq!(
            ParamError::MissingOneOf(&["id", "slug", "symbol"]).to_string(),
            "one of `id`, `slug` or `symbol` is required"
        );
        assert_eq!(
            ParamError::MissingOneOf(&["id", "symbol"]).to_string(),
            "one of `id` or `symbol` is required"
        );
        assert_eq!(
            ParamError::NotAllowed {
                name: "sort",
                allowed: &["name"]
            }
            .to_string(),
            "parameter `sort` must be one of `name`"
        );
    }

    #[test]
    fn out_of_range_and_unknown_parameters_are_rejected() {
        let r = Request::new(EndpointId::CmcListingsLatest).with("limit", "5001");
        assert_eq!(
            r.validate(),
            Err(ParamError::OutOfRange {
                name: "limit",
                min: 1,
                max: 5000
            })
        );
        let r = Request::new(EndpointId::CmcListingsLatest).with("limit", "ten");
        assert_eq!(r.validate(), Err(ParamError::Malformed("limit")));
        let r = Request::new(EndpointId::CmcListingsLatest).with("api_key", "x");
        assert_eq!(r.validate(), Err(ParamError::Unknown("api_key".into())));
        let r = Request::new(EndpointId::CmcListingsLatest)
            .with("limit", "1")
            .with("limit", "2");
        assert_eq!(r.validate(), Err(ParamError::Duplicate("limit")));
    }

    #[test]
    fn values_outside_the_allowed_set_are_rejected() {
        let r = Request::new(EndpointId::CwSummaries).with("keyBy", "name");
        assert!(matches!(
            r.validate(),
            Err(ParamError::NotAllowed { name: "keyBy", .. })
        ));
        let base = Request::new(EndpointId::CwOhlc)
            .with("exchange", "kraken")
            .with("pair", "btceur");
        assert!(base
            .clone()
            .with("periods", "60,3600,604800_Monday")
            .validate()
            .is_ok());
        assert!(base.with("periods", "61").validate().is_err());
    }

    #[test]
    fn path_segments_must_be_lowercase_slugs() {
        let r = Request::new(EndpointId::CwPrice)
            .with("exchange", "Kraken")
            .with("pair", "btceur");
        assert_eq!(r.validate(), Err(ParamError::Malformed("exchange")));
        let r = Request::new(EndpointId::CwPrice)
            .with("exchange", "../x")
            .with("pair", "btceur");
        assert_eq!(r.validate(), Err(ParamError::Malformed("exchange")));
    }

    #[test]
    fn decimals_must_be_positive() {
        let r = |a: &str| {
            Request::new(EndpointId::CmcPriceConversion)
                .with("amount", a)
                .with("symbol", "BTC")
        };
        assert!(r("10.5").validate().is_ok());
        assert!(r("0").validate().is_err());
        assert!(r("-1").validate().is_err());
        assert!(r("1e3").validate().is_err());
    }

    #[test]
    fn too_many_list_items_are_rejected() {
        let r = Request::new(EndpointId::CmcPriceConversion)
            .with("amount", "1")
            .with("symbol", "BTC,ETH");
        assert_eq!(
            r.validate(),
            Err(ParamError::TooManyItems {
                name: "symbol",
                max: 1
            })
        );
    }

    #[test]
    fn the_url_is_built_from_the_template_and_encoded() {
        let r = Request::new(EndpointId::CwOhlc)
            .with("exchange", "kraken")
            .with("pair", "btceur")
            .with("periods", "60,3600");
        assert_eq!(
            r.path_and_query(),
            "/markets/kraken/btceur/ohlc?periods=60,3600"
        );
        let r = Request::new(EndpointId::CwMarkets).with("cursor", "a b&c");
        assert_eq!(r.path_and_query(), "/markets?cursor=a%20b%26c");
    }

    #[test]
    fn plans_carry_the_reference_figures() {
        let b = CmcPlan::Basic.limits();
        assert_eq!(
            (b.monthly_credits, b.daily_credits, b.requests_per_minute),
            (
                Credits::from_whole(10_000),
                Some(Credits::from_whole(333)),
                30
            )
        );
        assert_eq!(
            CmcPlan::Startup.limits().monthly_credits,
            Credits::from_whole(120_000)
        );
        assert_eq!(
            CmcPlan::Standard.limits().daily_credits,
            Some(Credits::from_whole(16_667))
        );
        assert_eq!(CmcPlan::Enterprise.limits().requests_per_minute, 120);
    }

    #[test]
    fn reported_limits_identify_the_plan() {
        assert_eq!(
            CmcPlan::from_reported(10_000, Some(30)),
            Some(CmcPlan::Basic)
        );
        assert_eq!(
            CmcPlan::from_reported(120_000, None),
            Some(CmcPlan::Startup)
        );
        assert_eq!(
            CmcPlan::from_reported(9_000_000, Some(120)),
            Some(CmcPlan::Enterprise)
        );
        assert_eq!(CmcPlan::from_reported(15_000, Some(30)), None);
    }

    #[test]
    fn endpoints_are_gated_by_plan() {
        assert_eq!(
            EndpointId::CmcListingsLatest.spec().min_plan,
            Some(CmcPlan::Basic)
        );
        assert_eq!(
            EndpointId::CmcOhlcvHistorical.spec().min_plan,
            Some(CmcPlan::Startup)
        );
        assert_eq!(
            EndpointId::CmcMarketPairsLatest.spec().min_plan,
            Some(CmcPlan::Standard)
        );
    }
}
