//! How a stored value is written: one byte that names its form, then the value.
//!
//! - [`NAMED`]: `MessagePack` with fields by name. Every serde shape the domain uses works as it
//!   does in JSON (fields left out when empty, internally tagged enums, a webhook's own
//!   object), at about two thirds of JSON's size and without its text parsing.
//! - [`MESSAGE_ROW`]: a message as a positional row (`message_row.rs`): messages are nearly
//!   all of a store, so they get the smallest form.
//! - [`MESSAGE_CHUNK`] and [`CHUNK_DIRECTORY`]: a conversation's messages in chunks, and
//!   where each chunk starts (`message_chunks.rs`); a chunk holds message rows.
//! - No tag: JSON, as every value was written up to schema 4. Its first byte (`{`, `[`, `"`,
//!   a digit, `-`, `t`, `f`, `n`) is never a tag, so old values stay readable while the
//!   migration to schema 5 rewrites them, and after a migration cut off half-way.
//!
//! A new form gets a new tag; a tag's layout never changes once written.

use serde::{Serialize, de::DeserializeOwned};

use super::StoreError;

pub const NAMED: u8 = 0x01;
pub const MESSAGE_ROW: u8 = 0x02;
/// A chunk of a conversation's messages (`message_chunks.rs`).
pub const MESSAGE_CHUNK: u8 = 0x03;
/// Where a conversation's chunks of messages start (`message_chunks.rs`).
pub const CHUNK_DIRECTORY: u8 = 0x04;

/// A value the store keeps. Types take the named form unless they say otherwise.
pub trait Stored: Serialize + DeserializeOwned {
    fn to_stored(&self) -> Result<Vec<u8>, StoreError> {
        named(self)
    }

    fn from_stored(bytes: &[u8]) -> Result<Self, StoreError> {
        read_named(bytes)
    }
}

pub fn named<V: Serialize + ?Sized>(value: &V) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![NAMED];
    value
        .serialize(&mut rmp_serde::Serializer::new(&mut out).with_struct_map())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(out)
}

/// Reads a value in the named form, or as JSON when it was stored before the tags.
pub fn read_named<V: DeserializeOwned>(bytes: &[u8]) -> Result<V, StoreError> {
    match bytes.first() {
        Some(&NAMED) => rmp_serde::from_slice(&bytes[1..]).map_err(|e| corrupt(&e)),
        Some(&tag) if is_tag(tag) => Err(StoreError::Corrupt(format!(
            "a value stored in form {tag}, which this hirechat does not know"
        ))),
        _ => serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string())),
    }
}

/// Whether `first` starts a tagged value (JSON never starts with a control byte).
pub fn is_tag(first: u8) -> bool {
    first < 0x20 && !matches!(first, b'\t' | b'\n' | b'\r')
}

pub fn corrupt(e: &rmp_serde::decode::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// A JSON value as it was stored before the tags, rewritten in the named form without
/// knowing its type: a JSON document and the type it was written from give the same fields.
pub fn json_to_named(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    named(&value)
}

/// The types kept in the named form.
macro_rules! stored_named {
    ($($t:ty),* $(,)?) => { $(impl Stored for $t {})* };
}

stored_named!(
    crate::domain::billing::RateCard,
    Vec<crate::domain::billing::RateCard>,
    crate::domain::bulk::Batch,
    crate::domain::conversation::Conversation,
    crate::domain::conversation_state::TrailEntry,
    crate::domain::credits::Hold,
    crate::domain::credits::LedgerEntry,
    crate::domain::credits::Spent,
    crate::domain::fetch::FetchJob,
    crate::domain::label::Label,
    crate::domain::money::Money,
    crate::domain::outbox::OutboxItem,
    crate::domain::record::Record,
    crate::domain::related::Related,
    crate::domain::routing::Plan,
    crate::domain::routing::Routing,
    crate::domain::rule::Rule,
    Vec<crate::domain::rule::Rule>,
    crate::domain::rule::LogEntry,
    crate::domain::schedule::ScheduledSend,
    crate::domain::template::Template,
    crate::domain::view::SavedView,
    super::DeadLetter,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{conversation::Conversation, phone::PhoneNumber};

    #[test]
    fn a_value_reads_back_from_its_named_form_and_from_the_json_it_was_stored_as() {
        let mut c = Conversation::new(7, PhoneNumber::parse("+819012345678").ok(), None);
        c.name = "Aiko \"A\" Tanaka".into();
        c.labels = vec!["urgent".into()];
        c.last_message_at = chrono::DateTime::from_timestamp(1_767_225_600, 123_456_789);
        let bytes = c.to_stored().unwrap();
        assert_eq!(bytes[0], NAMED);
        assert_eq!(Conversation::from_stored(&bytes).unwrap(), c);
        let json = serde_json::to_vec(&c).unwrap();
        assert!(bytes.len() < json.len(), "{} < {}", bytes.len(), json.len());
        assert_eq!(Conversation::from_stored(&json).unwrap(), c);
        let transcoded = json_to_named(&json).unwrap();
        assert_eq!(Conversation::from_stored(&transcoded).unwrap(), c);
    }

    #[test]
    fn an_unknown_form_is_an_error_not_a_guess() {
        let err = Conversation::from_stored(&[0x1f, 0, 0]).unwrap_err();
        assert!(err.to_string().contains("form 31"), "{err}");
    }
}
