//! The emulated exchanges, assets, pairs and markets: fixed tables and the pairs and markets
//! derived from them, the same on every start.

use crate::synth::{round_sig, unit};

pub(super) const ASSETS: &[(u32, &str, &str, &str, bool, f64)] = &[
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

pub(super) const EXCHANGES: &[(u32, &str, &str)] = &[
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

pub(super) struct Pair {
    pub(super) id: u32,
    pub(super) symbol: String,
    /// Indexes into [`ASSETS`].
    pub(super) base: usize,
    pub(super) quote: usize,
}

pub(super) struct Mkt {
    pub(super) id: u32,
    /// Index into [`EXCHANGES`].
    pub(super) exchange: usize,
    /// Index into the catalog's pairs.
    pub(super) pair: usize,
}

/// The emulated exchanges, assets, pairs and markets; the same on every start.
pub struct Catalog {
    pub(super) pairs: Vec<Pair>,
    pub(super) markets: Vec<Mkt>,
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

    pub(super) fn exchange(&self, symbol: &str) -> Option<usize> {
        EXCHANGES.iter().position(|e| e.1 == symbol)
    }

    pub(super) fn market(&self, exchange: &str, pair: &str) -> Option<&Mkt> {
        let e = self.exchange(exchange)?;
        self.markets
            .iter()
            .find(|m| m.exchange == e && self.pairs[m.pair].symbol == pair)
    }

    pub(super) fn price(&self, m: &Mkt) -> f64 {
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
