//! Market-wide figures: global-metrics/quotes/latest and tools/price-conversion.

use serde_json::{json, Map, Value};

use super::args::invalid;
use super::params::{CONVERSION_PARAMS, GLOBAL_PARAMS};
use super::Pricing::PerCall;
use super::{Accepted, Ctx, Outcome, Refusal};
use crate::cmc::data::Coin;
use crate::synth::round_sig;

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
