//! The webhook envelope (`object`, `entry[]`, `changes[]`) and the values of its fields.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use super::inbound::{ErrorObject, WebhookContact};

/// A delivery as received: the values of its changes stay as slices of the body, each read
/// when its turn comes, so a large delivery is never held whole as a JSON tree.
#[derive(Debug, Deserialize)]
pub struct Envelope<'a> {
    pub object: String,
    #[serde(default, borrow)]
    pub entry: Vec<Entry<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Entry<'a> {
    /// The WhatsApp Business Account ID.
    #[serde(default, deserialize_with = "string_or_number_opt")]
    pub id: Option<String>,
    #[serde(default, borrow)]
    pub changes: Vec<Change<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Change<'a> {
    pub field: String,
    #[serde(borrow)]
    pub value: Option<&'a RawValue>,
}

/// The value of a `messages` change: inbound messages, statuses of ours, or errors.
#[derive(Debug, Deserialize, Default)]
pub struct MessagesValue<'a> {
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub contacts: Vec<WebhookContact>,
    /// Kept as JSON so each message's own object can be stored whole; see
    /// [`super::inbound::InboundMessage`] for the typed view.
    #[serde(default, borrow)]
    pub messages: Vec<&'a RawValue>,
    #[serde(default)]
    pub statuses: Vec<StatusUpdate>,
    #[serde(default)]
    pub errors: Vec<ErrorObject>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Metadata {
    pub display_phone_number: Option<String>,
    pub phone_number_id: Option<String>,
}

/// One `statuses[]` item: what became of a message we sent.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StatusUpdate {
    /// The wamid of our message.
    pub id: String,
    /// `sent`, `delivered`, `read`, `failed`, `played`, …
    pub status: String,
    #[serde(deserialize_with = "timestamp")]
    pub timestamp: i64,
    pub recipient_id: Option<String>,
    pub recipient_user_id: Option<String>,
    pub biz_opaque_callback_data: Option<String>,
    pub conversation: Option<ConversationInfo>,
    pub pricing: Option<PricingInfo>,
    #[serde(default)]
    pub errors: Vec<ErrorObject>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ConversationInfo {
    pub id: Option<String>,
    #[serde(default, deserialize_with = "timestamp_opt")]
    pub expiration_timestamp: Option<i64>,
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Origin {
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PricingInfo {
    pub billable: Option<bool>,
    pub pricing_model: Option<String>,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// The value of a `message_template_status_update` change.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TemplateStatusUpdate {
    /// The new status: `APPROVED`, `REJECTED`, `PAUSED`, …
    pub event: String,
    #[serde(default, deserialize_with = "string_or_number_opt")]
    pub message_template_id: Option<String>,
    pub message_template_name: Option<String>,
    pub message_template_language: Option<String>,
    pub message_template_category: Option<String>,
    pub reason: Option<String>,
    pub rejection_info: Option<serde_json::Value>,
    pub other_info: Option<serde_json::Value>,
}

/// Meta writes timestamps as strings of Unix seconds; some tools write numbers. Accept both.
pub(crate) fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    timestamp_opt(d)?.ok_or_else(|| serde::de::Error::custom("missing timestamp"))
}

pub(crate) fn timestamp_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match string_or_number_opt(d)? {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a Unix timestamp"))),
    }
}

pub(crate) fn string_or_number_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(serde_json::Number),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|r| match r {
        Raw::S(s) => s,
        Raw::N(n) => n.to_string(),
    }))
}
