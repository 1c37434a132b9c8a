//! Meta's sending limits as the simulator enforces them: the number's throughput (a second's
//! worth of messages at once, then its rate; over it, 130429) and the pair rate limit (a burst
//! to one person, then one every 6 seconds; over it, 131056). Sends are counted when asked
//! for, whether or not they are taken.

use std::{collections::HashMap, sync::Mutex, time::Instant};

use crate::domain::pacing::{Bucket, PAIR_INTERVAL};

/// The limits, as `SimConfig` sets them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Messages a second for the number (Meta's default 80).
    pub throughput: u32,
    /// Messages to one person at once before the pair limit (about 45), then one per
    /// `pair_every` (6 s).
    pub pair_burst: u32,
    pub pair_every: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            throughput: 80,
            pair_burst: 45,
            pair_every: PAIR_INTERVAL,
        }
    }
}

#[derive(Debug, Default)]
pub struct Counters {
    number: Mutex<Option<Bucket>>,
    pairs: Mutex<HashMap<String, Bucket>>,
}

impl Counters {
    /// The limit a send to `key` breaks, if any: (code, message).
    pub fn check(&self, limits: Limits, key: &str) -> Option<(i64, &'static str)> {
        let now = Instant::now();
        let mut number = self.number.lock().expect("sim lock");
        let bucket = number.get_or_insert_with(|| {
            Bucket::new(limits.throughput, f64::from(limits.throughput), now)
        });
        if !bucket.take(now) {
            return Some((
                130_429,
                "(#130429) Rate limit hit: Cloud API message throughput has been reached.",
            ));
        }
        drop(number);
        let per_second = 1.0 / limits.pair_every.as_secs_f64().max(0.001);
        let mut pairs = self.pairs.lock().expect("sim lock");
        let pair = pairs
            .entry(key.to_owned())
            .or_insert_with(|| Bucket::new(limits.pair_burst, per_second, now));
        (!pair.take(now)).then_some((
            131_056,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        ))
    }
}
