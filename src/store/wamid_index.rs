//! The wamid index, as bytes: wamid → the messages key of the message it names (its own, or
//! the one a reaction, edit or deletion changed; also the duplicate check for webhooks).
//!
//! sled keeps about 40 MB of page state per million keys (a leaf holds at most 16), so a key
//! per wamid would be a million keys per million messages. Instead every wamid falls in one of
//! 65,536 buckets by its SHA-256; a bucket is one value holding fixed-size entries: the next
//! 16 bytes of that hash (two wamids sharing 128 bits do not happen) and the 24-byte key. At a
//! million messages a bucket holds about 15 entries (600 bytes), read and written whole.

use sha2::{Digest, Sha256};

const ID: usize = 16;
const KEY: usize = 24;
const ENTRY: usize = ID + KEY;

/// Where a wamid is kept: its bucket (the tree's key) and its id inside the bucket.
pub struct Slot {
    pub bucket: [u8; 2],
    id: [u8; ID],
}

pub fn slot(wamid: &str) -> Slot {
    let hash = Sha256::digest(wamid.as_bytes());
    let mut bucket = [0u8; 2];
    bucket.copy_from_slice(&hash[..2]);
    let mut id = [0u8; ID];
    id.copy_from_slice(&hash[2..2 + ID]);
    Slot { bucket, id }
}

/// The messages key stored for `slot` in `bucket`, if any.
pub fn find<'a>(bucket: &'a [u8], slot: &Slot) -> Option<&'a [u8]> {
    bucket
        .chunks_exact(ENTRY)
        .find(|e| e[..ID] == slot.id)
        .map(|e| &e[ID..])
}

/// `bucket` with `slot` pointing at `key` (replacing what it pointed at).
pub fn with(bucket: Option<&[u8]>, slot: &Slot, key: &[u8]) -> Vec<u8> {
    debug_assert_eq!(key.len(), KEY, "a messages key");
    let mut out = Vec::with_capacity(bucket.map_or(0, <[u8]>::len) + ENTRY);
    for e in bucket.unwrap_or_default().chunks_exact(ENTRY) {
        if e[..ID] != slot.id {
            out.extend_from_slice(e);
        }
    }
    out.extend_from_slice(&slot.id);
    out.extend_from_slice(key);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_finds_each_of_its_wamids_and_replaces_one_written_again() {
        let a = slot("wamid.A");
        let b = slot("wamid.B");
        let mut bucket = with(None, &a, &[1; KEY]);
        assert_eq!(find(&bucket, &a), Some(&[1u8; KEY][..]));
        assert_eq!(find(&bucket, &b), None);
        // Two wamids in one bucket, as if their hashes began alike.
        let b_here = Slot {
            bucket: a.bucket,
            id: b.id,
        };
        bucket = with(Some(&bucket), &b_here, &[2; KEY]);
        bucket = with(Some(&bucket), &a, &[3; KEY]);
        assert_eq!(bucket.len(), 2 * ENTRY);
        assert_eq!(find(&bucket, &a), Some(&[3u8; KEY][..]));
        assert_eq!(find(&bucket, &b_here), Some(&[2u8; KEY][..]));
    }
}
