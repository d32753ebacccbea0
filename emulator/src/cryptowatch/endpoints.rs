//! What each route answers, apart from one market's own data (`market.rs`): the catalog's
//! lists and entries, the collection-wide prices and summaries, and pagination.

use serde_json::{json, Map, Value};

use super::catalog::{Catalog, Mkt, Pair, ASSETS, EXCHANGES};
use super::market::{market_answer, summary_json};
use super::routes::Route;
use super::{bad, not_found, RouteResult, ROUTE_BASE};
use crate::clock::Millis;
use crate::query::Query;
use crate::Shared;

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

/// One page of a list, with the cursor the API adds to paginated collections.
/// Pages `[key, value]` pairs like a list, then answers them as one JSON object.
fn paged_object(items: Vec<Value>, q: &Query) -> RouteResult {
    let (slice, cursor) = page(items, q)?;
    let mut obj = Map::new();
    for kv in slice.as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (kv[0].as_str(), kv.get(1)) {
            obj.insert(k.to_string(), v.clone());
        }
    }
    Ok((Value::Object(obj), cursor))
}

fn page(items: Vec<Value>, q: &Query) -> RouteResult {
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

pub(super) fn answer(app: &Shared, route: &Route, q: &Query, now: Millis) -> RouteResult {
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
