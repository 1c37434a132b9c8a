//! Reading the store: conversations, messages, records, templates, the outbox, views and dead
//! letters, each by the index that answers it without a scan.

use chrono::{DateTime, Utc};

use super::{
    Bsuid, Conversation, DeadLetter, Message, OutboxItem, PhoneNumber, Record, Store, StoreError,
    T, Template, Waited, decode, get_value, keys,
    message_chunks::{self, ALL, Packer, Suffix, suffix},
};

impl Store {
    pub fn conversation(&self, id: u64) -> Result<Option<Conversation>, StoreError> {
        get_value(&self.tree(T::Conversations)?, keys::id(id))
    }

    pub fn conversation_by_phone(
        &self,
        phone: &PhoneNumber,
    ) -> Result<Option<Conversation>, StoreError> {
        self.conversation_by(T::ConvByPhone, phone.wa_id())
    }

    pub fn conversation_by_bsuid(&self, bsuid: &Bsuid) -> Result<Option<Conversation>, StoreError> {
        self.conversation_by(T::ConvByBsuid, bsuid.as_str())
    }

    fn conversation_by(&self, t: T, key: &str) -> Result<Option<Conversation>, StoreError> {
        match self.tree(t)?.get(key)? {
            Some(id) => {
                let conv = self.conversation(keys::read_id(&id))?;
                // A merged conversation points at the one it was merged into.
                match conv {
                    Some(c) if c.merged_into.is_some() => {
                        self.conversation(c.merged_into.unwrap_or_default())
                    }
                    other => Ok(other),
                }
            }
            None => Ok(None),
        }
    }

    /// Conversations by last activity, newest first.
    pub fn conversations(&self, limit: usize) -> Result<Vec<Conversation>, StoreError> {
        self.conversations_page(0, limit)
    }

    /// `limit` conversations by last activity, newest first, skipping the first `offset`.
    /// Skipping walks keys only (16 bytes each), from whichever end of the index is nearer,
    /// so the last page costs what the first does.
    pub fn conversations_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Conversation>, StoreError> {
        let total = usize::try_from(self.conversation_count()?).unwrap_or(usize::MAX);
        let index = self.tree(T::ConvByActivity)?.iter().keys();
        let ids: Vec<sled::IVec> = if offset > total / 2 {
            let end = total.saturating_sub(offset);
            let start = end.saturating_sub(limit);
            let mut ids = index
                .skip(start)
                .take(end - start)
                .collect::<Result<Vec<_>, _>>()?;
            ids.reverse();
            ids
        } else {
            index
                .rev()
                .skip(offset)
                .take(limit)
                .collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for k in ids {
            if let Some(c) = self.conversation(keys::read_id(&k[8..]))? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Unreplied conversations (the contact wrote last), newest first, from the unreplied
    /// index: `owner` narrows to one owner's partition, `waited` to a range of waiting times.
    /// Returns how many match in all, and the page.
    pub fn unreplied(
        &self,
        owner: Option<&str>,
        waited: Waited,
        offset: usize,
        limit: usize,
    ) -> Result<(u64, Vec<Conversation>), StoreError> {
        let (tree, prefix, counter) = match owner {
            Some(o) => (
                T::ConvUnrepliedByOwner,
                keys::owned(o, &[]),
                keys::owner_counter(o),
            ),
            None => (
                T::ConvUnreplied,
                Vec::new(),
                keys::UNREPLIED_COUNTER.to_owned(),
            ),
        };
        let at = |t: DateTime<Utc>| {
            let mut k = prefix.clone();
            k.extend_from_slice(&keys::time_bound(t));
            k.extend_from_slice(&[0; 8]);
            k
        };
        let mut hi = prefix.clone();
        hi.extend_from_slice(&[0xff; 17]);
        let (lo, hi) = match waited {
            Waited::Any => (prefix.clone(), hi),
            Waited::LongerThan(cutoff) => (prefix.clone(), at(cutoff)),
            Waited::Since(cutoff) => (at(cutoff), hi),
        };
        let tree = self.tree(tree)?;
        let range = || tree.range(lo.clone()..hi.clone()).keys();
        // Whole days from their counters; only the cutoff's own day is scanned.
        let before = |cutoff: DateTime<Utc>| -> Result<u64, StoreError> {
            let day = cutoff
                .date_naive()
                .and_time(chrono::NaiveTime::MIN)
                .and_utc();
            let days = keys::unreplied_days(owner);
            let mut n = 0;
            for kv in self
                .tree(T::Meta)?
                .range(days.as_bytes()..keys::unreplied_day(owner, day).as_bytes())
            {
                n += keys::read_id(&kv?.1);
            }
            let partial = tree.range(at(day)..at(cutoff)).keys().count() as u64;
            Ok(n + partial)
        };
        let total = match waited {
            Waited::Any => self.counter(&counter)?,
            Waited::LongerThan(cutoff) => before(cutoff)?,
            Waited::Since(cutoff) => self.counter(&counter)?.saturating_sub(before(cutoff)?),
        };
        let mut page = Vec::new();
        for k in range().rev().skip(offset).take(limit) {
            let k = k?;
            if let Some(c) = self.conversation(keys::read_id(&k[k.len() - 8..]))? {
                page.push(c);
            }
        }
        Ok((total, page))
    }

    pub fn conversation_count(&self) -> Result<u64, StoreError> {
        self.counter(keys::CONVERSATIONS_COUNTER)
    }

    pub fn message_count(&self) -> Result<u64, StoreError> {
        self.counter(keys::MESSAGES_COUNTER)
    }

    fn counter(&self, name: &str) -> Result<u64, StoreError> {
        Ok(self
            .tree(T::Meta)?
            .get(name)?
            .map_or(0, |v| keys::read_id(&v)))
    }

    /// The newest `limit` messages of a conversation (and of any merged into it), oldest first.
    pub fn messages(
        &self,
        conversation: &Conversation,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.merged_messages(conversation, ALL, limit, End::Newest)
    }

    /// A conversation's `limit` messages before `before` (and of any merged into it), oldest
    /// first: what scrolling up past the loaded ones shows. Up to and with `before` itself, so
    /// that messages of the same moment are not skipped (the one already shown is merged by
    /// its id).
    pub fn messages_before(
        &self,
        conversation: &Conversation,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.merged_messages(
            conversation,
            (
                suffix(DateTime::<Utc>::MIN_UTC, 0),
                suffix(before, u64::MAX),
            ),
            limit,
            End::Newest,
        )
    }

    /// A conversation's messages from `since` on (and of any merged into it), oldest first; at
    /// most `cap`, the oldest kept (a search jumps to the first of them).
    pub fn messages_since(
        &self,
        conversation: &Conversation,
        since: DateTime<Utc>,
        cap: usize,
    ) -> Result<Vec<Message>, StoreError> {
        self.merged_messages(conversation, (suffix(since, 0), ALL.1), cap, End::Oldest)
    }

    /// Messages with key suffixes in `range` of a conversation and of each merged into it
    /// (sled transactions cannot move them, so they stay under their own ids), in time order,
    /// at most `limit` from the `end` asked for.
    pub(super) fn merged_messages(
        &self,
        conversation: &Conversation,
        range: (Suffix, Suffix),
        limit: usize,
        end: End,
    ) -> Result<Vec<Message>, StoreError> {
        let tree = self.tree(T::Messages)?;
        let mut out: Vec<(Suffix, Message)> = Vec::new();
        for id in std::iter::once(conversation.id).chain(conversation.merged.iter().copied()) {
            let mut taken = 0;
            let newest_first = matches!(end, End::Newest);
            message_chunks::scan(&tree, id, range, newest_first, &mut |s, stored| {
                out.push((*s, decode(stored)?));
                taken += 1;
                Ok(taken < limit)
            })?;
        }
        // Across merged conversations the order is the time's, not the id's.
        out.sort_by_key(|a| a.0);
        let keep = match end {
            End::Newest => out.len().saturating_sub(limit)..out.len(),
            End::Oldest => 0..out.len().min(limit),
        };
        Ok(out.drain(keep).map(|(_, m)| m).collect())
    }

    /// The message as it is stored now (its status may have moved since `message` was read).
    pub fn reload(&self, message: &Message) -> Result<Option<Message>, StoreError> {
        self.message_at(&keys::message(
            message.conversation_id,
            message.at,
            message.id,
        ))
    }

    pub fn message_by_wamid(&self, wamid: &str) -> Result<Option<Message>, StoreError> {
        let slot = super::wamid_index::slot(wamid);
        let Some(bucket) = self.tree(T::WamidIndex)?.get(slot.bucket)? else {
            return Ok(None);
        };
        match super::wamid_index::find(&bucket, &slot) {
            Some(key) => self.message_at(key),
            None => Ok(None),
        }
    }

    /// The message stored under `key` (`keys::message`), from its conversation's chunks.
    pub(super) fn message_at(&self, key: &[u8]) -> Result<Option<Message>, StoreError> {
        let Some((conversation, suffix)) = message_chunks::split(key) else {
            return Ok(None);
        };
        let tree = self.tree(T::Messages)?;
        let mut get = |k: &[u8]| tree.get(k).map_err(StoreError::from);
        Packer::new(conversation, &mut get, |e| e)
            .get(&suffix)?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    pub fn record(&self, id: u64) -> Result<Option<Record>, StoreError> {
        get_value(&self.tree(T::Records)?, keys::id(id))
    }

    /// Candidates and contacts whose name, email, mobile or owner contain `query` (any case),
    /// by name; with the number of matches in all. Reads every record: a record list is
    /// thousands, not millions, and bytes that cannot match are skipped before decoding.
    pub fn search_records(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<Record>), StoreError> {
        let q = query.trim().to_lowercase();
        // Bytes that JSON writes as they are: the raw record can be checked before decoding.
        let ascii = q
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" @.+-_".contains(&b));
        let mut found: Vec<Record> = Vec::new();
        for kv in &self.tree(T::Records)? {
            let (_, v) = kv?;
            if ascii
                && !q.is_empty()
                && !v
                    .to_ascii_lowercase()
                    .windows(q.len())
                    .any(|w| w == q.as_bytes())
            {
                continue;
            }
            let r: Record = decode(&v)?;
            let hit = q.is_empty()
                || [
                    Some(r.name.as_str()),
                    r.email.as_deref(),
                    r.owner.as_deref(),
                    r.mobile.as_ref().map(PhoneNumber::as_str),
                ]
                .into_iter()
                .flatten()
                .any(|f| f.to_lowercase().contains(&q));
            if hit {
                found.push(r);
            }
        }
        found.sort_by_cached_key(|r| (r.name.to_lowercase(), r.id));
        let total = found.len();
        Ok((total, found.into_iter().skip(offset).take(limit).collect()))
    }

    pub fn record_by_phone(&self, phone: &PhoneNumber) -> Result<Option<Record>, StoreError> {
        match self.tree(T::RecordByPhone)?.get(phone.wa_id())? {
            Some(id) => self.record(keys::read_id(&id)),
            None => Ok(None),
        }
    }

    pub fn templates(&self) -> Result<Vec<Template>, StoreError> {
        self.tree(T::Templates)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    pub fn record_by_email(&self, email: &str) -> Result<Option<Record>, StoreError> {
        match self
            .tree(T::RecordByEmail)?
            .get(email.to_ascii_lowercase())?
        {
            Some(id) => self.record(keys::read_id(&id)),
            None => Ok(None),
        }
    }

    /// One item of the outbox, as it now is (none once it left).
    pub fn outbox_item(&self, id: u64) -> Result<Option<OutboxItem>, StoreError> {
        match self.tree(T::Outbox)?.get(keys::id(id))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    pub fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.tree(T::Outbox)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// The routing settings an admin stored, if any (else the config's apply).
    /// Sends that failed, as they were when they failed (a person may send them again), with
    /// their messages.
    pub fn failed_sends(&self) -> Result<Vec<(OutboxItem, Message)>, StoreError> {
        let mut out = Vec::new();
        for kv in &self.tree(T::FailedSends)? {
            let item: OutboxItem = decode(&kv?.1)?;
            let key = keys::message(item.conversation_id, item.at, item.id);
            if let Some(message) = self.message_at(&key)? {
                out.push((item, message));
            }
        }
        Ok(out)
    }

    pub fn routing(&self) -> Result<Option<crate::domain::routing::Routing>, StoreError> {
        get_value(&self.tree(T::Meta)?, keys::ROUTING_SETTINGS)
    }

    /// Each tree's number of keys (counted: for benchmarks and diagnostics).
    pub fn tree_sizes(&self) -> Result<Vec<(&'static str, usize)>, StoreError> {
        Ok(T::ALL
            .iter()
            .zip(&self.current()?.trees)
            .map(|(t, tree)| (t.name(), tree.len()))
            .collect())
    }

    pub fn views(&self) -> Result<Vec<crate::domain::view::SavedView>, StoreError> {
        self.tree(T::Views)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// How many dead letters there are, and the newest `n`, newest first.
    pub fn recent_dead_letters(&self, n: usize) -> Result<(u64, Vec<DeadLetter>), StoreError> {
        let tree = self.tree(T::DeadLetters)?;
        let recent = tree
            .iter()
            .rev()
            .take(n)
            .map(|kv| decode(&kv?.1))
            .collect::<Result<_, _>>()?;
        Ok((tree.len() as u64, recent))
    }

    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        self.tree(T::DeadLetters)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }
}

/// Which end of a conversation's messages a page keeps.
#[derive(Clone, Copy)]
pub(super) enum End {
    Newest,
    Oldest,
}
