//! The embedded database (sled). The only module that knows sled.
//!
//! Trees and their keys (see `keys.rs`):
//! - `conversations`: id → Conversation; `conv_by_phone` / `conv_by_bsuid`: identity → id;
//!   `conv_by_activity`: (last activity, id) → () for the list, newest last.
//! - `messages`: (conversation, time, id) → Message; `msg_by_wamid`: wamid → messages key
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
//!   `search_queue`: what was written and is not indexed yet (written with it, in the same
//!   transaction; indexed when the writer is idle, or by the next search).
//! - `views`: id → a saved view (a few per user).
//! - `related`: id → job opening, interview, client or booking; `related_index`: its natural
//!   key → id (re-imports update), and lookups (interviews by candidate, job openings by
//!   title, clients by name, bookings by owner) → ().

mod apply;
pub mod change;
mod facts;
mod keys;
mod related;
mod search;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::domain::{
    conversation::Conversation, event::Event, identity::Bsuid, message::Message,
    outbox::OutboxItem, phone::PhoneNumber, record::Record, template::Template,
};
pub use change::{Change, ContactInfo};

/// The layout this code writes. Bump it with a migration in `check_schema`.
/// 1: the first layout. 2: the unreplied index (`conv_unreplied`, by owner, counters).
/// 3: the search index. 4: the search index as posting lists.
pub const SCHEMA_VERSION: u32 = 4;

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
    let trees = TREE_NAMES
        .iter()
        .map(|n| db.open_tree(n))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Open { db, trees })
}

/// Tree order inside a transaction (see `apply.rs`).
const TREE_NAMES: [&str; 21] = [
    "meta",
    "conversations",
    "conv_by_phone",
    "conv_by_bsuid",
    "conv_by_activity",
    "messages",
    "msg_by_wamid",
    "outbox",
    "dead_letters",
    "records",
    "record_by_phone",
    "templates",
    "template_index",
    "record_by_email",
    "conv_unreplied",
    "conv_unreplied_by_owner",
    "related",
    "related_index",
    "search_index",
    "search_queue",
    "views",
];

/// One open sled database and its trees.
struct Open {
    db: sled::Db,
    trees: Vec<sled::Tree>,
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

#[derive(Clone, Copy)]
#[repr(usize)]
enum T {
    Meta,
    Conversations,
    ConvByPhone,
    ConvByBsuid,
    ConvByActivity,
    Messages,
    MsgByWamid,
    Outbox,
    DeadLetters,
    Records,
    RecordByPhone,
    Templates,
    TemplateIndex,
    RecordByEmail,
    ConvUnreplied,
    ConvUnrepliedByOwner,
    Related,
    RelatedIndex,
    SearchIndex,
    SearchQueue,
    Views,
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
        if path.exists() {
            // A store written before hirechat kept its files private.
            if let Err(e) = crate::paths::make_private(&path) {
                tracing::warn!(path = %path.display(), error = %e, "cannot make the database private");
            }
        }
        let open = open_sled(&path, cache_mb).map_err(|e| match e {
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("lock") =>
            {
                StoreError::Locked(dir.to_owned())
            }
            other => StoreError::Sled(other),
        })?;
        let store = Self {
            open: Arc::new(RwLock::new(Some(Arc::new(open)))),
            path,
            cache_mb,
            facts: facts::FactsIndex::default(),
            indexing: Arc::default(),
        };
        store.check_schema(dir)?;
        Ok(store)
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
            let old = Arc::downgrade(&old);
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

    fn check_schema(&self, dir: &Path) -> Result<(), StoreError> {
        let meta = self.tree(T::Meta)?;
        match meta.get("schema_version")? {
            None => {
                meta.insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                self.current()?.db.flush()?;
            }
            Some(v) => {
                let found = u32::from_be_bytes(v.as_ref().try_into().map_err(|_| {
                    StoreError::Corrupt("schema_version is not a 4-byte number".into())
                })?);
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        path: dir.to_owned(),
                        found,
                    });
                }
                if found < 2 {
                    self.build_unreplied_index()?;
                }
                if found < 4 {
                    self.build_search_index()?;
                }
                if found < SCHEMA_VERSION {
                    meta.insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                    self.current()?.db.flush()?;
                }
            }
        }
        Ok(())
    }

    /// Migration to schema 2: indexes every unreplied conversation (one pass over them all).
    fn build_unreplied_index(&self) -> Result<(), StoreError> {
        tracing::info!("building the unreplied index (schema 2)");
        self.tree(T::ConvUnreplied)?.clear()?;
        self.tree(T::ConvUnrepliedByOwner)?.clear()?;
        let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        for kv in &self.tree(T::Conversations)? {
            let c: Conversation = decode(&kv?.1)?;
            if let Some((since, owner)) = apply::waiting(&c) {
                let key = keys::activity(since, c.id);
                self.tree(T::ConvUnreplied)?.insert(key, &[])?;
                *counts
                    .entry(apply::UNREPLIED_COUNTER.to_owned())
                    .or_default() += 1;
                if let Some(o) = owner {
                    self.tree(T::ConvUnrepliedByOwner)?
                        .insert(keys::owned(&o, &key), &[])?;
                    *counts.entry(apply::owner_counter(&o)).or_default() += 1;
                }
            }
        }
        for (name, n) in counts {
            self.tree(T::Meta)?.insert(name, &keys::id(n))?;
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
        let (events, written) = apply::apply(&self.current()?.trees, changes)?;
        self.facts.written(&written);
        Ok(events)
    }

    /// Hands every stored conversation to `sink`, one at a time (building the filters' facts).
    fn each_conversation(&self, sink: &mut dyn FnMut(&Conversation)) -> Result<(), StoreError> {
        for kv in &self.tree(T::Conversations)? {
            sink(&decode::<Conversation>(&kv?.1)?);
        }
        Ok(())
    }

    /// Builds the filters' facts now, so that the first filter is fast (the engine does this
    /// in the background at start).
    pub fn warm_filters(&self) -> Result<(), StoreError> {
        self.facts.warm(|sink| self.each_conversation(sink))
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
                self.each_conversation(sink)
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

    pub fn conversation(&self, id: u64) -> Result<Option<Conversation>, StoreError> {
        get_json(&self.tree(T::Conversations)?, keys::id(id))
    }

    pub fn conversation_by_phone(
        &self,
        phone: &PhoneNumber,
    ) -> Result<Option<Conversation>, StoreError> {
        self.conversation_by(T::ConvByPhone, phone.wa_id())
    }

    pub fn conversation_by_bsuid(&self, bsuid: &Bsuid) -> Result<Option<Conversation>, StoreError> {
        self.conversation_by(T::ConvByBsuid, bsuid.as_str())
    }

    fn conversation_by(&self, t: T, key: &str) -> Result<Option<Conversation>, StoreError> {
        match self.tree(t)?.get(key)? {
            Some(id) => {
                let conv = self.conversation(keys::read_id(&id))?;
                // A merged conversation points at the one it was merged into.
                match conv {
                    Some(c) if c.merged_into.is_some() => {
                        self.conversation(c.merged_into.unwrap_or_default())
                    }
                    other => Ok(other),
                }
            }
            None => Ok(None),
        }
    }

    /// Conversations by last activity, newest first.
    pub fn conversations(&self, limit: usize) -> Result<Vec<Conversation>, StoreError> {
        self.conversations_page(0, limit)
    }

    /// `limit` conversations by last activity, newest first, skipping the first `offset`.
    /// Skipping walks keys only (16 bytes each), from whichever end of the index is nearer,
    /// so the last page costs what the first does.
    pub fn conversations_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Conversation>, StoreError> {
        let total = usize::try_from(self.conversation_count()?).unwrap_or(usize::MAX);
        let index = self.tree(T::ConvByActivity)?.iter().keys();
        let ids: Vec<sled::IVec> = if offset > total / 2 {
            let end = total.saturating_sub(offset);
            let start = end.saturating_sub(limit);
            let mut ids = index
                .skip(start)
                .take(end - start)
                .collect::<Result<Vec<_>, _>>()?;
            ids.reverse();
            ids
        } else {
            index
                .rev()
                .skip(offset)
                .take(limit)
                .collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for k in ids {
            if let Some(c) = self.conversation(keys::read_id(&k[8..]))? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Unreplied conversations (the contact wrote last), newest first, from the unreplied
    /// index: `owner` narrows to one owner's partition, `waited` to a range of waiting times.
    /// Returns how many match in all, and the page.
    pub fn unreplied(
        &self,
        owner: Option<&str>,
        waited: Waited,
        offset: usize,
        limit: usize,
    ) -> Result<(u64, Vec<Conversation>), StoreError> {
        let (tree, prefix, counter) = match owner {
            Some(o) => (
                T::ConvUnrepliedByOwner,
                keys::owned(o, &[]),
                apply::owner_counter(o),
            ),
            None => (
                T::ConvUnreplied,
                Vec::new(),
                apply::UNREPLIED_COUNTER.to_owned(),
            ),
        };
        let at = |t: DateTime<Utc>| {
            let mut k = prefix.clone();
            k.extend_from_slice(&keys::time_bound(t));
            k.extend_from_slice(&[0; 8]);
            k
        };
        let mut hi = prefix.clone();
        hi.extend_from_slice(&[0xff; 17]);
        let (lo, hi) = match waited {
            Waited::Any => (prefix.clone(), hi),
            Waited::LongerThan(cutoff) => (prefix.clone(), at(cutoff)),
            Waited::Since(cutoff) => (at(cutoff), hi),
        };
        let tree = self.tree(tree)?;
        let range = || tree.range(lo.clone()..hi.clone()).keys();
        let total = match waited {
            Waited::Any => self.counter(&counter)?,
            _ => range().count() as u64,
        };
        let mut page = Vec::new();
        for k in range().rev().skip(offset).take(limit) {
            let k = k?;
            if let Some(c) = self.conversation(keys::read_id(&k[k.len() - 8..]))? {
                page.push(c);
            }
        }
        Ok((total, page))
    }

    pub fn conversation_count(&self) -> Result<u64, StoreError> {
        self.counter(apply::CONVERSATIONS_COUNTER)
    }

    pub fn message_count(&self) -> Result<u64, StoreError> {
        self.counter(apply::MESSAGES_COUNTER)
    }

    fn counter(&self, name: &str) -> Result<u64, StoreError> {
        Ok(self
            .tree(T::Meta)?
            .get(name)?
            .map_or(0, |v| keys::read_id(&v)))
    }

    /// The newest `limit` messages of a conversation (and of any merged into it), oldest first.
    pub fn messages(
        &self,
        conversation: &Conversation,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let mut out = Vec::new();
        for id in std::iter::once(conversation.id).chain(conversation.merged.iter().copied()) {
            for kv in self
                .tree(T::Messages)?
                .scan_prefix(keys::id(id))
                .rev()
                .take(limit)
            {
                let (k, v) = kv?;
                out.push((k, decode::<Message>(&v)?));
            }
        }
        out.sort_by(|a, b| a.0[8..].cmp(&b.0[8..]));
        let skip = out.len().saturating_sub(limit);
        Ok(out.into_iter().skip(skip).map(|(_, m)| m).collect())
    }

    /// A conversation's messages from `since` on (and of any merged into it), oldest first; at
    /// most `cap`, the oldest kept (a search jumps to the first of them).
    pub fn messages_since(
        &self,
        conversation: &Conversation,
        since: DateTime<Utc>,
        cap: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let mut out = Vec::new();
        for id in std::iter::once(conversation.id).chain(conversation.merged.iter().copied()) {
            let from = keys::message(id, since, 0);
            let to = keys::message(id + 1, DateTime::<Utc>::MIN_UTC, 0);
            for kv in self.tree(T::Messages)?.range(from..to).take(cap) {
                let (k, v) = kv?;
                out.push((k, decode::<Message>(&v)?));
            }
        }
        out.sort_by(|a, b| a.0[8..].cmp(&b.0[8..]));
        out.truncate(cap);
        Ok(out.into_iter().map(|(_, m)| m).collect())
    }

    /// The message as it is stored now (its status may have moved since `message` was read).
    pub fn reload(&self, message: &Message) -> Result<Option<Message>, StoreError> {
        get_json(
            &self.tree(T::Messages)?,
            keys::message(message.conversation_id, message.at, message.id),
        )
    }

    pub fn message_by_wamid(&self, wamid: &str) -> Result<Option<Message>, StoreError> {
        match self.tree(T::MsgByWamid)?.get(wamid)? {
            Some(key) => get_json(&self.tree(T::Messages)?, key),
            None => Ok(None),
        }
    }

    pub fn record(&self, id: u64) -> Result<Option<Record>, StoreError> {
        get_json(&self.tree(T::Records)?, keys::id(id))
    }

    /// Candidates and contacts whose name, email, mobile or owner contain `query` (any case),
    /// by name; with the number of matches in all. Reads every record: a record list is
    /// thousands, not millions, and bytes that cannot match are skipped before decoding.
    pub fn search_records(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<Record>), StoreError> {
        let q = query.trim().to_lowercase();
        // Bytes that JSON writes as they are: the raw record can be checked before decoding.
        let ascii = q
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" @.+-_".contains(&b));
        let mut found: Vec<Record> = Vec::new();
        for kv in &self.tree(T::Records)? {
            let (_, v) = kv?;
            if ascii
                && !q.is_empty()
                && !v
                    .to_ascii_lowercase()
                    .windows(q.len())
                    .any(|w| w == q.as_bytes())
            {
                continue;
            }
            let r: Record = decode(&v)?;
            let hit = q.is_empty()
                || [
                    Some(r.name.as_str()),
                    r.email.as_deref(),
                    r.owner.as_deref(),
                    r.mobile.as_ref().map(PhoneNumber::as_str),
                ]
                .into_iter()
                .flatten()
                .any(|f| f.to_lowercase().contains(&q));
            if hit {
                found.push(r);
            }
        }
        found.sort_by_cached_key(|r| (r.name.to_lowercase(), r.id));
        let total = found.len();
        Ok((total, found.into_iter().skip(offset).take(limit).collect()))
    }

    pub fn record_by_phone(&self, phone: &PhoneNumber) -> Result<Option<Record>, StoreError> {
        match self.tree(T::RecordByPhone)?.get(phone.wa_id())? {
            Some(id) => self.record(keys::read_id(&id)),
            None => Ok(None),
        }
    }

    pub fn templates(&self) -> Result<Vec<Template>, StoreError> {
        self.tree(T::Templates)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    pub fn record_by_email(&self, email: &str) -> Result<Option<Record>, StoreError> {
        match self
            .tree(T::RecordByEmail)?
            .get(email.to_ascii_lowercase())?
        {
            Some(id) => self.record(keys::read_id(&id)),
            None => Ok(None),
        }
    }

    pub fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.tree(T::Outbox)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// The routing settings an admin stored, if any (else the config's apply).
    pub fn routing(&self) -> Result<Option<crate::domain::routing::Routing>, StoreError> {
        get_json(&self.tree(T::Meta)?, apply::ROUTING_SETTINGS)
    }

    /// Each tree's number of keys (counted: for benchmarks and diagnostics).
    pub fn tree_sizes(&self) -> Result<Vec<(&'static str, usize)>, StoreError> {
        Ok(TREE_NAMES
            .iter()
            .zip(&self.current()?.trees)
            .map(|(name, tree)| (*name, tree.len()))
            .collect())
    }

    pub fn views(&self) -> Result<Vec<crate::domain::view::SavedView>, StoreError> {
        self.tree(T::Views)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// How many dead letters there are, and the newest `n`, newest first.
    pub fn recent_dead_letters(&self, n: usize) -> Result<(u64, Vec<DeadLetter>), StoreError> {
        let tree = self.tree(T::DeadLetters)?;
        let recent = tree
            .iter()
            .rev()
            .take(n)
            .map(|kv| decode(&kv?.1))
            .collect::<Result<_, _>>()?;
        Ok((tree.len() as u64, recent))
    }

    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        self.tree(T::DeadLetters)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }
}

fn get_json<T: DeserializeOwned>(
    tree: &sled::Tree,
    key: impl AsRef<[u8]>,
) -> Result<Option<T>, StoreError> {
    tree.get(key)?.map(|v| decode(&v)).transpose()
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::{Effect, Summary};

    #[test]
    fn a_schema_1_store_gets_its_unreplied_and_search_indexes_on_open() {
        let dir = std::env::temp_dir().join(format!("hirechat-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let store = Store::open(&dir, 8).unwrap();
            let change = Change::Inbound {
                contact: ContactInfo {
                    phone: Some(PhoneNumber::parse("+819012345678").unwrap()),
                    ..ContactInfo::default()
                },
                wamid: "wamid.M".into(),
                at: Utc::now(),
                reply_to: None,
                effect: Effect::New(Summary {
                    kind: "text".into(),
                    text: "Is the interview still on?".into(),
                    media: None,
                }),
                error_code: None,
                payload: None,
            };
            store.apply(&[change]).unwrap();
            // As a schema-1 store left it: no indexes, no counter.
            store.tree(T::ConvUnreplied).unwrap().clear().unwrap();
            store.tree(T::SearchIndex).unwrap().clear().unwrap();
            let meta = store.tree(T::Meta).unwrap();
            meta.remove(apply::UNREPLIED_COUNTER).unwrap();
            meta.insert("schema_version", &1u32.to_be_bytes()).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(&dir, 8).unwrap();
        let (total, page) = store.unreplied(None, Waited::Any, 0, 10).unwrap();
        assert_eq!((total, page.len()), (1, 1));
        let found = store
            .search(&crate::domain::search::Query::parse("interview"), 10)
            .unwrap();
        assert_eq!(found.len(), 1);
        let version = store
            .tree(T::Meta)
            .unwrap()
            .get("schema_version")
            .unwrap()
            .unwrap();
        assert_eq!(version.as_ref(), SCHEMA_VERSION.to_be_bytes());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
