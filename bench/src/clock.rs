//! The emulated clock as a client learns it from the server.
//!
//! The emulator's clock is `start + (real now − start) × N`. A client that knows one reading of
//! it (the ledger's `now`) and `N` can follow it with its own monotonic clock: emulated =
//! reading + (real − real instant of the reading) × N. That is what a real client with a
//! server-learnt clock does; nothing here reads the server's clock directly.

use std::time::{Duration, Instant};

use credit_gauge_core::UnixMillis;

/// Emulated milliseconds that pass during `real` at `scale` (rounded down).
pub fn emulated_ms(real: Duration, scale: u32) -> i64 {
    let ms = real.as_nanos() * u128::from(scale) / 1_000_000;
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// The real time in which `emulated` milliseconds pass at `scale`, rounded up so that a sleep
/// for it never ends before the emulated instant; zero for the past.
pub fn real_delay(emulated: i64, scale: u32) -> Duration {
    if emulated <= 0 {
        return Duration::ZERO;
    }
    let nanos = (emulated as u128 * 1_000_000).div_ceil(u128::from(scale.max(1)));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// One reading of the server's clock, mapped onto the local monotonic clock.
#[derive(Clone, Copy, Debug)]
pub struct EmuClock {
    origin_real: Instant,
    origin: UnixMillis,
    scale: u32,
}

impl EmuClock {
    /// The server read `origin` at the real instant `origin_real` (best estimate: the middle of
    /// the round trip) and runs `scale` times faster than real time.
    pub fn new(origin_real: Instant, origin: UnixMillis, scale: u32) -> EmuClock {
        EmuClock {
            origin_real,
            origin,
            scale: scale.max(1),
        }
    }

    /// The time scale.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The emulated instant at the real instant `real`.
    pub fn at(&self, real: Instant) -> UnixMillis {
        let elapsed = real.saturating_duration_since(self.origin_real);
        self.origin.plus(emulated_ms(elapsed, self.scale))
    }

    /// The emulated now.
    pub fn now(&self) -> UnixMillis {
        self.at(Instant::now())
    }

    /// The real instant at which the emulated clock reaches `t` (never before it).
    pub fn real_at(&self, t: UnixMillis) -> Instant {
        self.origin_real + real_delay(t.0.saturating_sub(self.origin.0), self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_real_second_is_a_minute_at_scale_sixty() {
        assert_eq!(emulated_ms(Duration::from_secs(1), 60), 60_000);
        assert_eq!(real_delay(60_000, 60), Duration::from_secs(1));
        assert_eq!(real_delay(-5, 60), Duration::ZERO);
    }

    #[test]
    fn a_sleep_to_an_emulated_instant_never_ends_before_it() {
        let origin_real = Instant::now();
        for scale in [1, 7, 60, 8_640, 86_400] {
            let clock = EmuClock::new(origin_real, UnixMillis(1_790_000_000_000), scale);
            for offset in [0, 1, 59, 999, 1_000, 60_001, 86_400_000] {
                let t = UnixMillis(1_790_000_000_000 + offset);
                let woke = clock.at(clock.real_at(t));
                assert!(
                    woke >= t,
                    "scale {scale}, offset {offset}: {woke:?} < {t:?}"
                );
                // ... and not later than one real nanosecond's worth after it.
                assert!(woke.0 - t.0 <= i64::from(scale) / 1_000_000 + 1);
            }
            // Instants before the reading map to the reading's real instant.
            assert_eq!(clock.real_at(UnixMillis(0)), origin_real);
        }
    }
}
