//! What an accepted call returns and what it costs: items, pricing, convert targets.

use serde_json::Value;

use Pricing::{PerBatch, PerCall};

/// The most values one answer may hold: data points × convert targets (a listings page of
/// 5,000 coins in 10 currencies, or 10,000 historical quotes in 5). The reference allows
/// more (5,000 coins × 120 converts), but an answer that size is hundreds of megabytes; the
/// emulator refuses it with a 400 instead of building it.
pub const MAX_VALUES: u64 = 50_000;

/// A call whose arguments an endpoint accepted: what it will return and what its cost depends
/// on. The caps may still refuse it; the data itself is built only once the call has passed
/// every check (caps included), by [`Accepted::build`].
pub struct Accepted<'a> {
    data: Box<dyn FnOnce() -> Value + 'a>,
    /// Data points returned (coins, exchanges, quotes); at least one batch is always charged.
    pub items: u64,
    /// How the items turn into credits.
    pub pricing: Pricing,
    /// Convert targets requested; every one beyond the first costs a credit.
    pub converts: usize,
    /// The size of the whole list, on list endpoints.
    pub total_count: Option<u64>,
}

/// How a call's items turn into credits, before the extra convert targets are added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pricing {
    /// One credit per call, whatever it returns.
    PerCall,
    /// One credit per this many items, rounded up (at least one batch).
    PerBatch(u64),
}

impl<'a> Accepted<'a> {
    pub(super) fn new(
        items: u64,
        pricing: Pricing,
        converts: usize,
        data: impl FnOnce() -> Value + 'a,
    ) -> Self {
        Accepted {
            data: Box::new(data),
            items,
            pricing,
            converts,
            total_count: None,
        }
    }

    pub(super) fn total(mut self, total: u64) -> Self {
        self.total_count = Some(total);
        self
    }

    /// How many values the answer holds: items × convert targets, each at least one.
    pub fn values(&self) -> u64 {
        self.items
            .max(1)
            .saturating_mul(self.converts.max(1) as u64)
    }

    /// Builds the data; call it only for an answer that will be sent.
    pub fn build(self) -> Value {
        (self.data)()
    }

    /// `ceil(items / batch) + extra converts`, the reference's formula.
    pub fn credits(&self) -> u64 {
        let items = self.items.max(1);
        let batches = match self.pricing {
            PerCall => 1,
            PerBatch(batch) => items.div_ceil(batch.max(1)),
        };
        batches + self.converts.saturating_sub(1) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(items: u64, pricing: Pricing, converts: usize) -> Accepted<'static> {
        Accepted::new(items, pricing, converts, || Value::Null)
    }

    #[test]
    fn credits_follow_the_reference_formula() {
        assert_eq!(accepted(0, PerBatch(200), 1).credits(), 1);
        assert_eq!(accepted(200, PerBatch(200), 1).credits(), 1);
        assert_eq!(accepted(201, PerBatch(200), 1).credits(), 2);
        assert_eq!(accepted(5_000, PerBatch(200), 3).credits(), 27);
        assert_eq!(accepted(101, PerBatch(100), 0).credits(), 2);
        assert_eq!(accepted(5_000, PerCall, 2).credits(), 2);
    }
}
