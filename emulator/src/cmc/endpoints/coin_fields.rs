//! Fields several answers share: a coin's base fields, its listing with quotes, the minute
//! of `last_updated`, and v2's maps keyed by id or by ticker.

use serde_json::{json, Map, Value};

use super::Ctx;
use crate::clock::{iso, minute_start};
use crate::cmc::data::Coin;
use crate::synth::round_sig;

impl Ctx<'_> {
    pub(super) fn updated(&self) -> String {
        iso(minute_start(self.now))
    }

    pub(super) fn coin_quote(&self, c: &Coin, targets: &[String]) -> Value {
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

    pub(super) fn coin_base(&self, c: &Coin) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), json!(c.id));
        m.insert("name".into(), json!(c.name));
        m.insert("symbol".into(), json!(c.symbol));
        m.insert("slug".into(), json!(c.slug));
        m
    }

    pub(super) fn coin_listing(&self, c: &Coin, targets: &[String]) -> Value {
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
}

/// Keys v2 answers: by id → one object each; by symbol → an array each.
pub(super) fn keyed(groups: Vec<Value>, keys: Vec<String>, by_symbol: bool) -> Value {
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
