//! Sends for later: stored with an index of the waiting ones by due time (the scheduler's
//! next wake-up) and by conversation (the chat's list). Marking one sent, failed, cancelled or
//! skipped checks it still waits, inside the transaction: a send runs at most once however
//! many hands reach for it.

use super::{Change, StoreError, T, Tx, TxResult, keys};
use crate::domain::{
    event::Event,
    schedule::{ScheduleState, ScheduledSend, ScheduledWhat},
};
use sled::transaction::ConflictableTransactionError;

impl Tx<'_> {
    pub(super) fn scheduled(&self, change: &Change) -> TxResult<Vec<Event>> {
        match change {
            Change::Schedule { send } => {
                let send = self.store_send(send.clone())?;
                Ok(vec![Event::Scheduled { scheduled: send }])
            }
            Change::ScheduleRun { id, queue, at } => {
                let mut send = self.waiting_send(*id)?;
                let mut events = self.apply(queue)?;
                let (conversation_id, message_id) = events
                    .iter()
                    .find_map(|e| match e {
                        Event::MessageQueued {
                            conversation,
                            message,
                        } => Some((conversation.id, message.id)),
                        _ => None,
                    })
                    .unwrap_or_default();
                // A send to a number not yet written to has its conversation now.
                if send.conversation_id.is_none() && conversation_id != 0 {
                    send.conversation_id = Some(conversation_id);
                }
                send.state = match &send.what {
                    ScheduledWhat::Text { .. } | ScheduledWhat::Template { .. } => {
                        ScheduleState::Sent {
                            at: *at,
                            message_id,
                        }
                    }
                    ScheduledWhat::Notify { .. } | ScheduledWhat::Assign { .. } => {
                        ScheduleState::Done {
                            at: *at,
                            what: done(&events),
                        }
                    }
                };
                self.end_send(&send)?;
                self.log_send(&send)?;
                events.push(Event::Scheduled { scheduled: send });
                Ok(events)
            }
            Change::ScheduleEnd { id, state } => {
                let mut send = self.waiting_send(*id)?;
                send.state = state.clone();
                self.end_send(&send)?;
                self.log_send(&send)?;
                Ok(vec![Event::Scheduled { scheduled: send }])
            }
            _ => Ok(vec![]),
        }
    }

    /// Stores a waiting send: a new one (id 0: given one), or a waiting one changed.
    pub(super) fn store_send(&self, mut send: ScheduledSend) -> TxResult<ScheduledSend> {
        if send.id == 0 {
            send.id = self.new_id()?;
        } else {
            let old = self.waiting_send(send.id)?;
            self.unindex_send(&old)?;
        }
        send.state = ScheduleState::Waiting;
        // A mark for the list, worked out anew each time, not kept.
        send.will_skip = None;
        self.index_send(&send)?;
        self.put(T::Scheduled, keys::id(send.id), &send)?;
        Ok(send)
    }

    /// The send `id`, refused when it no longer waits.
    pub(super) fn waiting_send(&self, id: u64) -> TxResult<ScheduledSend> {
        let refused = |why: String| ConflictableTransactionError::Abort(StoreError::Refused(why));
        match self.get::<ScheduledSend>(T::Scheduled, keys::id(id))? {
            Some(s) if s.waiting() => Ok(s),
            Some(s) => Err(refused(format!(
                "scheduled send {id} no longer waits: it was {}",
                match s.state {
                    ScheduleState::Sent { .. } | ScheduleState::Done { .. } => "sent",
                    ScheduleState::Failed { .. } => "not sent (it failed)",
                    ScheduleState::Cancelled { .. } => "cancelled",
                    ScheduleState::Skipped { .. } => "skipped",
                    ScheduleState::Waiting => "waiting",
                }
            ))),
            None => Err(refused(format!("there is no scheduled send {id}"))),
        }
    }

    /// Stores a send that stopped waiting, out of the indexes.
    pub(super) fn end_send(&self, send: &ScheduledSend) -> TxResult<()> {
        self.unindex_send(send)?;
        self.put(T::Scheduled, keys::id(send.id), send)
    }

    fn index_send(&self, send: &ScheduledSend) -> TxResult<()> {
        self.tree(T::ScheduledDue)
            .insert(&keys::activity(send.due_at, send.id), &[])?;
        if let Some(c) = send.conversation_id {
            self.tree(T::ScheduledByConv)
                .insert(&keys::scheduled_of(c, send.id), &[])?;
        }
        Ok(())
    }

    fn unindex_send(&self, send: &ScheduledSend) -> TxResult<()> {
        self.tree(T::ScheduledDue)
            .remove(&keys::activity(send.due_at, send.id))?;
        if let Some(c) = send.conversation_id {
            self.tree(T::ScheduledByConv)
                .remove(&keys::scheduled_of(c, send.id))?;
        }
        Ok(())
    }
}

/// What a rule's notification or assignment did, in words for its log.
fn done(events: &[Event]) -> String {
    events
        .iter()
        .find_map(|e| match e {
            Event::Notice { users, .. } => Some(format!("notified {}", users.join(", "))),
            Event::ConversationChanged { conversation } => Some(format!(
                "assigned to {}",
                conversation.owner.as_deref().unwrap_or("nobody")
            )),
            Event::RecordSaved { record } => Some(format!(
                "record given to {} (no conversation yet)",
                record.owner.as_deref().unwrap_or("nobody")
            )),
            _ => None,
        })
        .unwrap_or_else(|| "done".to_owned())
}
