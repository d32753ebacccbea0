//! The emulated CoinMarketCap endpoints: argument checks, the data they return and the
//! numbers their credit cost depends on (items returned, batch size, convert targets).

use serde_json::{json, Map, Value};

use super::data::{Coin, Market, COIN_COUNT, EXCHANGE_COUNT};
use super::plans::Plan;
use crate::clock::{iso, minute_start, Millis, DAY, HOUR, MINUTE};
use crate::query::Query;
use crate::synth::{round_sig, unit};
use Pricing::{PerBatch, PerCall};

/// The most values one answer may hold: data points × convert targets (a listings page of
/// 5,000 coins in 10 currencies, or 10,000 historical quotes in 5). The reference allows
/// more (5,000 coins × 120 converts), but an answer that size is hundreds of megabytes; the
/// emulator refuses it with a 400 instead of building it.
pub const MAX_VALUES: u64 = 50_000;

/// A call whose arguments an endpoint accepted: what it will return and what its cost depends
/// on. The caps may still refuse it; the data itself is built only once the call has passed
/// every check (caps included), by [`Accepted::build`].
pub struct Accepted<'a> {
    data: Box<dyn FnOnce() -> Value + 'a>,
    /// Data points returned (coins, exchanges, quotes); at least one batch is always charged.
    pub items: u64,
    /// How the items turn into credits.
    pub pricing: Pricing,
    /// Convert targets requested; every one beyond the first costs a credit.
    pub converts: usize,
    /// The size of the whole list, on list endpoints.
    pub total_count: Option<u64>,
}

/// How a call's items turn into credits, before the extra convert targets are added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pricing {
    /// One credit per call, whatever it returns.
    PerCall,
    /// One credit per this many items, rounded up (at least one batch).
    PerBatch(u64),
}

impl<'a> Accepted<'a> {
    fn new(
        items: u64,
        pricing: Pricing,
        converts: usize,
        data: impl FnOnce() -> Value + 'a,
    ) -> Self {
        Accepted {
            data: Box::new(data),
            items,
            pricing,
            converts,
            total_count: None,
        }
    }

    fn total(mut self, total: u64) -> Self {
        self.total_count = Some(total);
        self
    }

    /// How many values the answer holds: items × convert targets, each at least one.
    pub fn values(&self) -> u64 {
        self.items
            .max(1)
            .saturating_mul(self.converts.max(1) as u64)
    }

    /// Builds the data; call it only for an answer that will be sent.
    pub fn build(self) -> Value {
        (self.data)()
    }

    /// `ceil(items / batch) + extra converts`, the reference's formula.
    pub fn credits(&self) -> u64 {
        let items = self.items.max(1);
        let batches = match self.pricing {
            PerCall => 1,
            PerBatch(batch) => items.div_ceil(batch.max(1)),
        };
        batches + self.converts.saturating_sub(1) as u64
    }
}

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

/// The coins a request named, grouped per name; the answer's keys; whether keyed by ticker.
type Selection<'m> = (Vec<Vec<&'m Coin>>, Vec<String>, bool);

pub struct Ctx<'a> {
    pub market: &'a Market,
    pub q: &'a Query,
    pub plan: &'a Plan,
    pub now: Millis,
}

/// Values echoed in messages are cut short: they come from the caller and may be huge.
fn shown(v: &str) -> String {
    let mut s: String = v.chars().take(40).collect();
    if s.len() < v.len() {
        s.push('…');
    }
    s
}

fn invalid(name: &str, value: &str) -> Refusal {
    Refusal::Argument(format!(
        "Invalid value for \"{name}\": \"{}\"",
        shown(value)
    ))
}

impl Ctx<'_> {
    fn allow(&self, names: &[&str]) -> Result<(), Refusal> {
        for n in self.q.names() {
            if n != "CMC_PRO_API_KEY" && !names.contains(&n) {
                return Err(Refusal::Argument(format!(
                    "\"{}\" is not allowed",
                    shown(n)
                )));
            }
        }
        Ok(())
    }

    fn int(&self, name: &str, min: u64, max: u64, default: u64) -> Result<u64, Refusal> {
        match self.q.get(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| invalid(name, v)),
        }
    }

    fn one_of(
        &self,
        name: &str,
        choices: &[&str],
        default: &'static str,
    ) -> Result<String, Refusal> {
        match self.q.get(name) {
            None => Ok(default.to_string()),
            Some(v) if choices.contains(&v) => Ok(v.to_string()),
            Some(v) => Err(invalid(name, v)),
        }
    }

    fn flag(&self, name: &str) -> Result<bool, Refusal> {
        match self.q.get(name) {
            None => Ok(false),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(v) => Err(invalid(name, v)),
        }
    }

    /// The convert targets (`convert` or `convert_id`, not both), checked against the known
    /// currencies and the plan's allowance.
    fn converts(&self) -> Result<Vec<String>, Refusal> {
        let targets: Vec<String> = match (self.q.get("convert"), self.q.get("convert_id")) {
            (Some(_), Some(_)) => {
                return Err(Refusal::Argument(
                    "\"convert\" and \"convert_id\" cannot be used together".into(),
                ))
            }
            (Some(list), None) => {
                let mut out = Vec::new();
                for t in list.split(',') {
                    let t = t.trim().to_ascii_uppercase();
                    if t.is_empty() || self.market.usd_per_unit(&t).is_none() {
                        return Err(invalid("convert", &t));
                    }
                    out.push(t);
                }
                out
            }
            (None, Some(list)) => {
                let mut out = Vec::new();
                for t in list.split(',') {
                    let sym = t
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .and_then(|id| self.market.symbol_for_id(id))
                        .ok_or_else(|| invalid("convert_id", t))?;
                    out.push(sym);
                }
                out
            }
            (None, None) => vec!["USD".to_string()],
        };
        let mut unique = Vec::with_capacity(targets.len());
        for t in targets {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        if unique.len() > 120 {
            return Err(Refusal::Argument(
                "Invalid value for \"convert\": at most 120 currencies".into(),
            ));
        }
        if unique.len() > self.plan.max_convert {
            return Err(Refusal::Argument(format!(
                "Your plan is limited to {} convert options",
                self.plan.max_convert
            )));
        }
        Ok(unique)
    }

    fn updated(&self) -> String {
        iso(minute_start(self.now))
    }

    fn coin_quote(&self, c: &Coin, targets: &[String]) -> Value {
        let mut quote = Map::new();
        for t in targets {
            let per = self.market.usd_per_unit(t).unwrap_or(1.0);
            let market_cap = c.price_usd * c.circulating_supply / per;
            quote.insert(
                t.clone(),
                json!({
                    "price": round_sig(c.price_usd / per, 10),
                    "volume_24h": round_sig(c.volume_24h_usd / per, 10),
                    "volume_change_24h": round_sig(c.change_24h * 1.7, 6),
                    "percent_change_1h": c.change_1h,
                    "percent_change_24h": c.change_24h,
                    "percent_change_7d": c.change_7d,
                    "market_cap": round_sig(market_cap, 10),
                    "market_cap_dominance": round_sig(market_cap * per / 3.4e12 * 100.0, 5),
                    "fully_diluted_market_cap": round_sig(
                        c.price_usd * c.max_supply.unwrap_or(c.circulating_supply) / per, 10),
                    "last_updated": self.updated(),
                }),
            );
        }
        Value::Object(quote)
    }

    fn coin_base(&self, c: &Coin) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), json!(c.id));
        m.insert("name".into(), json!(c.name));
        m.insert("symbol".into(), json!(c.symbol));
        m.insert("slug".into(), json!(c.slug));
        m
    }

    fn coin_listing(&self, c: &Coin, targets: &[String]) -> Value {
        let mut m = self.coin_base(c);
        m.insert("cmc_rank".into(), json!(c.rank));
        m.insert("num_market_pairs".into(), json!(10 + c.id % 900));
        m.insert("circulating_supply".into(), json!(c.circulating_supply));
        m.insert(
            "total_supply".into(),
            json!(c.max_supply.unwrap_or(c.circulating_supply)),
        );
        m.insert("max_supply".into(), json!(c.max_supply));
        m.insert("infinite_supply".into(), json!(c.max_supply.is_none()));
        m.insert("date_added".into(), json!(iso(c.date_added)));
        m.insert("tags".into(), json!([]));
        m.insert("platform".into(), Value::Null);
        m.insert("last_updated".into(), json!(self.updated()));
        m.insert("quote".into(), self.coin_quote(c, targets));
        Value::Object(m)
    }

    /// The coins named by exactly one of `id`, `slug` or `symbol`; `by_symbol` tells the caller
    /// to key the answer by ticker with arrays (v2), else by id.
    fn selected(&self, allow_address: bool) -> Result<Selection<'_>, Refusal> {
        let skip_invalid = self.flag("skip_invalid")?;
        let given: Vec<&str> = ["id", "slug", "symbol"]
            .into_iter()
            .chain(allow_address.then_some("address"))
            .filter(|n| self.q.get(n).is_some())
            .collect();
        if given.len() != 1 {
            return Err(Refusal::Argument(
                "\"value\" must contain exactly one of [id, slug, symbol]".into(),
            ));
        }
        let name = given[0];
        let list = self.q.get(name).unwrap_or_default();
        let parts: Vec<&str> = list.split(',').map(str::trim).collect();
        if parts.len() > COIN_COUNT {
            return Err(Refusal::Argument(format!(
                "Invalid value for \"{name}\": at most {COIN_COUNT} values"
            )));
        }
        let mut groups = Vec::new();
        let mut keys = Vec::new();
        for p in parts {
            let found: Vec<&Coin> = match name {
                "id" => match p.parse::<u32>() {
                    Ok(id) => self.market.coin_by_id(id).into_iter().collect(),
                    Err(_) => return Err(invalid("id", p)),
                },
                "slug" => self.market.coin_by_slug(p).into_iter().collect(),
                "symbol" => self.market.coins_by_symbol(p),
                // Contract addresses: the synthetic coins live on no chain.
                _ => Vec::new(),
            };
            if found.is_empty() {
                if skip_invalid {
                    continue;
                }
                return Err(invalid(name, p));
            }
            let key = if name == "symbol" {
                p.to_ascii_uppercase()
            } else {
                found[0].id.to_string()
            };
            if !keys.contains(&key) {
                keys.push(key);
                groups.push(found);
            }
        }
        Ok((groups, keys, name == "symbol"))
    }
}

/// Keys v2 answers: by id → one object each; by symbol → an array each.
fn keyed(groups: Vec<Value>, keys: Vec<String>, by_symbol: bool) -> Value {
    let mut m = Map::new();
    for (k, g) in keys.into_iter().zip(groups) {
        let v = if by_symbol {
            g
        } else {
            match g {
                Value::Array(mut a) if !a.is_empty() => a.swap_remove(0),
                other => other,
            }
        };
        m.insert(k, v);
    }
    Value::Object(m)
}

/// The parameters each endpoint takes (besides the key), from the reference; anything else
/// answers 400, and the proxy forwards only these.
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

/// How many items a page of `total` answers from `start` (1-based), `limit` at most.
fn page_len(total: usize, start: usize, limit: usize) -> usize {
    total.saturating_sub(start.saturating_sub(1)).min(limit)
}

/// A comma-separated list from the caller, at most `max` entries (the reference gives no
/// maximum for these lists; the emulator bounds them by what the market holds).
fn bounded_list<'q>(name: &str, list: &'q str, max: usize) -> Result<Vec<&'q str>, Refusal> {
    let parts: Vec<&str> = list.split(',').map(str::trim).take(max + 1).collect();
    if parts.len() > max {
        return Err(Refusal::Argument(format!(
            "Invalid value for \"{name}\": at most {max} values"
        )));
    }
    Ok(parts)
}

pub fn cryptocurrency_map<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(MAP_PARAMS)?;
    cx.one_of(
        "listing_status",
        &["active", "inactive", "untracked"],
        "active",
    )?;
    let start = cx.int("start", 1, u64::from(u32::MAX), 1)? as usize;
    let limit = cx.int("limit", 1, 5_000, 5_000)? as usize;
    let sort = cx.one_of("sort", &["id", "cmc_rank"], "id")?;
    let mut coins: Vec<&Coin> = match cx.q.get("symbol") {
        Some(list) => bounded_list("symbol", list, COIN_COUNT)?
            .into_iter()
            .flat_map(|s| cx.market.coins_by_symbol(s))
            .collect(),
        None => cx.market.coins.iter().collect(),
    };
    if sort == "id" {
        coins.sort_by_key(|c| c.id);
    }
    let n = page_len(coins.len(), start, limit);
    Ok(Accepted::new(n as u64, PerCall, 0, move || {
        let data: Vec<Value> = coins
            .iter()
            .skip(start - 1)
            .take(limit)
            .map(|c| {
                let mut m = cx.coin_base(c);
                m.insert("rank".into(), json!(c.rank));
                m.insert("is_active".into(), json!(1));
                m.insert("first_historical_data".into(), json!(iso(c.date_added)));
                m.insert("last_historical_data".into(), json!(cx.updated()));
                m.insert("platform".into(), Value::Null);
                Value::Object(m)
            })
            .collect();
        Value::Array(data)
    }))
}

const LISTING_SORTS: &[&str] = &[
    "market_cap",
    "name",
    "symbol",
    "date_added",
    "price",
    "circulating_supply",
    "total_supply",
    "max_supply",
    "num_market_pairs",
    "volume_24h",
    "percent_change_1h",
    "percent_change_24h",
    "percent_change_7d",
    "market_cap_strict",
    "cmc_rank",
];

pub fn listings_latest<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(LISTINGS_PARAMS)?;
    let start = cx.int("start", 1, u64::from(u32::MAX), 1)? as usize;
    let limit = cx.int("limit", 1, 5_000, 100)? as usize;
    let sort = cx.one_of("sort", LISTING_SORTS, "market_cap")?;
    let default_dir = if matches!(sort.as_str(), "name" | "symbol") {
        "asc"
    } else {
        "desc"
    };
    let dir = cx.one_of("sort_dir", &["asc", "desc"], default_dir)?;
    cx.one_of("cryptocurrency_type", &["all", "coins", "tokens"], "all")?;
    let targets = cx.converts()?;
    let mut coins: Vec<&Coin> = cx.market.coins.iter().collect();
    match sort.as_str() {
        "name" => coins.sort_by(|a, b| a.name.cmp(&b.name)),
        "symbol" => coins.sort_by(|a, b| a.symbol.cmp(&b.symbol)),
        "date_added" => coins.sort_by_key(|c| c.date_added),
        "price" => coins.sort_by(|a, b| a.price_usd.total_cmp(&b.price_usd)),
        "volume_24h" => coins.sort_by(|a, b| a.volume_24h_usd.total_cmp(&b.volume_24h_usd)),
        "percent_change_24h" => coins.sort_by(|a, b| a.change_24h.total_cmp(&b.change_24h)),
        // Everything else follows the market-cap ranking, best last so "desc" puts it first.
        _ => coins.reverse(),
    }
    if dir == "desc" {
        coins.reverse();
    }
    let n = page_len(coins.len(), start, limit);
    let converts = targets.len();
    Ok(Accepted::new(n as u64, PerBatch(200), converts, move || {
        let data: Vec<Value> = coins
            .iter()
            .skip(start - 1)
            .take(limit)
            .map(|c| cx.coin_listing(c, &targets))
            .collect();
        Value::Array(data)
    })
    .total(cx.market.coins.len() as u64))
}

pub fn quotes_latest<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(QUOTES_PARAMS)?;
    let targets = cx.converts()?;
    let (groups, keys, by_symbol) = cx.selected(false)?;
    let items = groups.iter().map(Vec::len).sum::<usize>() as u64;
    let converts = targets.len();
    Ok(Accepted::new(items, PerBatch(100), converts, move || {
        let values = groups
            .into_iter()
            .map(|g| {
                Value::Array(
                    g.into_iter()
                        .map(|c| cx.coin_listing(c, &targets))
                        .collect(),
                )
            })
            .collect();
        keyed(values, keys, by_symbol)
    }))
}

pub fn info<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(INFO_PARAMS)?;
    let (groups, keys, by_symbol) = cx.selected(true)?;
    let items = groups.iter().map(Vec::len).sum::<usize>() as u64;
    Ok(Accepted::new(items, PerBatch(100), 0, move || {
        let values = groups
        .into_iter()
        .map(|g| {
            Value::Array(
                g.into_iter()
                    .map(|c| {
                        let mut m = cx.coin_base(c);
                        m.insert("category".into(), json!(if c.id < 10_000 { "coin" } else { "token" }));
                        m.insert(
                            "description".into(),
                            json!(format!("{} ({}) is a cryptocurrency in the emulated market.", c.name, c.symbol)),
                        );
                        m.insert("logo".into(), json!(format!("https://example.invalid/logos/{}.png", c.id)));
                        m.insert("urls".into(), json!({"website": [], "technical_doc": [], "twitter": [], "reddit": [], "source_code": []}));
                        m.insert("date_added".into(), json!(iso(c.date_added)));
                        m.insert("date_launched".into(), json!(iso(c.date_added)));
                        m.insert("tags".into(), json!([]));
                        m.insert("platform".into(), Value::Null);
                        Value::Object(m)
                    })
                    .collect(),
            )
        })
        .collect();
        keyed(values, keys, by_symbol)
    }))
}

pub fn global_metrics<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(GLOBAL_PARAMS)?;
    let targets = cx.converts()?;
    let converts = targets.len();
    Ok(Accepted::new(1, PerCall, converts, move || {
        let total_cap: f64 = cx
            .market
            .coins
            .iter()
            .map(|c| c.price_usd * c.circulating_supply)
            .sum();
        let total_volume: f64 = cx.market.coins.iter().map(|c| c.volume_24h_usd).sum();
        let btc = cx
            .market
            .coin_by_id(1)
            .map(|c| c.price_usd * c.circulating_supply)
            .unwrap_or(0.0);
        let eth = cx
            .market
            .coin_by_id(1027)
            .map(|c| c.price_usd * c.circulating_supply)
            .unwrap_or(0.0);
        let mut quote = Map::new();
        for t in &targets {
            let per = cx.market.usd_per_unit(t).unwrap_or(1.0);
            quote.insert(
                t.clone(),
                json!({
                    "total_market_cap": round_sig(total_cap / per, 12),
                    "total_volume_24h": round_sig(total_volume / per, 12),
                    "altcoin_market_cap": round_sig((total_cap - btc) / per, 12),
                    "last_updated": cx.updated(),
                }),
            );
        }
        json!({
            "active_cryptocurrencies": cx.market.coins.len(),
            "total_cryptocurrencies": cx.market.coins.len(),
            "active_market_pairs": cx.market.exchanges.iter().map(|e| e.num_market_pairs).sum::<u32>(),
            "active_exchanges": cx.market.exchanges.len(),
            "total_exchanges": cx.market.exchanges.len(),
            "btc_dominance": round_sig(btc / total_cap * 100.0, 6),
            "eth_dominance": round_sig(eth / total_cap * 100.0, 6),
            "quote": quote,
            "last_updated": cx.updated(),
        })
    }))
}

pub fn price_conversion<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(CONVERSION_PARAMS)?;
    let raw =
        cx.q.get("amount")
            .ok_or_else(|| Refusal::Argument("\"amount\" is required".into()))?;
    let amount = raw
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|a| a.is_finite() && *a >= 0.0 && *a <= 1e18)
        .ok_or_else(|| invalid("amount", raw))?;
    // The free plan converts at the latest rate only.
    if cx.q.get("time").is_some() && cx.plan.level == 0 {
        return Err(Refusal::Plan);
    }
    let targets = cx.converts()?;
    let coins: Vec<&Coin> = match (cx.q.get("id"), cx.q.get("symbol")) {
        (Some(id), None) => {
            let coin = id
                .trim()
                .parse::<u32>()
                .ok()
                .and_then(|i| cx.market.coin_by_id(i));
            vec![coin.ok_or_else(|| invalid("id", id))?]
        }
        (None, Some(sym)) => {
            let found = cx.market.coins_by_symbol(sym.trim());
            if found.is_empty() {
                return Err(invalid("symbol", sym));
            }
            found
        }
        _ => {
            return Err(Refusal::Argument(
                "\"value\" must contain exactly one of [id, symbol]".into(),
            ))
        }
    };
    let converts = targets.len();
    Ok(Accepted::new(1, PerCall, converts, move || {
        let one = |c: &Coin| {
            let mut quote = Map::new();
            for t in &targets {
                let per = cx.market.usd_per_unit(t).unwrap_or(1.0);
                quote.insert(
                    t.clone(),
                    json!({"price": round_sig(amount * c.price_usd / per, 12), "last_updated": cx.updated()}),
                );
            }
            json!({"id": c.id, "symbol": c.symbol, "name": c.name, "amount": amount,
                   "last_updated": cx.updated(), "quote": quote})
        };
        if cx.q.get("symbol").is_some() {
            Value::Array(coins.into_iter().map(one).collect())
        } else {
            one(coins[0])
        }
    }))
}

pub fn fiat_map<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(FIAT_PARAMS)?;
    let start = cx.int("start", 1, u64::from(u32::MAX), 1)? as usize;
    let limit = cx.int("limit", 1, 5_000, 5_000)? as usize;
    let sort = cx.one_of("sort", &["id", "name"], "id")?;
    let metals = cx.flag("include_metals")?;
    let mut fiats: Vec<_> = cx
        .market
        .fiats
        .iter()
        .filter(|f| metals || !f.symbol.starts_with('X'))
        .collect();
    if sort == "id" {
        fiats.sort_by_key(|f| f.id);
    } else {
        fiats.sort_by_key(|f| f.name);
    }
    let n = page_len(fiats.len(), start, limit);
    Ok(Accepted::new(n as u64, PerCall, 0, move || {
        let data: Vec<Value> = fiats
            .iter()
            .skip(start - 1)
            .take(limit)
            .map(|f| json!({"id": f.id, "name": f.name, "sign": f.sign, "symbol": f.symbol}))
            .collect();
        Value::Array(data)
    }))
}

fn exchange_base(cx: &Ctx, e: &super::data::Exchange) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(e.id));
    m.insert("name".into(), json!(e.name));
    m.insert("slug".into(), json!(e.slug));
    m.insert("is_active".into(), json!(1));
    m.insert("first_historical_data".into(), json!(iso(e.date_launched)));
    m.insert("last_historical_data".into(), json!(cx.updated()));
    m
}

pub fn exchange_map<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(EXCHANGE_MAP_PARAMS)?;
    cx.one_of(
        "listing_status",
        &["active", "inactive", "untracked"],
        "active",
    )?;
    let start = cx.int("start", 1, u64::from(u32::MAX), 1)? as usize;
    let limit = cx.int("limit", 1, 5_000, 5_000)? as usize;
    let sort = cx.one_of("sort", &["id", "volume_24h"], "id")?;
    let slugs: Option<Vec<&str>> = match cx.q.get("slug") {
        Some(list) => Some(bounded_list("slug", list, EXCHANGE_COUNT)?),
        None => None,
    };
    let mut exchanges: Vec<_> = cx
        .market
        .exchanges
        .iter()
        .filter(|e| slugs.as_ref().is_none_or(|s| s.contains(&e.slug.as_str())))
        .collect();
    if sort == "id" {
        exchanges.sort_by_key(|e| e.id);
    }
    let n = page_len(exchanges.len(), start, limit);
    Ok(Accepted::new(n as u64, PerCall, 0, move || {
        let data: Vec<Value> = exchanges
            .iter()
            .skip(start - 1)
            .take(limit)
            .map(|e| Value::Object(exchange_base(cx, e)))
            .collect();
        Value::Array(data)
    }))
}

pub fn exchange_info<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(EXCHANGE_INFO_PARAMS)?;
    let (name, list) = match (cx.q.get("id"), cx.q.get("slug")) {
        (Some(v), None) => ("id", v),
        (None, Some(v)) => ("slug", v),
        _ => {
            return Err(Refusal::Argument(
                "\"value\" must contain exactly one of [id, slug]".into(),
            ))
        }
    };
    let mut found: Vec<(String, &super::data::Exchange)> = Vec::new();
    for p in bounded_list(name, list, EXCHANGE_COUNT)? {
        let e = cx
            .market
            .exchanges
            .iter()
            .find(|e| {
                if name == "id" {
                    e.id.to_string() == p
                } else {
                    e.slug == p
                }
            })
            .ok_or_else(|| invalid(name, p))?;
        let key = if name == "id" {
            e.id.to_string()
        } else {
            e.slug.clone()
        };
        if !found.iter().any(|(k, _)| *k == key) {
            found.push((key, e));
        }
    }
    let items = found.len() as u64;
    Ok(Accepted::new(items, PerBatch(100), 0, move || {
        let mut data = Map::new();
        for (key, e) in found {
            let mut m = exchange_base(cx, e);
            m.insert(
                "description".into(),
                json!(format!("{} is an exchange in the emulated market.", e.name)),
            );
            m.insert("date_launched".into(), json!(iso(e.date_launched)));
            m.insert("spot_volume_usd".into(), json!(e.volume_24h_usd));
            m.insert(
                "urls".into(),
                json!({"website": [], "fee": [], "twitter": []}),
            );
            data.insert(key, Value::Object(m));
        }
        Value::Object(data)
    }))
}

pub fn exchange_listings<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(EXCHANGE_LISTINGS_PARAMS)?;
    let start = cx.int("start", 1, u64::from(u32::MAX), 1)? as usize;
    let limit = cx.int("limit", 1, 5_000, 100)? as usize;
    cx.one_of(
        "sort",
        &[
            "name",
            "volume_24h",
            "volume_24h_adjusted",
            "exchange_score",
        ],
        "volume_24h",
    )?;
    cx.one_of("sort_dir", &["asc", "desc"], "desc")?;
    cx.one_of("market_type", &["fees", "no_fees", "all"], "all")?;
    let targets = cx.converts()?;
    let n = page_len(cx.market.exchanges.len(), start, limit);
    let converts = targets.len();
    Ok(Accepted::new(n as u64, PerBatch(100), converts, move || {
        let data: Vec<Value> = cx
            .market
            .exchanges
            .iter()
            .skip(start - 1)
            .take(limit)
            .map(|e| {
                let mut m = exchange_base(cx, e);
                m.insert("num_market_pairs".into(), json!(e.num_market_pairs));
                m.insert("last_updated".into(), json!(cx.updated()));
                let mut quote = Map::new();
                for t in &targets {
                    let per = cx.market.usd_per_unit(t).unwrap_or(1.0);
                    quote.insert(
                        t.clone(),
                        json!({"volume_24h": round_sig(e.volume_24h_usd / per, 10)}),
                    );
                }
                m.insert("quote".into(), Value::Object(quote));
                Value::Object(m)
            })
            .collect();
        Value::Array(data)
    })
    .total(cx.market.exchanges.len() as u64))
}

const INTERVALS: &[(&str, Millis)] = &[
    ("5m", 5 * MINUTE),
    ("10m", 10 * MINUTE),
    ("15m", 15 * MINUTE),
    ("30m", 30 * MINUTE),
    ("45m", 45 * MINUTE),
    ("1h", HOUR),
    ("hourly", HOUR),
    ("2h", 2 * HOUR),
    ("3h", 3 * HOUR),
    ("6h", 6 * HOUR),
    ("12h", 12 * HOUR),
    ("24h", DAY),
    ("1d", DAY),
    ("daily", DAY),
    ("7d", 7 * DAY),
    ("weekly", 7 * DAY),
];

pub fn quotes_historical<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(HISTORICAL_PARAMS)?;
    // The reference names `count` without a maximum; the published docs give 10,000 as the
    // query limit, which the emulator keeps (with MAX_VALUES bounding ids × count × converts).
    let count = cx.int("count", 1, 10_000, 10)?;
    let interval = match cx.q.get("interval") {
        None => 5 * MINUTE,
        Some(v) => INTERVALS
            .iter()
            .find(|(n, _)| *n == v)
            .map(|(_, ms)| *ms)
            .ok_or_else(|| invalid("interval", v))?,
    };
    let targets = cx.converts()?;
    let (groups, keys, by_symbol) = cx.selected(false)?;
    let coins: u64 = groups.iter().map(|g| g.len() as u64).sum();
    let items = coins.saturating_mul(count);
    let converts = targets.len();
    Ok(Accepted::new(items, PerBatch(100), converts, move || {
        let end = cx.now - cx.now.rem_euclid(interval);
        let values = groups
            .into_iter()
            .map(|g| {
                Value::Array(
                    g.into_iter()
                        .map(|c| {
                            let quotes: Vec<Value> = (0..count as i64)
                                .rev()
                                .map(|k| {
                                    let t = end - k * interval;
                                    let wiggle =
                                        1.0 + (unit(u64::from(c.id) ^ t as u64) - 0.5) * 0.02;
                                    let mut q = Map::new();
                                    for target in &targets {
                                        let per = cx.market.usd_per_unit(target).unwrap_or(1.0);
                                        let price = c.price_usd * wiggle / per;
                                        q.insert(
                                            target.clone(),
                                            json!({"price": round_sig(price, 10),
                                            "volume_24h": round_sig(c.volume_24h_usd / per, 10),
                                            "market_cap": round_sig(price * c.circulating_supply, 10),
                                            "timestamp": iso(t)}),
                                        );
                                    }
                                    json!({"timestamp": iso(t), "quote": q})
                                })
                                .collect();
                            let mut m = cx.coin_base(c);
                            m.insert("is_active".into(), json!(1));
                            m.insert("quotes".into(), Value::Array(quotes));
                            Value::Object(m)
                        })
                        .collect(),
                )
            })
            .collect();
        keyed(values, keys, by_symbol)
    }))
}

pub fn ohlcv_latest<'a>(cx: &'a Ctx<'a>) -> Outcome<'a> {
    cx.allow(OHLCV_PARAMS)?;
    let targets = cx.converts()?;
    let (groups, keys, by_symbol) = cx.selected(false)?;
    let items = groups.iter().map(Vec::len).sum::<usize>() as u64;
    let converts = targets.len();
    Ok(Accepted::new(items, PerBatch(100), converts, move || {
        let day_open = cx.now - cx.now.rem_euclid(DAY);
        let values = groups
        .into_iter()
        .map(|g| {
            Value::Array(
                g.into_iter()
                    .map(|c| {
                        let mut q = Map::new();
                        for t in &targets {
                            let p = c.price_usd / cx.market.usd_per_unit(t).unwrap_or(1.0);
                            q.insert(t.clone(), json!({"open": round_sig(p * 0.99, 10), "high": round_sig(p * 1.02, 10),
                                "low": round_sig(p * 0.98, 10), "close": round_sig(p, 10),
                                "volume": round_sig(c.volume_24h_usd, 10), "last_updated": cx.updated()}));
                        }
                        let mut m = cx.coin_base(c);
                        m.insert("last_updated".into(), json!(cx.updated()));
                        m.insert("time_open".into(), json!(iso(day_open)));
                        m.insert("time_close".into(), Value::Null);
                        m.insert("quote".into(), Value::Object(q));
                        Value::Object(m)
                    })
                    .collect(),
            )
        })
        .collect();
        keyed(values, keys, by_symbol)
    }))
}

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

/// The parameters a path below `/cmc` takes (besides the key), if it is an endpoint.
pub fn params(path: &str) -> Option<&'static [&'static str]> {
    Some(match path {
        "/v1/key/info" => &[],
        "/v1/cryptocurrency/map" => MAP_PARAMS,
        "/v1/cryptocurrency/listings/latest" => LISTINGS_PARAMS,
        "/v2/cryptocurrency/quotes/latest" => QUOTES_PARAMS,
        "/v2/cryptocurrency/info" => INFO_PARAMS,
        "/v1/global-metrics/quotes/latest" => GLOBAL_PARAMS,
        "/v2/tools/price-conversion" => CONVERSION_PARAMS,
        "/v1/fiat/map" => FIAT_PARAMS,
        "/v1/exchange/map" => EXCHANGE_MAP_PARAMS,
        "/v1/exchange/info" => EXCHANGE_INFO_PARAMS,
        "/v1/exchange/listings/latest" => EXCHANGE_LISTINGS_PARAMS,
        "/v2/cryptocurrency/quotes/historical" => HISTORICAL_PARAMS,
        "/v2/cryptocurrency/ohlcv/latest" => OHLCV_PARAMS,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(items: u64, pricing: Pricing, converts: usize) -> Accepted<'static> {
        Accepted::new(items, pricing, converts, || Value::Null)
    }

    #[test]
    fn credits_follow_the_reference_formula() {
        assert_eq!(accepted(0, PerBatch(200), 1).credits(), 1);
        assert_eq!(accepted(200, PerBatch(200), 1).credits(), 1);
        assert_eq!(accepted(201, PerBatch(200), 1).credits(), 2);
        assert_eq!(accepted(5_000, PerBatch(200), 3).credits(), 27);
        assert_eq!(accepted(101, PerBatch(100), 0).credits(), 2);
        assert_eq!(accepted(5_000, PerCall, 2).credits(), 2);
    }
}
