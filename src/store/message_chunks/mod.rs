//! Where messages are kept: a conversation's messages in chunks of up to [`PER_CHUNK`], in
//! the order of their keys (time, then id), rather than a key each. sled keeps a page for
//! every 8 to 16 keys and reads every page's state when it opens, so a key per message cost
//! memory and start-up time for every message ever stored; chunks cut the keys of a
//! conversation with ten messages from ten to one.
//!
//! A message is still named by its key (`keys::message`: conversation, time, id), which the
//! wamid index, the search queue and the files point at; only where it is stored changed:
//!
//! - `conversation` (8 bytes) → the [`Directory`]: where each chunk starts. Absent while the
//!   conversation has one chunk, which is most of them.
//! - `conversation, number` (12 bytes) → a [`Chunk`]: the messages' key suffixes (time, id)
//!   and their stored forms, in order.
//!
//! New messages go to the last chunk; when it is full, the next one starts. A message that
//! comes late goes where its time puts it, and a chunk that grows to twice the size that way
//! is halved. Keys of 24 bytes are messages stored one per key before schema 8, read by
//! [`each_message`] while the migration packs them.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    StoreError,
    codec::{CHUNK_DIRECTORY, MESSAGE_CHUNK},
    keys,
};

/// Messages a chunk takes before the next begins. An append rewrites its chunk, so this is
/// what a message costs to store (about 32 × 150 bytes at most) against the keys it saves.
pub const PER_CHUNK: usize = 32;

/// A message key without its conversation: time, then id.
pub type Suffix = [u8; 16];

/// A message key's conversation and suffix; none for a key of another length.
pub fn split(key: &[u8]) -> Option<(u64, Suffix)> {
    let suffix: Suffix = key.get(8..24)?.try_into().ok()?;
    (key.len() == 24).then(|| (keys::read_id(key), suffix))
}

/// Every suffix: a conversation's whole range of messages.
pub const ALL: (Suffix, Suffix) = ([0; 16], [0xff; 16]);

/// The suffix of `keys::message(_, at, id)`: a bound of a range of messages.
pub fn suffix(at: chrono::DateTime<chrono::Utc>, id: u64) -> Suffix {
    let mut s = [0u8; 16];
    s.copy_from_slice(&keys::message(0, at, id)[8..]);
    s
}

pub fn directory_key(conversation: u64) -> [u8; 8] {
    keys::id(conversation)
}

pub fn chunk_key(conversation: u64, number: u32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&keys::id(conversation));
    k[8..].copy_from_slice(&number.to_be_bytes());
    k
}

/// Some messages of a conversation, in key order, each as it is stored (`Message::to_stored`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Chunk {
    entries: Vec<(Suffix, Vec<u8>)>,
}

impl Chunk {
    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        let corrupt = || StoreError::Corrupt("a chunk of messages is cut short".into());
        let Some((&MESSAGE_CHUNK, mut rest)) = bytes.split_first() else {
            return Err(StoreError::Corrupt("not a chunk of messages".into()));
        };
        let mut entries = Vec::new();
        while !rest.is_empty() {
            let suffix: Suffix = rest
                .get(..16)
                .ok_or_else(corrupt)?
                .try_into()
                .map_err(|_| corrupt())?;
            let len: [u8; 4] = rest
                .get(16..20)
                .ok_or_else(corrupt)?
                .try_into()
                .map_err(|_| corrupt())?;
            let end = 20 + u32::from_le_bytes(len) as usize;
            entries.push((suffix, rest.get(20..end).ok_or_else(corrupt)?.to_vec()));
            rest = &rest[end..];
        }
        Ok(Self { entries })
    }

    pub fn encode(&self) -> Vec<u8> {
        let size = self
            .entries
            .iter()
            .map(|(_, v)| 20 + v.len())
            .sum::<usize>();
        let mut out = Vec::with_capacity(1 + size);
        out.push(MESSAGE_CHUNK);
        for (suffix, stored) in &self.entries {
            out.extend_from_slice(suffix);
            let len = u32::try_from(stored.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(stored);
        }
        out
    }

    pub fn entries(&self) -> &[(Suffix, Vec<u8>)] {
        &self.entries
    }

    fn get(&self, s: &Suffix) -> Option<&[u8]> {
        let i = self.entries.binary_search_by(|(k, _)| k.cmp(s)).ok()?;
        Some(&self.entries[i].1)
    }

    fn set(&mut self, s: Suffix, stored: Vec<u8>) {
        match self.entries.binary_search_by(|(k, _)| k.cmp(&s)) {
            Ok(i) => self.entries[i].1 = stored,
            Err(i) => self.entries.insert(i, (s, stored)),
        }
    }
}

/// Where each chunk of a conversation starts, in key order. The first chunk holds everything
/// before the second's start, whatever its own start says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    starts: Vec<(Suffix, u32)>,
}

impl Directory {
    /// What an absent directory means: one chunk, number 0.
    fn single() -> Self {
        Self {
            starts: vec![([0; 16], 0)],
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        let Some((&CHUNK_DIRECTORY, rest)) = bytes.split_first() else {
            return Err(StoreError::Corrupt("not a directory of chunks".into()));
        };
        if rest.is_empty() || rest.len() % 20 != 0 {
            return Err(StoreError::Corrupt(
                "a directory of chunks is cut short".into(),
            ));
        }
        let starts = rest
            .chunks_exact(20)
            .map(|e| {
                let mut suffix = [0u8; 16];
                suffix.copy_from_slice(&e[..16]);
                let mut number = [0u8; 4];
                number.copy_from_slice(&e[16..]);
                (suffix, u32::from_be_bytes(number))
            })
            .collect();
        Ok(Self { starts })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 20 * self.starts.len());
        out.push(CHUNK_DIRECTORY);
        for (suffix, number) in &self.starts {
            out.extend_from_slice(suffix);
            out.extend_from_slice(&number.to_be_bytes());
        }
        out
    }

    /// The index of the chunk that holds (or would hold) `s`.
    fn locate(&self, s: &Suffix) -> usize {
        self.starts
            .partition_point(|(start, _)| start <= s)
            .saturating_sub(1)
    }

    fn next_number(&self) -> u32 {
        self.starts.iter().map(|(_, n)| n + 1).max().unwrap_or(0)
    }

    /// The chunks that may hold suffixes in `from..to`, in key order.
    fn covering(&self, from: &Suffix, to: &Suffix) -> Vec<u32> {
        (0..self.starts.len())
            .filter(|&i| {
                let starts_before_end = i == 0 || self.starts[i].0 < *to;
                let ends_after_start = self.starts.get(i + 1).is_none_or(|(next, _)| next > from);
                starts_before_end && ends_after_start
            })
            .map(|i| self.starts[i].1)
            .collect()
    }
}

/// Reads a stored value: a transaction's tree or sled's.
pub type Get<'a, E> = &'a mut dyn FnMut(&[u8]) -> Result<Option<sled::IVec>, E>;

/// One conversation's messages being read or changed: its directory and the chunks touched,
/// each read once; [`Packer::writes`] gives what to store back.
pub struct Packer<'a, E> {
    conversation: u64,
    get: Get<'a, E>,
    abort: fn(StoreError) -> E,
    directory: Option<Directory>,
    directory_changed: bool,
    chunks: BTreeMap<u32, Chunk>,
    changed: BTreeSet<u32>,
}

impl<'a, E> Packer<'a, E> {
    pub fn new(conversation: u64, get: Get<'a, E>, abort: fn(StoreError) -> E) -> Self {
        Self {
            conversation,
            get,
            abort,
            directory: None,
            directory_changed: false,
            chunks: BTreeMap::new(),
            changed: BTreeSet::new(),
        }
    }

    fn directory(&mut self) -> Result<&mut Directory, E> {
        if self.directory.is_none() {
            let stored = (self.get)(&directory_key(self.conversation))?;
            let directory = match stored {
                Some(bytes) => Directory::decode(&bytes).map_err(self.abort)?,
                None => Directory::single(),
            };
            self.directory = Some(directory);
        }
        Ok(self.directory.get_or_insert_with(Directory::single))
    }

    fn chunk(&mut self, number: u32) -> Result<&mut Chunk, E> {
        if !self.chunks.contains_key(&number) {
            let stored = (self.get)(&chunk_key(self.conversation, number))?;
            let chunk = match stored {
                Some(bytes) => Chunk::decode(&bytes).map_err(self.abort)?,
                None => Chunk::default(),
            };
            self.chunks.insert(number, chunk);
        }
        Ok(self.chunks.entry(number).or_default())
    }

    /// The stored form of the message with suffix `s`, if there is one.
    pub fn get(&mut self, s: &Suffix) -> Result<Option<Vec<u8>>, E> {
        let directory = self.directory()?;
        let number = directory.starts[directory.locate(s)].1;
        Ok(self.chunk(number)?.get(s).map(<[u8]>::to_vec))
    }

    /// Stores (or replaces) the message with suffix `s`.
    pub fn put(&mut self, s: Suffix, stored: Vec<u8>) -> Result<(), E> {
        let directory = self.directory()?;
        let i = directory.locate(&s);
        let number = directory.starts[i].1;
        let last = i + 1 == directory.starts.len();
        let chunk = self.chunk(number)?;
        let appends = chunk.entries.last().is_none_or(|(l, _)| s > *l);
        if last && appends && chunk.entries.len() >= PER_CHUNK {
            let fresh = self.next_number();
            self.chunks.insert(
                fresh,
                Chunk {
                    entries: vec![(s, stored)],
                },
            );
            self.changed.insert(fresh);
            self.start_chunk(i + 1, s, fresh);
            return Ok(());
        }
        chunk.set(s, stored);
        // Filled from the middle, by messages that came late: halved.
        let upper = (chunk.entries.len() >= 2 * PER_CHUNK).then(|| Chunk {
            entries: chunk.entries.split_off(PER_CHUNK),
        });
        self.changed.insert(number);
        if let Some(upper) = upper {
            let fresh = self.next_number();
            let start = upper.entries[0].0;
            self.chunks.insert(fresh, upper);
            self.changed.insert(fresh);
            self.start_chunk(i + 1, start, fresh);
        }
        Ok(())
    }

    fn next_number(&self) -> u32 {
        self.directory.as_ref().map_or(1, Directory::next_number)
    }

    fn start_chunk(&mut self, at: usize, start: Suffix, number: u32) {
        let directory = self.directory.get_or_insert_with(Directory::single);
        directory.starts.insert(at, (start, number));
        self.directory_changed = true;
    }

    /// The keys and values to store for what `put` changed.
    pub fn writes(mut self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out: Vec<(Vec<u8>, Vec<u8>)> = self
            .changed
            .iter()
            .filter_map(|n| {
                let chunk = self.chunks.remove(n)?;
                Some((chunk_key(self.conversation, *n).to_vec(), chunk.encode()))
            })
            .collect();
        if let (true, Some(d)) = (self.directory_changed, &self.directory) {
            out.push((directory_key(self.conversation).to_vec(), d.encode()));
        }
        out
    }
}

/// Sees a message (its suffix and stored form); false stops the scan.
pub type Visit<'a> = &'a mut dyn FnMut(&Suffix, &[u8]) -> Result<bool, StoreError>;

/// Sees a message: its conversation and stored form.
pub type EachMessage<'a> = dyn FnMut(u64, &[u8]) -> Result<(), StoreError> + 'a;

/// A conversation's messages with suffixes in `from..to`, in key order (or the reverse), to
/// `f` until it returns false.
pub fn scan(
    tree: &sled::Tree,
    conversation: u64,
    (from, to): (Suffix, Suffix),
    newest_first: bool,
    f: Visit<'_>,
) -> Result<(), StoreError> {
    let directory = match tree.get(directory_key(conversation))? {
        Some(bytes) => Directory::decode(&bytes)?,
        None => Directory::single(),
    };
    let mut numbers = directory.covering(&from, &to);
    if newest_first {
        numbers.reverse();
    }
    for number in numbers {
        let Some(bytes) = tree.get(chunk_key(conversation, number))? else {
            continue;
        };
        let chunk = Chunk::decode(&bytes)?;
        let inside = chunk.entries.iter().filter(|(s, _)| *s >= from && *s < to);
        let ordered: Box<dyn Iterator<Item = _>> = if newest_first {
            Box::new(inside.rev())
        } else {
            Box::new(inside)
        };
        for (s, stored) in ordered {
            if !f(s, stored)? {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Every stored message, as (conversation, stored form), in key order: chunks, and messages
/// still one per key (before schema 8).
pub fn each_message(tree: &sled::Tree, f: &mut EachMessage<'_>) -> Result<(), StoreError> {
    for kv in tree {
        let (k, v) = kv?;
        match k.len() {
            12 => {
                for (_, stored) in Chunk::decode(&v)?.entries() {
                    f(keys::read_id(&k), stored)?;
                }
            }
            24 => f(keys::read_id(&k), &v)?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
