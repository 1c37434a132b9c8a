//! Writing the database anew, into a fresh directory, then swapping it in.
//!
//! sled never shrinks its file: what a migration or a day of writes replaced stays as free
//! segments, which it zeroes at every open (a quarter of an open after a migration), and the
//! page ids of removed keys stay in its page table. A copy of the live keys into a fresh
//! database has neither.
//!
//! The swap is crash-safe without a marker: the copy is made in `db.compact` while the old
//! database is open (its lock held, so nobody writes to it), flushed, and opened once more
//! (which writes its snapshot). Only then is `db` renamed to `db.old` and `db.compact` to
//! `db`. So a `db.compact` next to a `db` is an unfinished copy, and one without a `db` is
//! a finished one: [`recover`] finishes or undoes it before any open, [`remove_leftovers`]
//! clears what is left once the database is open.

use std::path::Path;

use super::{Store, StoreError, T, keys};

const FRESH: &str = "db.compact";
const OLD: &str = "db.old";
/// Keys copied per sled batch: bounded memory for any size of store.
const BATCH_KEYS: usize = 5_000;
/// Bytes copied per sled batch, for stores whose values are large.
const BATCH_BYTES: usize = 8 << 20;
/// Room a compaction leaves free on the disk: the copy stops (and is removed) before the disk
/// fills, so that the database, and whatever else shares the disk, can still write.
const RESERVE: u64 = 64 << 20;

/// What a compaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Compacted {
    pub keys: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// The database's size on disk, for `doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DiskUse {
    pub bytes: u64,
    /// Right after its last compaction (none: never compacted).
    pub after_last_compaction: Option<u64>,
    /// Grown enough to be written anew ([`worth_it`]).
    pub worth_compacting: bool,
}

/// Before the database in `dir` is opened: finishes a compaction cut off between its two
/// renames, or puts the old database back if the fresh one is not there.
pub(super) fn recover(dir: &Path) -> std::io::Result<()> {
    let db = dir.join("db");
    if db.exists() {
        return Ok(());
    }
    let (fresh, old) = (dir.join(FRESH), dir.join(OLD));
    let from = if fresh.exists() {
        fresh
    } else if old.exists() {
        old
    } else {
        return Ok(());
    };
    tracing::warn!(from = %from.display(), "finishing a compaction that was cut off");
    match std::fs::rename(&from, &db) {
        // Another process opening the store at the same moment did it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && db.exists() => Ok(()),
        other => other,
    }?;
    sync_dir(dir)
}

/// Once the database in `dir` is open (its lock held): an unfinished copy, or the old
/// database a finished compaction did not get to remove.
pub(super) fn remove_leftovers(dir: &Path) {
    for leftover in [dir.join(FRESH), dir.join(OLD)] {
        if leftover.exists()
            && let Err(e) = remove_dir(&leftover)
        {
            tracing::warn!(path = %leftover.display(), error = %e, "cannot remove what a compaction left");
        }
    }
}

/// Whether a database of `bytes` on disk is worth writing anew, given its size right after
/// its last compaction (none: never compacted). Half again its compacted size: sled reuses
/// free space but never returns it, and zeroes all of it at every open. A store never
/// compacted is written anew once it is large enough for that to matter.
pub(super) fn worth_it(bytes: u64, after_last: Option<u64>) -> bool {
    const SMALL: u64 = 64 << 20;
    const NEVER_COMPACTED: u64 = 256 << 20;
    match after_last {
        Some(after) => bytes >= SMALL && bytes >= after.saturating_add(after / 2),
        None => bytes >= NEVER_COMPACTED,
    }
}

impl Store {
    /// The database's size on disk, and whether it is worth writing anew.
    pub fn disk_use(&self) -> Result<DiskUse, StoreError> {
        let bytes = dir_size(&self.path);
        let after_last_compaction = self
            .tree(T::Meta)?
            .get(keys::COMPACTED_BYTES)?
            .map(|v| keys::read_id(&v));
        Ok(DiskUse {
            bytes,
            after_last_compaction,
            worth_compacting: worth_it(bytes, after_last_compaction),
        })
    }

    /// A migration rewrites much and sled keeps what it replaced as free space, which it
    /// zeroes at every open: the database is written anew now, once, and opened again. If
    /// that fails (no room for the copy), the migrated database is used as it is.
    pub(super) fn compact_after_migration(dir: &Path, cache_mb: u64) -> Result<Self, StoreError> {
        eprintln!("hirechat: writing the updated database anew, without what it replaced (once)");
        if let Err(e) = Self::compact_waiting(dir, cache_mb) {
            tracing::warn!(error = %e, "could not compact the database after its migration");
            eprintln!(
                "hirechat: the database could not be written anew ({e}); it works as it is, and `hirechat compact` tries again"
            );
        }
        Self::open_waiting(dir, cache_mb)
    }

    /// [`Store::compact`] of a database this process has just closed (its last thread may
    /// hold the file a moment longer), telling its progress on stderr.
    pub(super) fn compact_waiting(dir: &Path, cache_mb: u64) -> Result<Compacted, StoreError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut shown = 0;
        loop {
            let result = Self::compact(dir, cache_mb, &mut |keys| {
                if keys >= shown + 100_000 {
                    shown = keys;
                    eprintln!("hirechat: {keys} keys written");
                }
            });
            match result {
                Err(StoreError::Locked(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// Writes the database in `dir` anew with only its live keys and swaps it in. Needs the
    /// store to itself (no daemon or inbox running on it: [`StoreError::Locked`]) and room on
    /// the disk for one more copy of the live data (it stops with [`StoreError::NoRoom`]
    /// before leaving less than 64 MB free); on any failure before the swap, the old
    /// database stays as it was. `progress` is told the number of keys copied so far.
    pub fn compact(
        dir: &Path,
        cache_mb: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Compacted, StoreError> {
        Self::compact_leaving(dir, cache_mb, RESERVE, progress)
    }

    /// [`Store::compact`], stopping before fewer than `reserve` bytes are free.
    pub(super) fn compact_leaving(
        dir: &Path,
        cache_mb: u64,
        reserve: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Compacted, StoreError> {
        let store = Self::open(dir, cache_mb)?;
        let bytes_before = dir_size(&dir.join("db"));
        let fresh = dir.join(FRESH);
        let copied = room_left(dir, reserve).and_then(|()| {
            store.copy_into(&fresh, &mut |keys| {
                progress(keys);
                room_left(dir, reserve)
            })
        });
        let keys = match copied {
            Ok(keys) => {
                // Finished: the swap frees the old database's room, so no check now.
                progress(keys);
                keys
            }
            Err(e) => {
                let _ = remove_dir(&fresh);
                return Err(e);
            }
        };
        // The old database stays open (and locked) through both renames.
        let db = dir.join("db");
        std::fs::rename(&db, dir.join(OLD)).map_err(io)?;
        match std::fs::rename(&fresh, &db) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && db.exists() => Ok(()),
            other => other,
        }
        .map_err(io)?;
        sync_dir(dir).map_err(io)?;
        drop(store);
        remove_leftovers(dir);
        let done = Compacted {
            keys,
            bytes_before,
            bytes_after: dir_size(&db),
        };
        tracing::info!(
            keys = done.keys,
            before = done.bytes_before,
            after = done.bytes_after,
            "compacted the database"
        );
        Ok(done)
    }

    /// Copies every tree into a fresh database at `to`, raises its ids above every id this
    /// one gave out, and writes its snapshot (so that its first open is quick). `after_batch`
    /// is told the keys copied so far after each batch, and stops the copy with an error.
    fn copy_into(
        &self,
        to: &Path,
        after_batch: &mut dyn FnMut(u64) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        if to.exists() {
            remove_dir(to).map_err(io)?;
        }
        let open = self.current()?;
        let new = sled::Config::new()
            .path(to)
            .cache_capacity(self.cache_mb.max(4) * 1024 * 1024)
            .open()?;
        let mut copied = 0;
        for name in open.db.tree_names() {
            let (from, into) = if name == open.db.name() {
                ((*open.db).clone(), (*new).clone())
            } else {
                (open.db.open_tree(&name)?, new.open_tree(&name)?)
            };
            let mut batch = sled::Batch::default();
            let (mut keys, mut bytes) = (0, 0);
            for kv in &from {
                let (k, v) = kv?;
                bytes += k.len() + v.len();
                keys += 1;
                batch.insert(k, v);
                if keys == BATCH_KEYS || bytes >= BATCH_BYTES {
                    into.apply_batch(std::mem::take(&mut batch))?;
                    copied += keys as u64;
                    (keys, bytes) = (0, 0);
                    after_batch(copied)?;
                }
            }
            into.apply_batch(batch)?;
            copied += keys as u64;
        }
        // sled's counter starts again at zero in the new database: every id is raised by
        // the old floor plus every id the old counter gave out.
        let next = open.id_floor + open.db.generate_id()? + 1;
        let meta = new.open_tree(T::Meta.name())?;
        meta.insert(keys::ID_FLOOR, &keys::id(next))?;
        new.flush()?;
        // What the database is now, for telling later when it has grown enough to do again.
        meta.insert(keys::COMPACTED_BYTES, &keys::id(dir_size(to)))?;
        new.flush()?;
        drop(meta);
        drop(new);
        // Opened once more, now, so that sled writes its snapshot here rather than at the
        // first open after the swap.
        Self::checkpoint_at(to)?;
        Ok(copied)
    }

    /// Opens the sled database at `path` once and closes it, waiting up to five seconds for
    /// the previous handle's threads to let go of it.
    fn checkpoint_at(path: &Path) -> Result<(), StoreError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match sled::Config::new().path(path).open() {
                Ok(db) => {
                    db.flush()?;
                    return Ok(());
                }
                Err(e) if super::is_locked(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// An error once fewer than `reserve` bytes are free on the disk of `dir` (none when the
/// system cannot tell).
fn room_left(dir: &Path, reserve: u64) -> Result<(), StoreError> {
    let Ok(disk) = rustix::fs::statvfs(dir) else {
        return Ok(());
    };
    let free = disk.f_bavail.saturating_mul(disk.f_frsize);
    if free >= reserve {
        return Ok(());
    }
    tracing::warn!(free, reserve, "compaction stopped: the disk is nearly full");
    Err(StoreError::NoRoom {
        path: dir.to_owned(),
        // As `df -m` and `doctor` count them.
        free_mb: free >> 20,
        reserve_mb: reserve >> 20,
    })
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Sled(sled::Error::Io(e))
}

fn remove_dir(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Makes the renames in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// The bytes of the files under `path`.
fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests;
