//! The search queue's entries, as bytes: what a write leaves for the search index.
//!
//! A transaction queues every text it wrote (a message by its key, a conversation's name by
//! its id) in one entry, under [`GROUP`] and a fresh id: one key per group of webhooks rather
//! than one per message, since each sled key written costs the writer a page update. Stores
//! from before kept an entry per text (`m` or `c`, then its key); those are still read.

use super::StoreError;

/// The first byte of a group entry's key (`m` and `c` were the entries of a single text).
pub const GROUP: u8 = b'g';

/// A message, by its messages key.
pub const MESSAGE: u8 = b'm';
/// A conversation's name, by the conversation's id.
pub const NAME: u8 = b'c';

/// The key of a group entry: [`GROUP`], then its id.
pub fn group_key(turn: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = GROUP;
    k[1..].copy_from_slice(&turn.to_be_bytes());
    k
}

/// Adds one text to a group entry's value being built: its kind, its key's length, its key.
pub fn push(group: &mut Vec<u8>, what: u8, key: &[u8]) {
    // Keys are 8 or 24 bytes; the length is one byte, and what it says is what follows.
    let key = &key[..key.len().min(usize::from(u8::MAX))];
    group.push(what);
    group.push(u8::try_from(key.len()).unwrap_or(u8::MAX));
    group.extend_from_slice(key);
}

/// The texts an entry names, whichever form it has: (kind, key).
pub fn texts(key: &[u8], value: &[u8]) -> Result<Vec<(u8, Vec<u8>)>, StoreError> {
    let Some((&first, rest)) = key.split_first() else {
        return Ok(Vec::new());
    };
    if first != GROUP {
        return Ok(vec![(first, rest.to_vec())]);
    }
    let corrupt = || StoreError::Corrupt("a search queue entry is cut short".into());
    let mut out = Vec::new();
    let mut rest = value;
    while let [what, len, tail @ ..] = rest {
        let len = usize::from(*len);
        let key = tail.get(..len).ok_or_else(corrupt)?;
        out.push((*what, key.to_vec()));
        rest = &tail[len..];
    }
    if rest.is_empty() {
        Ok(out)
    } else {
        Err(corrupt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{event::Event, search::Query};
    use crate::store::{Store, T, keys, test_support::inbound};

    #[test]
    fn a_transaction_queues_its_texts_in_one_entry_and_an_older_single_entry_is_indexed_too() {
        let dir = std::env::temp_dir().join(format!("hirechat-queue-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir, 8).unwrap();
        store
            .apply(&[
                inbound("+819011112222", "w.a"),
                inbound("+819033334444", "w.b"),
            ])
            .unwrap();
        let queue = store.tree(T::SearchQueue).unwrap();
        let entries: Vec<_> = queue.iter().map(Result::unwrap).collect();
        assert_eq!(entries.len(), 1, "one entry for the transaction");
        assert_eq!(entries[0].0[0], GROUP);
        // A third message queued as a store from before would have queued it (its
        // conversation's name is not queued again).
        let events = store.apply(&[inbound("+819055556666", "w.c")]).unwrap();
        let Some(Event::MessageReceived { message: m, .. }) = events[0].first() else {
            panic!("a message: {events:?}");
        };
        let group = queue.iter().keys().last().unwrap().unwrap();
        queue.remove(group).unwrap();
        let mut single = vec![MESSAGE];
        single.extend_from_slice(&keys::message(m.conversation_id, m.at, m.id));
        queue.insert(single, &keys::id(1)).unwrap();

        assert_eq!(
            store.index_pending(100).unwrap(),
            3 + 2,
            "three messages, two names"
        );
        assert!(queue.is_empty());
        let found = store.search(&Query::parse("interview"), 10).unwrap();
        assert_eq!(found.iter().filter(|f| f.message.is_some()).count(), 3);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_group_names_each_text_queued_in_it_and_a_single_entry_still_reads() {
        let mut group = Vec::new();
        push(&mut group, MESSAGE, &[7; 24]);
        push(&mut group, NAME, &[1; 8]);
        let texts_of_group = texts(&group_key(42), &group).unwrap();
        assert_eq!(
            texts_of_group,
            vec![(MESSAGE, vec![7; 24]), (NAME, vec![1; 8])]
        );
        let mut single = vec![MESSAGE];
        single.extend_from_slice(&[9; 24]);
        assert_eq!(
            texts(&single, &42u64.to_be_bytes()).unwrap(),
            vec![(MESSAGE, vec![9; 24])]
        );
        assert!(texts(&group_key(1), &group[..group.len() - 1]).is_err());
    }

    #[test]
    fn an_entry_that_cannot_be_read_is_dropped_and_searches_go_on() {
        let dir = std::env::temp_dir().join(format!("hirechat-queue-bad-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir, 8).unwrap();
        store.apply(&[inbound("+819011112222", "w.a")]).unwrap();
        let queue = store.tree(T::SearchQueue).unwrap();
        queue
            .insert(group_key(u64::MAX), &[MESSAGE, 24, 1][..])
            .unwrap();
        assert_eq!(
            store.index_pending(100).unwrap(),
            2,
            "the readable entry's texts"
        );
        assert!(queue.is_empty());
        assert_eq!(
            store.search(&Query::parse("interview"), 10).unwrap().len(),
            1
        );
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
