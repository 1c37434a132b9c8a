//! Each change of the stored layout, as a numbered step: a store written by an older version
//! is brought up to date when opened, one step after another, then stamped with the version.

use std::{collections::HashMap, path::Path};

use super::{
    Conversation, Store, StoreError, Stored, T, apply, codec, decode, keys,
    message_chunks::{self, Packer},
    wamid_index,
};
use crate::domain::message::Message;

/// The layout this code writes. Bump it with a migration in `check_schema`.
/// 1: the first layout. 2: the unreplied index (`conv_unreplied`, by owner, counters).
/// 3: the search index. 4: the search index as posting lists. 5: values in tagged binary
/// forms (`codec.rs`), and a search index that keeps numbers and long words by their start.
/// 6: the wamid index in 65,536 buckets (`wamid_index.rs`) instead of a key per wamid.
/// 7: the unreplied conversations counted by the day they have waited since.
/// 8: a conversation's messages in chunks (`message_chunks.rs`) instead of a key each.
/// 9: the list's index carries each conversation's facts for the filters (`facts::Row`).
pub const SCHEMA_VERSION: u32 = 9;

/// A step to schema `to`, run on a store older than that.
struct Step {
    to: u32,
    what: &'static str,
    run: fn(&Store) -> Result<(), StoreError>,
}

/// In order. Schema 3 (a key per word) was replaced by 4 before it was ever needed alone.
/// Every step can be cut off (kill -9) and run again from the start: the version is stamped
/// only after the last.
const STEPS: [Step; 8] = [
    Step {
        to: 2,
        what: "the unreplied index",
        run: build_unreplied_index,
    },
    Step {
        to: 4,
        what: "the search index as posting lists",
        run: Store::build_search_index,
    },
    Step {
        to: 5,
        what: "values in a compact binary form",
        run: compact_values,
    },
    Step {
        to: 5,
        what: "the search index, numbers and long words by their start",
        run: Store::build_search_index,
    },
    Step {
        to: 6,
        what: "the wamid index in buckets",
        run: build_wamid_index,
    },
    Step {
        to: 7,
        what: "the unreplied conversations counted by day",
        run: count_unreplied_days,
    },
    Step {
        to: 8,
        what: "messages in chunks",
        run: pack_messages,
    },
    Step {
        to: 9,
        what: "the filters' facts in the list's index",
        run: list_with_facts,
    },
];

/// The tree of schema 5 and older: a key per wamid. Dropped once the store says schema 6.
const OLD_WAMID_TREE: &[u8] = b"msg_by_wamid";

impl Store {
    /// Brings the store up to [`SCHEMA_VERSION`]; true when it migrated (the caller then
    /// writes the database anew: a migration leaves what it replaced as free space).
    pub(super) fn check_schema(&self, dir: &Path) -> Result<bool, StoreError> {
        let meta = self.tree(T::Meta)?;
        match meta.get(keys::SCHEMA_VERSION_KEY)? {
            None => {
                meta.insert(keys::SCHEMA_VERSION_KEY, &SCHEMA_VERSION.to_be_bytes())?;
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
                for step in STEPS.iter().filter(|s| s.to > found) {
                    tracing::info!(to = step.to, "migrating the store: {}", step.what);
                    // Before any screen is drawn: whoever started this sees why it waits.
                    eprintln!(
                        "hirechat: updating the database to schema {}: {} (once; it can be stopped and started again)",
                        step.to, step.what
                    );
                    (step.run)(self)?;
                }
                if found < SCHEMA_VERSION {
                    meta.insert(keys::SCHEMA_VERSION_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                    self.current()?.db.flush()?;
                    self.drop_replaced_trees()?;
                    return Ok(true);
                }
            }
        }
        // Also here: a process killed between the stamp and the drop left it.
        self.drop_replaced_trees()?;
        Ok(false)
    }

    /// Trees a migration replaced, once the version says so (before it, a step cut off
    /// starts again from them).
    fn drop_replaced_trees(&self) -> Result<(), StoreError> {
        let db = self.current()?.db.clone();
        if db.tree_names().iter().any(|n| n.as_ref() == OLD_WAMID_TREE) {
            db.drop_tree(OLD_WAMID_TREE)?;
        }
        Ok(())
    }
}

/// Schema 2: indexes every unreplied conversation (one pass over them all).
fn build_unreplied_index(store: &Store) -> Result<(), StoreError> {
    store.tree(T::ConvUnreplied)?.clear()?;
    store.tree(T::ConvUnrepliedByOwner)?.clear()?;
    let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for kv in &store.tree(T::Conversations)? {
        let c: Conversation = decode(&kv?.1)?;
        if let Some((since, owner)) = apply::waiting(&c) {
            let key = keys::activity(since, c.id);
            store.tree(T::ConvUnreplied)?.insert(key, &[])?;
            *counts
                .entry(keys::UNREPLIED_COUNTER.to_owned())
                .or_default() += 1;
            if let Some(o) = owner {
                store
                    .tree(T::ConvUnrepliedByOwner)?
                    .insert(keys::owned(&o, &key), &[])?;
                *counts.entry(keys::owner_counter(&o)).or_default() += 1;
            }
        }
    }
    for (name, n) in counts {
        store.tree(T::Meta)?.insert(name, &keys::id(n))?;
    }
    Ok(())
}

/// The trees whose values are serde values (the others hold ids, keys or nothing).
const VALUE_TREES: [T; 18] = [
    T::Conversations,
    T::Messages,
    T::Outbox,
    T::DeadLetters,
    T::Records,
    T::Templates,
    T::Related,
    T::Views,
    T::MediaQueue,
    T::Trail,
    T::FailedSends,
    T::Labels,
    T::Scheduled,
    T::RuleLog,
    T::Batches,
    T::Ledger,
    T::Holds,
    T::Usage,
];

/// The keys of `meta` that hold serde values; the rest are counters and ids.
fn meta_value(key: &[u8]) -> bool {
    [
        keys::BALANCE,
        keys::RATE_CARDS,
        keys::ROUTING_SETTINGS,
        keys::ROUTING_PLAN,
        keys::RULES,
    ]
    .iter()
    .any(|k| k.as_bytes() == key)
        || key.starts_with(b"credits:recharged:")
}

/// Values rewritten per batch: each batch is written whole or not at all, and a value is
/// readable in either form, so a migration cut off anywhere leaves a store that works and
/// finishes when opened again.
const BATCH: usize = 5_000;
/// A line on the terminal every so many values.
const TELL_EVERY: usize = 50_000;

/// Schema 5: every JSON value rewritten in its tagged binary form. Messages take their row
/// (`message_row.rs`); every other value goes from its JSON to the named form as it is.
fn compact_values(store: &Store) -> Result<(), StoreError> {
    let (mut done, mut told) = (0usize, 0usize);
    for t in VALUE_TREES.into_iter().chain([T::Meta]) {
        let tree = store.tree(t)?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for kv in &tree {
            let (k, v) = kv?;
            let legacy = v.first().is_some_and(|b| !codec::is_tag(*b));
            if !legacy || (matches!(t, T::Meta) && !meta_value(&k)) {
                continue;
            }
            let compact = if matches!(t, T::Messages) {
                decode::<Message>(&v)?.to_stored()?
            } else {
                codec::json_to_named(&v)?
            };
            batch.insert(k, compact);
            in_batch += 1;
            if in_batch == BATCH {
                tree.apply_batch(std::mem::take(&mut batch))?;
                done += in_batch;
                in_batch = 0;
                if done - told >= TELL_EVERY {
                    eprintln!("hirechat: {done} values rewritten");
                    told = done;
                }
            }
        }
        tree.apply_batch(batch)?;
        done += in_batch;
    }
    store.current()?.db.flush()?;
    eprintln!("hirechat: {done} values rewritten");
    Ok(())
}

/// Schema 6: the wamid index in buckets, built from the key-per-wamid tree (which stays until
/// the version is stamped, so a build cut off starts again from it).
fn build_wamid_index(store: &Store) -> Result<(), StoreError> {
    let db = store.current()?.db.clone();
    if !db.tree_names().iter().any(|n| n.as_ref() == OLD_WAMID_TREE) {
        return Ok(());
    }
    let old = db.open_tree(OLD_WAMID_TREE)?;
    let index = store.tree(T::WamidIndex)?;
    index.clear()?;
    let mut buckets: HashMap<[u8; 2], Vec<u8>> = HashMap::new();
    for kv in &old {
        let (wamid, key) = kv?;
        let slot = wamid_index::slot(&String::from_utf8_lossy(&wamid));
        let bucket = buckets.entry(slot.bucket).or_default();
        *bucket = wamid_index::with(Some(bucket), &slot, &key);
    }
    let mut batch = sled::Batch::default();
    for (n, (bucket, entries)) in buckets.into_iter().enumerate() {
        batch.insert(&bucket, entries);
        if n % BATCH == BATCH - 1 {
            index.apply_batch(std::mem::take(&mut batch))?;
        }
    }
    index.apply_batch(batch)?;
    db.flush()?;
    Ok(())
}

/// Schema 7: the counters of `keys::unreplied_day`, from the unreplied indexes (those of a
/// run cut off before are counted again from nothing).
fn count_unreplied_days(store: &Store) -> Result<(), StoreError> {
    let meta = store.tree(T::Meta)?;
    for k in meta.scan_prefix(keys::UNREPLIED_DAYS).keys() {
        meta.remove(k?)?;
    }
    let mut counts: HashMap<String, u64> = HashMap::new();
    for k in store.tree(T::ConvUnreplied)?.iter().keys() {
        let since = keys::read_time(&k?);
        *counts.entry(keys::unreplied_day(None, since)).or_default() += 1;
    }
    for k in store.tree(T::ConvUnrepliedByOwner)?.iter().keys() {
        let k = k?;
        // (owner, 0, since, id)
        let Some(zero) = k.iter().position(|b| *b == 0) else {
            continue;
        };
        let owner = String::from_utf8_lossy(&k[..zero]);
        let since = keys::read_time(&k[zero + 1..]);
        *counts
            .entry(keys::unreplied_day(Some(&owner), since))
            .or_default() += 1;
    }
    let mut batch = sled::Batch::default();
    for (key, n) in counts {
        batch.insert(key.as_bytes(), &keys::id(n));
    }
    meta.apply_batch(batch)?;
    Ok(())
}

/// Schema 8: a conversation's messages in chunks (`message_chunks.rs`) instead of a key each.
/// Each batch of messages is packed and removed from its own keys in one atomic write, so a
/// run cut off goes on from the messages still under their own keys.
fn pack_messages(store: &Store) -> Result<(), StoreError> {
    let tree = store.tree(T::Messages)?;
    let (mut done, mut told) = (0usize, 0usize);
    let mut from: Vec<u8> = Vec::new();
    loop {
        // Keys of 24 bytes are messages on their own; chunks (12) and directories (8) are
        // what earlier batches (or a run cut off) packed.
        let legacy = tree
            .range(from.as_slice()..)
            .filter(|kv| kv.as_ref().map_or(true, |(k, _)| k.len() == 24))
            .take(BATCH)
            .collect::<Result<Vec<_>, _>>()?;
        let Some((last, _)) = legacy.last() else {
            break;
        };
        from = last.to_vec();
        let mut batch = sled::Batch::default();
        for group in legacy.chunk_by(|a, b| a.0[..8] == b.0[..8]) {
            let mut get = |k: &[u8]| tree.get(k).map_err(StoreError::from);
            let mut packer = Packer::new(keys::read_id(&group[0].0), &mut get, |e| e);
            for (k, v) in group {
                let Some((_, suffix)) = message_chunks::split(k) else {
                    continue;
                };
                let stored = if v.first() == Some(&codec::MESSAGE_ROW) {
                    v.to_vec()
                } else {
                    decode::<Message>(v)?.to_stored()?
                };
                packer.put(suffix, stored)?;
                batch.remove(k);
            }
            for (k, v) in packer.writes() {
                batch.insert(k, v);
            }
        }
        tree.apply_batch(batch)?;
        done += legacy.len();
        if done - told >= TELL_EVERY {
            eprintln!("hirechat: {done} messages packed");
            told = done;
        }
    }
    store.current()?.db.flush()?;
    eprintln!("hirechat: {done} messages packed");
    Ok(())
}

/// Schema 9: each entry of the list's index gets its conversation's facts (`facts::Row`), so
/// that the filters' facts are built without reading every conversation. Entries still empty
/// are read from their conversation meanwhile, so a run cut off leaves a store that works.
fn list_with_facts(store: &Store) -> Result<(), StoreError> {
    let list = store.tree(T::ConvByActivity)?;
    let mut batch = sled::Batch::default();
    let (mut in_batch, mut done) = (0, 0usize);
    for kv in &store.tree(T::Conversations)? {
        let c: Conversation = decode(&kv?.1)?;
        let Some(row) = super::facts::Row::of(&c) else {
            continue;
        };
        let at = c.last_message_at.unwrap_or_default();
        batch.insert(&keys::activity(at, c.id), row.to_stored()?);
        in_batch += 1;
        if in_batch == BATCH {
            list.apply_batch(std::mem::take(&mut batch))?;
            done += in_batch;
            in_batch = 0;
            if done % TELL_EVERY == 0 {
                eprintln!("hirechat: {done} conversations listed with their facts");
            }
        }
    }
    list.apply_batch(batch)?;
    store.current()?.db.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests;
