//! Webhook payloads → store changes. Everything that parses is applied; a signed payload with
//! any part that does not parse is also kept whole in the dead-letter tree.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::{
    domain::{
        identity::Bsuid,
        message::{Pricing, Status},
        phone::PhoneNumber,
        template::TemplateStatus,
    },
    store::{Arrived, Change, ContactInfo, Reported},
    whatsapp::{
        errors::sentence,
        inbound::{InboundMessage, WebhookContact},
        webhook::{Envelope, MessagesValue, StatusUpdate, TemplateStatusUpdate},
    },
};

/// What one delivery turns into.
#[derive(Debug, Default)]
pub struct Ingest {
    pub changes: Vec<Change>,
    /// Why (part of) the payload could not be understood; the body then goes to dead letters.
    pub problems: Vec<String>,
    pub template_updates: Vec<TemplateStatusUpdate>,
    /// What WhatsApp said of the number's quality and limit.
    pub quality_updates: Vec<crate::whatsapp::number::QualityUpdate>,
    /// Changes for another phone number or business account, left out.
    pub foreign: usize,
}

/// Whose deliveries this inbox takes: the configured phone number id and business account
/// (WABA) id. An empty one is not checked.
#[derive(Debug, Clone, Default)]
pub struct Channel {
    pub phone_number_id: String,
    pub business_account_id: String,
}

/// How far ahead of our clock a message may be dated; later is taken as arriving now.
const FUTURE_SLACK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Reads everything in one go (tests, benchmarks). The daemon reads a slice at a time.
pub fn parse(body: &[u8], channel: &Channel, now: DateTime<Utc>) -> Ingest {
    let mut reader = Reader::new(body, channel, now);
    let mut changes = Vec::new();
    loop {
        let slice = reader.next_slice(usize::MAX);
        if slice.is_empty() {
            break;
        }
        changes.extend(slice);
    }
    let mut out = reader.finish();
    changes.append(&mut out.changes);
    out.changes = changes;
    out
}

/// What a `message_template_status_update` changes.
pub fn template_review(u: &TemplateStatusUpdate) -> Change {
    Change::TemplateReviewed {
        whatsapp_id: u.message_template_id.clone(),
        name: u.message_template_name.clone().unwrap_or_default(),
        language: u.message_template_language.clone().unwrap_or_default(),
        status: TemplateStatus::from_wire(&u.event),
        reason: u.reason.clone().filter(|r| r != "NONE"),
    }
}

/// Whether an id the payload names is not ours: only a configured id is compared, and only
/// with an id the payload gives.
fn other(ours: &str, theirs: Option<&str>) -> bool {
    !ours.is_empty() && theirs.is_some_and(|t| t != ours)
}

/// One delivery read a slice of changes at a time: every entry and every change (Meta
/// batches them, so none is read as `[0]` only), and inside a `messages` change one message
/// at a time, so a delivery of thousands of messages never exists whole as changes.
pub struct Reader<'a> {
    body: &'a [u8],
    channel: &'a Channel,
    now: DateTime<Utc>,
    envelope: Option<Envelope<'a>>,
    entry: usize,
    change: usize,
    /// The `messages` value being read, and its next message.
    current: Option<(MessagesValue<'a>, usize)>,
    done: Ingest,
}

impl<'a> Reader<'a> {
    pub fn new(body: &'a [u8], channel: &'a Channel, now: DateTime<Utc>) -> Self {
        let mut done = Ingest::default();
        let envelope = match serde_json::from_slice::<Envelope>(body) {
            Err(e) => {
                done.problems.push(format!("not a webhook envelope: {e}"));
                None
            }
            Ok(e) if e.object != "whatsapp_business_account" => {
                done.problems
                    .push(format!("unexpected object {:?}", e.object));
                None
            }
            Ok(e) => Some(e),
        };
        Self {
            body,
            channel,
            now,
            envelope,
            entry: 0,
            change: 0,
            current: None,
            done,
        }
    }

    /// Up to `max` more changes; none when the delivery has been read to its end.
    pub fn next_slice(&mut self, max: usize) -> Vec<Change> {
        let mut out = Vec::new();
        while out.len() < max {
            if let Some((value, next)) = &mut self.current {
                if let Some(raw) = value.messages.get(*next) {
                    *next += 1;
                    if let Some(change) = message(raw, &value.contacts, self.now, &mut self.done) {
                        out.push(change);
                    }
                    continue;
                }
                if let Some((value, _)) = self.current.take() {
                    out.extend(value.statuses.iter().filter_map(status));
                    self.errors(&value);
                }
                continue;
            }
            let Some(envelope) = &self.envelope else {
                break;
            };
            let Some(entry) = envelope.entry.get(self.entry) else {
                break;
            };
            if self.change == 0 && other(&self.channel.business_account_id, entry.id.as_deref()) {
                self.done.foreign += entry.changes.len();
                self.done.problems.push(format!(
                    "for business account {} (this inbox is {}): not mixed in",
                    entry.id.as_deref().unwrap_or_default(),
                    self.channel.business_account_id
                ));
                self.entry += 1;
                continue;
            }
            let Some(change) = entry.changes.get(self.change) else {
                (self.entry, self.change) = (self.entry + 1, 0);
                continue;
            };
            self.change += 1;
            let raw = change
                .value
                .map_or("null", serde_json::value::RawValue::get);
            match change.field.as_str() {
                "messages" => match serde_json::from_str::<MessagesValue>(raw) {
                    Ok(v) => {
                        let number = v.metadata.as_ref().and_then(|m| m.phone_number_id.clone());
                        if other(&self.channel.phone_number_id, number.as_deref()) {
                            self.done.foreign += 1;
                            self.done.problems.push(format!(
                                "for phone number id {} (this inbox is {}): not mixed in",
                                number.unwrap_or_default(),
                                self.channel.phone_number_id
                            ));
                        } else {
                            self.current = Some((v, 0));
                        }
                    }
                    Err(e) => self.done.problems.push(format!("messages change: {e}")),
                },
                "message_template_status_update" => {
                    match serde_json::from_str::<TemplateStatusUpdate>(raw) {
                        Ok(u) => {
                            out.push(template_review(&u));
                            self.done.template_updates.push(u);
                        }
                        Err(e) => self
                            .done
                            .problems
                            .push(format!("template status update: {e}")),
                    }
                }
                "phone_number_quality_update" => match serde_json::from_str(raw) {
                    Ok(u) => self.done.quality_updates.push(u),
                    Err(e) => self.done.problems.push(format!("quality update: {e}")),
                },
                other => tracing::debug!(field = other, "webhook field not used"),
            }
        }
        out
    }

    /// `value.errors[]` are not about one message: kept with the delivery in dead letters for
    /// an admin to see.
    fn errors(&mut self, value: &MessagesValue<'_>) {
        for e in &value.errors {
            tracing::warn!(code = e.code, title = ?e.title, "WhatsApp reported an error in a webhook");
            self.done.problems.push(format!(
                "WhatsApp reported error {}: {}",
                e.code,
                e.error_data
                    .as_ref()
                    .and_then(|d| d.details.clone())
                    .or_else(|| e.message.clone())
                    .or_else(|| e.title.clone())
                    .unwrap_or_else(|| sentence(e.code).to_owned())
            ));
        }
    }

    /// After the last slice: what else the delivery said, with its dead letter (the whole
    /// body) in `changes` when any part of it was not taken.
    pub fn finish(mut self) -> Ingest {
        if !self.done.problems.is_empty() {
            self.done.changes.push(Change::DeadLetter {
                at: self.now,
                reason: self.done.problems.join("; "),
                body: self.body.to_vec(),
            });
        }
        self.done
    }
}

/// One inbound message, or none (with the problem noted) when it cannot be read or answered.
fn message(
    raw: &serde_json::value::RawValue,
    contacts: &[WebhookContact],
    now: DateTime<Utc>,
    done: &mut Ingest,
) -> Option<Change> {
    // One message at a time as a JSON tree: its own object is what is kept.
    let value: serde_json::Value = match serde_json::from_str(raw.get()) {
        Ok(v) => v,
        Err(e) => {
            done.problems.push(format!("inbound message: {e}"));
            return None;
        }
    };
    let m = match InboundMessage::deserialize(&value) {
        Ok(m) => m,
        Err(e) => {
            done.problems.push(format!("inbound message: {e}"));
            return None;
        }
    };
    let contact = contact_for(&m, contacts);
    if contact.phone.is_none() && contact.bsuid.is_none() {
        done.problems.push(format!(
            "message {} has no sender that can be answered (from {:?})",
            m.id,
            m.from.as_deref().unwrap_or_default()
        ));
        return None;
    }
    let sent = time(m.timestamp);
    Some(Change::Inbound(Arrived {
        contact,
        wamid: m.id.clone(),
        // A clock far ahead (or a forged date) must not hold a window open for years.
        at: if sent > now + FUTURE_SLACK { now } else { sent },
        reply_to: m.context.as_ref().and_then(|c| c.id.clone()),
        effect: m.effect(),
        error_code: m.errors.first().map(|e| e.code),
        payload: value.get(&m.content.kind).cloned(),
    }))
}

/// The contact entry for a message: the one whose number or BSUID matches, or the only one.
fn contact_for(m: &InboundMessage, contacts: &[WebhookContact]) -> ContactInfo {
    let matched = contacts
        .iter()
        .find(|c| {
            (c.wa_id.is_some() && c.wa_id == m.from)
                || (c.user_id.is_some() && c.user_id == m.from_user_id)
        })
        .or(if contacts.len() == 1 {
            contacts.first()
        } else {
            None
        });
    let profile = matched.and_then(|c| c.profile.clone()).unwrap_or_default();
    let phone = m
        .from
        .as_deref()
        .or(matched.and_then(|c| c.wa_id.as_deref()))
        .and_then(|n| PhoneNumber::parse(n).ok());
    let bsuid = matched
        .and_then(|c| c.user_id.as_deref())
        .or(m.from_user_id.as_deref())
        .and_then(Bsuid::parse)
        // A payload may carry the BSUID in `from` when the number is hidden.
        .or_else(|| m.from.as_deref().and_then(Bsuid::parse));
    ContactInfo {
        phone,
        bsuid,
        name: profile.name,
        username: profile.username,
    }
}

fn status(s: &StatusUpdate) -> Option<Change> {
    let status = match s.status.as_str() {
        "sent" => Status::Sent,
        "delivered" => Status::Delivered,
        // A voice message played counts as read.
        "read" | "played" => Status::Read,
        "failed" => Status::Failed,
        other => {
            tracing::debug!(status = other, "status not tracked");
            return None;
        }
    };
    let error = s.errors.first().map(|e| {
        let detail = e
            .error_data
            .as_ref()
            .and_then(|d| d.details.clone())
            .or_else(|| e.title.clone())
            .unwrap_or_default();
        let text = if detail.is_empty() {
            format!("{} (error {})", sentence(e.code), e.code)
        } else {
            format!("{} (error {}: {detail})", sentence(e.code), e.code)
        };
        (e.code, text)
    });
    let pricing = (s.pricing.is_some() || s.conversation.is_some()).then(|| {
        let p = s.pricing.clone();
        let c = s.conversation.clone();
        Pricing {
            billable: p.as_ref().and_then(|p| p.billable),
            pricing_model: p.as_ref().and_then(|p| p.pricing_model.clone()),
            category: p.as_ref().and_then(|p| p.category.clone()),
            kind: p.as_ref().and_then(|p| p.kind.clone()),
            conversation_id: c.as_ref().and_then(|c| c.id.clone()),
            conversation_origin: c.as_ref().and_then(|c| c.origin.as_ref()?.kind.clone()),
            conversation_expires_at: c.as_ref().and_then(|c| c.expiration_timestamp).map(time),
        }
    });
    Some(Change::Status(Reported {
        wamid: s.id.clone(),
        status,
        callback_data: s.biz_opaque_callback_data.clone(),
        recipient: ContactInfo {
            phone: s
                .recipient_id
                .as_deref()
                .and_then(|n| PhoneNumber::parse(n).ok()),
            bsuid: s.recipient_user_id.as_deref().and_then(Bsuid::parse),
            ..ContactInfo::default()
        },
        error,
        pricing,
    }))
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
