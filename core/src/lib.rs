//! The pure decisions of credit-gauge: what a request costs, whether it may go now, and what
//! the server's answer means. No clock, no I/O, no web dependencies: every instant is a
//! parameter, so the same code runs natively under test and in the browser.

/// Credits charged by a CoinMarketCap list or bundle endpoint:
/// `ceil(items / batch) + max(0, converts - 1)`, where at least one batch is always charged.
///
/// `batch` is the endpoint's batch size (200 for `listings/latest`, 100 for most others).
/// A `batch` of 0 is treated as 1 so the function never divides by zero.
pub fn cmc_credits(items: u32, batch: u32, converts: u32) -> u32 {
    let batch = batch.max(1);
    let batches = items.max(1).div_ceil(batch);
    batches + converts.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_of_201_coins_with_two_converts_cost_three_credits() {
        assert_eq!(cmc_credits(201, 200, 2), 3);
    }

    #[test]
    fn an_empty_answer_still_costs_one_batch() {
        assert_eq!(cmc_credits(0, 100, 1), 1);
    }

    #[test]
    fn a_zero_batch_does_not_divide_by_zero() {
        assert_eq!(cmc_credits(5, 0, 0), 5);
    }
}
