//! The floor under the store's ingest: sled doing only the reads and writes the store asks of
//! it for one delivery from a contact it knows (`store::apply::Tx::inbound`), with values of
//! about the stored sizes and no encoding, events or indexes of ours. Whatever the store
//! gains, it cannot ingest faster than this on the same machine.
//!
//! Per delivery, in one transaction per group of `concurrency`, flushed once: six reads (the
//! wamid's bucket, the number's conversation, the conversation, its record by number, its
//! last chunk of messages, the messages counter) and seven writes (the bucket, the chunk, the
//! conversation, the list entry moved out and in, the unreplied entry moved out and in).
//! Deliveries go to 5,000 contacts in turn, as the bench's deliveries do.

use std::time::Instant;

use sled::Transactional;

const CONTACTS: usize = 5000;

/// Deliveries per second.
pub fn run(n: usize, concurrency: usize) -> f64 {
    let dir = crate::common::temp_dir("floor");
    let db = sled::Config::new()
        .path(&dir)
        .cache_capacity(64 * 1024 * 1024)
        .open()
        .unwrap();
    let names = [
        "wamids",
        "phones",
        "convs",
        "records",
        "messages",
        "meta",
        "activity",
        "unreplied",
    ];
    let trees: Vec<sled::Tree> = names.iter().map(|t| db.open_tree(t).unwrap()).collect();
    let start = Instant::now();
    let mut i = 0;
    while i < n {
        let group = i..(i + concurrency).min(n);
        trees
            .as_slice()
            .transaction(|t| {
                let [
                    wamids,
                    phones,
                    convs,
                    records,
                    messages,
                    meta,
                    activity,
                    unreplied,
                ] = t.as_slice()
                else {
                    unreachable!("eight trees")
                };
                for d in group.clone() {
                    let contact = (d % CONTACTS) as u64;
                    // Two bytes of the wamid's hash, as `store::wamid_index` keeps them.
                    let bucket =
                        u16::try_from((d as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48)
                            .unwrap();
                    let wamid_bucket = wamids.get(bucket.to_be_bytes())?;
                    let _ = phones.get(contact.to_be_bytes())?;
                    let _ = convs.get(contact.to_be_bytes())?;
                    let _ = records.get(contact.to_be_bytes())?;
                    let chunk = (contact, u32::try_from(d / CONTACTS / 32).unwrap());
                    let chunk_key = [&chunk.0.to_be_bytes()[..], &chunk.1.to_be_bytes()].concat();
                    let old_chunk = messages.get(&chunk_key)?;
                    let _ = meta.get(b"messages")?;
                    let mut bucket_value = wamid_bucket.map(|b| b.to_vec()).unwrap_or_default();
                    bucket_value.extend_from_slice(&[7u8; 40]);
                    wamids.insert(&bucket.to_be_bytes(), bucket_value)?;
                    let mut chunk_value = old_chunk.map(|c| c.to_vec()).unwrap_or_default();
                    chunk_value.extend_from_slice(&[b'm'; 150]);
                    messages.insert(chunk_key, chunk_value)?;
                    convs.insert(&contact.to_be_bytes(), vec![b'c'; 200])?;
                    let (was, now) = (
                        moment(d.checked_sub(CONTACTS), contact),
                        moment(Some(d), contact),
                    );
                    for index in [activity, unreplied] {
                        if let Some(old) = was {
                            index.remove(&old)?;
                        }
                        index.insert(&now.unwrap(), vec![b'f'; 20])?;
                    }
                }
                meta.insert(b"messages", &(group.end as u64).to_be_bytes())?;
                Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
            })
            .unwrap();
        db.flush().unwrap();
        i = group.end;
    }
    let secs = start.elapsed().as_secs_f64();
    drop((trees, db));
    let _ = std::fs::remove_dir_all(dir);
    #[expect(clippy::cast_precision_loss, reason = "counts are small")]
    let rate = n as f64 / secs;
    rate
}

/// The key under which delivery `d` (none: before the first) files its contact in a list
/// ordered by time: time first, then the conversation.
fn moment(d: Option<usize>, contact: u64) -> Option<[u8; 16]> {
    let d = d? as u64;
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&(1_767_225_600_000 + d).to_be_bytes());
    k[8..].copy_from_slice(&contact.to_be_bytes());
    Some(k)
}
