//! The durable outbox: what is waiting to go to WhatsApp, and when to try again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    attachment::Kind,
    message::{Direction, Media, Message, Status},
};

/// What an interrupted attempt's message says until a status webhook settles it.
pub const INTERRUPTED: &str = "Sending was interrupted, so this may have been sent: it is not sent again, and WhatsApp's delivery report will settle it. Check with the contact before resending.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt has started: the request may have reached WhatsApp.
    InFlight,
    /// An attempt may have reached WhatsApp: it timed out, its answer was lost, or the
    /// process stopped during it. It is not sent again blindly: a status webhook carrying its
    /// callback data settles it, or the user resends.
    Uncertain,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// The id of the message it sends (one id space for both).
    pub id: u64,
    pub conversation_id: u64,
    /// When it was queued: with the conversation and the id, where its message is stored.
    pub at: DateTime<Utc>,
    /// The exact body to post to `/{phone-number-id}/messages`.
    pub request: serde_json::Value,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// The file it sends, uploaded before the message is posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<Upload>,
    /// The bulk send it is part of: a person's own messages go before a batch's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u64>,
}

/// A file a send carries. It is uploaded to WhatsApp (`POST /{phone-number-id}/media`)
/// before the message is posted; once WhatsApp gave its media id, that id is stored and the
/// file is never uploaded again, whatever stops in between.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// The SHA-256 it is kept under in the data directory's `media/`.
    pub stored: String,
    pub mime_type: String,
    pub kind: Kind,
    /// WhatsApp's id for it, once uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<String>,
}

/// What a send queues: the message as the thread shows it (`queued`), and the outbox item
/// that will post `request` (its callback data filled in so a status webhook finds it).
#[derive(Debug, Clone, PartialEq)]
pub struct Send<'a> {
    pub id: u64,
    pub conversation_id: u64,
    pub kind: &'a str,
    pub text: &'a str,
    pub request: &'a serde_json::Value,
    pub sent_by: &'a str,
    pub at: DateTime<Utc>,
    /// The file it carries, as the thread shows it, and what uploads it.
    pub media: Option<(&'a Media, &'a Upload)>,
    pub batch: Option<u64>,
}

pub fn queue(send: &Send<'_>) -> (Message, OutboxItem) {
    let mut request = send.request.clone();
    request["biz_opaque_callback_data"] = callback_data(send.id).into();
    let message = Message {
        id: send.id,
        conversation_id: send.conversation_id,
        wamid: None,
        direction: Direction::Out,
        kind: send.kind.to_owned(),
        text: send.text.to_owned(),
        status: Status::Queued,
        error: None,
        error_code: None,
        at: send.at,
        media: send.media.map(|(m, _)| m.clone()),
        reply_to: None,
        reaction: None,
        edited: false,
        deleted: false,
        sent_by: Some(send.sent_by.to_owned()),
        outbox_id: Some(send.id),
        pricing: None,
        payload: None,
    };
    let item = OutboxItem {
        id: send.id,
        conversation_id: send.conversation_id,
        at: send.at,
        request,
        state: OutboxState::Pending,
        attempts: 0,
        next_attempt_at: send.at,
        last_error: None,
        upload: send.media.map(|(_, u)| u.clone()),
        batch: send.batch,
    };
    (message, item)
}

/// An attempt that may have reached WhatsApp: the item waits for a status webhook, never
/// posted again; the message says why.
pub fn uncertain(item: &mut OutboxItem, message: &mut Message, why: &str) {
    item.state = OutboxState::Uncertain;
    item.last_error = Some(why.to_owned());
    message.status = message.status.advance(Status::Uncertain);
    message.error = Some(why.to_owned());
    message.error_code = None;
}

/// A send that cannot go; returns whether the message is newly failed.
pub fn failed(message: &mut Message, code: Option<i64>, why: &str) -> bool {
    let newly = message.status != Status::Failed;
    message.status = Status::Failed;
    message.error = Some(why.to_owned());
    message.error_code = code;
    newly
}

impl OutboxItem {
    /// An attempt starts: recorded before the request leaves, so a crash during it is known.
    pub fn start(&mut self) {
        self.state = OutboxState::InFlight;
        self.attempts += 1;
    }

    /// The file that has to be uploaded before the message can be posted, if any.
    pub fn needs_upload(&self) -> Option<&Upload> {
        self.upload.as_ref().filter(|u| u.media_id.is_none())
    }

    /// WhatsApp took the file: its id goes into the request, and it is not uploaded again.
    pub fn uploaded(&mut self, media_id: &str) {
        if let Some(upload) = self.upload.as_mut() {
            upload.media_id = Some(media_id.to_owned());
            self.request[upload.kind.as_str()]["id"] = media_id.into();
        }
    }

    /// A temporary failure: tried again at `at`.
    pub fn retry_at(&mut self, at: DateTime<Utc>, why: &str) {
        self.state = OutboxState::Pending;
        self.next_attempt_at = at;
        self.last_error = Some(why.to_owned());
    }
}

/// The value of `biz_opaque_callback_data` for an outbox item.
pub fn callback_data(id: u64) -> String {
    format!("hirechat-outbox-{id}")
}

/// The outbox id in a status webhook's callback data, if it is one of ours.
pub fn parse_callback_data(data: &str) -> Option<u64> {
    data.strip_prefix("hirechat-outbox-")?.parse().ok()
}

/// How long to wait before attempt `attempt` (1 = the first retry): exponential, capped, and
/// with "full jitter" (a random share of the delay) so that many senders hitting a rate limit
/// do not all come back at the same instant. `random` is in `[0, 1)`.
pub fn retry_delay_ms(attempt: u32, first_ms: u64, max_ms: u64, random: f64) -> u64 {
    let exp = first_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(30));
    let capped = exp.min(max_ms);
    // Half fixed, half random: never zero, never more than the cap.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "delays are far below 2^52 ms"
    )]
    let jitter = ((capped / 2) as f64 * random.clamp(0.0, 1.0)) as u64;
    capped / 2 + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_round_trip() {
        assert_eq!(parse_callback_data(&callback_data(42)), Some(42));
        assert_eq!(parse_callback_data("outbox-9f2c"), None);
    }

    #[test]
    fn a_send_is_queued_with_its_callback_and_may_end_uncertain_or_failed() {
        let request = serde_json::json!({"messaging_product": "whatsapp", "type": "text"});
        let at = DateTime::from_timestamp(1_767_225_600, 0).unwrap();
        let (mut m, mut item) = queue(&Send {
            id: 9,
            conversation_id: 2,
            kind: "text",
            text: "hi",
            request: &request,
            sent_by: "aiko",
            at,
            media: None,
            batch: None,
        });
        assert_eq!(
            item.request["biz_opaque_callback_data"],
            "hirechat-outbox-9"
        );
        assert_eq!((m.status, m.outbox_id), (Status::Queued, Some(9)));
        item.start();
        assert_eq!((item.state, item.attempts), (OutboxState::InFlight, 1));
        uncertain(&mut item, &mut m, INTERRUPTED);
        assert_eq!(
            (item.state, m.status),
            (OutboxState::Uncertain, Status::Uncertain)
        );
        assert!(failed(&mut m, Some(131_026), "undeliverable"));
        assert!(
            !failed(&mut m, Some(131_026), "undeliverable"),
            "counted once"
        );
    }

    #[test]
    fn a_file_is_uploaded_once_and_its_id_goes_into_the_request() {
        let request = serde_json::json!({"type": "document", "document": {"filename": "cv.pdf"}});
        let upload = Upload {
            stored: "ab".into(),
            mime_type: "application/pdf".into(),
            kind: Kind::Document,
            media_id: None,
        };
        let media = Media {
            filename: Some("cv.pdf".into()),
            ..Media::default()
        };
        let (m, mut item) = queue(&Send {
            id: 3,
            conversation_id: 1,
            kind: "document",
            text: "",
            request: &request,
            sent_by: "aiko",
            at: DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
            media: Some((&media, &upload)),
            batch: None,
        });
        assert_eq!(m.media.unwrap().filename.as_deref(), Some("cv.pdf"));
        assert!(item.needs_upload().is_some());
        item.uploaded("880112233445566");
        assert!(item.needs_upload().is_none());
        assert_eq!(
            item.request["document"],
            serde_json::json!({"filename": "cv.pdf", "id": "880112233445566"})
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(retry_delay_ms(1, 1000, 60_000, 0.0), 500);
        assert_eq!(retry_delay_ms(1, 1000, 60_000, 1.0), 1000);
        assert_eq!(retry_delay_ms(3, 1000, 60_000, 1.0), 4000);
        assert_eq!(retry_delay_ms(20, 1000, 60_000, 1.0), 60_000);
        assert!(retry_delay_ms(40, 1000, 60_000, 0.5) <= 60_000);
    }
}
