//! CoinMarketCap plans, the plan→endpoint gates and the demo keys, as data.
//!
//! The numbers change over time and sources disagree, so they live in `plans.json`, which is
//! compiled in as the default and can be replaced with `--plans FILE`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::clock::{Anchor, HOUR, MINUTE};

/// The plans file shipped with the emulator.
pub const DEFAULT_PLANS: &str = include_str!("../../plans.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// Daily windows at UTC midnight, monthly on the 1st (the free Basic plan).
    Calendar,
    /// Daily and monthly windows at the billing anchor (paid plans).
    Anchor,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    /// Higher levels include every endpoint of the lower ones.
    pub level: u32,
    pub billing: Billing,
    pub credit_limit_monthly: u64,
    pub credit_limit_daily: Option<u64>,
    pub rate_limit_minute: u64,
    /// How many `convert` targets one request may name.
    pub max_convert: usize,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    #[default]
    Active,
    Unpaid,
    Expired,
    Disabled,
}

#[derive(Clone, Debug, Deserialize)]
pub struct KeySpec {
    pub plan: String,
    #[serde(default)]
    pub state: KeyState,
}

#[derive(Clone, Debug, Deserialize)]
struct RawAnchor {
    day_of_month: u32,
    time_utc: String,
}

#[derive(Clone, Debug, Deserialize)]
struct RawPlans {
    billing_anchor: RawAnchor,
    plans: Vec<Plan>,
    endpoints: BTreeMap<String, String>,
    keys: BTreeMap<String, KeySpec>,
}

/// The loaded, checked plans file.
#[derive(Clone, Debug)]
pub struct Plans {
    pub billing_anchor: Anchor,
    pub plans: Vec<Plan>,
    /// Path below `/cmc` → the minimum plan's level.
    pub endpoint_levels: BTreeMap<String, u32>,
    pub keys: BTreeMap<String, KeySpec>,
}

impl Plans {
    /// Parses and checks a plans file; every reference must resolve, so a bad file fails at
    /// start instead of on some later request.
    pub fn parse(text: &str) -> Result<Plans, String> {
        let raw: RawPlans = serde_json::from_str(text).map_err(|e| format!("plans file: {e}"))?;
        let (h, m) = raw
            .billing_anchor
            .time_utc
            .split_once(':')
            .and_then(|(h, m)| Some((h.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
            .filter(|(h, m)| (0..24).contains(h) && (0..60).contains(m))
            .ok_or("plans file: billing_anchor.time_utc must be HH:MM")?;
        if !(1..=31).contains(&raw.billing_anchor.day_of_month) {
            return Err("plans file: billing_anchor.day_of_month must be 1 to 31".into());
        }
        let billing_anchor = Anchor {
            day_of_month: raw.billing_anchor.day_of_month,
            millis_of_day: h * HOUR + m * MINUTE,
        };
        let level_of = |id: &str| raw.plans.iter().find(|p| p.id == id).map(|p| p.level);
        let mut endpoint_levels = BTreeMap::new();
        for (path, plan) in &raw.endpoints {
            let level = level_of(plan)
                .ok_or_else(|| format!("plans file: endpoint {path} names unknown plan {plan}"))?;
            endpoint_levels.insert(path.clone(), level);
        }
        for (key, spec) in &raw.keys {
            if level_of(&spec.plan).is_none() {
                return Err(format!(
                    "plans file: key {key} names unknown plan {}",
                    spec.plan
                ));
            }
        }
        Ok(Plans {
            billing_anchor,
            plans: raw.plans,
            endpoint_levels,
            keys: raw.keys,
        })
    }

    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// Where this plan's daily and monthly windows begin.
    pub fn anchor(&self, plan: &Plan) -> Anchor {
        match plan.billing {
            Billing::Calendar => Anchor::CALENDAR,
            Billing::Anchor => self.billing_anchor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_plans_file_loads() {
        let plans = Plans::parse(DEFAULT_PLANS).expect("valid");
        let basic = plans.plan("basic").expect("basic");
        assert_eq!(basic.credit_limit_monthly, 10_000);
        assert_eq!(basic.rate_limit_minute, 30);
        assert_eq!(basic.credit_limit_daily, None);
        assert_eq!(
            plans.plan("hobbyist").and_then(|p| p.credit_limit_daily),
            Some(1333)
        );
        assert_eq!(plans.keys.len(), 10);
    }

    #[test]
    fn a_dangling_plan_reference_is_refused() {
        let text = DEFAULT_PLANS.replace("\"plan\": \"startup\" }", "\"plan\": \"gold\" }");
        assert!(Plans::parse(&text).is_err());
    }
}
