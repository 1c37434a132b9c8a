//! Messages inside a transaction: finding them, storing a contact's message (and the changes
//! a contact makes to earlier ones), and applying delivery statuses.

use super::{MESSAGES_COUNTER, T, Tx, TxResult};
use sled::transaction::ConflictableTransactionError;

use crate::store::{
    StoreError, Stored, keys,
    message_chunks::{self, Packer},
    search_queue, wamid_index,
};
use crate::{
    domain::{
        conversation::Conversation,
        delivery,
        event::Event,
        message::{Effect, Message},
        outbox::{OutboxItem, OutboxState, parse_callback_data},
    },
    store::change::{Arrived, Reported},
};

impl Tx<'_> {
    /// A message still in the outbox, found through its outbox item (which knows where it is
    /// stored). There is no index by id: a million more keys would cost more memory than the
    /// few lookups it would serve.
    pub(super) fn message_by_id(&self, id: u64) -> TxResult<Option<(Vec<u8>, Message)>> {
        let Some(item) = self.get::<OutboxItem>(T::Outbox, keys::id(id))? else {
            return Ok(None);
        };
        let key = keys::message(item.conversation_id, item.at, id);
        Ok(self.message(&key)?.map(|m| (key.to_vec(), m)))
    }

    pub(super) fn message_by_wamid(&self, wamid: &str) -> TxResult<Option<(Vec<u8>, Message)>> {
        let Some(key) = self.wamid_key(wamid)? else {
            return Ok(None);
        };
        Ok(self.message(&key)?.map(|m| (key, m)))
    }

    /// The message stored under `key` (`keys::message`), from its conversation's chunks.
    pub(super) fn message(&self, key: &[u8]) -> TxResult<Option<Message>> {
        let Some((conversation, suffix)) = message_chunks::split(key) else {
            return Ok(None);
        };
        let tree = self.tree(T::Messages);
        let mut get = |k: &[u8]| tree.get(k).map_err(ConflictableTransactionError::from);
        let stored = Packer::new(conversation, &mut get, ConflictableTransactionError::Abort)
            .get(&suffix)?;
        stored
            .map(|bytes| Message::from_stored(&bytes))
            .transpose()
            .map_err(ConflictableTransactionError::Abort)
    }

    /// Stores `m` under `key` (`keys::message`), in its conversation's chunks.
    pub(super) fn put_message(&self, key: &[u8], m: &Message) -> TxResult<()> {
        let (conversation, suffix) = message_chunks::split(key).ok_or_else(|| {
            ConflictableTransactionError::Abort(StoreError::Corrupt(
                "a message key of the wrong length".into(),
            ))
        })?;
        let stored = m.to_stored().map_err(ConflictableTransactionError::Abort)?;
        let tree = self.tree(T::Messages);
        let mut get = |k: &[u8]| tree.get(k).map_err(ConflictableTransactionError::from);
        let mut packer = Packer::new(conversation, &mut get, ConflictableTransactionError::Abort);
        packer.put(suffix, stored)?;
        for (k, v) in packer.writes() {
            tree.insert(k, v)?;
        }
        Ok(())
    }

    /// The messages key a wamid names, if it is known.
    pub(super) fn wamid_key(&self, wamid: &str) -> TxResult<Option<Vec<u8>>> {
        let slot = wamid_index::slot(wamid);
        Ok(self
            .tree(T::WamidIndex)
            .get(slot.bucket)?
            .and_then(|bucket| wamid_index::find(&bucket, &slot).map(<[u8]>::to_vec)))
    }

    /// Remembers that `wamid` names the message stored under `key`.
    pub(super) fn index_wamid(&self, wamid: &str, key: &[u8]) -> TxResult<()> {
        let slot = wamid_index::slot(wamid);
        let tree = self.tree(T::WamidIndex);
        let bucket = tree.get(slot.bucket)?;
        tree.insert(
            &slot.bucket,
            wamid_index::with(bucket.as_deref(), &slot, key),
        )?;
        Ok(())
    }

    pub(super) fn insert_message(&self, m: &Message) -> TxResult<()> {
        let key = keys::message(m.conversation_id, m.at, m.id);
        self.put_message(&key, m)?;
        self.queue_for_search(search_queue::MESSAGE, &key);
        if let Some(w) = &m.wamid {
            self.index_wamid(w, &key)?;
        }
        if m.media.is_some() {
            self.tree(T::Files).insert(&keys::id(m.id), &key)?;
        }
        self.bump(MESSAGES_COUNTER, 1)
    }

    pub(super) fn inbound(&self, arrived: &Arrived) -> TxResult<Vec<Event>> {
        let Arrived {
            contact,
            wamid,
            at,
            reply_to,
            effect,
            error_code,
            payload,
        } = arrived;
        let (wamid, at) = (wamid.as_str(), *at);
        // Meta retries and delivers to every subscribed app: the same wamid is stored once.
        if self.wamid_key(wamid)?.is_some() {
            return Ok(vec![]);
        }
        let mut conv = self.conversation_for(contact)?;
        let mut routed = if conv.last_message_at.is_none() {
            self.route(&mut conv)?
        } else {
            Vec::new()
        };
        conv.heard_from(at);
        let target = match effect {
            Effect::React { target, .. }
            | Effect::Edit { target, .. }
            | Effect::Revoke { target } => self.message_by_wamid(target)?,
            Effect::New(_) => None,
        };
        if let Some((key, mut original)) = target {
            delivery::change_earlier(&mut original, effect);
            self.put_message(&key, &original)?;
            // An edit is found by its new words (the old ones find it too: hits are checked).
            self.queue_for_search(search_queue::MESSAGE, &key);
            // Remember the change's own wamid so a repeat of it is ignored.
            self.index_wamid(wamid, &key)?;
            self.store_conversation(&conv)?;
            return Ok(vec![Event::MessageChanged {
                conversation: conv,
                message: original,
            }]);
        }
        // A new message, or a change to one we never saw: kept, never dropped.
        let arrival = delivery::Arrival {
            id: self.new_id()?,
            conversation_id: conv.id,
            wamid,
            at,
            reply_to: reply_to.as_ref(),
            error_code: *error_code,
            payload: payload.as_ref(),
        };
        let message = delivery::inbound_message(&arrival, effect);
        conv.note_message(true, at, &message.text);
        // Reopened when it arrives here (a late delivery may be dated before a resolve).
        let reopened = self.contact_wrote(&mut conv, chrono::Utc::now().max(at))?;
        self.insert_message(&message)?;
        self.queue_fetch(&message)?;
        self.store_conversation(&conv)?;
        // In this transaction: the rules about messages fire once for this one.
        let fired = self.fire_message(&conv, wamid, &message.text, at)?;
        routed.push(Event::MessageReceived {
            conversation: conv,
            message,
        });
        routed.extend(fired);
        routed.extend(reopened);
        Ok(routed)
    }

    pub(super) fn status(&self, reported: &Reported) -> TxResult<Vec<Event>> {
        let Reported {
            wamid,
            status,
            callback_data: callback,
            recipient,
            error,
            pricing,
        } = reported;
        let (wamid, status) = (wamid.as_str(), *status);
        let outbox_id = callback.as_deref().and_then(parse_callback_data);
        let found = match self.message_by_wamid(wamid)? {
            Some(f) => Some(f),
            None => match outbox_id {
                Some(id) => self.message_by_id(id)?,
                None => None,
            },
        };
        // A status for a message this store never sent (another app on the same number, or
        // data from before a reset) is ignored.
        let Some((key, mut message)) = found else {
            return Ok(vec![]);
        };
        let before = message.clone();
        let item: Option<OutboxItem> = self.get(T::Outbox, keys::id(message.id))?;
        let uncertain = item
            .as_ref()
            .is_some_and(|i| i.state == OutboxState::Uncertain);
        let report = delivery::Report {
            wamid,
            status,
            error: error.as_ref(),
            pricing: pricing.as_ref(),
        };
        let done = delivery::report(&mut message, uncertain, item.is_some(), &report);
        // WhatsApp's pricing (or its failure) settles what the send held.
        let failed = status == crate::domain::message::Status::Failed;
        let settled = self.settle_hold(message.id, pricing.as_ref(), failed, chrono::Utc::now())?;
        if done.learned_wamid {
            self.index_wamid(wamid, &key)?;
        }
        if done.settles_outbox {
            self.tree(T::Outbox).remove(&keys::id(message.id))?;
        }
        if message == before {
            return Ok(settled);
        }
        self.put_message(&key, &message)?;
        let mut conv: Conversation = self
            .get(T::Conversations, keys::id(message.conversation_id))?
            .unwrap_or_else(|| Conversation::new(message.conversation_id, None, None));
        conv.count_failure(done.failed);
        if conv.bsuid.is_none() && conv.phone.is_none() {
            conv.phone.clone_from(&recipient.phone);
        }
        self.store_conversation(&conv)?;
        let mut events = vec![message_event(
            conv,
            message,
            done.failed == delivery::Failed::Now,
        )];
        events.extend(settled);
        Ok(events)
    }
}

/// The event for a changed message: a failure is told as such, so clients can alert.
pub(super) fn message_event(
    conversation: Conversation,
    message: Message,
    newly_failed: bool,
) -> Event {
    if newly_failed {
        Event::SendFailed {
            conversation,
            message,
        }
    } else {
        Event::MessageChanged {
            conversation,
            message,
        }
    }
}
