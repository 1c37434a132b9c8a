//! `POST /{phone-number-id}/messages`: the request body, the success response and the error body.

use serde::{Deserialize, Serialize};

use crate::domain::attachment::Kind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendRequest {
    pub messaging_product: String,
    #[serde(default = "individual")]
    pub recipient_type: String,
    /// The phone number (`+819012345678`); wins over `recipient` when both are present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The BSUID, for contacts whose number is hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<serde_json::Value>,
    /// A file: one of these, named by `type`, holds its media id (reference 2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<MediaObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<MediaObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<MediaObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<MediaObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<ReplyContext>,
    /// Echoed back in status webhooks: the outbox item's id, so a send whose response was lost
    /// can still be matched to its message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
}

fn individual() -> String {
    "individual".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBody {
    #[serde(default)]
    pub preview_url: bool,
    pub body: String,
}

/// `{"id": "<MEDIA_ID>", "caption": …, "filename": …}`: the id is filled in once the file is
/// uploaded; a caption only for images, video and documents, a file name only for documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MediaObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyContext {
    pub message_id: String,
}

pub use crate::domain::message::MAX_TEXT_CHARS;

impl SendRequest {
    /// A text message to a phone number (`to`) or, when there is none, to a BSUID.
    pub fn text(to: Option<String>, recipient: Option<String>, body: &str) -> Self {
        Self {
            messaging_product: "whatsapp".into(),
            recipient_type: individual(),
            recipient: if to.is_some() { None } else { recipient },
            to,
            kind: "text".into(),
            text: Some(TextBody {
                preview_url: body.contains("https://") || body.contains("http://"),
                body: body.to_owned(),
            }),
            template: None,
            image: None,
            document: None,
            audio: None,
            video: None,
            context: None,
            biz_opaque_callback_data: None,
        }
    }
}

impl SendRequest {
    /// An approved template with its body parameters in order.
    pub fn template(
        to: Option<String>,
        recipient: Option<String>,
        template: serde_json::Value,
    ) -> Self {
        Self {
            kind: "template".into(),
            text: None,
            template: Some(template),
            ..Self::text(to, recipient, "")
        }
    }
}

impl SendRequest {
    /// A file of `kind` (its media id to come from the upload), with a caption where the kind
    /// takes one and the file name for a document.
    pub fn media(
        to: Option<String>,
        recipient: Option<String>,
        kind: Kind,
        caption: Option<&str>,
        filename: &str,
    ) -> Self {
        let captioned = matches!(kind, Kind::Image | Kind::Video | Kind::Document);
        let object = MediaObject {
            id: None,
            caption: caption
                .filter(|c| captioned && !c.trim().is_empty())
                .map(str::to_owned),
            filename: (kind == Kind::Document).then(|| filename.to_owned()),
        };
        let mut request = Self {
            kind: kind.as_str().into(),
            text: None,
            ..Self::text(to, recipient, "")
        };
        *request.media_slot(kind) = Some(object);
        request
    }

    fn media_slot(&mut self, kind: Kind) -> &mut Option<MediaObject> {
        match kind {
            Kind::Image => &mut self.image,
            Kind::Document => &mut self.document,
            Kind::Audio => &mut self.audio,
            Kind::Video | Kind::Sticker => &mut self.video,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendResponse {
    #[serde(default)]
    pub messaging_product: Option<String>,
    #[serde(default)]
    pub contacts: Vec<SentContact>,
    #[serde(default)]
    pub messages: Vec<SentMessage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentContact {
    pub input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_status: Option<String>,
}

/// The body of a failed Graph API call: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: GraphError,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphError {
    #[serde(default)]
    pub message: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub code: i64,
    /// Says more of a token error (190): 463 expired, 460 invalidated, 458 app removed…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<GraphErrorData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphErrorData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// `{"messaging_product":"whatsapp","status":"read","message_id":"wamid…"}`, with
/// `"typing_indicator":{"type":"text"}` to show the contact "typing…" as well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkRead {
    pub messaging_product: String,
    pub status: String,
    pub message_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typing_indicator: Option<TypingIndicator>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingIndicator {
    #[serde(rename = "type")]
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_request_matches_the_documented_shape() {
        let req = SendRequest::text(Some("+819012345678".into()), None, "Hi Ken");
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            serde_json::json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+819012345678",
                "type": "text",
                "text": {"preview_url": false, "body": "Hi Ken"}
            })
        );
    }

    #[test]
    fn a_document_carries_its_name_and_caption_and_an_audio_neither() {
        let mut req = SendRequest::media(
            Some("+819012345678".into()),
            None,
            Kind::Document,
            Some("Your offer letter"),
            "offer_letter.pdf",
        );
        req.document.as_mut().unwrap().id = Some("880112233445566".into());
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            serde_json::json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+819012345678",
                "type": "document",
                "document": {"id": "880112233445566", "filename": "offer_letter.pdf", "caption": "Your offer letter"}
            })
        );
        let audio = SendRequest::media(None, Some("JP.1".into()), Kind::Audio, Some("x"), "a.ogg");
        assert_eq!(
            serde_json::to_value(&audio).unwrap()["audio"],
            serde_json::json!({})
        );
    }

    #[test]
    fn bsuid_only_when_no_number() {
        let req = SendRequest::text(None, Some("JP.123".into()), "Hi");
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["recipient"], "JP.123");
        assert!(v.get("to").is_none());
        let both = SendRequest::text(Some("+8190".into()), Some("JP.123".into()), "Hi");
        assert!(both.recipient.is_none());
    }
}
