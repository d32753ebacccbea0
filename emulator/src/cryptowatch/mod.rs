//! The emulated Cryptowatch REST API, below `/cryptowatch`.
//!
//! Every known route has its fixed cost from the reference's table; the cost is charged
//! before answering, 404s included, from a 24-hour allowance that starts at the caller's first
//! request. Balances are integer milli-credits so three-decimal arithmetic stays exact.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::clock::{iso, Millis, DAY};
use crate::http::{json_response, key_of};
use crate::ledger::CwBalance;
use crate::query::Query;
use crate::synth::{round_sig, unit};
use crate::Shared;

pub const KEY_HEADER: &str = "x-cw-api-key";
pub const KEY_PARAM: &str = "apikey";
/// The keyed demo caller.
pub const DEMO_KEY: &str = "demo-cw";
/// The account id shown to the keyed demo caller.
const DEMO_ACCOUNT: &str = "8b095566-0000-4000-8000-00000000c0de";
/// Where routes in answers point, as the real API wrote them.
const ROUTE_BASE: &str = "https://api.cryptowat.ch";
const UPGRADE: &str = "For unlimited API access, create an account at https://cryptowat.ch";

/// Anonymous callers: 10 credits per 24 hours.
pub const ANONYMOUS_ALLOWANCE_MILLI: u64 = 10_000;
/// The keyed demo caller: 1,000 credits per 24 hours (a paid balance, far above anonymous).
pub const KEYED_ALLOWANCE_MILLI: u64 = 1_000_000;

const ASSETS: &[(u32, &str, &str, &str, bool, f64)] = &[
    (60, "bitcoin", "btc", "Bitcoin", false, 97_250.0),
    (77, "ethereum", "eth", "Ethereum", false, 3_412.5),
    (56, "litecoin", "ltc", "Litecoin", false, 104.2),
    (123, "ripple", "xrp", "XRP", false, 2.31),
    (3119, "solana", "sol", "Solana", false, 201.7),
    (174, "dogecoin", "doge", "Dogecoin", false, 0.327),
    (150, "cardano", "ada", "Cardano", false, 0.94),
    (2398, "polkadot", "dot", "Polkadot", false, 6.9),
    (1040, "tether", "usdt", "Tether", false, 1.0),
    (3001, "usd-coin", "usdc", "USD Coin", false, 1.0),
    (
        98,
        "united-states-dollar",
        "usd",
        "United States Dollar",
        true,
        1.0,
    ),
    (65, "euro", "eur", "Euro", true, 1.08),
    (100, "british-pound", "gbp", "British Pound", true, 1.27),
    (104, "japanese-yen", "jpy", "Japanese Yen", true, 0.0066),
];

const EXCHANGES: &[(u32, &str, &str)] = &[
    (1, "bitfinex", "Bitfinex"),
    (4, "kraken", "Kraken"),
    (5, "coinbase-pro", "Coinbase Pro"),
    (6, "bitstamp", "Bitstamp"),
    (27, "binance", "Binance"),
    (28, "gemini", "Gemini"),
    (52, "bitflyer", "bitFlyer"),
    (91, "binance-us", "Binance.US"),
];

const BASES: &[&str] = &["btc", "eth", "ltc", "xrp", "sol", "doge", "ada", "dot"];
const QUOTES: &[&str] = &["usd", "eur", "gbp", "jpy", "usdt", "usdc", "btc"];

/// The OHLC period keys the API knows, with their length in seconds.
const PERIODS: &[(&str, i64)] = &[
    ("60", 60),
    ("180", 180),
    ("300", 300),
    ("900", 900),
    ("1800", 1_800),
    ("3600", 3_600),
    ("7200", 7_200),
    ("14400", 14_400),
    ("21600", 21_600),
    ("43200", 43_200),
    ("86400", 86_400),
    ("259200", 259_200),
    ("604800", 604_800),
    ("604800_Monday", 604_800),
];

struct Pair {
    id: u32,
    symbol: String,
    base: usize,
    quote: usize,
}

struct Mkt {
    id: u32,
    exchange: usize,
    pair: usize,
}

/// The emulated exchanges, assets, pairs and markets; the same on every start.
pub struct Catalog {
    pairs: Vec<Pair>,
    markets: Vec<Mkt>,
}

impl Catalog {
    pub fn new() -> Catalog {
        let mut pairs = Vec::new();
        for b in BASES {
            for q in QUOTES {
                if b == q {
                    continue;
                }
                let base = ASSETS.iter().position(|a| a.2 == *b).unwrap_or(0);
                let quote = ASSETS.iter().position(|a| a.2 == *q).unwrap_or(0);
                pairs.push(Pair {
                    id: 200 + pairs.len() as u32,
                    symbol: format!("{b}{q}"),
                    base,
                    quote,
                });
            }
        }
        let mut markets = Vec::new();
        for (e, ex) in EXCHANGES.iter().enumerate() {
            for (p, pair) in pairs.iter().enumerate() {
                // Kraken lists every pair so the documented examples always work.
                let listed =
                    ex.1 == "kraken" || unit(u64::from(ex.0) << 16 | u64::from(pair.id)) < 0.6;
                if listed {
                    markets.push(Mkt {
                        id: 1 + markets.len() as u32,
                        exchange: e,
                        pair: p,
                    });
                }
            }
        }
        Catalog { pairs, markets }
    }

    fn exchange(&self, symbol: &str) -> Option<usize> {
        EXCHANGES.iter().position(|e| e.1 == symbol)
    }

    fn market(&self, exchange: &str, pair: &str) -> Option<&Mkt> {
        let e = self.exchange(exchange)?;
        self.markets
            .iter()
            .find(|m| m.exchange == e && self.pairs[m.pair].symbol == pair)
    }

    fn price(&self, m: &Mkt) -> f64 {
        let p = &self.pairs[m.pair];
        let raw = ASSETS[p.base].5 / ASSETS[p.quote].5;
        let spread = 1.0 + (unit(u64::from(m.id) * 31) - 0.5) * 0.004;
        round_sig(raw * spread, 6)
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new()
    }
}

/// What a path asks for, and what it costs in milli-credits.
#[derive(Debug)]
enum Route<'a> {
    Root,
    Assets,
    Asset(&'a str),
    Exchanges,
    Exchange(&'a str),
    ExchangeMarkets(&'a str),
    Pairs,
    Pair(&'a str),
    Markets,
    Prices,
    Summaries,
    Market(&'a str, &'a str, Option<&'a str>),
}

impl Route<'_> {
    fn parse(path: &str) -> Option<Route<'_>> {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        Some(match segs.as_slice() {
            [] => Route::Root,
            ["assets"] => Route::Assets,
            ["assets", a] => Route::Asset(a),
            ["exchanges"] => Route::Exchanges,
            ["exchanges", e] => Route::Exchange(e),
            ["pairs"] => Route::Pairs,
            ["pairs", p] => Route::Pair(p),
            ["markets"] => Route::Markets,
            ["markets", "prices"] => Route::Prices,
            ["markets", "summaries"] => Route::Summaries,
            ["markets", e] => Route::ExchangeMarkets(e),
            ["markets", e, p] => Route::Market(e, p, None),
            ["markets", e, p, "price"] => Route::Market(e, p, Some("price")),
            ["markets", e, p, "summary"] => Route::Market(e, p, Some("summary")),
            ["markets", e, p, "trades"] => Route::Market(e, p, Some("trades")),
            ["markets", e, p, "orderbook"] => Route::Market(e, p, Some("orderbook")),
            ["markets", e, p, "orderbook", "liquidity"] => Route::Market(e, p, Some("liquidity")),
            ["markets", e, p, "orderbook", "calculator"] => Route::Market(e, p, Some("calculator")),
            ["markets", e, p, "ohlc"] => Route::Market(e, p, Some("ohlc")),
            _ => return None,
        })
    }

    /// The reference's cost table (B5), in milli-credits.
    fn cost_milli(&self) -> u64 {
        match self {
            // "Costs very little": the smallest unit the allowance can show.
            Route::Root => 1,
            Route::Assets | Route::Asset(_) => 2,
            Route::Exchanges | Route::Exchange(_) | Route::ExchangeMarkets(_) => 2,
            Route::Pairs => 3,
            Route::Pair(_) => 2,
            Route::Markets => 3,
            Route::Prices | Route::Summaries => 15,
            Route::Market(_, _, what) => match what {
                None => 2,
                Some("price") | Some("summary") | Some("liquidity") => 5,
                Some("trades") | Some("orderbook") => 10,
                _ => 15, // calculator, ohlc
            },
        }
    }
}

fn milli(m: u64) -> Value {
    json!(m as f64 / 1000.0)
}

fn error_body(status: StatusCode, message: &str, allowance: Option<Value>) -> Response {
    let mut m = Map::new();
    m.insert("error".into(), json!(message));
    if let Some(a) = allowance {
        m.insert("allowance".into(), a);
    }
    json_response(status, &Value::Object(m))
}

/// Who is calling: a key, or an anonymous client address.
fn caller(headers: &HeaderMap, q: &Query, peer: Option<IpAddr>) -> Result<(String, bool), ()> {
    match key_of(headers, KEY_HEADER, q, KEY_PARAM)
        .transpose()?
        .as_deref()
    {
        None => Ok((
            format!(
                "anonymous:{}",
                peer.map(|p| p.to_string())
                    .unwrap_or_else(|| "unknown".into())
            ),
            false,
        )),
        Some(DEMO_KEY) => Ok((DEMO_KEY.to_string(), true)),
        Some(_) => Err(()),
    }
}

pub fn handle(
    app: &Shared,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Response {
    let now = app.clock.now();
    let Some(route) = Route::parse(path) else {
        return error_body(StatusCode::NOT_FOUND, "Route not found", None);
    };
    let Ok(q) = Query::parse(raw_query) else {
        return error_body(StatusCode::BAD_REQUEST, "Bad Request", None);
    };
    let Ok((who, keyed)) = caller(headers, &q, peer) else {
        return error_body(StatusCode::UNAUTHORIZED, "Invalid API key", None);
    };
    let cost = route.cost_milli();
    let remaining = {
        let mut ledger = app.lock_ledger();
        let allowance_milli = if keyed {
            app.cw_keyed_allowance_milli
        } else {
            app.cw_anonymous_allowance_milli
        };
        let balance = ledger.cw.entry(who).or_insert(CwBalance {
            window_start: now,
            allowance_milli,
            spent_milli: 0,
            refused_429: 0,
        });
        // The window opens at the first request and closes 24 hours later; the next request
        // after that opens a new one.
        if now >= balance.window_start + DAY {
            balance.window_start = now;
            balance.spent_milli = 0;
        }
        if balance.remaining_milli() < cost {
            balance.refused_429 += 1;
            return error_body(StatusCode::TOO_MANY_REQUESTS, "Out of allowance", None);
        }
        balance.spent_milli += cost;
        balance.remaining_milli()
    };
    let allowance = if keyed {
        json!({"cost": milli(cost), "remaining": milli(remaining), "account": DEMO_ACCOUNT})
    } else {
        json!({"cost": milli(cost), "remaining": milli(remaining), "upgrade": UPGRADE})
    };
    match answer(app, &route, &q, now) {
        Ok((result, cursor)) => {
            let mut m = Map::new();
            m.insert("result".into(), result);
            if let Some(c) = cursor {
                m.insert("cursor".into(), c);
            }
            // The root path showed no allowance to anonymous callers.
            if keyed || !matches!(route, Route::Root) {
                m.insert("allowance".into(), allowance);
            }
            json_response(StatusCode::OK, &Value::Object(m))
        }
        Err((status, message)) => error_body(status, message, Some(allowance)),
    }
}

type Answer = Result<(Value, Option<Value>), (StatusCode, &'static str)>;

fn not_found(what: &'static str) -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, what)
}

fn bad(message: &'static str) -> (StatusCode, &'static str) {
    (StatusCode::BAD_REQUEST, message)
}

fn asset_json(i: usize) -> Value {
    let a = ASSETS[i];
    json!({"id": a.0, "sid": a.1, "symbol": a.2, "name": a.3, "fiat": a.4,
           "route": format!("{ROUTE_BASE}/assets/{}", a.2)})
}

fn market_json(cat: &Catalog, m: &Mkt) -> Value {
    let e = EXCHANGES[m.exchange].1;
    let p = &cat.pairs[m.pair].symbol;
    json!({"id": m.id, "exchange": e, "pair": p, "active": true,
           "route": format!("{ROUTE_BASE}/markets/{e}/{p}")})
}

fn pair_json(p: &Pair) -> Value {
    json!({"id": p.id, "symbol": p.symbol, "base": asset_json(p.base), "quote": asset_json(p.quote),
           "route": format!("{ROUTE_BASE}/pairs/{}", p.symbol)})
}

fn exchange_json(i: usize) -> Value {
    let e = EXCHANGES[i];
    json!({"id": e.0, "symbol": e.1, "name": e.2, "active": true,
           "route": format!("{ROUTE_BASE}/exchanges/{}", e.1)})
}

fn summary_json(cat: &Catalog, m: &Mkt) -> Value {
    let price = cat.price(m);
    let change = (unit(u64::from(m.id) * 7) - 0.5) * 0.1;
    let volume = round_sig(10.0 + unit(u64::from(m.id) * 13) * 5_000.0, 6);
    json!({"price": {"last": price, "high": round_sig(price * 1.03, 6), "low": round_sig(price * 0.97, 6),
                     "change": {"percentage": round_sig(change, 8), "absolute": round_sig(price * change, 6)}},
           "volume": volume, "volumeBase": volume, "volumeQuote": round_sig(volume * price, 8),
           "volumeUSD": round_sig(volume * ASSETS[cat.pairs[m.pair].base].5, 8)})
}

/// One page of a list, with the cursor the API adds to paginated collections.
/// Pages `[key, value]` pairs like a list, then answers them as one JSON object.
fn paged_object(items: Vec<Value>, q: &Query) -> Answer {
    let (slice, cursor) = page(items, q)?;
    let mut obj = Map::new();
    for kv in slice.as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (kv[0].as_str(), kv.get(1)) {
            obj.insert(k.to_string(), v.clone());
        }
    }
    Ok((Value::Object(obj), cursor))
}

fn page(items: Vec<Value>, q: &Query) -> Answer {
    let start = match q.get("cursor") {
        None => 0,
        Some(c) => c
            .strip_prefix('c')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or(not_found("Bad Request"))?,
    };
    let limit = match q.get("limit") {
        None => 20_000,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=20_000).contains(n))
            .ok_or(not_found("Bad Request"))?,
    };
    let end = (start + limit).min(items.len());
    let cursor = json!({"last": format!("c{end}"), "hasMore": end < items.len()});
    let slice: Vec<Value> = items.into_iter().skip(start).take(end - start).collect();
    Ok((Value::Array(slice), Some(cursor)))
}

fn answer(app: &Shared, route: &Route, q: &Query, now: Millis) -> Answer {
    let cat = &app.cw_catalog;
    match route {
        Route::Root => Ok((
            json!({"revision": "emulated", "uptime": "0h0m0s",
                   "documentation": "https://cryptowat.ch/docs/api",
                   "indexes": [format!("{ROUTE_BASE}/assets"), format!("{ROUTE_BASE}/pairs"),
                               format!("{ROUTE_BASE}/exchanges"), format!("{ROUTE_BASE}/markets")]}),
            None,
        )),
        Route::Assets => page((0..ASSETS.len()).map(asset_json).collect(), q),
        Route::Asset(a) => {
            let i = ASSETS
                .iter()
                .position(|x| x.2 == *a)
                .ok_or(not_found("Asset not found"))?;
            let mut v = asset_json(i);
            let side = |as_base: bool| -> Vec<Value> {
                cat.markets
                    .iter()
                    .filter(|m| {
                        let p = &cat.pairs[m.pair];
                        if as_base {
                            p.base == i
                        } else {
                            p.quote == i
                        }
                    })
                    .map(|m| market_json(cat, m))
                    .collect()
            };
            v["markets"] = json!({"base": side(true), "quote": side(false)});
            Ok((v, None))
        }
        Route::Exchanges => Ok((
            Value::Array((0..EXCHANGES.len()).map(exchange_json).collect()),
            None,
        )),
        Route::Exchange(e) => {
            let i = cat.exchange(e).ok_or(not_found("Exchange not found"))?;
            let mut v = exchange_json(i);
            if let Value::Object(m) = &mut v {
                m.remove("route");
                m.insert(
                    "routes".into(),
                    json!({"markets": format!("{ROUTE_BASE}/markets/{e}")}),
                );
            }
            Ok((v, None))
        }
        Route::ExchangeMarkets(e) => {
            let i = cat.exchange(e).ok_or(not_found("Exchange not found"))?;
            let list = cat
                .markets
                .iter()
                .filter(|m| m.exchange == i)
                .map(|m| market_json(cat, m))
                .collect();
            Ok((Value::Array(list), None))
        }
        Route::Pairs => page(cat.pairs.iter().map(pair_json).collect(), q),
        Route::Pair(p) => {
            let pair = cat
                .pairs
                .iter()
                .find(|x| x.symbol == *p)
                .ok_or(not_found("Pair not found"))?;
            let mut v = pair_json(pair);
            v["markets"] = Value::Array(
                cat.markets
                    .iter()
                    .filter(|m| cat.pairs[m.pair].id == pair.id)
                    .map(|m| market_json(cat, m))
                    .collect(),
            );
            Ok((v, None))
        }
        Route::Markets => page(cat.markets.iter().map(|m| market_json(cat, m)).collect(), q),
        Route::Prices => {
            let items: Vec<Value> = cat
                .markets
                .iter()
                .map(|m| json!([market_key(cat, m, "market"), cat.price(m)]))
                .collect();
            paged_object(items, q)
        }
        Route::Summaries => {
            let key_by = q.get("keyBy");
            if !matches!(key_by, None | Some("id") | Some("symbols")) {
                return Err(bad("Unkown sort parameter"));
            }
            let items: Vec<Value> = cat
                .markets
                .iter()
                .map(|m| {
                    let key = if key_by == Some("id") {
                        m.id.to_string()
                    } else {
                        market_key(cat, m, "")
                    };
                    json!([key, summary_json(cat, m)])
                })
                .collect();
            paged_object(items, q)
        }
        Route::Market(e, p, what) => {
            let m = cat.market(e, p).ok_or(not_found("Instrument not found"))?;
            market_answer(cat, m, *what, q, now)
        }
    }
}

fn market_key(cat: &Catalog, m: &Mkt, kind: &str) -> String {
    let e = EXCHANGES[m.exchange].1;
    let p = &cat.pairs[m.pair].symbol;
    if kind.is_empty() {
        format!("{e}:{p}")
    } else {
        format!("{kind}:{e}:{p}")
    }
}

fn float_param(q: &Query, name: &str) -> Result<Option<f64>, (StatusCode, &'static str)> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .map(Some)
            .ok_or(bad("Bad Request")),
    }
}

fn market_answer(cat: &Catalog, m: &Mkt, what: Option<&str>, q: &Query, now: Millis) -> Answer {
    let price = cat.price(m);
    let seed = u64::from(m.id);
    let now_s = now / 1000;
    let levels = |side: f64| -> Vec<(f64, f64)> {
        (0..50)
            .map(|i| {
                let px = round_sig(price * (1.0 + side * (0.0001 + 0.0002 * i as f64)), 7);
                let amount =
                    round_sig(0.01 + unit(seed * 101 + i as u64 + side.to_bits()) * 3.0, 6);
                (px, amount)
            })
            .collect()
    };
    Ok((
        match what {
            None => {
                let e = EXCHANGES[m.exchange].1;
                let p = &cat.pairs[m.pair].symbol;
                let base = format!("{ROUTE_BASE}/markets/{e}/{p}");
                json!({"id": m.id, "exchange": e, "pair": p, "active": true,
                       "routes": {"price": format!("{base}/price"), "summary": format!("{base}/summary"),
                                  "orderbook": format!("{base}/orderbook"), "trades": format!("{base}/trades"),
                                  "ohlc": format!("{base}/ohlc")}})
            }
            Some("price") => json!({"price": price}),
            Some("summary") => summary_json(cat, m),
            Some("trades") => {
                let limit = match q.get("limit") {
                    None => 50,
                    Some(l) => l
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or(bad("Bad Request"))?,
                };
                let since = match q.get("since") {
                    None => now_s - 3_600,
                    Some(s) => s.parse::<i64>().map_err(|_| bad("Bad Request"))?,
                };
                let trades: Vec<Value> = (0..limit)
                    .rev()
                    .map(|i| now_s - i * 7)
                    .filter(|t| *t >= since)
                    .map(|t| {
                        let px =
                            round_sig(price * (1.0 + (unit(seed ^ t as u64) - 0.5) * 0.002), 7);
                        json!([0, t, px, round_sig(unit((seed * 3) ^ t as u64) * 0.5, 6)])
                    })
                    .collect();
                Value::Array(trades)
            }
            Some("orderbook") => {
                let depth = float_param(q, "depth")?;
                let span = float_param(q, "span")?;
                let limit = match q.get("limit") {
                    None => usize::MAX,
                    Some(l) => l
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or(bad("Bad Request"))?,
                };
                let side = |dir: f64| -> Vec<Value> {
                    let mut total = 0.0;
                    levels(dir)
                        .into_iter()
                        .filter(|(px, _)| {
                            span.is_none_or(|s| ((px - price).abs() / price * 100.0) <= s)
                        })
                        .take_while(|(_, amt)| {
                            let ok = depth.is_none_or(|d| total < d);
                            total += amt;
                            ok
                        })
                        .take(limit)
                        .map(|(px, amt)| json!([px, amt]))
                        .collect()
                };
                json!({"asks": side(1.0), "bids": side(-1.0), "seqNum": now_s % 100_000_000})
            }
            Some("liquidity") => {
                let bps = [
                    "25", "50", "75", "100", "150", "200", "250", "300", "400", "500",
                ];
                let table = |k: f64| -> Value {
                    let mut base = Map::new();
                    let mut quote = Map::new();
                    for (i, b) in bps.iter().enumerate() {
                        let amount = k * (i as f64 + 1.0) * 12.3;
                        base.insert(b.to_string(), json!(format!("{:.2}", amount)));
                        quote.insert(b.to_string(), json!(format!("{:.2}", amount * price)));
                    }
                    json!({"base": base, "quote": quote})
                };
                json!({"bid": table(1.0 + unit(seed) * 0.3), "ask": table(1.0 + unit(seed * 5) * 0.3)})
            }
            Some("calculator") => {
                let amount = float_param(q, "amount")?.ok_or(bad("Bad Request"))?;
                let slip = |sign: f64, k: f64| price * (1.0 + sign * k * (1.0 + amount / 100.0));
                let buy_avg = slip(1.0, 0.0004);
                let buy_reach = slip(1.0, 0.0008);
                let sell_avg = slip(-1.0, 0.0003);
                let sell_reach = slip(-1.0, 0.0004);
                let bps = |x: f64| format!("{:.0}", (x - price) / price * 10_000.0);
                json!({
                    "buy": {"avgPrice": format!("{buy_avg:.2}"), "avgDelta": format!("{:.2}", buy_avg - price),
                            "avgDeltaBps": bps(buy_avg), "reachPrice": format!("{buy_reach:.2}"),
                            "reachDelta": format!("{:.2}", buy_reach - price), "reachDeltaBps": bps(buy_reach),
                            "spend": format!("{:.2}", buy_avg * amount)},
                    "sell": {"avgPrice": format!("{sell_avg:.2}"), "avgDelta": format!("{:.2}", sell_avg - price),
                             "avgDeltaBps": bps(sell_avg), "reachPrice": format!("{sell_reach:.2}"),
                             "reachDelta": format!("{:.2}", sell_reach - price), "reachDeltaBps": bps(sell_reach),
                             "receive": format!("{:.2}", sell_avg * amount)}
                })
            }
            _ => ohlc(price, seed, q, now_s)?,
        },
        None,
    ))
}

/// The latest instant `after`/`before` may name: the end of year 9999, in Unix seconds. The
/// reference gives no range; anything outside 0 ..= this is a "Bad Request" (and keeps the
/// candle arithmetic far from overflowing).
const MAX_UNIX_SECONDS: i64 = 253_402_300_799;
/// The most candles one period answers, the newest kept, so a wide range cannot blow up.
const MAX_CANDLES_PER_PERIOD: i64 = 500;
/// Candles answered when only `before` (or nothing) is given.
const DEFAULT_CANDLES: i64 = 100;

fn ohlc(price: f64, seed: u64, q: &Query, now_s: i64) -> Result<Value, (StatusCode, &'static str)> {
    // Each known period at most once, whatever the list repeats: the answer is bounded by
    // PERIODS.len() × MAX_CANDLES_PER_PERIOD.
    let periods: Vec<(&str, i64)> = match q.get("periods") {
        None => PERIODS.to_vec(),
        Some(list) => {
            let mut wanted = Vec::new();
            for p in list.split(',') {
                let found = PERIODS
                    .iter()
                    .find(|(k, _)| *k == p.trim())
                    .copied()
                    .ok_or(bad("Bad Request"))?;
                if !wanted.contains(&found) {
                    wanted.push(found);
                }
            }
            wanted
        }
    };
    let secs = |name: &str| -> Result<Option<i64>, (StatusCode, &'static str)> {
        q.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|s| (0..=MAX_UNIX_SECONDS).contains(s))
                    .ok_or(bad("Bad Request"))
            })
            .transpose()
    };
    let after = secs("after")?;
    let before = secs("before")?.unwrap_or(now_s);
    let overflow = || bad("Bad Request");
    let mut out = Map::new();
    for (key, len) in periods {
        let last_close = before - before.rem_euclid(len);
        let first = match after {
            Some(a) => (a - a.rem_euclid(len))
                .checked_add(len)
                .ok_or_else(overflow)?,
            None => last_close
                .checked_sub((DEFAULT_CANDLES - 1) * len)
                .ok_or_else(overflow)?,
        };
        let span = last_close.checked_sub(first).ok_or_else(overflow)?;
        let count = if span < 0 {
            0
        } else {
            (span / len + 1).min(MAX_CANDLES_PER_PERIOD)
        };
        let first = last_close - (count - 1).max(0) * len;
        let mut candles = Vec::with_capacity(count as usize);
        for i in 0..count {
            let t = first + i * len;
            let w = |k: u64| price * (1.0 + (unit(seed ^ (t as u64).wrapping_mul(k)) - 0.5) * 0.01);
            let (o, c) = (w(3), w(5));
            let hi = o.max(c) * 1.002;
            let lo = o.min(c) * 0.998;
            let vol = round_sig(unit(seed ^ t as u64) * 50.0 + 1.0, 6);
            candles.push(json!([
                t,
                round_sig(o, 7),
                round_sig(hi, 7),
                round_sig(lo, 7),
                round_sig(c, 7),
                vol,
                round_sig(vol * c, 8)
            ]));
        }
        out.insert(key.to_string(), Value::Array(candles));
    }
    Ok(Value::Object(out))
}

/// The ledger's view of one caller, for `/_emulator/ledger`.
pub fn ledger_entry(balance: &CwBalance, now: Millis) -> Value {
    let (start, spent) = if now >= balance.window_start + DAY {
        (None, 0)
    } else {
        (Some(balance.window_start), balance.spent_milli)
    };
    let remaining = balance.allowance_milli.saturating_sub(spent);
    json!({
        "allowance": milli(balance.allowance_milli),
        "spent": milli(spent),
        "remaining": milli(remaining),
        "remaining_milli": remaining,
        "window_start": start.map(iso),
        "window_reset": start.map(|s| iso(s + DAY)),
        "refused_429": balance.refused_429,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_of_the_cost_table_parses_with_its_cost() {
        let cases = [
            ("/", 1),
            ("/assets", 2),
            ("/assets/btc", 2),
            ("/exchanges", 2),
            ("/exchanges/kraken", 2),
            ("/markets/kraken", 2),
            ("/pairs", 3),
            ("/pairs/btceur", 2),
            ("/markets", 3),
            ("/markets/kraken/btceur", 2),
            ("/markets/kraken/btceur/price", 5),
            ("/markets/kraken/btceur/trades", 10),
            ("/markets/kraken/btceur/summary", 5),
            ("/markets/summaries", 15),
            ("/markets/kraken/btceur/orderbook", 10),
            ("/markets/kraken/btceur/orderbook/liquidity", 5),
            ("/markets/kraken/btceur/orderbook/calculator", 15),
            ("/markets/kraken/btceur/ohlc", 15),
            ("/markets/prices", 15),
        ];
        for (path, cost) in cases {
            let route = Route::parse(path).unwrap_or_else(|| panic!("{path} parses"));
            assert_eq!(route.cost_milli(), cost, "{path}");
        }
        assert!(Route::parse("/markets/kraken/btceur/nope").is_none());
    }

    #[test]
    fn three_decimals_print_exactly() {
        assert_eq!(milli(9_895).to_string(), "9.895");
        assert_eq!(milli(5).to_string(), "0.005");
        assert_eq!(milli(10_000).to_string(), "10.0");
    }
}
