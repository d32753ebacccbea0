//! What the planner says of 201 listings (2 credits) once a minute on a fresh Basic key, at
//! whatever real time a test runs: checked alike in the browser and end to end.

use credit_gauge_core::UnixMillis;

/// Checks the runway line shown at `now`. 166 calls fit the day (333 credits), so the 167th
/// comes 166 minutes from now, unless the day resets (00:00 UTC) before then and the count
/// starts again.
pub fn check_once_a_minute(runway: &str, now: UnixMillis) {
    assert!(runway.starts_with("Every 1 min 00 s: "), "{runway}");
    // Within two days of the month's end, the month's reset cuts the schedule short instead:
    // the figures below hold on every other day.
    if now.first_of_next_month().0 - now.0 < 48 * 3_600_000 {
        return;
    }
    assert!(
        runway.starts_with("Every 1 min 00 s: the day's credits run out at "),
        "{runway}"
    );
    let to_midnight_min = (86_400_000 - now.0.rem_euclid(86_400_000)) / 60_000;
    if to_midnight_min > 170 {
        assert!(
            runway.contains("in 2 h 46 min") && runway.ends_with(" UTC."),
            "{runway}"
        );
    } else if to_midnight_min < 164 {
        assert!(
            runway.contains("; it goes on after the reset at "),
            "{runway}"
        );
    }
}
