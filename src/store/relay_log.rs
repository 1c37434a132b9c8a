//! The relay's own database (`hirechat relay`): Meta's deliveries exactly as they came (raw
//! bytes and signature header) under a cursor that only grows, and each consumer's
//! acknowledged cursor. One sled tree, keys:
//! - `e` + cursor (u64, big endian) → received at (ms, u64 BE), the signature's length (u16
//!   BE), the signature, then the body;
//! - `c` + consumer name → its acknowledged cursor (u64 BE);
//! - `n` → the next cursor; `b` → bytes of deliveries kept.
//!
//! Every write is one atomic batch, flushed before it returns: a delivery is answered 200, and
//! an acknowledgement counted, only once it is on disk.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, RwLock},
};

use chrono::{DateTime, TimeZone, Utc};

use super::StoreError;

const NEXT: &[u8] = b"n";
const BYTES: &[u8] = b"b";

/// One delivery as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub cursor: u64,
    pub received_at: DateTime<Utc>,
    /// `X-Hub-Signature-256` as Meta sent it, if it sent one.
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

/// A delivery to keep.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub received_at: DateTime<Utc>,
    pub signature: Option<String>,
    pub body: bytes::Bytes,
}

impl Delivery {
    /// What it costs against the relay's cap.
    pub fn size(&self) -> u64 {
        (self.body.len() + self.signature.as_ref().map_or(0, String::len) + 19) as u64
    }
}

#[derive(Clone)]
pub struct RelayLog {
    db: Arc<RwLock<Option<sled::Db>>>,
    path: PathBuf,
    cache_mb: u64,
    /// Writes read and update `n` and `b`: one at a time.
    writing: Arc<Mutex<()>>,
}

fn event_key(cursor: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = b'e';
    k[1..].copy_from_slice(&cursor.to_be_bytes());
    k
}

fn consumer_key(name: &str) -> Vec<u8> {
    let mut k = vec![b'c'];
    k.extend_from_slice(name.as_bytes());
    k
}

fn read_u64(v: Option<sled::IVec>) -> Result<u64, StoreError> {
    match v {
        None => Ok(0),
        Some(v) => Ok(u64::from_be_bytes(v.as_ref().try_into().map_err(|_| {
            StoreError::Corrupt("a relay counter is not 8 bytes".into())
        })?)),
    }
}

fn encode(d: &Delivery) -> Vec<u8> {
    let sig = d.signature.as_deref().unwrap_or_default().as_bytes();
    let sig = &sig[..sig.len().min(usize::from(u16::MAX))];
    let mut v = Vec::with_capacity(10 + sig.len() + d.body.len());
    let ms = u64::try_from(d.received_at.timestamp_millis()).unwrap_or_default();
    v.extend_from_slice(&ms.to_be_bytes());
    v.extend_from_slice(&u16::try_from(sig.len()).unwrap_or_default().to_be_bytes());
    v.extend_from_slice(sig);
    v.extend_from_slice(&d.body);
    v
}

fn decode(cursor: u64, v: &[u8]) -> Result<Kept, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("relay delivery {cursor} is cut short"));
    let ms = u64::from_be_bytes(
        v.get(..8)
            .ok_or_else(corrupt)?
            .try_into()
            .map_err(|_| corrupt())?,
    );
    let len = usize::from(u16::from_be_bytes(
        v.get(8..10)
            .ok_or_else(corrupt)?
            .try_into()
            .map_err(|_| corrupt())?,
    ));
    let sig = v.get(10..10 + len).ok_or_else(corrupt)?;
    Ok(Kept {
        cursor,
        received_at: Utc
            .timestamp_millis_opt(i64::try_from(ms).unwrap_or_default())
            .single()
            .unwrap_or_default(),
        signature: (!sig.is_empty()).then(|| String::from_utf8_lossy(sig).into_owned()),
        body: v[10 + len..].to_vec(),
    })
}

fn open_db(path: &Path, cache_mb: u64) -> Result<sled::Db, StoreError> {
    sled::Config::new()
        .path(path)
        .cache_capacity(cache_mb.max(1) * 1024 * 1024)
        .open()
        .map_err(|e| match e {
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("lock") =>
            {
                StoreError::Locked(path.to_owned())
            }
            other => StoreError::Sled(other),
        })
}

impl RelayLog {
    /// Opens (or creates) the relay's database in `dir/relay`.
    pub fn open(dir: &Path, cache_mb: u64) -> Result<Self, StoreError> {
        let path = dir.join("relay");
        let db = open_db(&path, cache_mb)?;
        Ok(Self {
            db: Arc::new(RwLock::new(Some(db))),
            path,
            cache_mb,
            writing: Arc::default(),
        })
    }

    fn db(&self) -> Result<sled::Db, StoreError> {
        self.db
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(StoreError::Closed)
    }

    /// Opens the database again after a failed write (sled takes no more until then).
    pub fn reopen(&self) -> Result<(), StoreError> {
        let mut slot = self
            .db
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(old) = slot.take() {
            drop(old);
            // Readers in progress hold clones: give them a moment to let go of the files.
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        *slot = Some(open_db(&self.path, self.cache_mb)?);
        Ok(())
    }

    /// Keeps `deliveries` in one batch, durable on return, as many of them (from the first)
    /// as fit under `cap` bytes kept; returns the cursors of those kept.
    pub fn append(&self, deliveries: &[Delivery], cap: u64) -> Result<Vec<u64>, StoreError> {
        let _one = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let db = self.db()?;
        let (next, mut bytes) = (read_u64(db.get(NEXT)?)?.max(1), read_u64(db.get(BYTES)?)?);
        let mut batch = sled::Batch::default();
        let mut cursors = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            if bytes.saturating_add(d.size()) > cap {
                break;
            }
            bytes += d.size();
            let cursor = next + cursors.len() as u64;
            batch.insert(&event_key(cursor)[..], encode(d));
            cursors.push(cursor);
        }
        if cursors.is_empty() {
            return Ok(cursors);
        }
        batch.insert(NEXT, &(next + cursors.len() as u64).to_be_bytes());
        batch.insert(BYTES, &bytes.to_be_bytes());
        db.apply_batch(batch)?;
        db.flush()?;
        Ok(cursors)
    }

    /// Deliveries after `cursor`, oldest first: at most `limit`, and no more than `max_bytes`
    /// of bodies (but always one, whatever its size).
    pub fn after(
        &self,
        cursor: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<Kept>, StoreError> {
        let db = self.db()?;
        let mut out = Vec::new();
        let mut taken = 0usize;
        for kv in db.range(event_key(cursor.saturating_add(1))..event_key(u64::MAX)) {
            let (k, v) = kv?;
            let c = u64::from_be_bytes(
                k[1..9]
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("a relay key is not 9 bytes".into()))?,
            );
            if out.len() >= limit || (!out.is_empty() && taken + v.len() > max_bytes) {
                break;
            }
            taken += v.len();
            out.push(decode(c, &v)?);
        }
        Ok(out)
    }

    /// The cursor of the newest delivery kept or ever kept (0 before the first).
    pub fn last_cursor(&self) -> Result<u64, StoreError> {
        Ok(read_u64(self.db()?.get(NEXT)?)?.saturating_sub(1))
    }

    /// Bytes of deliveries kept.
    pub fn bytes(&self) -> Result<u64, StoreError> {
        read_u64(self.db()?.get(BYTES)?)
    }

    /// Deliveries kept.
    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.db()?.scan_prefix(b"e").count())
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.db()?.scan_prefix(b"e").next().is_none())
    }

    /// `consumer`'s acknowledged cursor (0 before its first acknowledgement).
    pub fn acked(&self, consumer: &str) -> Result<u64, StoreError> {
        read_u64(self.db()?.get(consumer_key(consumer))?)
    }

    /// Moves `consumer`'s cursor forward to `cursor` (never back), durable on return; returns
    /// the cursor now kept.
    pub fn ack(&self, consumer: &str, cursor: u64) -> Result<u64, StoreError> {
        let _one = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let db = self.db()?;
        let key = consumer_key(consumer);
        let now = read_u64(db.get(&key)?)?;
        if cursor <= now {
            return Ok(now);
        }
        db.insert(key, &cursor.to_be_bytes())?;
        db.flush()?;
        Ok(cursor)
    }

    /// Deletes the deliveries up to `through` that arrived before `before`, oldest first;
    /// returns how many.
    pub fn prune(&self, through: u64, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let _one = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let db = self.db()?;
        let mut batch = sled::Batch::default();
        let (mut count, mut freed) = (0usize, 0u64);
        for kv in db.range(event_key(1)..=event_key(through)) {
            let (k, v) = kv?;
            let c = u64::from_be_bytes(
                k[1..9]
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("a relay key is not 9 bytes".into()))?,
            );
            let kept = decode(c, &v)?;
            if kept.received_at >= before {
                break;
            }
            freed += (v.len() + 9) as u64;
            batch.remove(k);
            count += 1;
        }
        if count > 0 {
            let bytes = read_u64(db.get(BYTES)?)?;
            batch.insert(BYTES, &bytes.saturating_sub(freed).to_be_bytes());
            db.apply_batch(batch)?;
            db.flush()?;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(body: &str) -> Delivery {
        Delivery {
            received_at: Utc::now(),
            signature: Some("sha256=ab".into()),
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    #[test]
    fn cursors_grow_acks_move_forward_and_pruning_frees_room() {
        let dir = std::env::temp_dir().join(format!("relay-log-{}", fastrand::u64(..)));
        let log = RelayLog::open(&dir, 4).unwrap();
        let two = [delivery("{\"a\":1}"), delivery("{\"b\":2}")];
        assert_eq!(log.append(&two, 1 << 20).unwrap(), vec![1, 2]);
        let cap = log.bytes().unwrap() + delivery("x").size();
        let three = [delivery("x"), delivery("y"), delivery("z")];
        assert_eq!(
            log.append(&three, cap).unwrap(),
            vec![3],
            "what fits under the cap"
        );
        assert!(log.append(&three, cap).unwrap().is_empty(), "full");
        let read = log.after(0, 10, 1 << 20).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read[1].body, b"{\"b\":2}");
        assert_eq!(read[1].signature.as_deref(), Some("sha256=ab"));
        assert_eq!(log.after(1, 10, 1).unwrap().len(), 1, "always one");
        assert_eq!(log.ack("inbox", 2).unwrap(), 2);
        assert_eq!(log.ack("inbox", 1).unwrap(), 2, "never back");
        let before = log.bytes().unwrap();
        assert_eq!(
            log.prune(1, Utc::now() + chrono::Duration::seconds(1))
                .unwrap(),
            1
        );
        assert!(log.bytes().unwrap() < before);
        assert_eq!(log.after(0, 10, 1 << 20).unwrap()[0].cursor, 2);
        drop(log);
        // sled lets go of its file lock when its last flush is done: a moment after the drop.
        let mut reopened = RelayLog::open(&dir, 4);
        for _ in 0..100 {
            if reopened.is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            reopened = RelayLog::open(&dir, 4);
        }
        let log = reopened.unwrap();
        assert_eq!(log.append(&[delivery("c")], 1 << 20).unwrap(), vec![4]);
        assert_eq!(log.acked("inbox").unwrap(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
