//! Coin listings and quotes: listings/latest, quotes/latest, quotes/historical, ohlcv/latest.

use serde_json::{json, Map, Value};

use super::args::{invalid, page_len};
use super::coin_fields::keyed;
use super::params::{HISTORICAL_PARAMS, LISTINGS_PARAMS, OHLCV_PARAMS, QUOTES_PARAMS};
use super::Pricing::PerBatch;
use super::{Accepted, Ctx, Outcome};
use crate::clock::{iso, Millis, DAY, HOUR, MINUTE};
use crate::cmc::data::Coin;
use crate::synth::{round_sig, unit};

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
