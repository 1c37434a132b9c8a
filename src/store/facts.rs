//! The facts every filter reads, for every listed conversation, kept in memory in list order
//! (newest activity first) and updated after every write: a filter then evaluates 100,000
//! small rows in memory instead of reading and decoding 100,000 stored conversations.
//! Built in the background at start (or on first use), one pass over the conversations,
//! without holding up writes meanwhile.

use std::{
    cmp::Reverse,
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};

use crate::domain::{
    conversation::Conversation, conversation_state::ConversationStatus, filter::Subject,
};

/// What a filter can ask about one conversation.
#[derive(Debug, Clone)]
struct Facts {
    last_inbound_at: Option<DateTime<Utc>>,
    last_outbound_at: Option<DateTime<Utc>>,
    last_message_at: Option<DateTime<Utc>>,
    unread: u32,
    failed: u32,
    owner: Option<Box<str>>,
    last_replied_by: Option<Box<str>>,
    window_expires_at: Option<DateTime<Utc>>,
    status: ConversationStatus,
    snoozed_until: Option<DateTime<Utc>>,
    labels: Vec<String>,
}

impl Facts {
    fn of(c: &Conversation) -> Self {
        Self {
            last_inbound_at: c.last_inbound_at,
            last_outbound_at: c.last_outbound_at,
            last_message_at: c.last_message_at,
            unread: c.unread,
            failed: c.failed,
            owner: c.owner.as_deref().map(Into::into),
            last_replied_by: c.last_replied_by.as_deref().map(Into::into),
            window_expires_at: c.window_expires_at(),
            status: c.status,
            snoozed_until: c.snoozed_until,
            labels: c.labels.clone(),
        }
    }

    fn subject(&self) -> Subject<'_> {
        Subject {
            last_inbound_at: self.last_inbound_at,
            last_outbound_at: self.last_outbound_at,
            last_message_at: self.last_message_at,
            unread: self.unread,
            failed: self.failed,
            owner: self.owner.as_deref(),
            last_replied_by: self.last_replied_by.as_deref(),
            window_expires_at: self.window_expires_at,
            status: self.status,
            snoozed_until: self.snoozed_until,
            labels: &self.labels,
        }
    }
}

/// List order: newest activity first, then the higher id (as the activity index reads).
type Place = (Reverse<i64>, Reverse<u64>);

#[derive(Debug, Default)]
struct Table {
    rows: BTreeMap<Place, Facts>,
    places: HashMap<u64, Place>,
}

impl Table {
    fn upsert(&mut self, c: &Conversation) {
        if let Some(old) = self.places.remove(&c.id) {
            self.rows.remove(&old);
        }
        // Listed conversations only: with a message, not merged into another.
        let Some(at) = c.last_message_at.filter(|_| c.merged_into.is_none()) else {
            return;
        };
        let place = (Reverse(at.timestamp_millis()), Reverse(c.id));
        self.rows.insert(place, Facts::of(c));
        self.places.insert(c.id, place);
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
    fn ensure<E>(
        &self,
        load: impl FnOnce(&mut dyn FnMut(&Conversation)) -> Result<(), E>,
    ) -> Result<(), E> {
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
        let loaded = load(&mut |c| table.upsert(c));
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
        load: impl FnOnce(&mut dyn FnMut(&Conversation)) -> Result<(), E>,
    ) -> Result<(), E> {
        self.ensure(load)
    }

    /// The ids of the conversations that pass `keep`, in list order (or the reverse), from
    /// `offset` (at most `limit`), with how many pass in all. `load` gives every
    /// conversation, the first time.
    pub(super) fn select<E>(
        &self,
        keep: impl Fn(&Subject<'_>) -> bool,
        oldest_first: bool,
        offset: usize,
        limit: usize,
        load: impl FnOnce(&mut dyn FnMut(&Conversation)) -> Result<(), E>,
    ) -> Result<(u64, Vec<u64>), E> {
        self.ensure(load)?;
        let state = self.lock();
        Ok(state.table.as_ref().map_or((0, Vec::new()), |t| {
            pick(t, keep, oldest_first, offset, limit)
        }))
    }

    /// `ids` in list order (newest activity first); ids not listed are left out.
    pub(super) fn in_list_order<E>(
        &self,
        ids: &std::collections::HashSet<u64>,
        load: impl FnOnce(&mut dyn FnMut(&Conversation)) -> Result<(), E>,
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
    for ((_, Reverse(id)), facts) in rows {
        if keep(&facts.subject()) {
            if usize::try_from(total).is_ok_and(|t| t >= offset) && ids.len() < limit {
                ids.push(*id);
            }
            total += 1;
        }
    }
    (total, ids)
}
