//! Each migration step from the layout it starts from, and a run of it cut off.

use super::*;
use crate::{
    domain::phone::PhoneNumber,
    store::{Change, Waited, test_support::open_again},
};
use chrono::Utc;

/// A directory of this name (and this process) for a store, emptied.
fn empty_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hirechat-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Stamps the store with an older schema, as if the layout the test left were that one's.
fn as_if_schema(store: &Store, version: u32) {
    store
        .tree(T::Meta)
        .unwrap()
        .insert(keys::SCHEMA_VERSION_KEY, &version.to_be_bytes())
        .unwrap();
}

fn inbound(wamid: &str) -> Change {
    crate::store::test_support::inbound("+819012345678", wamid)
}

/// A schema-7 store keeps a key per message; one cut off while packing has the first
/// messages of a conversation in a chunk and the rest on their own keys.
#[test]
fn messages_on_their_own_keys_are_packed_even_after_a_cut_off_run() {
    let dir = empty_dir("migrate8");
    let mut changes: Vec<Change> = (0..70).map(|n| inbound(&format!("wamid.A{n}"))).collect();
    let Change::Inbound(mut other) = inbound("wamid.B") else {
        unreachable!()
    };
    other.contact.phone = PhoneNumber::parse("+819087654321").ok();
    changes.push(Change::Inbound(other));
    let (before, ids) = {
        let store = Store::open(&dir, 8).unwrap();
        store.apply(&changes).unwrap();
        let ids: Vec<u64> = store
            .tree(T::Conversations)
            .unwrap()
            .iter()
            .keys()
            .map(|k| keys::read_id(&k.unwrap()))
            .collect();
        let mut before = Vec::new();
        for id in &ids {
            let c = store.conversation(*id).unwrap().unwrap();
            before.push(store.messages(&c, 1000).unwrap());
        }
        // Back to a key per message, then the first 20 of the first conversation packed
        // again, as a run cut off after its first batch leaves them.
        let tree = store.tree(T::Messages).unwrap();
        let mut legacy = Vec::new();
        for kv in &tree {
            let (k, v) = kv.unwrap();
            if k.len() == 12 {
                for (suffix, stored) in message_chunks::Chunk::decode(&v).unwrap().entries() {
                    legacy.push(([&k[..8], suffix.as_slice()].concat(), stored.clone()));
                }
            }
            tree.remove(k).unwrap();
        }
        for (k, v) in &legacy {
            tree.insert(k.as_slice(), v.as_slice()).unwrap();
        }
        let first = &legacy[..20];
        let mut get = |k: &[u8]| tree.get(k).map_err(StoreError::from);
        let mut packer = Packer::new(keys::read_id(&first[0].0), &mut get, |e| e);
        for (k, v) in first {
            packer
                .put(message_chunks::split(k).unwrap().1, v.clone())
                .unwrap();
        }
        for (k, v) in packer.writes() {
            tree.insert(k, v).unwrap();
        }
        for (k, _) in first {
            tree.remove(k.as_slice()).unwrap();
        }
        as_if_schema(&store, 7);
        store.flush().unwrap();
        (before, ids)
    };
    let store = open_again(&dir);
    for (id, before) in ids.iter().zip(&before) {
        let c = store.conversation(*id).unwrap().unwrap();
        assert_eq!(&store.messages(&c, 1000).unwrap(), before);
    }
    // 70 messages: three chunks and their directory; one message: one chunk.
    let lengths: Vec<usize> = store
        .tree(T::Messages)
        .unwrap()
        .iter()
        .keys()
        .map(|k| k.unwrap().len())
        .collect();
    assert_eq!(lengths, [8, 12, 12, 12, 12]);
    assert!(store.message_by_wamid("wamid.A33").unwrap().is_some());
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Entries of the list's index written before schema 9 are empty: the facts are read from
/// their conversations until the migration gives every entry its row.
#[test]
fn the_list_gets_the_filters_facts() {
    let dir = empty_dir("migrate9");
    let unread = |store: &Store| {
        let (total, page) = store.filter_page(|s| s.unread > 0, false, 0, 10).unwrap();
        (total, page.iter().map(|c| c.id).collect::<Vec<_>>())
    };
    let expected = {
        let store = Store::open(&dir, 8).unwrap();
        store.apply(&[inbound("wamid.M")]).unwrap();
        let expected = unread(&store);
        assert_eq!(expected.0, 1);
        let list = store.tree(T::ConvByActivity).unwrap();
        let (key, value) = list.iter().next().unwrap().unwrap();
        let c = store
            .conversation(keys::read_id(&key[8..]))
            .unwrap()
            .unwrap();
        let row: super::super::facts::Row = decode(&value).unwrap();
        assert_eq!(Some(row), super::super::facts::Row::of(&c));
        // As schema 8 left it: an empty entry, read from the conversation.
        list.insert(&key, &[]).unwrap();
        store.facts.forget();
        assert_eq!(unread(&store), expected);
        as_if_schema(&store, 8);
        store.flush().unwrap();
        expected
    };
    let store = open_again(&dir);
    let list = store.tree(T::ConvByActivity).unwrap();
    assert!(list.iter().values().all(|v| !v.unwrap().is_empty()));
    assert_eq!(unread(&store), expected);
    drop((list, store));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_schema_5_wamid_tree_becomes_buckets_and_is_dropped() {
    let dir = empty_dir("migrate6");
    {
        let store = Store::open(&dir, 8).unwrap();
        store.apply(&[inbound("wamid.M")]).unwrap();
        // As schema 5 left it: a key per wamid, no buckets.
        let m = store.message_by_wamid("wamid.M").unwrap().unwrap();
        let key = keys::message(m.conversation_id, m.at, m.id);
        store.tree(T::WamidIndex).unwrap().clear().unwrap();
        let db = store.current().unwrap().db.clone();
        db.open_tree(OLD_WAMID_TREE)
            .unwrap()
            .insert("wamid.M", &key)
            .unwrap();
        as_if_schema(&store, 5);
        store.flush().unwrap();
    }
    let store = open_again(&dir);
    let found = store.message_by_wamid("wamid.M").unwrap().unwrap();
    assert_eq!(found.text, "Is the interview still on?");
    // The duplicate check reads the buckets too: a repeat is stored once.
    store.apply(&[inbound("wamid.M")]).unwrap();
    assert_eq!(store.message_count().unwrap(), 1);
    let db = store.current().unwrap().db.clone();
    assert!(!db.tree_names().iter().any(|n| n.as_ref() == OLD_WAMID_TREE));
    drop((db, store));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_schema_1_store_gets_its_unreplied_and_search_indexes_on_open() {
    let dir = empty_dir("migrate");
    {
        let store = Store::open(&dir, 8).unwrap();
        store.apply(&[inbound("wamid.M")]).unwrap();
        // As a schema-1 store left it: no indexes, no counter.
        store.tree(T::ConvUnreplied).unwrap().clear().unwrap();
        store.tree(T::SearchIndex).unwrap().clear().unwrap();
        let meta = store.tree(T::Meta).unwrap();
        meta.remove(keys::UNREPLIED_COUNTER).unwrap();
        for k in meta.scan_prefix(keys::UNREPLIED_DAYS).keys() {
            meta.remove(k.unwrap()).unwrap();
        }
        as_if_schema(&store, 1);
        store.flush().unwrap();
    }
    let store = open_again(&dir);
    let (total, page) = store.unreplied(None, Waited::Any, 0, 10).unwrap();
    assert_eq!((total, page.len()), (1, 1));
    // Counted by day again: "waited longer than an hour from now" is that one.
    let later = Utc::now() + chrono::Duration::hours(1);
    let (longer, _) = store
        .unreplied(None, Waited::LongerThan(later), 0, 10)
        .unwrap();
    assert_eq!(longer, 1);
    let found = store
        .search(&crate::domain::search::Query::parse("interview"), 10)
        .unwrap();
    assert_eq!(found.len(), 1);
    let version = store
        .tree(T::Meta)
        .unwrap()
        .get(keys::SCHEMA_VERSION_KEY)
        .unwrap()
        .unwrap();
    assert_eq!(version.as_ref(), SCHEMA_VERSION.to_be_bytes());
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
