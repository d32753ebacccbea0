//! A call's context and the checks of its arguments: known names, numbers and choices, the
//! convert targets, the coins a request names, pages and bounded lists.

use super::Refusal;
use crate::clock::Millis;
use crate::cmc::data::{Coin, Market, COIN_COUNT};
use crate::cmc::plans::Plan;
use crate::query::Query;

/// The coins a request named, grouped per name; the answer's keys; whether keyed by ticker.
type Selection<'m> = (Vec<Vec<&'m Coin>>, Vec<String>, bool);

/// What an endpoint sees: the market, the query, the caller's plan and the current instant.
pub struct Ctx<'a> {
    pub market: &'a Market,
    pub q: &'a Query,
    pub plan: &'a Plan,
    pub now: Millis,
}

/// Values echoed in messages are cut short: they come from the caller and may be huge.
fn shown(v: &str) -> String {
    let mut s: String = v.chars().take(40).collect();
    if s.len() < v.len() {
        s.push('…');
    }
    s
}

pub(super) fn invalid(name: &str, value: &str) -> Refusal {
    Refusal::Argument(format!(
        "Invalid value for \"{name}\": \"{}\"",
        shown(value)
    ))
}

impl Ctx<'_> {
    pub(super) fn allow(&self, names: &[&str]) -> Result<(), Refusal> {
        for n in self.q.names() {
            if n != "CMC_PRO_API_KEY" && !names.contains(&n) {
                return Err(Refusal::Argument(format!(
                    "\"{}\" is not allowed",
                    shown(n)
                )));
            }
        }
        Ok(())
    }

    pub(super) fn int(&self, name: &str, min: u64, max: u64, default: u64) -> Result<u64, Refusal> {
        match self.q.get(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| invalid(name, v)),
        }
    }

    pub(super) fn one_of(
        &self,
        name: &str,
        choices: &[&str],
        default: &'static str,
    ) -> Result<String, Refusal> {
        match self.q.get(name) {
            None => Ok(default.to_string()),
            Some(v) if choices.contains(&v) => Ok(v.to_string()),
            Some(v) => Err(invalid(name, v)),
        }
    }

    pub(super) fn flag(&self, name: &str) -> Result<bool, Refusal> {
        match self.q.get(name) {
            None => Ok(false),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(v) => Err(invalid(name, v)),
        }
    }

    /// The convert targets (`convert` or `convert_id`, not both), checked against the known
    /// currencies and the plan's allowance.
    pub(super) fn converts(&self) -> Result<Vec<String>, Refusal> {
        let targets: Vec<String> = match (self.q.get("convert"), self.q.get("convert_id")) {
            (Some(_), Some(_)) => {
                return Err(Refusal::Argument(
                    "\"convert\" and \"convert_id\" cannot be used together".into(),
                ))
            }
            (Some(list), None) => {
                let mut out = Vec::new();
                for t in list.split(',') {
                    let t = t.trim().to_ascii_uppercase();
                    if t.is_empty() || self.market.usd_per_unit(&t).is_none() {
                        return Err(invalid("convert", &t));
                    }
                    out.push(t);
                }
                out
            }
            (None, Some(list)) => {
                let mut out = Vec::new();
                for t in list.split(',') {
                    let sym = t
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .and_then(|id| self.market.symbol_for_id(id))
                        .ok_or_else(|| invalid("convert_id", t))?;
                    out.push(sym);
                }
                out
            }
            (None, None) => vec!["USD".to_string()],
        };
        let mut unique = Vec::with_capacity(targets.len());
        for t in targets {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        if unique.len() > 120 {
            return Err(Refusal::Argument(
                "Invalid value for \"convert\": at most 120 currencies".into(),
            ));
        }
        if unique.len() > self.plan.max_convert {
            return Err(Refusal::Argument(format!(
                "Your plan is limited to {} convert options",
                self.plan.max_convert
            )));
        }
        Ok(unique)
    }

    /// The coins named by exactly one of `id`, `slug` or `symbol`; `by_symbol` tells the caller
    /// to key the answer by ticker with arrays (v2), else by id.
    pub(super) fn selected(&self, allow_address: bool) -> Result<Selection<'_>, Refusal> {
        let skip_invalid = self.flag("skip_invalid")?;
        let given: Vec<&str> = ["id", "slug", "symbol"]
            .into_iter()
            .chain(allow_address.then_some("address"))
            .filter(|n| self.q.get(n).is_some())
            .collect();
        if given.len() != 1 {
            return Err(Refusal::Argument(
                "\"value\" must contain exactly one of [id, slug, symbol]".into(),
            ));
        }
        let name = given[0];
        let list = self.q.get(name).unwrap_or_default();
        let parts: Vec<&str> = list.split(',').map(str::trim).collect();
        if parts.len() > COIN_COUNT {
            return Err(Refusal::Argument(format!(
                "Invalid value for \"{name}\": at most {COIN_COUNT} values"
            )));
        }
        let mut groups = Vec::new();
        let mut keys = Vec::new();
        for p in parts {
            let found: Vec<&Coin> = match name {
                "id" => match p.parse::<u32>() {
                    Ok(id) => self.market.coin_by_id(id).into_iter().collect(),
                    Err(_) => return Err(invalid("id", p)),
                },
                "slug" => self.market.coin_by_slug(p).into_iter().collect(),
                "symbol" => self.market.coins_by_symbol(p),
                // Contract addresses: the synthetic coins live on no chain.
                _ => Vec::new(),
            };
            if found.is_empty() {
                if skip_invalid {
                    continue;
                }
                return Err(invalid(name, p));
            }
            let key = if name == "symbol" {
                p.to_ascii_uppercase()
            } else {
                found[0].id.to_string()
            };
            if !keys.contains(&key) {
                keys.push(key);
                groups.push(found);
            }
        }
        Ok((groups, keys, name == "symbol"))
    }
}

/// How many items a page of `total` answers from `start` (1-based), `limit` at most.
pub(super) fn page_len(total: usize, start: usize, limit: usize) -> usize {
    total.saturating_sub(start.saturating_sub(1)).min(limit)
}

/// A comma-separated list from the caller, at most `max` entries (the reference gives no
/// maximum for these lists; the emulator bounds them by what the market holds).
pub(super) fn bounded_list<'q>(
    name: &str,
    list: &'q str,
    max: usize,
) -> Result<Vec<&'q str>, Refusal> {
    let parts: Vec<&str> = list.split(',').map(str::trim).take(max + 1).collect();
    if parts.len() > max {
        return Err(Refusal::Argument(format!(
            "Invalid value for \"{name}\": at most {max} values"
        )));
    }
    Ok(parts)
}
