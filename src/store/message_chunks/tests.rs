//! The packing of messages into chunks: forms, appends, late messages, scans.

use std::collections::HashMap;

use super::*;

fn suffix(n: u64) -> Suffix {
    let mut s = [0u8; 16];
    s[..8].copy_from_slice(&(1_000 + n).to_be_bytes());
    s[8..].copy_from_slice(&n.to_be_bytes());
    s
}

/// A map standing in for a tree: what the packer reads and writes.
#[derive(Default)]
struct Kv(HashMap<Vec<u8>, Vec<u8>>);

impl Kv {
    fn put(&mut self, conversation: u64, s: Suffix, v: &[u8]) {
        let map = &self.0;
        let mut get =
            |k: &[u8]| Ok::<_, StoreError>(map.get(k).map(|v| sled::IVec::from(v.as_slice())));
        let mut p = Packer::new(conversation, &mut get, |e| e);
        p.put(s, v.to_vec()).unwrap();
        let writes = p.writes();
        self.0.extend(writes);
    }

    fn get(&self, conversation: u64, s: &Suffix) -> Option<Vec<u8>> {
        let map = &self.0;
        let mut get =
            |k: &[u8]| Ok::<_, StoreError>(map.get(k).map(|v| sled::IVec::from(v.as_slice())));
        Packer::new(conversation, &mut get, |e| e).get(s).unwrap()
    }

    fn tree(&self) -> sled::Tree {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("messages").unwrap();
        for (k, v) in &self.0 {
            tree.insert(k.as_slice(), v.as_slice()).unwrap();
        }
        tree
    }
}

fn listed(
    tree: &sled::Tree,
    conversation: u64,
    range: (Suffix, Suffix),
    newest_first: bool,
) -> Vec<Suffix> {
    let mut out = Vec::new();
    scan(tree, conversation, range, newest_first, &mut |s, _| {
        out.push(*s);
        Ok(true)
    })
    .unwrap();
    out
}

#[test]
fn forms_round_trip() {
    let chunk = Chunk {
        entries: vec![(suffix(1), b"\x02one".to_vec()), (suffix(2), Vec::new())],
    };
    assert_eq!(Chunk::decode(&chunk.encode()).unwrap(), chunk);
    let directory = Directory {
        starts: vec![(suffix(0), 0), (suffix(40), 3)],
    };
    assert_eq!(Directory::decode(&directory.encode()).unwrap(), directory);
    assert!(Chunk::decode(&chunk.encode()[..30]).is_err());
    assert!(Directory::decode(b"\x04short").is_err());
}

/// Messages in time order fill chunks of 32, one key each, with a directory once there is
/// more than one; every message is found again, and listed in order from any range.
#[test]
fn appends_fill_chunks_in_order() {
    let mut kv = Kv::default();
    for n in 0..100 {
        kv.put(7, suffix(n), &n.to_be_bytes());
    }
    kv.put(8, suffix(5), b"other");
    // Chunks 0..=3 of 7 (32, 32, 32, 4), its directory; one chunk of 8, no directory.
    assert_eq!(kv.0.len(), 6);
    for n in 0..100 {
        assert_eq!(kv.get(7, &suffix(n)), Some(n.to_be_bytes().to_vec()), "{n}");
    }
    assert_eq!(kv.get(7, &suffix(100)), None);
    assert_eq!(kv.get(8, &suffix(5)), Some(b"other".to_vec()));
    let tree = kv.tree();
    let all: Vec<Suffix> = (0..100).map(suffix).collect();
    assert_eq!(listed(&tree, 7, ([0; 16], [0xff; 16]), false), all);
    let newest: Vec<Suffix> = (20..70).rev().map(suffix).collect();
    assert_eq!(listed(&tree, 7, (suffix(20), suffix(70)), true), newest);
    let mut each = 0;
    each_message(&tree, &mut |_, _| {
        each += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(each, 101);
}

/// Messages that come late go where their time puts them; a chunk they overfill is halved;
/// a message stored again is replaced, not repeated.
#[test]
fn late_messages_find_their_place() {
    let mut kv = Kv::default();
    for n in (0..200).step_by(2) {
        kv.put(7, suffix(n + 1), b"even");
    }
    for n in (0..200).step_by(2) {
        kv.put(7, suffix(n), b"odd");
    }
    kv.put(7, suffix(3), b"again");
    let tree = kv.tree();
    let listed = listed(&tree, 7, ([0; 16], [0xff; 16]), false);
    assert_eq!(listed, (0..200).map(suffix).collect::<Vec<_>>());
    assert_eq!(kv.get(7, &suffix(3)), Some(b"again".to_vec()));
    for v in kv.0.values().filter(|v| v[0] == MESSAGE_CHUNK) {
        assert!(Chunk::decode(v).unwrap().entries.len() < 2 * PER_CHUNK);
    }
}
