//! The embedded database (sled). The only module that knows sled.
//!
//! Trees and their keys (see `keys.rs`):
//! - `conversations`: id → Conversation; `conv_by_phone` / `conv_by_bsuid`: identity → id;
//!   `conv_by_activity`: (last activity, id) → () for the list, newest last.
//! - `messages`: (conversation, time, id) → Message; `wamid_index`: wamid → messages key, in
//!   65,536 buckets (`wamid_index.rs`)
//!   (also the duplicate check for webhooks). There is no index by id: a message still in the
//!   outbox is found through its outbox item, any other through its wamid.
//! - `outbox`: message id → OutboxItem; `dead_letters`: id → DeadLetter; `meta`: schema version
//!   and counters (kept on every write, never computed by scanning).
//! - `templates`: id → Template; `template_index`: `name:<name>:<language>` and
//!   `wa:<WhatsApp id>` → id (at most a hundred or so: listing reads them all).
//! - `records`: id → Record (candidates and contacts); `record_by_phone`: `wa_id` → id;
//!   `record_by_email` → id (imports update the record with the same mobile or email).
//! - `search_index`: token → the conversations whose name or messages have that word (or CJK
//!   character pair), as one compact posting list per token: sled's memory grows with its
//!   number of keys, so a key per (token, conversation) would cost ~40 MB per million;
//!   `search_queue`: what was written and is not indexed yet (written with it, one entry per
//!   transaction; indexed when the writer is idle, or by the next search).
//! - `views`: id → a saved view (a few per user).
//! - `related`: id → job opening, interview, client or booking; `related_index`: its natural
//!   key → id (re-imports update), and lookups (interviews by candidate, job openings by
//!   title, clients by name, bookings by owner) → ().

mod apply;
pub mod change;
mod codec;
mod compaction;
mod credits;
mod facts;
mod files;
mod keys;
mod message_chunks;
mod message_row;
mod migrations;
mod read;
mod related;
pub mod relay_log;
mod schedule;
mod search;
mod search_queue;
#[cfg(test)]
mod test_support;
mod trail;
mod wamid_index;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    conversation::Conversation, event::Event, identity::Bsuid, message::Message,
    outbox::OutboxItem, phone::PhoneNumber, record::Record, template::Template,
};
pub use change::{Arrived, Change, ContactInfo, Queued, Reported};
use codec::Stored;
pub use compaction::{Compacted, DiskUse};
use keys::T;
pub use migrations::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database in {0} is in use by another hirechat process; start `hirechat serve` once and let the others connect to it"
    )]
    Locked(PathBuf),
    #[error(
        "the database in {path} was written by a newer hirechat (schema {found}, this one knows {SCHEMA_VERSION})"
    )]
    NewerSchema { path: PathBuf, found: u32 },
    #[error("a stored record could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    #[error(
        "the database stopped taking writes after one failed (is the disk full?); it is opened again as soon as writing works"
    )]
    Closed,
    /// A change a rule refuses inside the transaction (a scheduled send no longer waiting).
    #[error("{0}")]
    Refused(String),
    #[error(
        "the disk holding {path} has {free_mb} MB free and a compaction leaves at least {reserve_mb} MB, so it stopped; the database is as it was: free some room and compact again"
    )]
    NoRoom {
        path: PathBuf,
        free_mb: u64,
        reserve_mb: u64,
    },
}

/// Changes applied by this process, to every store it opened.
static APPLIED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// After this many changes, any process checkpoints the database when it stops
/// ([`Store::checkpoint_closed`]): sled would otherwise read through all of them at the next
/// open (a bulk import of 100,000 candidates: seconds before the first frame).
pub const CHECKPOINT_AFTER: u64 = 20_000;

/// Whether this process wrote enough to checkpoint on its way out. A long-running one (the
/// inbox, the daemon) checkpoints after any write: a checkpoint costs what an open costs, the
/// next open would otherwise pay for it before its first frame, and a person closing the
/// inbox waits less for it than one opening it. A one-shot command (`send`, `labels put`)
/// leaves it to the next open unless it wrote much, so that scripts stay quick.
pub fn wrote_enough(long_running: bool) -> bool {
    let applied = APPLIED.load(std::sync::atomic::Ordering::Relaxed);
    applied >= if long_running { 1 } else { CHECKPOINT_AFTER }
}

/// How long the contact of an unreplied conversation has waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    Any,
    /// Wrote before this time.
    LongerThan(DateTime<Utc>),
    /// Wrote at or after this time.
    Since(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub reason: String,
    pub body: String,
}

fn open_sled(path: &Path, cache_mb: u64) -> Result<Open, sled::Error> {
    let db = sled::Config::new()
        .path(path)
        .cache_capacity(cache_mb.max(4) * 1024 * 1024)
        .open()?;
    let trees = T::ALL
        .iter()
        .map(|t| db.open_tree(t.name()))
        .collect::<Result<Vec<_>, _>>()?;
    let id_floor = trees[T::Meta as usize]
        .get(keys::ID_FLOOR)?
        .map_or(0, |v| keys::read_id(&v));
    Ok(Open {
        db,
        trees,
        id_floor,
    })
}

/// Whether sled could not open a database because another process holds it.
fn is_locked(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io)
        if io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock"))
}

/// One open sled database and its trees.
struct Open {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    /// Added to every id sled generates: a compacted database starts sled's counter again
    /// from zero, above the ids the old one gave out (`compaction.rs`).
    id_floor: u64,
}

#[derive(Clone)]
pub struct Store {
    /// Replaced whole by [`Store::reopen`]: after a failed write (a full disk) sled refuses
    /// every later one until it is opened again.
    open: Arc<RwLock<Option<Arc<Open>>>>,
    path: PathBuf,
    cache_mb: u64,
    facts: facts::FactsIndex,
    /// One indexer at a time: posting lists are read, merged and written back.
    indexing: std::sync::Arc<std::sync::Mutex<()>>,
}

impl StoreError {
    /// Whether sled has stopped taking writes (after a failed write: a full disk, an IO
    /// error) and must be opened again to take more.
    pub fn needs_reopen(&self) -> bool {
        matches!(self, Self::Sled(sled::Error::Io(_)) | Self::Closed)
    }
}

impl Store {
    pub fn open(dir: &Path, cache_mb: u64) -> Result<Self, StoreError> {
        let path = dir.join("db");
        compaction::recover(dir).map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
        if path.exists() {
            // A store written before hirechat kept its files private.
            if let Err(e) = crate::paths::make_private(&path) {
                tracing::warn!(path = %path.display(), error = %e, "cannot make the database private");
            }
        }
        let open = open_sled(&path, cache_mb).map_err(|e| {
            if is_locked(&e) {
                StoreError::Locked(dir.to_owned())
            } else {
                StoreError::Sled(e)
            }
        })?;
        compaction::remove_leftovers(dir);
        let store = Self {
            open: Arc::new(RwLock::new(Some(Arc::new(open)))),
            path,
            cache_mb,
            facts: facts::FactsIndex::default(),
            indexing: Arc::default(),
        };
        if store.check_schema(dir)? {
            drop(store);
            return Self::compact_after_migration(dir, cache_mb);
        }
        Ok(store)
    }

    /// [`Store::open`], waiting up to five seconds for a handle this process has just
    /// dropped: sled's last thread may hold the file a moment longer.
    fn open_waiting(dir: &Path, cache_mb: u64) -> Result<Self, StoreError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match Self::open(dir, cache_mb) {
                Err(StoreError::Locked(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                opened => return opened,
            }
        }
    }

    /// Opens the database again from disk, for when sled has stopped taking writes (it
    /// does after any failed write, a full disk among them). What was not flushed goes with
    /// the old instance: nobody was told it was stored. Sled keeps its files locked while
    /// any handle lives, so this waits a moment for reads in progress to let go; until a
    /// new instance opens, every call answers [`StoreError::Closed`].
    pub fn reopen(&self) -> Result<(), StoreError> {
        let mut slot = self
            .open
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(old) = slot.take() {
            // Shadowing would keep the strong handle alive to the end of this block.
            let weak = Arc::downgrade(&old);
            drop(old);
            let old = weak;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while old.strong_count() > 0 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        let open = open_sled(&self.path, self.cache_mb)?;
        *slot = Some(Arc::new(open));
        drop(slot);
        self.facts.forget();
        tracing::info!("the database was opened again and takes writes");
        Ok(())
    }

    /// For a process whose handles on the database in `dir` are all gone (its engine stopped):
    /// opens it once more and closes it, which writes sled's snapshot, so that the next open
    /// (the next first frame) does not read through everything this process wrote. If its
    /// file has grown well past its live data (`compaction::worth_it`), writes it anew
    /// instead. Waits up to five seconds for the last handle's thread to let go of the file.
    pub fn checkpoint_closed(dir: &Path) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let store = Self::open_waiting(dir, 8)?;
        let size = store.disk_use()?;
        drop(store);
        tracing::info!(
            ms = started.elapsed().as_millis(),
            "checkpointed the database on the way out"
        );
        if size.worth_compacting {
            eprintln!(
                "hirechat: writing the database anew without what was replaced ({} MB on disk; once in a while)",
                size.bytes / 1_000_000
            );
            if let Err(e) = Self::compact_waiting(dir, 8) {
                // The database works as it is; the next process to close it tries again.
                tracing::warn!(error = %e, "could not compact the database on the way out");
                eprintln!("hirechat: the database was not written anew: {e}");
            }
        }
        Ok(())
    }

    /// The open database; none while it could not be opened again after a failed write.
    fn current(&self) -> Result<Arc<Open>, StoreError> {
        self.open
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(StoreError::Closed)
    }

    fn tree(&self, t: T) -> Result<sled::Tree, StoreError> {
        Ok(self.current()?.trees[t as usize].clone())
    }

    /// Applies `changes` in one transaction and returns the events each caused. Not yet
    /// durable: call [`Store::flush`] before telling anyone it is stored.
    pub fn apply(&self, changes: &[Change]) -> Result<Vec<Vec<Event>>, StoreError> {
        let open = self.current()?;
        let (events, written) = apply::apply(&open.trees, open.id_floor, changes)?;
        APPLIED.fetch_add(changes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.facts.written(&written);
        Ok(events)
    }

    /// Hands every listed conversation's row to `sink` (building the filters' facts), from
    /// the list's index; an entry written before rows were (schema 8 and older, until the
    /// migration to 9 has run) is read from its conversation.
    fn each_listed(&self, sink: &mut facts::Sink<'_>) -> Result<(), StoreError> {
        for kv in &self.tree(T::ConvByActivity)? {
            let (k, v) = kv?;
            let id = keys::read_id(&k[8..]);
            if v.is_empty() {
                if let Some(row) = self.conversation(id)?.as_ref().and_then(facts::Row::of) {
                    sink(id, &row);
                }
            } else {
                sink(id, &decode(&v)?);
            }
        }
        Ok(())
    }

    /// Builds the filters' facts now, so that the first filter is fast (the engine does this
    /// in the background at start).
    pub fn warm_filters(&self) -> Result<(), StoreError> {
        self.facts.warm(|sink| self.each_listed(sink))
    }

    /// The conversations that pass `keep`, in list order (newest activity first, or the
    /// reverse), from
    /// `offset`, at most `limit`, with how many pass in all. Evaluated on facts kept in memory
    /// (built on first use, then updated by every write): no stored conversation is read but
    /// the page's.
    pub fn filter_page(
        &self,
        keep: impl Fn(&crate::domain::filter::Subject<'_>) -> bool,
        oldest_first: bool,
        offset: usize,
        limit: usize,
    ) -> Result<(u64, Vec<Conversation>), StoreError> {
        let (total, ids) = self
            .facts
            .select(keep, oldest_first, offset, limit, |sink| {
                self.each_listed(sink)
            })?;
        let mut page = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.conversation(id)? {
                page.push(c);
            }
        }
        Ok((total, page))
    }

    /// Makes everything applied so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.current()?.db.flush()?;
        Ok(())
    }
}

fn get_value<T: Stored>(tree: &sled::Tree, key: impl AsRef<[u8]>) -> Result<Option<T>, StoreError> {
    tree.get(key)?.map(|v| decode(&v)).transpose()
}

fn decode<T: Stored>(bytes: &[u8]) -> Result<T, StoreError> {
    T::from_stored(bytes)
}
