//! Maps and metadata: cryptocurrency/map, cryptocurrency/info, fiat/map.

use serde_json::{json, Value};

use super::args::{bounded_list, page_len};
use super::coin_fields::keyed;
use super::params::{FIAT_PARAMS, INFO_PARAMS, MAP_PARAMS};
use super::Pricing::{PerBatch, PerCall};
use super::{Accepted, Ctx, Outcome};
use crate::clock::iso;
use crate::cmc::data::{Coin, COIN_COUNT};

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
