//! What the store's own tests share: a message arriving, and a store opened again.

use std::path::Path;

use chrono::Utc;

use super::{Arrived, Change, ContactInfo, Store};
use crate::domain::{
    message::{Effect, Summary},
    phone::PhoneNumber,
};

/// A text from `phone`, now.
pub(super) fn inbound(phone: &str, wamid: &str) -> Change {
    Change::Inbound(Arrived {
        contact: ContactInfo {
            phone: Some(PhoneNumber::parse(phone).unwrap()),
            ..ContactInfo::default()
        },
        wamid: wamid.into(),
        at: Utc::now(),
        reply_to: None,
        effect: Effect::New(Summary {
            kind: "text".into(),
            text: "Is the interview still on?".into(),
            media: None,
        }),
        error_code: None,
        payload: None,
    })
}

/// Opens the store a block before dropped (its last thread may hold the file a moment).
pub(super) fn open_again(dir: &Path) -> Store {
    Store::open_waiting(dir, 8).unwrap()
}
