//! Searching every conversation's messages and names through the search index, and building
//! that index for a store written before it existed (schema 3).

use std::collections::HashMap;

use super::{Store, StoreError, T, decode, get_json, keys};
use crate::domain::{
    conversation::Conversation,
    message::Message,
    search::{self, Query},
};

/// Index entries read for one query at most: a word in nearly every message still answers
/// quickly, with the newest of what it read.
const MAX_CANDIDATES: usize = 200_000;

/// A search hit: a conversation, and the message that matched (none when its name did).
#[derive(Debug, Clone)]
pub struct Found {
    pub conversation: Conversation,
    pub message: Option<Message>,
}

impl Store {
    /// Conversations whose name, and messages whose text, contain every word of `query`:
    /// names first, then messages newest first; at most `limit`.
    pub fn search(&self, query: &Query, limit: usize) -> Result<Vec<Found>, StoreError> {
        // What was just written is found too.
        while self.index_pending(5_000)? > 0 {}
        // The longest term is the likeliest to be rare.
        let Some((term, whole)) = query.terms.iter().max_by_key(|(t, _)| t.len()) else {
            return Ok(Vec::new());
        };
        let mut prefix = term.as_bytes().to_vec();
        if *whole {
            prefix.push(0);
        }
        let mut messages: Vec<[u8; 24]> = Vec::new();
        let mut names: Vec<u64> = Vec::new();
        for kv in self
            .tree(T::SearchIndex)
            .scan_prefix(&prefix)
            .take(MAX_CANDIDATES)
        {
            let (k, _) = kv?;
            let Some(zero) = k.iter().position(|b| *b == 0) else {
                continue;
            };
            match (k.get(zero + 1), &k[zero + 2..]) {
                (Some(b'm'), rest) if rest.len() == 24 => {
                    let mut key = [0u8; 24];
                    key.copy_from_slice(rest);
                    messages.push(key);
                }
                (Some(b'c'), rest) if rest.len() == 8 => names.push(keys::read_id(rest)),
                _ => {}
            }
        }
        // Newest first: the time sits in bytes 8..16 of a message key.
        messages.sort_unstable_by(|a, b| b[8..].cmp(&a[8..]));
        messages.dedup();
        names.sort_unstable();
        names.dedup();
        let mut conversations: HashMap<u64, Option<Conversation>> = HashMap::new();
        let mut out = Vec::new();
        for id in names {
            if out.len() == limit {
                return Ok(out);
            }
            if let Some(c) = self.live(&mut conversations, id)?
                && query.matches(&c.display_name())
                && !out
                    .iter()
                    .any(|f: &Found| f.message.is_none() && f.conversation.id == c.id)
            {
                out.push(Found {
                    conversation: c,
                    message: None,
                });
            }
        }
        for key in messages {
            if out.len() == limit {
                break;
            }
            let Some(m) = get_json::<Message>(self.tree(T::Messages), key)? else {
                continue;
            };
            if m.deleted || !query.matches(&m.text) {
                continue;
            }
            if let Some(c) = self.live(&mut conversations, m.conversation_id)? {
                out.push(Found {
                    conversation: c,
                    message: Some(m),
                });
            }
        }
        Ok(out)
    }

    /// A conversation as the list shows it: one merged into another is found as that one.
    fn live(
        &self,
        cache: &mut HashMap<u64, Option<Conversation>>,
        id: u64,
    ) -> Result<Option<Conversation>, StoreError> {
        if let Some(c) = cache.get(&id) {
            return Ok(c.clone());
        }
        let mut c = self.conversation(id)?;
        if let Some(into) = c.as_ref().and_then(|c| c.merged_into) {
            c = self.conversation(into)?;
        }
        cache.insert(id, c.clone());
        Ok(c)
    }

    /// Indexes up to `max` queued texts (messages and names written since the last call);
    /// returns how many. Indexing twice is harmless, so two callers at once do no harm.
    pub fn index_pending(&self, max: usize) -> Result<usize, StoreError> {
        let mut batch = sled::Batch::default();
        let mut done = sled::Batch::default();
        let mut n = 0;
        for kv in self.tree(T::SearchQueue).iter().take(max) {
            let (k, _) = kv?;
            n += 1;
            let (what, key) = (k[0], &k[1..]);
            let text = match what {
                b'm' => get_json::<Message>(self.tree(T::Messages), key)?.map(|m| m.text),
                b'c' => self
                    .conversation(keys::read_id(key))?
                    .map(|c| c.display_name()),
                _ => None,
            };
            for token in search::tokens(text.as_deref().unwrap_or_default()) {
                batch.insert(keys::search_entry(&token, what, key), &[]);
            }
            done.remove(k);
        }
        if n > 0 {
            self.tree(T::SearchIndex).apply_batch(batch)?;
            self.tree(T::SearchQueue).apply_batch(done)?;
        }
        Ok(n)
    }

    /// Migration to schema 3: indexes every message's text and every conversation's name.
    pub(super) fn build_search_index(&self) -> Result<(), StoreError> {
        tracing::info!("building the search index (schema 3)");
        let index = self.tree(T::SearchIndex);
        let mut batch = sled::Batch::default();
        let mut pending = 0;
        for kv in self.tree(T::Messages) {
            let (k, v) = kv?;
            let m: Message = decode(&v)?;
            for token in search::tokens(&m.text) {
                batch.insert(keys::search_entry(&token, b'm', &k), &[]);
                pending += 1;
            }
            if pending > 50_000 {
                index.apply_batch(std::mem::take(&mut batch))?;
                pending = 0;
            }
        }
        for kv in self.tree(T::Conversations) {
            let (k, v) = kv?;
            let c: Conversation = decode(&v)?;
            for token in search::tokens(&c.display_name()) {
                batch.insert(keys::search_entry(&token, b'c', &k), &[]);
            }
        }
        index.apply_batch(batch)?;
        Ok(())
    }
}
