//! Inbound message objects (`value.messages[]`) for every type WhatsApp sends, and the summary
//! a person reads for each. An unknown type is kept as `unsupported`, never dropped.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::webhook::timestamp;
use crate::domain::message::{Effect, Media, Summary};

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct WebhookContact {
    pub profile: Option<Profile>,
    pub wa_id: Option<String>,
    /// The BSUID (2026).
    pub user_id: Option<String>,
    pub parent_user_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Profile {
    pub name: Option<String>,
    pub username: Option<String>,
}

/// The error object of `messages[].errors[]`, `statuses[].errors[]` and `value.errors[]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ErrorObject {
    pub code: i64,
    pub title: Option<String>,
    pub message: Option<String>,
    pub error_data: Option<ErrorData>,
    pub href: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ErrorData {
    pub details: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InboundMessage {
    pub from: Option<String>,
    pub from_user_id: Option<String>,
    pub id: String,
    #[serde(deserialize_with = "timestamp")]
    pub timestamp: i64,
    pub context: Option<Context>,
    #[serde(default)]
    pub errors: Vec<ErrorObject>,
    #[serde(flatten)]
    pub content: Content,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Context {
    pub from: Option<String>,
    pub id: Option<String>,
    #[serde(default)]
    pub forwarded: bool,
    #[serde(default)]
    pub frequently_forwarded: bool,
}

/// A message's type and the object named after it. Also the shape of `edit.message`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Content {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub text: Option<TextObject>,
    pub image: Option<MediaObject>,
    pub video: Option<MediaObject>,
    pub document: Option<MediaObject>,
    pub audio: Option<MediaObject>,
    pub sticker: Option<MediaObject>,
    pub location: Option<Location>,
    pub contacts: Option<Vec<ContactCard>>,
    pub button: Option<Button>,
    pub interactive: Option<Interactive>,
    pub reaction: Option<Reaction>,
    pub edit: Option<Box<Edit>>,
    pub revoke: Option<Revoke>,
    pub unsupported: Option<Unsupported>,
    pub system: Option<System>,
    pub order: Option<Order>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TextObject {
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MediaObject {
    pub id: Option<String>,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
    pub url: Option<String>,
    #[serde(default)]
    pub voice: bool,
    #[serde(default)]
    pub animated: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ContactCard {
    pub name: Option<CardName>,
    #[serde(default)]
    pub phones: Vec<CardPhone>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CardName {
    pub formatted_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CardPhone {
    pub phone: Option<String>,
    pub wa_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Button {
    pub text: Option<String>,
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Interactive {
    #[serde(rename = "type")]
    pub kind: String,
    pub button_reply: Option<Choice>,
    pub list_reply: Option<Choice>,
    pub nfm_reply: Option<FlowReply>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Choice {
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FlowReply {
    pub name: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reaction {
    pub message_id: String,
    /// Absent when the contact removed their reaction.
    pub emoji: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Edit {
    pub original_message_id: String,
    pub message: Content,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Revoke {
    pub original_message_id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Unsupported {
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct System {
    pub body: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    #[serde(default)]
    pub product_items: Vec<serde_json::Value>,
}

impl Content {
    pub fn effect(&self, errors: &[ErrorObject]) -> Effect {
        if let Some(r) = &self.reaction {
            return Effect::React {
                target: r.message_id.clone(),
                emoji: r.emoji.clone().filter(|e| !e.is_empty()),
            };
        }
        if let Some(e) = &self.edit {
            return Effect::Edit {
                target: e.original_message_id.clone(),
                summary: e.message.summary(&[]),
            };
        }
        if let Some(r) = &self.revoke {
            return Effect::Revoke {
                target: r.original_message_id.clone(),
            };
        }
        Effect::New(self.summary(errors))
    }

    /// The type and the text a person reads.
    pub fn summary(&self, errors: &[ErrorObject]) -> Summary {
        let plain = |kind: &str, text: String| Summary {
            kind: kind.to_owned(),
            text,
            media: None,
        };
        // Each type's object is matched with the type: a payload whose object is missing is
        // `unsupported`, never a panic.
        match (self.kind.as_str(), self) {
            ("text", Self { text: Some(t), .. }) => plain("text", t.body.clone()),
            ("image" | "video" | "document" | "audio" | "sticker", _) => {
                match self.media_object() {
                    Some(m) => Summary {
                        kind: self.kind.clone(),
                        text: m
                            .caption
                            .clone()
                            .or_else(|| m.filename.clone())
                            .unwrap_or_default(),
                        media: Some(Media {
                            id: m.id.clone(),
                            mime_type: m.mime_type.clone(),
                            sha256: m.sha256.clone(),
                            filename: m.filename.clone(),
                            url: m.url.clone(),
                            ..Media::default()
                        }),
                    },
                    None => unsupported(&self.kind, errors),
                }
            }
            (
                "location",
                Self {
                    location: Some(l), ..
                },
            ) => {
                let mut s = String::from("📍 ");
                for part in [&l.name, &l.address].into_iter().flatten() {
                    let _ = write!(s, "{part}, ");
                }
                let _ = write!(s, "({:.5}, {:.5})", l.latitude, l.longitude);
                plain("location", s)
            }
            (
                "contacts",
                Self {
                    contacts: Some(contacts),
                    ..
                },
            ) => plain("contacts", contact_cards(contacts)),
            (
                "button",
                Self {
                    button: Some(b), ..
                },
            ) => plain(
                "button",
                b.text
                    .clone()
                    .or_else(|| b.payload.clone())
                    .unwrap_or_default(),
            ),
            (
                "interactive",
                Self {
                    interactive: Some(i),
                    ..
                },
            ) => plain("interactive", interactive_reply(i)),
            ("system", _) => plain(
                "system",
                self.system
                    .as_ref()
                    .and_then(|s| s.body.clone())
                    .unwrap_or_default(),
            ),
            ("order", _) => plain(
                "order",
                format!(
                    "Order of {} item(s)",
                    self.order.as_ref().map_or(0, |o| o.product_items.len())
                ),
            ),
            ("request_welcome", _) => plain("request_welcome", "Opened the chat".into()),
            (other, _) => unsupported(other, errors),
        }
    }

    fn media_object(&self) -> Option<&MediaObject> {
        match self.kind.as_str() {
            "image" => self.image.as_ref(),
            "video" => self.video.as_ref(),
            "document" => self.document.as_ref(),
            "audio" => self.audio.as_ref(),
            "sticker" => self.sticker.as_ref(),
            _ => None,
        }
    }
}

/// What a shared contact card reads as.
fn contact_cards(contacts: &[ContactCard]) -> String {
    let cards: Vec<String> = contacts
        .iter()
        .map(|c| {
            let name = c.name.as_ref().and_then(|n| n.formatted_name.clone());
            let phones: Vec<&str> = c.phones.iter().filter_map(|p| p.phone.as_deref()).collect();
            format!("{} {}", name.unwrap_or_default(), phones.join(", "))
                .trim()
                .to_owned()
        })
        .collect();
    format!("Contact card: {}", cards.join("; "))
}

/// What a button, list or form reply reads as.
fn interactive_reply(i: &Interactive) -> String {
    if let Some(c) = i.button_reply.as_ref().or(i.list_reply.as_ref()) {
        let title = c.title.clone().unwrap_or_default();
        match &c.description {
            Some(d) if !d.is_empty() => format!("{title} — {d}"),
            _ => title,
        }
    } else if let Some(f) = &i.nfm_reply {
        f.body
            .clone()
            .or_else(|| f.name.clone())
            .unwrap_or_else(|| "Form reply".into())
    } else {
        format!("Interactive reply ({})", i.kind)
    }
}

fn unsupported(kind: &str, errors: &[ErrorObject]) -> Summary {
    let what = if kind.is_empty() || kind == "unsupported" {
        String::new()
    } else {
        format!(" ({kind})")
    };
    let why = errors
        .first()
        .and_then(|e| e.title.clone().or_else(|| e.message.clone()))
        .map(|t| format!(": {t}"))
        .unwrap_or_default();
    Summary {
        kind: "unsupported".into(),
        text: format!("Unsupported message{what}{why}"),
        media: None,
    }
}

impl InboundMessage {
    /// The effect of this message, naming the precise unsupported type when WhatsApp gave it.
    pub fn effect(&self) -> Effect {
        let mut effect = self.content.effect(&self.errors);
        if let (Effect::New(s), Some(u)) = (&mut effect, &self.content.unsupported)
            && s.kind == "unsupported"
            && let Some(kind) = &u.kind
        {
            *s = unsupported(kind, &self.errors);
        }
        effect
    }
}
