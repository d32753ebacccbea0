//! Exchanges: exchange/map, exchange/info, exchange/listings/latest.

use serde_json::{json, Map, Value};

use super::args::{bounded_list, invalid, page_len};
use super::params::{EXCHANGE_INFO_PARAMS, EXCHANGE_LISTINGS_PARAMS, EXCHANGE_MAP_PARAMS};
use super::Pricing::{PerBatch, PerCall};
use super::{Accepted, Ctx, Outcome, Refusal};
use crate::clock::iso;
use crate::cmc::data::{Exchange, EXCHANGE_COUNT};
use crate::synth::round_sig;

fn exchange_base(cx: &Ctx, e: &Exchange) -> Map<String, Value> {
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
    let mut found: Vec<(String, &Exchange)> = Vec::new();
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
