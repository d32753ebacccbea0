//! Deterministic synthetic market data in CoinMarketCap's shapes.
//!
//! The same coins, prices and exchanges on every start, so tests can assert on them; enough
//! coins (more than 5,000) that `limit` and the per-batch credit costs are real.

use std::collections::HashMap;

use crate::synth::{round_sig, unit};

/// How many coins the emulated market lists.
pub const COIN_COUNT: usize = 5_200;
/// How many exchanges it lists.
pub const EXCHANGE_COUNT: usize = 320;

/// A fixed instant (2025-01-01T00:00:00Z) for `date_added` and similar "old" dates.
const EPOCH_2025: i64 = 1_735_689_600_000;

pub struct Coin {
    pub id: u32,
    pub name: String,
    pub symbol: String,
    pub slug: String,
    pub rank: u32,
    pub price_usd: f64,
    pub circulating_supply: f64,
    pub max_supply: Option<f64>,
    pub volume_24h_usd: f64,
    pub change_1h: f64,
    pub change_24h: f64,
    pub change_7d: f64,
    pub date_added: i64,
}

pub struct Fiat {
    pub id: u32,
    pub name: &'static str,
    pub sign: &'static str,
    pub symbol: &'static str,
    /// US dollars per unit.
    pub usd: f64,
}

pub struct Exchange {
    pub id: u32,
    pub name: String,
    pub slug: String,
    pub volume_24h_usd: f64,
    pub num_market_pairs: u32,
    pub date_launched: i64,
}

/// The whole market, built once at start.
pub struct Market {
    pub coins: Vec<Coin>,
    pub fiats: Vec<Fiat>,
    pub exchanges: Vec<Exchange>,
    by_id: HashMap<u32, usize>,
    by_slug: HashMap<String, usize>,
    by_symbol: HashMap<String, Vec<usize>>,
}

const LEADERS: &[(u32, &str, &str, f64, Option<f64>)] = &[
    (1, "Bitcoin", "BTC", 97_250.0, Some(21_000_000.0)),
    (1027, "Ethereum", "ETH", 3_412.5, None),
    (825, "Tether USDt", "USDT", 1.0, None),
    (52, "XRP", "XRP", 2.31, Some(100_000_000_000.0)),
    (1839, "BNB", "BNB", 689.4, None),
    (5426, "Solana", "SOL", 201.7, None),
    (3408, "USDC", "USDC", 1.0, None),
    (74, "Dogecoin", "DOGE", 0.327, None),
    (2010, "Cardano", "ADA", 0.94, Some(45_000_000_000.0)),
    (1958, "TRON", "TRX", 0.254, None),
    (1975, "Chainlink", "LINK", 23.8, Some(1_000_000_000.0)),
    (5805, "Avalanche", "AVAX", 38.9, Some(720_000_000.0)),
    (1321, "Ethereum Classic", "ETC", 26.4, Some(210_700_000.0)),
    (2, "Litecoin", "LTC", 104.2, Some(84_000_000.0)),
    (6636, "Polkadot", "DOT", 6.9, None),
    (1831, "Bitcoin Cash", "BCH", 452.0, Some(21_000_000.0)),
    (512, "Stellar", "XLM", 0.43, Some(50_001_806_812.0)),
    (328, "Monero", "XMR", 212.0, None),
    (3890, "Polygon", "MATIC", 0.47, Some(10_000_000_000.0)),
    (7083, "Uniswap", "UNI", 13.1, Some(1_000_000_000.0)),
];

const FIATS: &[(u32, &str, &str, &str, f64)] = &[
    (2781, "United States Dollar", "$", "USD", 1.0),
    (2790, "Euro", "€", "EUR", 1.08),
    (2791, "Pound Sterling", "£", "GBP", 1.27),
    (2797, "Japanese Yen", "¥", "JPY", 0.0066),
    (2784, "Canadian Dollar", "$", "CAD", 0.73),
    (2782, "Australian Dollar", "$", "AUD", 0.65),
    (2785, "Swiss Franc", "Fr", "CHF", 1.13),
    (2787, "Chinese Yuan", "¥", "CNY", 0.138),
    (2796, "Indian Rupee", "₹", "INR", 0.0119),
    (2783, "Brazilian Real", "R$", "BRL", 0.17),
    (2799, "South Korean Won", "₩", "KRW", 0.00072),
    (2786, "Mexican Peso", "$", "MXN", 0.049),
    (2807, "Russian Ruble", "₽", "RUB", 0.0101),
    (2808, "Swedish Krona", "kr", "SEK", 0.094),
    (2809, "Singapore Dollar", "S$", "SGD", 0.74),
    (2811, "Turkish Lira", "₺", "TRY", 0.029),
    (2812, "South African Rand", "R", "ZAR", 0.054),
    (2792, "Hong Kong Dollar", "$", "HKD", 0.128),
    (2794, "Polish Złoty", "zł", "PLN", 0.25),
    (2802, "Norwegian Krone", "kr", "NOK", 0.091),
    (3575, "Gold Troy Ounce", "", "XAU", 2_650.0),
    (3574, "Silver Troy Ounce", "", "XAG", 30.5),
];

const LEADING_EXCHANGES: &[(u32, &str, &str)] = &[
    (270, "Binance", "binance"),
    (89, "Coinbase Exchange", "coinbase-exchange"),
    (24, "Kraken", "kraken"),
    (37, "Bitfinex", "bitfinex"),
    (70, "Bitstamp", "bitstamp"),
    (294, "OKX", "okx"),
    (521, "Bybit", "bybit"),
    (311, "KuCoin", "kucoin"),
];

/// A synthetic ticker from an index: three to four capital letters, never a leader's.
fn synthetic_symbol(i: usize) -> String {
    let mut n = i + 26 * 26; // skip the two-letter range
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    let mut s = String::from_utf8(letters).unwrap_or_default();
    s.insert(0, 'Q');
    s
}

impl Market {
    pub fn new() -> Market {
        let mut coins = Vec::with_capacity(COIN_COUNT);
        for (i, &(id, name, symbol, price, max_supply)) in LEADERS.iter().enumerate() {
            let seed = u64::from(id);
            let market_cap = 1.9e12 / (i as f64 + 1.0).powf(1.6);
            coins.push(Coin {
                id,
                name: name.to_string(),
                symbol: symbol.to_string(),
                slug: name.to_lowercase().replace(' ', "-"),
                rank: 0,
                price_usd: price,
                circulating_supply: (market_cap / price).round(),
                max_supply,
                volume_24h_usd: round_sig(market_cap * (0.02 + 0.1 * unit(seed ^ 7)), 8),
                change_1h: round_sig(unit(seed ^ 11) * 2.0 - 1.0, 6),
                change_24h: round_sig(unit(seed ^ 13) * 10.0 - 5.0, 6),
                change_7d: round_sig(unit(seed ^ 17) * 30.0 - 15.0, 6),
                date_added: EPOCH_2025 - (4_000 - i as i64) * 86_400_000,
            });
        }
        for i in LEADERS.len()..COIN_COUNT {
            let id = 10_000 + i as u32;
            let seed = u64::from(id);
            // Real symbols are not unique: every 997th synthetic coin reuses a leader's ticker,
            // so v2's symbol → array answers have something to show.
            let symbol = if i % 997 == 0 {
                LEADERS[(i / 997 - 1) % LEADERS.len()].2.to_string()
            } else {
                synthetic_symbol(i)
            };
            let market_cap = 1.9e12 / (i as f64 + 1.0).powf(1.6) * (0.8 + 0.4 * unit(seed ^ 3));
            let price = round_sig(10f64.powf(unit(seed) * 6.0 - 4.0), 6);
            coins.push(Coin {
                id,
                name: format!("Synthcoin {i}"),
                symbol,
                slug: format!("synthcoin-{i}"),
                rank: 0,
                price_usd: price,
                circulating_supply: (market_cap / price).round(),
                max_supply: if unit(seed ^ 5) < 0.4 {
                    Some((market_cap / price * 2.0).round())
                } else {
                    None
                },
                volume_24h_usd: round_sig(market_cap * (0.01 + 0.2 * unit(seed ^ 7)), 8),
                change_1h: round_sig(unit(seed ^ 11) * 4.0 - 2.0, 6),
                change_24h: round_sig(unit(seed ^ 13) * 20.0 - 10.0, 6),
                change_7d: round_sig(unit(seed ^ 17) * 60.0 - 30.0, 6),
                date_added: EPOCH_2025 - ((COIN_COUNT - i) as i64 % 3_000) * 86_400_000,
            });
        }
        for (rank, coin) in coins.iter_mut().enumerate() {
            coin.rank = rank as u32 + 1;
        }
        let fiats = FIATS
            .iter()
            .map(|&(id, name, sign, symbol, usd)| Fiat {
                id,
                name,
                sign,
                symbol,
                usd,
            })
            .collect();
        let mut exchanges = Vec::with_capacity(EXCHANGE_COUNT);
        for i in 0..EXCHANGE_COUNT {
            let (id, name, slug) = match LEADING_EXCHANGES.get(i) {
                Some(&(id, name, slug)) => (id, name.to_string(), slug.to_string()),
                None => (
                    2_000 + i as u32,
                    format!("Synthex {i}"),
                    format!("synthex-{i}"),
                ),
            };
            let seed = u64::from(id) << 8;
            exchanges.push(Exchange {
                id,
                name,
                slug,
                volume_24h_usd: round_sig(2e10 / (i as f64 + 1.0).powf(1.3), 8),
                num_market_pairs: 20 + (unit(seed) * 1_500.0) as u32,
                date_launched: EPOCH_2025 - (3_650 - (i as i64 % 3_000)) * 86_400_000,
            });
        }
        let mut by_id = HashMap::new();
        let mut by_slug = HashMap::new();
        let mut by_symbol: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in coins.iter().enumerate() {
            by_id.insert(c.id, i);
            by_slug.insert(c.slug.clone(), i);
            by_symbol.entry(c.symbol.clone()).or_default().push(i);
        }
        Market {
            coins,
            fiats,
            exchanges,
            by_id,
            by_slug,
            by_symbol,
        }
    }

    pub fn coin_by_id(&self, id: u32) -> Option<&Coin> {
        self.by_id.get(&id).map(|&i| &self.coins[i])
    }

    pub fn coin_by_slug(&self, slug: &str) -> Option<&Coin> {
        self.by_slug.get(slug).map(|&i| &self.coins[i])
    }

    /// Every coin with this ticker, best ranked first.
    pub fn coins_by_symbol(&self, symbol: &str) -> Vec<&Coin> {
        self.by_symbol
            .get(&symbol.to_ascii_uppercase())
            .map(|v| v.iter().map(|&i| &self.coins[i]).collect())
            .unwrap_or_default()
    }

    /// US dollars per unit of a convert target (a fiat or a coin ticker), if known.
    pub fn usd_per_unit(&self, target: &str) -> Option<f64> {
        let upper = target.to_ascii_uppercase();
        if let Some(f) = self.fiats.iter().find(|f| f.symbol == upper) {
            return Some(f.usd);
        }
        self.coins_by_symbol(&upper).first().map(|c| c.price_usd)
    }

    /// The symbol of a convert target given by CoinMarketCap id (`convert_id`).
    pub fn symbol_for_id(&self, id: u32) -> Option<String> {
        if let Some(f) = self.fiats.iter().find(|f| f.id == id) {
            return Some(f.symbol.to_string());
        }
        self.coin_by_id(id).map(|c| c.symbol.clone())
    }
}

impl Default for Market {
    fn default() -> Self {
        Market::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_market_is_big_and_the_same_every_time() {
        let a = Market::new();
        let b = Market::new();
        assert!(a.coins.len() >= 5_000);
        assert_eq!(a.coins[4_321].price_usd, b.coins[4_321].price_usd);
        assert_eq!(a.coin_by_id(1).map(|c| c.symbol.as_str()), Some("BTC"));
        assert!(
            a.coins_by_symbol("btc").len() >= 2,
            "tickers are not unique"
        );
        assert_eq!(a.coins_by_symbol("BTC")[0].id, 1, "best rank first");
    }

    #[test]
    fn synthetic_symbols_do_not_collide_with_each_other() {
        let m = Market::new();
        let mut seen = std::collections::HashSet::new();
        for c in m.coins.iter().filter(|c| c.symbol.starts_with('Q')) {
            assert!(seen.insert(c.symbol.clone()), "{} twice", c.symbol);
        }
    }
}
