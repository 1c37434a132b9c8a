//! `POST /{phone-number-id}/messages`: the request body, the success response and the error body.

use serde::{Deserialize, Serialize};

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

/// `{"messaging_product":"whatsapp","status":"read","message_id":"wamid…"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkRead {
    pub messaging_product: String,
    pub status: String,
    pub message_id: String,
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
    fn bsuid_only_when_no_number() {
        let req = SendRequest::text(None, Some("JP.123".into()), "Hi");
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["recipient"], "JP.123");
        assert!(v.get("to").is_none());
        let both = SendRequest::text(Some("+8190".into()), Some("JP.123".into()), "Hi");
        assert!(both.recipient.is_none());
    }
}
