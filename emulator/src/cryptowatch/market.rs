//! One market's own data: its entry, price, summary, trades, order book, liquidity, the order
//! book calculator and OHLC candles.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::catalog::{Catalog, Mkt, ASSETS, EXCHANGES};
use super::{bad, RouteResult, ROUTE_BASE};
use crate::clock::Millis;
use crate::query::Query;
use crate::synth::{round_sig, unit};

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

pub(super) fn summary_json(cat: &Catalog, m: &Mkt) -> Value {
    let price = cat.price(m);
    let change = (unit(u64::from(m.id) * 7) - 0.5) * 0.1;
    let volume = round_sig(10.0 + unit(u64::from(m.id) * 13) * 5_000.0, 6);
    json!({"price": {"last": price, "high": round_sig(price * 1.03, 6), "low": round_sig(price * 0.97, 6),
                     "change": {"percentage": round_sig(change, 8), "absolute": round_sig(price * change, 6)}},
           "volume": volume, "volumeBase": volume, "volumeQuote": round_sig(volume * price, 8),
           "volumeUSD": round_sig(volume * ASSETS[cat.pairs[m.pair].base].5, 8)})
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

pub(super) fn market_answer(
    cat: &Catalog,
    m: &Mkt,
    what: Option<&str>,
    q: &Query,
    now: Millis,
) -> RouteResult {
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
