//! Conversations inside a transaction: finding or starting one for a contact, merging two
//! that turn out to be the same person, read state, and the one way a conversation is written
//! (`store_conversation`, which keeps the list and unreplied indexes true).

use super::{
    CONVERSATIONS_COUNTER, T, Tx, TxResult, UNREPLIED_COUNTER, Waiting, owner_counter, waiting,
};
use sled::transaction::ConflictableTransactionError;

use crate::store::{Stored, facts::Row, keys, search_queue};
use crate::{
    domain::{contact, conversation::Conversation, event::Event, record::Record},
    store::ContactInfo,
};

impl Tx<'_> {
    /// Read (`unread` 0) or unread again (at least 1; a count already there stays).
    pub(super) fn set_unread(&self, conversation_id: u64, unread: u32) -> TxResult<Vec<Event>> {
        let Some(mut conv) =
            self.get::<Conversation>(T::Conversations, keys::id(conversation_id))?
        else {
            return Ok(vec![]);
        };
        let next = if unread == 0 {
            0
        } else {
            conv.unread.max(unread)
        };
        if conv.unread == next {
            return Ok(vec![]);
        }
        conv.unread = next;
        self.store_conversation(&conv)?;
        Ok(vec![Event::ConversationChanged { conversation: conv }])
    }

    /// Finds the contact's conversation, or starts one; fills in what the payload adds
    /// (a number for a BSUID, a BSUID for a number, a name) and merges two conversations
    /// that turn out to be the same person.
    pub(super) fn conversation_for(&self, contact: &ContactInfo) -> TxResult<Conversation> {
        let by_bsuid = match &contact.bsuid {
            Some(b) => self.live_conversation(T::ConvByBsuid, b.as_str())?,
            None => None,
        };
        let by_phone = match &contact.phone {
            Some(p) => self.live_conversation(T::ConvByPhone, p.wa_id())?,
            None => None,
        };
        let mut conv = match (by_bsuid, by_phone) {
            (Some(a), Some(b)) if a.id != b.id => self.merge(a, b)?,
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => {
                let id = self.new_id()?;
                Conversation::new(id, None, None)
            }
        };
        let learnt = contact::fill_in(&mut conv, contact);
        if let Some(p) = &learnt.phone {
            self.tree(T::ConvByPhone)
                .insert(p.wa_id(), &keys::id(conv.id))?;
        }
        if let Some(b) = &learnt.bsuid {
            self.tree(T::ConvByBsuid)
                .insert(b.as_str(), &keys::id(conv.id))?;
        }
        if conv.record_id.is_none()
            && let Some(p) = &conv.phone
            && let Some(id) = self.get_id(T::RecordByPhone, p.wa_id())?
            && let Some(record) = self.get::<Record>(T::Records, keys::id(id))?
        {
            contact::link_record(&mut conv, &record, None);
        }
        Ok(conv)
    }

    pub(super) fn live_conversation(&self, t: T, key: &str) -> TxResult<Option<Conversation>> {
        let Some(id) = self.get_id(t, key)? else {
            return Ok(None);
        };
        let conv: Option<Conversation> = self.get(T::Conversations, keys::id(id))?;
        match conv {
            Some(c) if c.merged_into.is_some() => self.get(
                T::Conversations,
                keys::id(c.merged_into.unwrap_or_default()),
            ),
            other => Ok(other),
        }
    }

    /// The two made one (`conversation::merge`); the one that goes leaves the list and the
    /// unreplied index and lives on in the one kept.
    pub(super) fn merge(&self, a: Conversation, b: Conversation) -> TxResult<Conversation> {
        let (keep, gone) = crate::domain::conversation::merge(a, b);
        self.store_conversation(&gone)?;
        Ok(keep)
    }

    /// Stores a conversation and keeps its derived indexes true: its place in the list (last
    /// activity; one without messages, such as one just opened from a record, is not listed)
    /// and in the unreplied index (by waiting time, overall and per owner), with their
    /// counters. Every conversation write goes through here.
    pub(super) fn store_conversation(&self, conv: &Conversation) -> TxResult<()> {
        let old: Option<Conversation> = self.get(T::Conversations, keys::id(conv.id))?;
        let listed = |c: &Conversation| {
            c.merged_into
                .is_none()
                .then_some(c.last_message_at)
                .flatten()
        };
        let (was, now) = (old.as_ref().and_then(listed), listed(conv));
        // The list's entry carries the filters' facts: written when it moves or they change.
        let row = || -> TxResult<Vec<u8>> {
            Row::of(conv)
                .map_or(Ok(Vec::new()), |r| r.to_stored())
                .map_err(ConflictableTransactionError::Abort)
        };
        if was == now
            && let Some(at) = now
            && old.as_ref().and_then(Row::of) != Row::of(conv)
        {
            self.tree(T::ConvByActivity)
                .insert(&keys::activity(at, conv.id), row()?)?;
        }
        if was != now {
            if let Some(at) = was {
                self.tree(T::ConvByActivity)
                    .remove(&keys::activity(at, conv.id))?;
            }
            if let Some(at) = now {
                self.tree(T::ConvByActivity)
                    .insert(&keys::activity(at, conv.id), row()?)?;
            }
            // The counter is the list's length: paging counts from either end with it.
            match (was, now) {
                (None, Some(_)) => self.bump(CONVERSATIONS_COUNTER, 1)?,
                (Some(_), None) => self.bump(CONVERSATIONS_COUNTER, -1)?,
                _ => {}
            }
        }
        let (was, now) = (old.as_ref().and_then(waiting), waiting(conv));
        if was != now {
            self.unreplied_moved(conv.id, was.as_ref(), now.as_ref())?;
        }
        self.snooze_index(old.as_ref(), conv)?;
        if old.is_none_or(|o| o.display_name() != conv.display_name()) {
            self.queue_for_search(search_queue::NAME, &keys::id(conv.id));
        }
        self.written.borrow_mut().push(conv.clone());
        self.put(T::Conversations, keys::id(conv.id), conv)
    }

    /// Moves a conversation in the unreplied index from where it waited (`was`: since when,
    /// whose) to where it waits now, with the counters. Only what differs is written: a
    /// contact who writes again the same day moves its key and leaves every counter as it was.
    fn unreplied_moved(
        &self,
        id: u64,
        was: Option<&Waiting>,
        now: Option<&Waiting>,
    ) -> TxResult<()> {
        let key = |w: &Waiting| keys::activity(w.0, id);
        let by_owner = |w: &Waiting| w.1.as_deref().map(|o| keys::owned(o, &key(w)));
        let (old, new) = (was.map(key), now.map(key));
        if old != new {
            let tree = self.tree(T::ConvUnreplied);
            if let Some(k) = old {
                tree.remove(&k)?;
            }
            if let Some(k) = new {
                tree.insert(&k, &[])?;
            }
        }
        let (old, new) = (was.and_then(by_owner), now.and_then(by_owner));
        if old != new {
            let tree = self.tree(T::ConvUnrepliedByOwner);
            if let Some(k) = old {
                tree.remove(k)?;
            }
            if let Some(k) = new {
                tree.insert(k, &[])?;
            }
        }
        let mut bumps: Vec<(String, i64)> = Vec::new();
        for (side, by) in [(was, -1), (now, 1)] {
            let Some((since, owner)) = side else {
                continue;
            };
            let mut counters = vec![
                UNREPLIED_COUNTER.to_owned(),
                keys::unreplied_day(None, *since),
            ];
            if let Some(o) = owner {
                counters.extend([owner_counter(o), keys::unreplied_day(Some(o), *since)]);
            }
            for counter in counters {
                match bumps.iter_mut().find(|(c, _)| *c == counter) {
                    Some((_, n)) => *n += by,
                    None => bumps.push((counter, by)),
                }
            }
        }
        for (counter, by) in bumps {
            if by != 0 {
                self.bump(&counter, by)?;
            }
        }
        Ok(())
    }
}
