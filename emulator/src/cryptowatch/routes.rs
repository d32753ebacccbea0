//! The paths the API answers and what each costs.

/// What a path asks for, and what it costs in milli-credits.
#[derive(Debug)]
pub(super) enum Route<'a> {
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
    pub(super) fn parse(path: &str) -> Option<Route<'_>> {
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
    pub(super) fn cost_milli(&self) -> u64 {
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
}
