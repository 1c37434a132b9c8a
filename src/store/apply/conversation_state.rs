//! A conversation's state inside a transaction: a person's change, a snooze's end, and the
//! trail each leaves (the rules are `domain::conversation_state`'s).

use chrono::{DateTime, Utc};

use super::{T, Tx, TxResult};
use crate::{
    domain::{
        conversation::Conversation,
        conversation_state::{self, StateChange, TrailEntry},
        event::Event,
    },
    store::{Change, keys},
};

impl Tx<'_> {
    /// Where a conversation stands and whose it is.
    pub(super) fn work(&self, change: &Change) -> TxResult<Vec<Event>> {
        match change {
            Change::SetState {
                conversation_id,
                change,
                by,
                by_name,
                at,
            } => self.set_state(*conversation_id, *change, (by, by_name), *at),
            Change::Assign {
                conversation_id,
                plan,
                by,
                by_name,
                at,
            } => self.assign(*conversation_id, plan, (by, by_name), *at),
            Change::AssignRecord { record_id, plan } => self.assign_record(*record_id, plan),
            Change::EndSnoozes {
                conversation_ids,
                at,
            } => self.end_snoozes(conversation_ids, *at),
            Change::Label {
                conversation_id,
                add,
                remove,
                by,
                by_name,
                at,
            } => {
                let Some(mut conv) =
                    self.get::<Conversation>(T::Conversations, keys::id(*conversation_id))?
                else {
                    return Ok(vec![]);
                };
                let (added, removed) = crate::domain::label::relabel(&mut conv.labels, add, remove);
                if added.is_empty() && removed.is_empty() {
                    return Ok(vec![]);
                }
                let what = crate::domain::conversation_state::Happened::Labelled { added, removed };
                self.changed(conv, *at, Some((by, by_name)), what)
            }
            _ => Ok(vec![]),
        }
    }

    fn set_state(
        &self,
        conversation_id: u64,
        change: StateChange,
        (by, by_name): (&str, &str),
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let Some(mut conv) =
            self.get::<Conversation>(T::Conversations, keys::id(conversation_id))?
        else {
            return Ok(vec![]);
        };
        // The engine checked the change (a snooze in the future) before queueing it.
        let Ok(Some(what)) = conversation_state::change(&mut conv, change, at) else {
            return Ok(vec![]);
        };
        self.changed(conv, at, Some((by, by_name)), what)
    }

    /// Whose turn it is in the plan's pool (counted as routing counts); nobody for an empty
    /// pool.
    fn whose_turn(&self, plan: &crate::domain::routing::Plan) -> TxResult<Option<String>> {
        if plan.pool.is_empty() {
            return Ok(None);
        }
        let counter = format!("turn:{}", plan.pool_name);
        let turn = self.get_id(T::Meta, &counter)?.unwrap_or(0);
        self.bump(&counter, 1)?;
        Ok(plan.pick(turn).map(str::to_owned))
    }

    /// A record without a conversation yet, handed on (`Change::AssignRecord`): whose turn it
    /// is becomes its owner. Only the owner changes, so the record is put back without firing
    /// the rules again (as an edit, it could fire the rule that assigned it, and again).
    fn assign_record(
        &self,
        record_id: u64,
        plan: &crate::domain::routing::Plan,
    ) -> TxResult<Vec<Event>> {
        let Some(mut record) =
            self.get::<crate::domain::record::Record>(T::Records, keys::id(record_id))?
        else {
            return Ok(vec![]);
        };
        let to = self.whose_turn(plan)?;
        if to == record.owner {
            return Ok(vec![]);
        }
        record.owner = to;
        self.put(T::Records, keys::id(record.id), &record)?;
        Ok(vec![Event::RecordSaved { record }])
    }

    fn assign(
        &self,
        conversation_id: u64,
        plan: &crate::domain::routing::Plan,
        (by, by_name): (&str, &str),
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let Some(mut conv) =
            self.get::<Conversation>(T::Conversations, keys::id(conversation_id))?
        else {
            return Ok(vec![]);
        };
        let to = self.whose_turn(plan)?;
        if to == conv.owner {
            return Ok(vec![]);
        }
        let from = std::mem::replace(&mut conv.owner, to.clone());
        self.changed(
            conv,
            at,
            Some((by, by_name)),
            crate::domain::conversation_state::Happened::Assigned { from, to },
        )
    }

    fn end_snoozes(&self, ids: &[u64], at: DateTime<Utc>) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for &id in ids {
            let Some(mut conv) = self.get::<Conversation>(T::Conversations, keys::id(id))? else {
                continue;
            };
            let Some(what) = conversation_state::snooze_due(&mut conv, at) else {
                continue;
            };
            events.extend(self.changed(conv, at, None, what)?);
        }
        Ok(events)
    }

    /// The contact wrote: a pending, resolved or snoozed conversation opens again, and its
    /// trail says so.
    pub(super) fn contact_wrote(
        &self,
        conv: &mut Conversation,
        at: DateTime<Utc>,
    ) -> TxResult<Option<Event>> {
        let Some(what) = conversation_state::contact_wrote(conv) else {
            return Ok(None);
        };
        let entry = TrailEntry {
            conversation_id: conv.id,
            at,
            by: None,
            by_name: None,
            what,
        };
        self.add_to_trail(&entry)?;
        Ok(Some(Event::Trail { entry }))
    }

    /// Stores the conversation as changed and the trail's line for it, by `by` (login, name)
    /// or by nobody (the contact, the clock): the events every client follows.
    fn changed(
        &self,
        conversation: Conversation,
        at: DateTime<Utc>,
        by: Option<(&str, &str)>,
        what: crate::domain::conversation_state::Happened,
    ) -> TxResult<Vec<Event>> {
        self.store_conversation(&conversation)?;
        let entry = TrailEntry {
            conversation_id: conversation.id,
            at,
            by: by.map(|(login, _)| login.to_owned()),
            by_name: by.map(|(_, name)| name.to_owned()),
            what,
        };
        self.add_to_trail(&entry)?;
        Ok(vec![
            Event::ConversationChanged { conversation },
            Event::Trail { entry },
        ])
    }

    fn add_to_trail(&self, entry: &TrailEntry) -> TxResult<()> {
        let seq = self.new_id()?;
        self.put(
            T::Trail,
            keys::trail(entry.conversation_id, entry.at, seq),
            entry,
        )
    }

    /// Keeps the snooze index (by end, then id) true for a conversation being stored.
    pub(super) fn snooze_index(
        &self,
        old: Option<&Conversation>,
        conv: &Conversation,
    ) -> TxResult<()> {
        let was = old.and_then(|o| o.snoozed_until);
        if was == conv.snoozed_until {
            return Ok(());
        }
        if let Some(until) = was {
            self.tree(T::ConvSnoozed)
                .remove(&keys::activity(until, conv.id))?;
        }
        if let Some(until) = conv.snoozed_until {
            self.tree(T::ConvSnoozed)
                .insert(&keys::activity(until, conv.id), &[])?;
        }
        Ok(())
    }
}
