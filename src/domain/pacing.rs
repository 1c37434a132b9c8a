//! How fast messages may leave: WhatsApp takes about 80 messages a second from a number (up to
//! 1,000 once raised) and answers more with 130429; to one person it takes about one message
//! every 6 seconds, with bursts borrowed from later, and answers more with 131056. Sends are
//! spaced evenly under the number's rate; a bulk send waits its 6 seconds per person; a send
//! refused for the pair limit waits (1, 4, 16… seconds) instead of failing.

use std::time::{Duration, Instant};

/// The spacing between two messages to the same person that WhatsApp allows without borrowing.
pub const PAIR_INTERVAL: Duration = Duration::from_secs(6);

/// The highest rate WhatsApp raises a number to.
pub const MAX_PER_SECOND: u32 = 1_000;

/// Even spacing under a rate: each send takes the next free slot.
#[derive(Debug, Clone)]
pub struct Spacing {
    interval: Duration,
    next: Option<Instant>,
}

impl Spacing {
    pub fn per_second(rate: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / rate.clamp(1, MAX_PER_SECOND),
            next: None,
        }
    }

    /// When the next send may leave, taking that slot: now if the last slot is past.
    pub fn take(&mut self, now: Instant) -> Instant {
        let slot = self.next.map_or(now, |next| next.max(now));
        self.next = Some(slot + self.interval);
        slot
    }
}

/// A bucket of `capacity` that refills at `per_second`: what a server that allows bursts
/// counts (the simulator's view of Meta's limits).
#[derive(Debug, Clone)]
pub struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn new(capacity: u32, per_second: f64, now: Instant) -> Self {
        Self {
            capacity: f64::from(capacity),
            per_second,
            tokens: f64::from(capacity),
            at: now,
        }
    }

    /// Takes one if there is one.
    pub fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.at = now;
        // A whole token, give or take the rounding of `elapsed × rate`.
        if self.tokens >= 1.0 - 1e-9 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            true
        } else {
            false
        }
    }
}

/// How long a send refused for the pair limit waits before its `attempt`-th try (counted
/// from 1): 1, 4, 16, 64 seconds, then 4 minutes each time.
pub fn pair_wait(attempt: u32) -> Duration {
    Duration::from_secs(4u64.pow(attempt.saturating_sub(1).min(4)))
}

/// Tries a send refused for the pair limit gets before it fails: about half an hour of waits.
pub const PAIR_ATTEMPTS: u32 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_gives_each_send_its_own_slot() {
        let t0 = Instant::now();
        let mut s = Spacing::per_second(80);
        let slots: Vec<Instant> = (0..81).map(|_| s.take(t0)).collect();
        assert_eq!(slots[0], t0);
        assert_eq!(slots[80] - slots[0], Duration::from_secs(1));
        // After a pause, the next goes at once and the spacing starts again from it.
        let later = t0 + Duration::from_secs(5);
        assert_eq!(s.take(later), later);
        assert_eq!(s.take(later), later + Duration::from_micros(12_500));
        assert_eq!(
            Spacing::per_second(5_000).interval,
            Duration::from_millis(1),
            "capped at WhatsApp's highest rate"
        );
    }

    #[test]
    fn a_bucket_allows_a_burst_then_its_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::new(45, 1.0 / 6.0, t0);
        assert!((0..45).all(|_| b.take(t0)));
        assert!(!b.take(t0), "the 46th within the burst is refused");
        assert!(!b.take(t0 + Duration::from_secs(5)));
        assert!(b.take(t0 + Duration::from_secs(6)), "one more every 6 s");
        assert!(!b.take(t0 + Duration::from_secs(7)));
    }

    #[test]
    fn the_pair_limit_is_waited_out_longer_each_time() {
        let waits: Vec<u64> = (1..=6).map(|a| pair_wait(a).as_secs()).collect();
        assert_eq!(waits, [1, 4, 16, 64, 256, 256]);
    }
}
