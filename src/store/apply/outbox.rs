//! The outbox inside a transaction: queueing, attempts, acceptance, failure (kept aside for a
//! retry), interruption.

use super::messages::message_event;
use chrono::{DateTime, Utc};

use super::{T, Tx, TxResult};
use crate::store::keys;
use crate::{
    domain::{
        conversation::Conversation,
        credits::Hold,
        event::Event,
        message::{Message, Status},
        outbox::{self, OutboxItem, OutboxState},
    },
    store::change::Queued,
};

impl Tx<'_> {
    pub(super) fn queue(&self, queued: &Queued) -> TxResult<Vec<Event>> {
        let Queued {
            contact,
            kind,
            text,
            request,
            sent_by,
            at,
            file,
            batch,
            hold,
        } = queued;
        let at = *at;
        let mut conv = self.conversation_for(contact)?;
        let (message, item) = outbox::queue(&outbox::Send {
            id: self.new_id()?,
            conversation_id: conv.id,
            kind,
            text,
            request,
            sent_by,
            at,
            media: file.as_ref().map(|(m, u)| (m, u)),
            batch: *batch,
        });
        let id = item.id;
        conv.note_message(false, at, text);
        conv.last_replied_by = Some(sent_by.to_owned());
        self.insert_message(&message)?;
        self.put(T::Outbox, keys::id(id), &item)?;
        self.store_conversation(&conv)?;
        // In this transaction: a send the balance cannot pay for is not queued at all.
        let held = match hold {
            Some(h) => self.place_hold(
                &Hold {
                    outbox_id: id,
                    ..*h.clone()
                },
                at,
            )?,
            None => Vec::new(),
        };
        let mut events = vec![Event::MessageQueued {
            conversation: conv,
            message,
        }];
        events.extend(held);
        Ok(events)
    }

    /// An attempt begins: only of an item still waiting to be sent, so that a stale look at
    /// the outbox never sends a message a second time.
    pub(super) fn attempt_started(&self, id: u64) -> TxResult<Vec<Event>> {
        match self.get::<OutboxItem>(T::Outbox, keys::id(id))? {
            Some(mut item) if item.state == crate::domain::outbox::OutboxState::Pending => {
                item.start();
                self.put(T::Outbox, keys::id(id), &item)?;
                Ok(vec![])
            }
            _ => Err(sled::transaction::ConflictableTransactionError::Abort(
                crate::store::StoreError::Refused(format!(
                    "outbox item {id} no longer waits to be sent"
                )),
            )),
        }
    }

    pub(super) fn outbox_state(
        &self,
        id: u64,
        f: impl FnOnce(&mut OutboxItem),
    ) -> TxResult<Vec<Event>> {
        if let Some(mut item) = self.get::<OutboxItem>(T::Outbox, keys::id(id))? {
            f(&mut item);
            self.put(T::Outbox, keys::id(id), &item)?;
        }
        Ok(vec![])
    }

    pub(super) fn update_message(
        &self,
        id: u64,
        f: impl FnOnce(&mut Message, &mut Conversation),
    ) -> TxResult<Vec<Event>> {
        let Some((key, mut message)) = self.message_by_id(id)? else {
            return Ok(vec![]);
        };
        let Some(mut conv) =
            self.get::<Conversation>(T::Conversations, keys::id(message.conversation_id))?
        else {
            return Ok(vec![]);
        };
        let before = message.clone();
        f(&mut message, &mut conv);
        if message == before {
            return Ok(vec![]);
        }
        self.put_message(&key, &message)?;
        self.store_conversation(&conv)?;
        let failed = message.status == Status::Failed && before.status != Status::Failed;
        Ok(vec![message_event(conv, message, failed)])
    }

    pub(super) fn accepted(&self, id: u64, wamid: &str) -> TxResult<Vec<Event>> {
        // The outbox item says where the message is: use it before removing it.
        if let Some((key, _)) = self.message_by_id(id)? {
            self.index_wamid(wamid, &key)?;
        }
        let events = self.update_message(id, |m, _| {
            m.wamid = Some(wamid.to_owned());
            m.status = m.status.advance(Status::Sent);
        })?;
        self.tree(T::Outbox).remove(&keys::id(id))?;
        Ok(events)
    }

    pub(super) fn send_failed(
        &self,
        id: u64,
        code: Option<i64>,
        error: &str,
    ) -> TxResult<Vec<Event>> {
        let events = self.update_message(id, |m, conv| {
            if outbox::failed(m, code, error) {
                conv.failed += 1;
            }
        })?;
        // Kept aside as it was, so that a person can send it again.
        if let Some(item) = self.get::<OutboxItem>(T::Outbox, keys::id(id))? {
            self.put(T::FailedSends, keys::id(id), &item)?;
        }
        self.tree(T::Outbox).remove(&keys::id(id))?;
        let mut events = events;
        events.extend(self.settle_hold(id, None, true, chrono::Utc::now())?);
        Ok(events)
    }

    /// A failed send back in the outbox, its message queued again.
    pub(super) fn retry(&self, id: u64, at: DateTime<Utc>) -> TxResult<Vec<Event>> {
        let Some(mut item) = self.get::<OutboxItem>(T::FailedSends, keys::id(id))? else {
            return Ok(vec![]);
        };
        let key = keys::message(item.conversation_id, item.at, id);
        let Some(mut message) = self.message(&key)? else {
            return Ok(vec![]);
        };
        let Some(mut conv) =
            self.get::<Conversation>(T::Conversations, keys::id(item.conversation_id))?
        else {
            return Ok(vec![]);
        };
        if crate::domain::retry::refusal(&message).is_some() {
            return Ok(vec![]);
        }
        crate::domain::retry::requeue(&mut item, &mut message, at);
        conv.count_failure(crate::domain::delivery::Failed::NoLonger);
        self.put_message(&key, &message)?;
        self.store_conversation(&conv)?;
        self.put(T::Outbox, keys::id(id), &item)?;
        self.tree(T::FailedSends).remove(&keys::id(id))?;
        let mut events = self.hold_again(id, at)?;
        events.insert(0, message_event(conv, message, false));
        Ok(events)
    }

    /// An attempt that may have reached WhatsApp (it timed out, or its answer was lost): not
    /// sent again blindly. The message says so, and a status webhook carrying the callback
    /// data settles it.
    pub(super) fn uncertain(&self, id: u64, error: &str) -> TxResult<Vec<Event>> {
        let Some(mut item) = self.get::<OutboxItem>(T::Outbox, keys::id(id))? else {
            return Ok(vec![]);
        };
        let events = self.update_message(id, |m, _| outbox::uncertain(&mut item, m, error))?;
        self.put(T::Outbox, keys::id(id), &item)?;
        Ok(events)
    }

    /// Attempts that were in flight when the process stopped: uncertain, like a timeout.
    pub(super) fn mark_interrupted(&self, ids: &[u64]) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for &id in ids {
            let in_flight = self
                .get::<OutboxItem>(T::Outbox, keys::id(id))?
                .is_some_and(|i| i.state == OutboxState::InFlight);
            if in_flight {
                events.extend(self.uncertain(id, outbox::INTERRUPTED)?);
            }
        }
        Ok(events)
    }
}
