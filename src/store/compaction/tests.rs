//! A compaction keeps every key, raises new ids above old ones, and a run cut off at any
//! point is finished or undone at the next open.

use std::path::PathBuf;

use super::*;
use crate::store::{
    Change,
    test_support::{inbound, open_again},
};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hirechat-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A tree's name and its keys and values.
type Dump = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

/// Every tree's keys and values but the two a compaction sets.
fn everything(store: &Store) -> Vec<Dump> {
    let db = &store.current().unwrap().db;
    let mut names = db.tree_names();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let tree = db.open_tree(&name).unwrap();
            let kvs = tree
                .iter()
                .map(|kv| kv.unwrap())
                .filter(|(k, _)| {
                    ![keys::ID_FLOOR, keys::COMPACTED_BYTES]
                        .iter()
                        .any(|set| k.as_ref() == set.as_bytes())
                })
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .collect();
            (name.to_vec(), kvs)
        })
        .collect()
}

/// Compacts the store a block before dropped, once its last thread lets go of it.
fn compact(dir: &Path, progress: &mut dyn FnMut(u64)) -> Compacted {
    compact_leaving(dir, RESERVE, progress).unwrap()
}

/// [`Store::compact_leaving`] once the store's last thread lets go of it.
fn compact_leaving(
    dir: &Path,
    reserve: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<Compacted, StoreError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match Store::compact_leaving(dir, 8, reserve, progress) {
            Err(StoreError::Locked(_)) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            done => return done,
        }
    }
}

/// A store of one message in a fresh directory, closed, its last thread given a moment to
/// let go of its files.
fn store_of_one_message(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let store = Store::open(&dir, 8).unwrap();
    store
        .apply(&[inbound("+819012345678", "wamid.one")])
        .unwrap();
    store.flush().unwrap();
    drop(store);
    std::thread::sleep(std::time::Duration::from_millis(200));
    dir
}

fn message_ids(store: &Store) -> Vec<u64> {
    let mut ids = Vec::new();
    for kv in &store.tree(T::Conversations).unwrap() {
        let id = keys::read_id(&kv.unwrap().0);
        let c = store.conversation(id).unwrap().unwrap();
        ids.extend(store.messages(&c, 1000).unwrap().iter().map(|m| m.id));
    }
    ids
}

#[test]
fn a_compacted_store_keeps_every_key_and_gives_out_only_new_ids() {
    let dir = temp_dir("compact");
    let changes: Vec<Change> = (0..40)
        .map(|n| {
            let phone = if n % 2 == 0 {
                "+819012345678"
            } else {
                "+819087654321"
            };
            inbound(phone, &format!("wamid.C{n}"))
        })
        .collect();
    let (before, old_ids) = {
        let store = Store::open(&dir, 8).unwrap();
        store.apply(&changes).unwrap();
        store.flush().unwrap();
        (everything(&store), message_ids(&store))
    };
    assert_eq!(old_ids.len(), 40);
    let mut told = Vec::new();
    let compacted = compact(&dir, &mut |n| told.push(n));
    assert_eq!(told.last(), Some(&compacted.keys));
    assert!(compacted.keys >= 40, "{compacted:?}");
    assert!(!dir.join(FRESH).exists() && !dir.join(OLD).exists());

    for round in 0..2 {
        let store = open_again(&dir);
        assert_eq!(everything(&store), before, "round {round}");
        drop(store);
        // Twice: the second compaction raises the floor above the first one's.
        if round == 0 {
            compact(&dir, &mut |_| {});
        }
    }
    let store = open_again(&dir);
    store
        .apply(&[inbound("+819012345678", "wamid.after")])
        .unwrap();
    let new_ids: Vec<u64> = message_ids(&store)
        .into_iter()
        .filter(|id| !old_ids.contains(id))
        .collect();
    assert_eq!(new_ids.len(), 1);
    assert!(new_ids[0] > *old_ids.iter().max().unwrap());
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_compaction_that_would_fill_the_disk_stops_and_leaves_the_store_as_it_was() {
    let dir = store_of_one_message("compact-no-room");
    let before = everything(&open_again(&dir));
    let refused = compact_leaving(&dir, u64::MAX, &mut |_| {});
    assert!(
        matches!(refused, Err(StoreError::NoRoom { .. })),
        "{refused:?}"
    );
    let message = refused.unwrap_err().to_string();
    assert!(
        message.contains("free some room and compact again"),
        "{message}"
    );
    assert!(!dir.join(FRESH).exists(), "the copy is removed");
    assert_eq!(everything(&open_again(&dir)), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_in_use_is_not_compacted() {
    let dir = temp_dir("compact-locked");
    let store = Store::open(&dir, 8).unwrap();
    assert!(matches!(
        Store::compact(&dir, 8, &mut |_| {}),
        Err(StoreError::Locked(_))
    ));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Cut off while copying: the copy is thrown away, the database is as it was.
#[test]
fn an_unfinished_copy_is_removed_at_the_next_open() {
    let dir = store_of_one_message("compact-copying");
    std::fs::create_dir_all(dir.join(FRESH)).unwrap();
    std::fs::write(dir.join(FRESH).join("db"), b"half a copy").unwrap();
    let store = open_again(&dir);
    assert_eq!(message_ids(&store).len(), 1);
    assert!(!dir.join(FRESH).exists());
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Cut off between the renames (the old database moved aside, the copy not yet in place),
/// or after them (the old one not yet removed): the copy is used, the old one removed.
#[test]
fn a_finished_copy_is_put_in_place_at_the_next_open() {
    for cut_after_second_rename in [false, true] {
        let dir = store_of_one_message(&format!("compact-swap-{cut_after_second_rename}"));
        let db = dir.join("db");
        std::fs::rename(&db, dir.join(FRESH)).unwrap();
        std::fs::create_dir_all(dir.join(OLD)).unwrap();
        std::fs::write(dir.join(OLD).join("db"), b"the old database").unwrap();
        if cut_after_second_rename {
            std::fs::rename(dir.join(FRESH), &db).unwrap();
        }
        let store = open_again(&dir);
        assert_eq!(message_ids(&store).len(), 1);
        assert!(!dir.join(FRESH).exists() && !dir.join(OLD).exists());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Cut off with the old database moved aside and no copy (not a state a compaction leaves,
/// but a person tidying up might): the old one is put back.
#[test]
fn an_old_database_alone_is_put_back() {
    let dir = store_of_one_message("compact-old");
    std::fs::rename(dir.join("db"), dir.join(OLD)).unwrap();
    let store = open_again(&dir);
    assert_eq!(message_ids(&store).len(), 1);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_is_written_anew_once_it_has_grown_half_again_or_large_without_ever_being() {
    const MB: u64 = 1 << 20;
    assert!(!worth_it(10 * MB, None));
    assert!(!worth_it(255 * MB, None));
    assert!(worth_it(256 * MB, None));
    assert!(!worth_it(149 * MB, Some(100 * MB)));
    assert!(worth_it(150 * MB, Some(100 * MB)));
    // Small stores are never worth it, whatever they grew by.
    assert!(!worth_it(60 * MB, Some(MB)));
}
