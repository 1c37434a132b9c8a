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
    store::keys,
};

impl Tx<'_> {
    pub(super) fn set_state(
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
        self.store_conversation(&conv)?;
        let entry = TrailEntry {
            conversation_id,
            at,
            by: Some(by.to_owned()),
            by_name: Some(by_name.to_owned()),
            what,
        };
        self.add_to_trail(&entry)?;
        Ok(vec![
            Event::ConversationChanged { conversation: conv },
            Event::Trail { entry },
        ])
    }

    pub(super) fn end_snoozes(&self, ids: &[u64], at: DateTime<Utc>) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for &id in ids {
            let Some(mut conv) = self.get::<Conversation>(T::Conversations, keys::id(id))? else {
                continue;
            };
            let Some(what) = conversation_state::snooze_due(&mut conv, at) else {
                continue;
            };
            self.store_conversation(&conv)?;
            let entry = TrailEntry {
                conversation_id: id,
                at,
                by: None,
                by_name: None,
                what,
            };
            self.add_to_trail(&entry)?;
            events.push(Event::ConversationChanged { conversation: conv });
            events.push(Event::Trail { entry });
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

    fn add_to_trail(&self, entry: &TrailEntry) -> TxResult<()> {
        let seq = self.tree(T::Meta).generate_id()?;
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
