//! Messages and their delivery status.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest text body WhatsApp accepts.
pub const MAX_TEXT_CHARS: usize = 4096;

/// Free text as WhatsApp takes it: not empty, at most [`MAX_TEXT_CHARS`] characters.
pub fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the message is empty".into());
    }
    let chars = text.trim_end().chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(format!(
            "the message has {chars} characters; WhatsApp takes at most {MAX_TEXT_CHARS}"
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Stored in the outbox, not yet accepted by WhatsApp.
    Queued,
    /// An attempt reached WhatsApp or not: it timed out, its answer was lost, or the process
    /// stopped during it. Never sent again blindly; the status webhook that carries its
    /// callback data settles it.
    Uncertain,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl Status {
    /// Where a status stands on the way sent → delivered → read.
    fn rank(self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Uncertain => 1,
            Self::Sent => 2,
            Self::Delivered => 3,
            Self::Read => 4,
            Self::Failed => 5,
        }
    }

    /// The status after `update` arrives. Webhooks arrive out of order, so a status never
    /// moves backwards (a late `delivered` does not undo `read`); a failure counts only
    /// before the message was delivered, and nothing revives a failed message.
    #[must_use]
    pub fn advance(self, update: Status) -> Status {
        match (self, update) {
            (Self::Failed, _) | (Self::Queued | Self::Uncertain | Self::Sent, Self::Failed) => {
                Self::Failed
            }
            (_, Self::Failed) => self,
            _ if update.rank() > self.rank() => update,
            _ => self,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Uncertain => "uncertain",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }
}

/// A media attachment as WhatsApp describes it, and where fetching it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Media {
    pub id: Option<String>,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub filename: Option<String>,
    pub url: Option<String>,
    /// Fetching, kept, or why not (an inbound file is fetched after the webhook is taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<super::attachment::Fetch>,
    /// Its size in bytes, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The SHA-256 (hex) it is stored under in the data directory's `media/`, once kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<String>,
}

/// What WhatsApp said about the billing of an outbound message (status webhooks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Pricing {
    pub billable: Option<bool>,
    pub pricing_model: Option<String>,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub conversation_id: Option<String>,
    pub conversation_origin: Option<String>,
    pub conversation_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Stored and printed as JSON; fields that are empty most of the time are left out (the
/// `--json` contract's fields always appear).
pub struct Message {
    pub id: u64,
    pub conversation_id: u64,
    pub wamid: Option<String>,
    pub direction: Direction,
    /// WhatsApp's message type: `text`, `image`, `template`, `unsupported`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The text a person reads: the body, a caption, a summary of a location or a card.
    pub text: String,
    pub status: Status,
    /// Why it failed, in words a recruiter understands.
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    /// The wamid this message answers (WhatsApp's `context.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// The contact's reaction to this message, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
    /// Deleted by the contact. The text they sent stays, marked deleted: the recruiter may
    /// already have acted on it, and hiding it would make the thread lie about the past.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The login of the user who sent it (outbound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Pricing>,
    /// The type's own object from the webhook, kept whole for what the summary leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
}

/// What an inbound message does to the conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A new message to show.
    New(Summary),
    /// The contact reacted to an earlier message (`None`: removed the reaction).
    React {
        target: String,
        emoji: Option<String>,
    },
    /// The contact edited an earlier message.
    Edit { target: String, summary: Summary },
    /// The contact deleted an earlier message.
    Revoke { target: String },
}

/// The stored form of a message's content.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub kind: String,
    pub text: String,
    pub media: Option<Media>,
}

#[cfg(test)]
mod tests {
    use super::Status::*;

    #[test]
    fn statuses_only_move_forward() {
        assert_eq!(Queued.advance(Sent), Sent);
        assert_eq!(Sent.advance(Read), Read);
        assert_eq!(Read.advance(Delivered), Read);
        assert_eq!(Delivered.advance(Sent), Delivered);
        assert_eq!(Sent.advance(Failed), Failed);
        assert_eq!(Delivered.advance(Failed), Delivered);
        assert_eq!(Failed.advance(Read), Failed);
        assert_eq!(Queued.advance(Queued), Queued);
    }

    #[test]
    fn any_report_settles_an_uncertain_send() {
        assert_eq!(Queued.advance(Uncertain), Uncertain);
        assert_eq!(Uncertain.advance(Sent), Sent);
        assert_eq!(Uncertain.advance(Read), Read);
        assert_eq!(Uncertain.advance(Failed), Failed);
        assert_eq!(Delivered.advance(Uncertain), Delivered);
    }
}
