//! The facts every filter reads, for every listed conversation, kept in memory in list order
//! (newest activity first) and updated after every write: a filter then evaluates 100,000
//! small rows in memory instead of reading and decoding 100,000 stored conversations.
//! Built in the background at start (or on first use), one pass over the list's index,
//! without holding up writes meanwhile: each entry of `conv_by_activity` carries its
//! conversation's [`Row`] (schema 9), so the build reads 100,000 small values, not 100,000
//! conversations (whose pages would then sit in sled's cache).
//!
//! A row is 56 bytes: times as nanoseconds, names and label sets as numbers into tables the
//! rows share (a team has a few dozen people and label sets, not one per conversation), and
//! nothing that can be derived (the window's end, the last message's time, which is the
//! row's place in the list).

use std::{
    cmp::Reverse,
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    conversation::{Conversation, waiting_since},
    conversation_state::ConversationStatus,
    filter::Subject,
    window,
};

/// A time to the nanosecond (exact from 1677 to 2262, clamped outside), or none.
#[derive(Debug, Clone, Copy)]
struct Nanos(i64);

impl Nanos {
    const NONE: Nanos = Nanos(i64::MIN);

    fn of(at: Option<DateTime<Utc>>) -> Self {
        at.map_or(Self::NONE, |t| {
            Nanos(t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
                i64::MIN + 1
            } else {
                i64::MAX
            }))
        })
    }

    fn get(self) -> Option<DateTime<Utc>> {
        (self.0 != i64::MIN).then(|| DateTime::from_timestamp_nanos(self.0))
    }
}

/// What a filter can ask about one conversation, beyond its place in the list.
#[derive(Debug, Clone)]
struct Facts {
    last_inbound_at: Nanos,
    last_outbound_at: Nanos,
    /// Since when the contact has waited for an answer (`conversation::waiting_since`).
    waiting_since: Nanos,
    snoozed_until: Nanos,
    unread: u32,
    failed: u32,
    /// Into `Table::names`; 0 is nobody.
    owner: u32,
    last_replied_by: u32,
    /// Into `Table::label_sets`; 0 is no labels.
    labels: u32,
    status: ConversationStatus,
}

/// What the list's index keeps of a listed conversation for the filters (the value of its
/// `conv_by_activity` entry): its facts, names as text. Short field names: it is stored once
/// per conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Row {
    /// The last message's time (the list's order), in nanoseconds.
    #[serde(rename = "t")]
    at: i64,
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    last_inbound_at: Option<DateTime<Utc>>,
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    last_outbound_at: Option<DateTime<Utc>>,
    /// `Conversation::unanswered_since`: absent in rows written before it was kept.
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    unanswered_since: Option<DateTime<Utc>>,
    #[serde(rename = "z", default, skip_serializing_if = "Option::is_none")]
    snoozed_until: Option<DateTime<Utc>>,
    #[serde(rename = "u", default)]
    unread: u32,
    #[serde(rename = "f", default)]
    failed: u32,
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    last_replied_by: Option<String>,
    #[serde(rename = "l", default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
    #[serde(rename = "s", default)]
    status: ConversationStatus,
}

impl Row {
    /// A listed conversation's row (one with a message, not merged into another); none for
    /// the others.
    pub(super) fn of(c: &Conversation) -> Option<Self> {
        let at = c.last_message_at.filter(|_| c.merged_into.is_none())?;
        Some(Self {
            at: Nanos::of(Some(at)).0,
            last_inbound_at: c.last_inbound_at,
            last_outbound_at: c.last_outbound_at,
            unanswered_since: c.unanswered_since,
            snoozed_until: c.snoozed_until,
            unread: c.unread,
            failed: c.failed,
            owner: c.owner.clone(),
            last_replied_by: c.last_replied_by.clone(),
            labels: c.labels.clone(),
            status: c.status,
        })
    }
}

impl super::Stored for Row {}

/// List order: newest activity first, then the higher id (as the activity index reads).
type Place = (Reverse<i64>, Reverse<u64>);

#[derive(Debug)]
struct Table {
    rows: BTreeMap<Place, Facts>,
    /// A conversation's activity time (the first half of its place).
    places: HashMap<u64, i64>,
    /// People named by rows, first one empty so that 0 means nobody.
    names: Interned<Box<str>>,
    /// Label sets of rows, first one empty.
    label_sets: Interned<Box<[String]>>,
}

impl Default for Table {
    fn default() -> Self {
        Self {
            rows: BTreeMap::new(),
            places: HashMap::new(),
            names: Interned::new("".into()),
            label_sets: Interned::new(Box::default()),
        }
    }
}

/// Values numbered in order of first use; never forgotten (they are few).
#[derive(Debug)]
struct Interned<V> {
    values: Vec<V>,
    numbers: HashMap<V, u32>,
}

impl<V: Clone + Eq + std::hash::Hash> Interned<V> {
    fn new(empty: V) -> Self {
        Self {
            numbers: HashMap::from([(empty.clone(), 0)]),
            values: vec![empty],
        }
    }

    fn number<Q>(&mut self, value: &Q) -> u32
    where
        V: std::borrow::Borrow<Q> + for<'q> From<&'q Q>,
        Q: Eq + std::hash::Hash + ?Sized,
    {
        if let Some(n) = self.numbers.get(value) {
            return *n;
        }
        let n = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let value = V::from(value);
        self.values.push(value.clone());
        self.numbers.insert(value, n);
        n
    }

    fn get(&self, n: u32) -> &V {
        &self.values[n as usize]
    }
}

impl Table {
    fn upsert(&mut self, c: &Conversation) {
        match Row::of(c) {
            Some(row) => self.put(c.id, &row),
            None => self.remove(c.id),
        }
    }

    fn remove(&mut self, id: u64) {
        if let Some(at) = self.places.remove(&id) {
            self.rows.remove(&(Reverse(at), Reverse(id)));
        }
    }

    fn put(&mut self, id: u64, row: &Row) {
        self.remove(id);
        let (place, facts) = self.facts_of(id, row);
        self.rows.insert(place, facts);
    }

    /// Every listed conversation's row at once (the build): the rows are collected, then the
    /// map is built from them sorted, which fills its nodes (one insert at a time, in the
    /// index's order, leaves them half empty: 100,000 rows took a few MB more).
    fn put_all(&mut self, load: impl FnOnce(&mut Sink<'_>)) {
        let mut rows = Vec::new();
        let mut moved = Vec::new();
        load(&mut |id, row| {
            if let Some(was) = self.places.get(&id).copied() {
                moved.push((Reverse(was), Reverse(id)));
            }
            rows.push(self.facts_of(id, row));
        });
        self.rows = rows.into_iter().collect();
        // A conversation seen twice (not in one pass over the index, but cheap to allow):
        // its last place counts.
        for place in moved {
            if self.places.get(&place.1.0) != Some(&place.0.0) {
                self.rows.remove(&place);
            }
        }
    }

    /// A row's place in the list and its facts, its names numbered.
    fn facts_of(&mut self, id: u64, row: &Row) -> (Place, Facts) {
        let facts = Facts {
            last_inbound_at: Nanos::of(row.last_inbound_at),
            last_outbound_at: Nanos::of(row.last_outbound_at),
            waiting_since: Nanos::of(waiting_since(
                row.last_inbound_at,
                row.last_outbound_at,
                row.unanswered_since,
            )),
            snoozed_until: Nanos::of(row.snoozed_until),
            unread: row.unread,
            failed: row.failed,
            owner: self.names.number(row.owner.as_deref().unwrap_or_default()),
            last_replied_by: self
                .names
                .number(row.last_replied_by.as_deref().unwrap_or_default()),
            labels: self.label_sets.number(row.labels.as_slice()),
            status: row.status,
        };
        self.places.insert(id, row.at);
        ((Reverse(row.at), Reverse(id)), facts)
    }

    fn subject(&self, at: i64, f: &Facts) -> Subject<'_> {
        let name = |n: u32| (n != 0).then(|| self.names.get(n).as_ref());
        Subject {
            last_outbound_at: f.last_outbound_at.get(),
            waiting_since: f.waiting_since.get(),
            last_message_at: Nanos(at).get(),
            unread: f.unread,
            failed: f.failed,
            owner: name(f.owner),
            last_replied_by: name(f.last_replied_by),
            window_expires_at: window::expires_at(f.last_inbound_at.get()),
            status: f.status,
            snoozed_until: f.snoozed_until.get(),
            labels: self.label_sets.get(f.labels),
        }
    }
}

#[derive(Default)]
struct State {
    table: Option<Table>,
    /// A build is reading the conversations (without the lock, so writes do not wait).
    building: bool,
    /// Conversations written during the build, applied on top of it.
    backlog: Vec<Conversation>,
}

/// Takes each listed conversation's id and row (building the table).
pub(super) type Sink<'a> = dyn FnMut(u64, &Row) + 'a;

/// Shared by every clone of the store; empty until first used (or warmed).
#[derive(Clone, Default)]
pub(super) struct FactsIndex(Arc<Mutex<State>>);

impl FactsIndex {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes conversations just written.
    pub(super) fn written(&self, conversations: &[Conversation]) {
        let mut state = self.lock();
        if let Some(table) = state.table.as_mut() {
            for c in conversations {
                table.upsert(c);
            }
        } else if state.building {
            state.backlog.extend_from_slice(conversations);
        }
    }

    /// Drops the table: the database was opened again and may have lost writes that were
    /// never flushed, so the next filter builds it from what is stored.
    pub(super) fn forget(&self) {
        self.lock().table = None;
    }

    /// Builds the table from `load` unless it exists; a second caller meanwhile waits.
    fn ensure<E>(&self, load: impl FnOnce(&mut Sink<'_>) -> Result<(), E>) -> Result<(), E> {
        loop {
            {
                let mut state = self.lock();
                if state.table.is_some() {
                    return Ok(());
                }
                if !state.building {
                    state.building = true;
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        // One conversation at a time: only the facts are kept, never every conversation.
        let mut table = Table::default();
        let mut loaded = Ok(());
        table.put_all(|sink| loaded = load(sink));
        let mut state = self.lock();
        state.building = false;
        let backlog = std::mem::take(&mut state.backlog);
        loaded?;
        for c in &backlog {
            table.upsert(c);
        }
        state.table = Some(table);
        Ok(())
    }

    /// Builds the table now (at start, in the background), so the first filter is fast.
    pub(super) fn warm<E>(
        &self,
        load: impl FnOnce(&mut Sink<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.ensure(load)
    }

    /// The ids of the conversations that pass `keep`, in list order (or the reverse), from
    /// `offset` (at most `limit`), with how many pass in all. `load` gives every
    /// listed conversation's row, the first time.
    pub(super) fn select<E>(
        &self,
        keep: impl Fn(&Subject<'_>) -> bool,
        oldest_first: bool,
        offset: usize,
        limit: usize,
        load: impl FnOnce(&mut Sink<'_>) -> Result<(), E>,
    ) -> Result<(u64, Vec<u64>), E> {
        self.ensure(load)?;
        let state = self.lock();
        Ok(state.table.as_ref().map_or((0, Vec::new()), |t| {
            pick(t, keep, oldest_first, offset, limit)
        }))
    }

    /// Those of `ids` that are not listed (merged into another, without messages, or gone).
    pub(super) fn unlisted<E>(
        &self,
        ids: &std::collections::BTreeSet<u64>,
        load: impl FnOnce(&mut Sink<'_>) -> Result<(), E>,
    ) -> Result<Vec<u64>, E> {
        self.ensure(load)?;
        let state = self.lock();
        Ok(state.table.as_ref().map_or_else(
            || ids.iter().copied().collect(),
            |t| {
                ids.iter()
                    .copied()
                    .filter(|id| !t.places.contains_key(id))
                    .collect()
            },
        ))
    }

    /// `ids` in list order (newest activity first); ids not listed are left out.
    pub(super) fn in_list_order<E>(
        &self,
        ids: &std::collections::HashSet<u64>,
        load: impl FnOnce(&mut Sink<'_>) -> Result<(), E>,
    ) -> Result<Vec<u64>, E> {
        let (_, all) = self.select(|_| true, false, 0, usize::MAX, load)?;
        Ok(all.into_iter().filter(|id| ids.contains(id)).collect())
    }
}

fn pick(
    table: &Table,
    keep: impl Fn(&Subject<'_>) -> bool,
    oldest_first: bool,
    offset: usize,
    limit: usize,
) -> (u64, Vec<u64>) {
    let mut total = 0u64;
    let mut ids = Vec::new();
    let rows: Box<dyn Iterator<Item = _>> = if oldest_first {
        Box::new(table.rows.iter().rev())
    } else {
        Box::new(table.rows.iter())
    };
    for ((Reverse(at), Reverse(id)), facts) in rows {
        if keep(&table.subject(*at, facts)) {
            if usize::try_from(total).is_ok_and(|t| t >= offset) && ids.len() < limit {
                ids.push(*id);
            }
            total += 1;
        }
    }
    (total, ids)
}

#[cfg(test)]
mod tests;
