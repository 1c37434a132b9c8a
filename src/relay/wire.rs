//! What the relay and its consumers say to each other (JSON over HTTP). A body travels as
//! base64 of the bytes Meta sent, so that its signature still matches them whatever they hold.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::relay_log::Kept;

/// One delivery, as `GET /events` and the event stream give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relayed {
    pub cursor: u64,
    pub received_at: DateTime<Utc>,
    /// `X-Hub-Signature-256` as Meta sent it.
    pub signature: Option<String>,
    /// The body's bytes, base64 (standard alphabet, padded).
    pub body: String,
}

impl Relayed {
    pub fn body_bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        base64::engine::general_purpose::STANDARD.decode(&self.body)
    }
}

impl From<Kept> for Relayed {
    fn from(k: Kept) -> Self {
        Self {
            cursor: k.cursor,
            received_at: k.received_at,
            signature: k.signature,
            body: base64::engine::general_purpose::STANDARD.encode(&k.body),
        }
    }
}

/// The answer to `GET /events`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    pub events: Vec<Relayed>,
    /// The newest cursor the relay has given out: what is left after this page is
    /// `last - (the page's last cursor)`.
    pub last: u64,
}

impl Page {
    /// The cursor after which to read next: this page's last, else where the reading began.
    pub fn read_through(&self, after: u64) -> u64 {
        self.events.last().map_or(after, |e| e.cursor)
    }
}

/// `POST /ack`'s body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ack {
    pub cursor: u64,
}

/// The answer to `POST /ack` and `GET /status`: this consumer's cursor and what is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Standing {
    pub consumer: String,
    pub acked: u64,
    pub last: u64,
    /// Deliveries this consumer has not acknowledged.
    pub backlog: u64,
    /// Bytes of deliveries kept, and the most the relay keeps.
    pub kept_bytes: u64,
    pub cap_bytes: u64,
}
