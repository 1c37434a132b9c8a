//! A message as stored: a positional `MessagePack` row (no field names), its time as seconds
//! and nanoseconds, and the webhook's object left out when it says no more than the text
//! (an inbound text's `{"body": …}`). The fields most messages leave empty follow the row in
//! the named form, only when one is set.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    StoreError,
    codec::{self, MESSAGE_ROW, Stored},
};
use crate::domain::message::{Direction, Media, Message, Pricing, Status};

#[derive(Serialize, Deserialize)]
struct Row<'a> {
    id: u64,
    conversation_id: u64,
    wamid: Option<Cow<'a, str>>,
    direction: Direction,
    kind: Cow<'a, str>,
    text: Cow<'a, str>,
    status: Status,
    secs: i64,
    nanos: u32,
    payload: Payload,
    /// Whether [`Rest`] follows.
    rest: bool,
}

#[derive(Serialize, Deserialize)]
enum Payload {
    None,
    /// `{"body": text}`: derived from the text when read.
    Body,
    /// Any other object, as JSON text.
    Json(String),
}

#[derive(Serialize, Deserialize, Default, PartialEq)]
struct Rest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    media: Option<Media>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reaction: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    edited: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outbox_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pricing: Option<Pricing>,
}

fn is_text_body(payload: &serde_json::Value, text: &str) -> bool {
    payload
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.get("body").and_then(|b| b.as_str()) == Some(text))
}

impl Stored for Message {
    fn to_stored(&self) -> Result<Vec<u8>, StoreError> {
        let m = self;
        let payload = match &m.payload {
            None => Payload::None,
            Some(p) if is_text_body(p, &m.text) => Payload::Body,
            Some(p) => Payload::Json(p.to_string()),
        };
        let rest = Rest {
            error: m.error.clone(),
            error_code: m.error_code,
            media: m.media.clone(),
            reply_to: m.reply_to.clone(),
            reaction: m.reaction.clone(),
            edited: m.edited,
            deleted: m.deleted,
            sent_by: m.sent_by.clone(),
            outbox_id: m.outbox_id,
            pricing: m.pricing.clone(),
        };
        let row = Row {
            id: m.id,
            conversation_id: m.conversation_id,
            wamid: m.wamid.as_deref().map(Cow::Borrowed),
            direction: m.direction,
            kind: Cow::Borrowed(&m.kind),
            text: Cow::Borrowed(&m.text),
            status: m.status,
            secs: m.at.timestamp(),
            nanos: m.at.timestamp_subsec_nanos(),
            payload,
            rest: rest != Rest::default(),
        };
        let mut out = vec![MESSAGE_ROW];
        rmp_serde::encode::write(&mut out, &row).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if row.rest {
            // The named form, tag and all: read back with `read_named`.
            out.extend(codec::named(&rest)?);
        }
        Ok(out)
    }

    fn from_stored(bytes: &[u8]) -> Result<Self, StoreError> {
        if bytes.first() != Some(&MESSAGE_ROW) {
            return codec::read_named(bytes);
        }
        let mut cursor = &bytes[1..];
        let row: Row = rmp_serde::decode::from_read(&mut cursor).map_err(|e| codec::corrupt(&e))?;
        let rest: Rest = if row.rest {
            codec::read_named(cursor)?
        } else {
            Rest::default()
        };
        let at: DateTime<Utc> = DateTime::from_timestamp(row.secs, row.nanos).ok_or_else(|| {
            StoreError::Corrupt(format!("message {}: a time out of range", row.id))
        })?;
        let payload = match row.payload {
            Payload::None => None,
            Payload::Body => Some(serde_json::json!({ "body": &row.text })),
            Payload::Json(text) => {
                Some(serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            }
        };
        Ok(Message {
            id: row.id,
            conversation_id: row.conversation_id,
            wamid: row.wamid.map(Cow::into_owned),
            direction: row.direction,
            kind: row.kind.into_owned(),
            text: row.text.into_owned(),
            status: row.status,
            error: rest.error,
            error_code: rest.error_code,
            at,
            media: rest.media,
            reply_to: rest.reply_to,
            reaction: rest.reaction,
            edited: rest.edited,
            deleted: rest.deleted,
            sent_by: rest.sent_by,
            outbox_id: rest.outbox_id,
            pricing: rest.pricing,
            payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbound(text: &str) -> Message {
        Message {
            id: 1_000_123,
            conversation_id: 4_567,
            wamid: Some("wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgUMDAwMDAxMjM0NQ==".into()),
            direction: Direction::In,
            kind: "text".into(),
            text: text.into(),
            status: Status::Delivered,
            error: None,
            error_code: None,
            at: DateTime::from_timestamp(1_767_225_600, 987_654_321).unwrap(),
            media: None,
            reply_to: None,
            reaction: None,
            edited: false,
            deleted: false,
            sent_by: None,
            outbox_id: None,
            pricing: None,
            payload: Some(serde_json::json!({ "body": text })),
        }
    }

    #[test]
    fn an_inbound_text_is_under_half_its_json_and_reads_back_the_same() {
        let m = inbound("Hello, I am interested in the data engineer opening. Is it still open?");
        let bytes = m.to_stored().unwrap();
        let json = serde_json::to_vec(&m).unwrap();
        assert!(
            bytes.len() * 2 < json.len(),
            "{} vs {}",
            bytes.len(),
            json.len()
        );
        assert_eq!(Message::from_stored(&bytes).unwrap(), m);
        assert_eq!(Message::from_stored(&json).unwrap(), m);
    }

    #[test]
    fn every_field_survives_the_row() {
        let mut m = inbound("see attached");
        m.direction = Direction::Out;
        m.kind = "document".into();
        m.status = Status::Failed;
        m.error = Some("the number is not on WhatsApp".into());
        m.error_code = Some(131_026);
        m.media = Some(Media {
            id: Some("media-1".into()),
            mime_type: Some("application/pdf".into()),
            sha256: None,
            filename: Some("cv.pdf".into()),
            url: None,
            fetch: None,
            size: Some(52_000),
            stored: None,
        });
        m.reply_to = Some("wamid.X".into());
        m.reaction = Some("👍".into());
        m.edited = true;
        m.deleted = true;
        m.sent_by = Some("aiko".into());
        m.outbox_id = Some(99);
        m.pricing = Some(Pricing {
            billable: Some(true),
            category: Some("utility".into()),
            ..Pricing::default()
        });
        m.payload = Some(serde_json::json!({ "caption": "CV", "id": "media-1", "n": 1.5 }));
        assert_eq!(Message::from_stored(&m.to_stored().unwrap()).unwrap(), m);
        m.payload = None;
        m.at = DateTime::from_timestamp(-5, 0).unwrap();
        assert_eq!(Message::from_stored(&m.to_stored().unwrap()).unwrap(), m);
    }

    #[test]
    fn a_body_that_differs_from_the_text_is_kept_as_it_came() {
        let mut m = inbound("Hello");
        m.payload = Some(serde_json::json!({ "body": "Hello\u{0007}" }));
        assert_eq!(Message::from_stored(&m.to_stored().unwrap()).unwrap(), m);
    }
}
