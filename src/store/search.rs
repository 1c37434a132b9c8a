//! Searching every conversation's messages and names. The index says which conversations
//! have a word (a posting list per word, see `keys::encode_postings`); those with every word
//! of the query (`Store::candidates`) are read, newest first, and their names and messages
//! checked: a name with every word, a message with them together with its conversation's
//! name (`Query::matches_message`). Texts are indexed off the write path: a write queues them
//! (`search_queue`), the writer indexes the queue when idle, and a search catches up first.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Store, StoreError, T, decode, keys, message_chunks, search_queue};
use crate::domain::{
    conversation::Conversation,
    message::Message,
    search::{self, Query},
};

/// Messages read for one search at most: a word in every message still answers quickly, with
/// the newest, and a search whose words are rarely together stops there (each message read
/// passes through sled's cache: 50,000 took 185 ms and about 85 MB more at 100,000
/// conversations).
const MAX_READ: usize = 20_000;

/// A search hit: a conversation, and the message that matched (none when its name did).
#[derive(Debug, Clone)]
pub struct Found {
    pub conversation: Conversation,
    pub message: Option<Message>,
}

impl Store {
    /// Conversations whose name, and messages whose text, contain every word of `query`, the
    /// most recently active conversations first, each name before its messages, messages
    /// newest first; at most `limit`.
    pub fn search(&self, query: &Query, limit: usize) -> Result<Vec<Found>, StoreError> {
        while self.index_pending(5_000)? > 0 {}
        let candidates: HashSet<u64> = self.candidates(query)?.into_iter().collect();
        // In list order; a conversation merged into another is not listed, and is read with
        // the one it joined.
        let ordered = self
            .facts
            .in_list_order(&candidates, |sink| self.each_listed(sink))?;
        let mut out = Vec::new();
        let mut read = 0;
        for id in ordered {
            if out.len() >= limit || read >= MAX_READ {
                break;
            }
            let Some(c) = self.conversation(id)? else {
                continue;
            };
            let name = c.display_name();
            if query.matches(&name) {
                out.push(Found {
                    conversation: c.clone(),
                    message: None,
                });
            }
            let room = limit - out.len().min(limit);
            let (hits, n) = self.matching_messages(&c, &name, query, room, MAX_READ - read)?;
            read += n;
            out.extend(hits.into_iter().map(|m| Found {
                conversation: c.clone(),
                message: Some(m),
            }));
        }
        out.truncate(limit);
        Ok(out)
    }

    /// The conversations that may hold a hit: every word of a hit is indexed by its start, so
    /// a hit's conversation has each term's postings. The longest term (the likeliest to be
    /// rare) is looked up first, then the others narrow it down, until few are left: `Sato
    /// 42` reads the conversations with both, not every Sato's. A term of one character
    /// would read much of the index to narrow little, and is left to the check of the texts.
    /// Postings name the conversation a text was written in; one merged into another since
    /// counts as the one it joined, so that words of both together find it.
    fn candidates(&self, query: &Query) -> Result<BTreeSet<u64>, StoreError> {
        /// Few enough to read each: no more terms are looked up.
        const FEW: usize = 256;
        let mut terms: Vec<&(String, bool)> = query.terms.iter().collect();
        terms.sort_by_key(|(t, _)| std::cmp::Reverse(t.chars().count()));
        let index = self.tree(T::SearchIndex)?;
        let mut joined = HashMap::new();
        let mut candidates: Option<BTreeSet<u64>> = None;
        for (i, (term, whole)) in terms.into_iter().enumerate() {
            if i > 0 && term.chars().count() < 2 {
                break;
            }
            let mut these = BTreeSet::new();
            for kv in index.scan_prefix(term.as_bytes()) {
                let (k, v) = kv?;
                if !*whole || k.as_ref() == term.as_bytes() {
                    keys::decode_postings(&v, &mut these);
                }
            }
            for id in self.facts.unlisted(&these, |sink| self.each_listed(sink))? {
                if let Some(into) = self.joined(id, &mut joined)? {
                    these.insert(into);
                }
            }
            let narrowed = match candidates {
                None => these,
                Some(so_far) => so_far.intersection(&these).copied().collect(),
            };
            let done = narrowed.len() <= FEW;
            candidates = Some(narrowed);
            if done {
                break;
            }
        }
        Ok(candidates.unwrap_or_default())
    }

    /// The conversation `id` was merged into, following merges of merges (none for one not
    /// merged); remembered in `known` for the other terms.
    fn joined(
        &self,
        id: u64,
        known: &mut HashMap<u64, Option<u64>>,
    ) -> Result<Option<u64>, StoreError> {
        if let Some(into) = known.get(&id) {
            return Ok(*into);
        }
        let mut into = None;
        let mut at = id;
        // A chain is a merge or two long; the bound only guards against a cycle in bad data.
        for _ in 0..8 {
            match self.conversation(at)?.and_then(|c| c.merged_into) {
                Some(next) => {
                    into = Some(next);
                    at = next;
                }
                None => break,
            }
        }
        known.insert(id, into);
        Ok(into)
    }

    /// A conversation's messages (with those merged into it) that match, with its `name`
    /// (`Query::matches_message`), newest first: at most `limit`, reading at most `budget`;
    /// with how many were read.
    fn matching_messages(
        &self,
        c: &Conversation,
        name: &str,
        query: &Query,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<Message>, usize), StoreError> {
        let mut hits: Vec<(message_chunks::Suffix, Message)> = Vec::new();
        let mut read = 0;
        let tree = self.tree(T::Messages)?;
        for id in std::iter::once(c.id).chain(c.merged.iter().copied()) {
            message_chunks::scan(&tree, id, message_chunks::ALL, true, &mut |s, stored| {
                if read >= budget || hits.len() >= limit {
                    return Ok(false);
                }
                read += 1;
                let m: Message = decode(stored)?;
                if !m.deleted && query.matches_message(&m.text, name) {
                    hits.push((*s, m));
                }
                Ok(true)
            })?;
        }
        hits.sort_by_key(|b| std::cmp::Reverse(b.0));
        hits.truncate(limit);
        Ok((hits.into_iter().map(|(_, m)| m).collect(), read))
    }

    /// Indexes the queued texts (messages and names written since the last call), entry by
    /// entry until at least `max` are done or none is left; returns how many. One caller at a
    /// time (the writer when idle, or a search).
    pub fn index_pending(&self, max: usize) -> Result<usize, StoreError> {
        let _one_at_a_time = self
            .indexing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut postings: HashMap<String, BTreeSet<u64>> = HashMap::new();
        let mut done = Vec::new();
        let mut n = 0;
        for kv in &self.tree(T::SearchQueue)? {
            if n >= max {
                break;
            }
            let (k, v) = kv?;
            // An entry that cannot be read is dropped, told in the log: left in the queue it
            // would fail every later search.
            let texts = search_queue::texts(&k, &v).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "a search queue entry dropped; its texts are not indexed");
                Vec::new()
            });
            for (what, key) in texts {
                n += 1;
                let found = match what {
                    search_queue::MESSAGE => {
                        self.message_at(&key)?.map(|m| (m.conversation_id, m.text))
                    }
                    search_queue::NAME => self
                        .conversation(keys::read_id(&key))?
                        .map(|c| (c.id, c.display_name())),
                    _ => None,
                };
                if let Some((conversation, text)) = found {
                    for token in search::tokens(&text) {
                        postings.entry(token).or_default().insert(conversation);
                    }
                }
            }
            done.push((k, v));
        }
        if !done.is_empty() {
            self.merge_postings(postings)?;
            for (k, v) in done {
                // A single text's entry queued again meanwhile (an edit, before group
                // entries): left for the next pass.
                let _ = self
                    .tree(T::SearchQueue)?
                    .compare_and_swap(k, Some(v), None::<&[u8]>)?;
            }
        }
        Ok(n)
    }

    /// Adds conversation ids to each token's posting list.
    fn merge_postings(&self, postings: HashMap<String, BTreeSet<u64>>) -> Result<(), StoreError> {
        let index = self.tree(T::SearchIndex)?;
        let mut batch = sled::Batch::default();
        for (token, mut ids) in postings {
            if let Some(old) = index.get(token.as_bytes())? {
                let mut stored = BTreeSet::new();
                keys::decode_postings(&old, &mut stored);
                let known = stored.len();
                ids.extend(stored);
                if ids.len() == known {
                    continue; // nothing new for this token
                }
            }
            batch.insert(token.as_bytes(), keys::encode_postings(&ids));
        }
        index.apply_batch(batch)?;
        Ok(())
    }

    /// Migrations to schemas 4 and 5: indexes every message's text and every conversation's name
    /// (an older index is replaced), a slice of messages at a time so that memory stays
    /// bounded.
    pub(super) fn build_search_index(&self) -> Result<(), StoreError> {
        tracing::info!("building the search index (schema 4)");
        self.tree(T::SearchIndex)?.clear()?;
        let mut postings: HashMap<String, BTreeSet<u64>> = HashMap::new();
        let mut pending = 0;
        let mut n = 0;
        message_chunks::each_message(&self.tree(T::Messages)?, &mut |conversation, stored| {
            n += 1;
            if n % 200_000 == 0 {
                // Opening waits for this: whoever opened the store sees it move.
                eprintln!("hirechat: {n} messages indexed");
            }
            let m: Message = decode(stored)?;
            for token in search::tokens(&m.text) {
                postings.entry(token).or_default().insert(conversation);
                pending += 1;
            }
            if pending > 2_000_000 {
                self.merge_postings(std::mem::take(&mut postings))?;
                self.current()?.db.flush()?;
                pending = 0;
            }
            Ok(())
        })?;
        for kv in &self.tree(T::Conversations)? {
            let c: Conversation = decode(&kv?.1)?;
            for token in search::tokens(&c.display_name()) {
                postings.entry(token).or_default().insert(c.id);
            }
        }
        self.merge_postings(postings)?;
        self.current()?.db.flush()?;
        Ok(())
    }
}
