//! Candidates and contacts inside a transaction: saved with their indexes by mobile and
//! email, and linked to the conversation of their mobile.

use super::{T, Tx, TxResult};
use crate::domain::{contact, event::Event, record::Record, rule::Happening};
use crate::store::keys;

impl Tx<'_> {
    pub(super) fn save_record(&self, id: Option<u64>, record: &Record) -> TxResult<Vec<Event>> {
        let mut record = record.clone();
        record.id = match id {
            Some(id) => id,
            None => self.new_id()?,
        };
        let previous: Option<Record> = self.get(T::Records, keys::id(record.id))?;
        if let Some(old) = previous.as_ref().and_then(|p| p.mobile.as_ref())
            && record.mobile.as_ref() != Some(old)
        {
            self.tree(T::RecordByPhone).remove(old.wa_id())?;
        }
        if let Some(old) = previous.as_ref().and_then(|p| p.email.as_ref())
            && record.email.as_ref() != Some(old)
        {
            self.tree(T::RecordByEmail).remove(old.as_bytes())?;
        }
        if let Some(e) = &record.email {
            self.tree(T::RecordByEmail)
                .insert(e.as_bytes(), &keys::id(record.id))?;
        }
        self.put(T::Records, keys::id(record.id), &record)?;
        let mut events = Vec::new();
        let mut conversation_id = None;
        if let Some(p) = &record.mobile {
            self.tree(T::RecordByPhone)
                .insert(p.wa_id(), &keys::id(record.id))?;
            if let Some(mut conv) = self.live_conversation(T::ConvByPhone, p.wa_id())? {
                contact::link_record(&mut conv, &record, previous.as_ref());
                self.store_conversation(&conv)?;
                conversation_id = Some(conv.id);
                events.push(Event::ConversationChanged { conversation: conv });
            }
        }
        // In this transaction: a crash cannot save the record and lose what it fired.
        let now = chrono::Utc::now();
        let happening = Happening::Saved {
            before: previous.as_ref(),
        };
        events.extend(self.fire_rules(happening, &record, conversation_id, now)?);
        events.extend(self.fire_dates(&record, &[], conversation_id, now)?);
        events.push(Event::RecordSaved { record });
        Ok(events)
    }
}
