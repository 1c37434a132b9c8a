//! `hirechat compact`: writes the database anew with only its live data (after a migration
//! or months of writes, a smaller file that opens faster and takes less memory).

use std::{
    path::Path,
    time::{Duration, Instant},
};

use super::backend::CliError;
use crate::{
    config::Config,
    store::{Compacted, Store, StoreError},
};

pub async fn run(config: &Config, data_dir: &Path, json: bool) -> Result<(), CliError> {
    let dir = data_dir.to_owned();
    let cache_mb = config.store.cache_mb;
    let started = Instant::now();
    let result = tokio::task::spawn_blocking(move || {
        let mut last = Instant::now();
        Store::compact(&dir, cache_mb, &mut |keys| {
            // Long work shows that it moves; a second apart is enough.
            if last.elapsed() >= Duration::from_secs(1) {
                last = Instant::now();
                eprintln!("hirechat: compacting: {keys} keys copied");
            }
        })
    })
    .await
    .map_err(|e| CliError::Other(format!("the compaction stopped: {e}")))?;
    let done = result.map_err(|e| match e {
        StoreError::Locked(dir) => CliError::Other(format!(
            "the database in {} is in use: stop `hirechat serve` and every inbox on it, then compact",
            dir.display()
        )),
        other => CliError::Other(format!("the database was not compacted: {other}")),
    })?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&done).map_err(|e| CliError::Other(e.to_string()))?
        );
    } else {
        println!("{}", summary(&done, started.elapsed()));
    }
    Ok(())
}

fn summary(done: &Compacted, took: Duration) -> String {
    format!(
        "Compacted in {:.1} s: {} keys, {} on disk before, {} now.",
        took.as_secs_f64(),
        done.keys,
        megabytes(done.bytes_before),
        megabytes(done.bytes_after)
    )
}

fn megabytes(bytes: u64) -> String {
    format!("{}.{} MB", bytes / 1_000_000, bytes % 1_000_000 / 100_000)
}
