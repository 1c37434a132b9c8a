//! Reading sends for later: one by id, those due, when the next is due, a conversation's
//! waiting ones, and all of them for `scheduled list`.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, T, decode, keys, message_chunks};
use crate::domain::schedule::ScheduledSend;

impl Store {
    pub fn scheduled(&self, id: u64) -> Result<Option<ScheduledSend>, StoreError> {
        match self.tree(T::Scheduled)?.get(keys::id(id))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// The waiting sends due at or before `now`, soonest first, at most `limit`.
    pub fn scheduled_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ScheduledSend>, StoreError> {
        let end = keys::time_bound(now + chrono::Duration::milliseconds(1));
        let mut out = Vec::new();
        for kv in self
            .tree(T::ScheduledDue)?
            .range(..end.as_slice())
            .take(limit)
        {
            if let Some(s) = self.scheduled(keys::read_id(&kv?.0[8..]))? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// When the next waiting send is due, if one waits.
    pub fn next_scheduled_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .tree(T::ScheduledDue)?
            .first()?
            .map(|(k, _)| keys::read_time(&k[..8])))
    }

    /// A conversation's waiting sends, soonest first.
    pub fn scheduled_of(&self, conversation_id: u64) -> Result<Vec<ScheduledSend>, StoreError> {
        let mut out = Vec::new();
        for kv in self
            .tree(T::ScheduledByConv)?
            .scan_prefix(keys::id(conversation_id))
        {
            if let Some(s) = self.scheduled(keys::read_id(&kv?.0[8..]))? {
                out.push(s);
            }
        }
        out.sort_by_key(|s| (s.due_at, s.id));
        Ok(out)
    }

    /// Every send for later, waiting or not, oldest first.
    pub fn scheduled_all(&self) -> Result<Vec<ScheduledSend>, StoreError> {
        self.tree(T::Scheduled)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }
}

impl Store {
    /// The workflow rules, in the order they were written.
    pub fn rules(&self) -> Result<Vec<crate::domain::rule::Rule>, StoreError> {
        match self.tree(T::Meta)?.get(keys::RULES)? {
            Some(v) => decode(&v),
            None => Ok(Vec::new()),
        }
    }

    /// Every candidate and contact (a `date_near` rule written after them looks at their
    /// dates).
    pub fn records_all(&self) -> Result<Vec<crate::domain::record::Record>, StoreError> {
        self.tree(T::Records)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// The conversations waiting for an answer since a time in `from..to`, with since when,
    /// oldest first (the `unreplied` rules' clock).
    pub fn unreplied_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, u64)>, StoreError> {
        let bound = |t| keys::activity(t, 0);
        self.tree(T::ConvUnreplied)?
            .range(bound(from)..bound(to))
            .keys()
            .map(|k| {
                let k = k?;
                Ok((keys::read_time(&k), keys::read_id(&k[8..])))
            })
            .collect()
    }

    /// When the first conversation waiting since `from` or later started to wait.
    pub fn first_unreplied_from(
        &self,
        from: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self
            .tree(T::ConvUnreplied)?
            .range(keys::activity(from, 0)..)
            .keys()
            .next()
        {
            Some(k) => Ok(Some(keys::read_time(&k?))),
            None => Ok(None),
        }
    }

    /// A rule's log, newest first, at most `limit` entries (every rule's, without one: the
    /// newest `limit` of each rule, never the whole log, which grows with every firing).
    pub fn rule_log(
        &self,
        rule_id: Option<u64>,
        limit: usize,
    ) -> Result<Vec<crate::domain::rule::LogEntry>, StoreError> {
        let tree = self.tree(T::RuleLog)?;
        let newest = |rule: [u8; 8], into: &mut Vec<crate::domain::rule::LogEntry>| {
            for kv in tree.scan_prefix(rule).rev().take(limit) {
                into.push(decode(&kv?.1)?);
            }
            Ok::<_, StoreError>(())
        };
        let mut entries = Vec::new();
        if let Some(id) = rule_id {
            newest(keys::id(id), &mut entries)?;
        } else {
            // Rule by rule, from the last: each rule's entries share its id's 8 bytes.
            let mut last = tree.last()?;
            while let Some((k, _)) = last {
                let Some(rule) = k.get(..8).and_then(|r| <[u8; 8]>::try_from(r).ok()) else {
                    break;
                };
                newest(rule, &mut entries)?;
                last = tree.range(..rule).next_back().transpose()?;
            }
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.at));
        entries.truncate(limit);
        Ok(entries)
    }
}

impl Store {
    pub fn batch(&self, id: u64) -> Result<Option<crate::domain::bulk::Batch>, StoreError> {
        match self.tree(T::Batches)?.get(keys::id(id))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Every bulk send, newest first.
    pub fn batches(&self) -> Result<Vec<crate::domain::bulk::Batch>, StoreError> {
        self.tree(T::Batches)?
            .iter()
            .rev()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// A bulk send's sends, in the order they were listed.
    pub fn batch_sends(&self, batch: u64) -> Result<Vec<ScheduledSend>, StoreError> {
        let mut out = Vec::new();
        for kv in self.tree(T::ScheduledByBatch)?.scan_prefix(keys::id(batch)) {
            if let Some(s) = self.scheduled(keys::read_id(&kv?.0[8..]))? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The message a send queued, once it went: stored under its queue time, which is the
    /// run's to the second (a little before it).
    pub fn sent_message(
        &self,
        send: &ScheduledSend,
    ) -> Result<Option<crate::domain::message::Message>, StoreError> {
        let (crate::domain::schedule::ScheduleState::Sent { at, message_id }, Some(c)) =
            (&send.state, send.conversation_id)
        else {
            return Ok(None);
        };
        let range = (
            message_chunks::suffix(*at - chrono::Duration::seconds(2), 0),
            message_chunks::suffix(*at + chrono::Duration::seconds(1), 0),
        );
        let mut found = None;
        message_chunks::scan(
            &self.tree(T::Messages)?,
            c,
            range,
            false,
            &mut |s, stored| {
                if keys::read_id(&s[8..]) == *message_id {
                    found = Some(decode(stored)?);
                }
                Ok(found.is_none())
            },
        )?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration};

    use crate::domain::rule::{LogEntry, Outcome};
    use crate::store::{Store, Stored, T, keys};

    #[test]
    fn every_rules_log_is_the_newest_of_each_rule_merged() {
        let dir = std::env::temp_dir().join(format!("hirechat-rule-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir, 8).unwrap();
        let tree = store.tree(T::RuleLog).unwrap();
        let start = DateTime::from_timestamp(1_767_225_600, 0).unwrap();
        // Rule 1 fired every minute for a while; rules 2 and 9 once each, later.
        let put = |rule: u64, minute: i64| {
            let at = start + Duration::minutes(minute);
            let entry = LogEntry {
                rule_id: rule,
                at,
                record_id: None,
                outcome: Outcome::Skipped {
                    reason: "no mobile".into(),
                },
            };
            let seq = u64::try_from(minute).unwrap();
            tree.insert(keys::rule_log(rule, at, seq), entry.to_stored().unwrap())
                .unwrap();
        };
        for minute in 0..500 {
            put(1, minute);
        }
        put(2, 600);
        put(9, 300);
        let at = |e: &LogEntry| (e.rule_id, (e.at - start).num_minutes());
        let all: Vec<_> = store.rule_log(None, 4).unwrap().iter().map(at).collect();
        assert_eq!(all, [(2, 600), (1, 499), (1, 498), (1, 497)]);
        let one: Vec<_> = store.rule_log(Some(9), 4).unwrap().iter().map(at).collect();
        assert_eq!(one, [(9, 300)]);
        assert!(store.rule_log(Some(5), 4).unwrap().is_empty());
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
