//! Reading what the team does with conversations: a conversation's trail (who resolved,
//! snoozed, assigned or labelled it, and when), the snoozes whose time has come, and the
//! labels admins defined.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, T, decode, keys};
use crate::domain::conversation_state::TrailEntry;

impl Store {
    /// The trail of a conversation (and of those merged into it), oldest first.
    pub fn trail(&self, conversation_id: u64) -> Result<Vec<TrailEntry>, StoreError> {
        let merged = self
            .conversation(conversation_id)?
            .map(|c| c.merged)
            .unwrap_or_default();
        let tree = self.tree(T::Trail)?;
        let mut entries = Vec::new();
        for id in std::iter::once(conversation_id).chain(merged) {
            for kv in tree.scan_prefix(keys::id(id)) {
                entries.push(decode::<TrailEntry>(&kv?.1)?);
            }
        }
        entries.sort_by_key(|e| e.at);
        Ok(entries)
    }

    /// The conversations whose snooze ends at or before `now`, soonest first.
    pub fn snoozes_due(&self, now: DateTime<Utc>) -> Result<Vec<u64>, StoreError> {
        let end = keys::time_bound(now + chrono::Duration::milliseconds(1));
        self.tree(T::ConvSnoozed)?
            .range(..end.as_slice())
            .map(|kv| Ok(keys::read_id(&kv?.0[8..])))
            .collect()
    }

    /// When the next snooze ends, if any does.
    pub fn next_snooze_end(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .tree(T::ConvSnoozed)?
            .first()?
            .map(|(k, _)| keys::read_time(&k[..8])))
    }
}

impl Store {
    /// The labels admins defined, by name.
    pub fn labels(&self) -> Result<Vec<crate::domain::label::Label>, StoreError> {
        self.tree(T::Labels)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }
}
