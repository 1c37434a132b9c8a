//! Webhook payloads → store changes. Everything that parses is applied; a signed payload with
//! any part that does not parse is also kept whole in the dead-letter tree.

use chrono::{DateTime, Utc};

use crate::{
    domain::{
        identity::Bsuid,
        message::{Pricing, Status},
        phone::PhoneNumber,
        template::TemplateStatus,
    },
    store::{Change, ContactInfo},
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
}

pub fn parse(body: &[u8], now: DateTime<Utc>) -> Ingest {
    let mut out = Ingest::default();
    match serde_json::from_slice::<Envelope>(body) {
        Err(e) => out.problems.push(format!("not a webhook envelope: {e}")),
        Ok(e) if e.object != "whatsapp_business_account" => {
            out.problems
                .push(format!("unexpected object {:?}", e.object));
        }
        Ok(envelope) => changes(&envelope, &mut out),
    }
    if !out.problems.is_empty() {
        out.changes.push(Change::DeadLetter {
            at: now,
            reason: out.problems.join("; "),
            body: body.to_vec(),
        });
    }
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

/// Every entry and every change: Meta batches them, so none is read as `[0]` only.
fn changes(envelope: &Envelope, out: &mut Ingest) {
    for change in envelope.entry.iter().flat_map(|e| &e.changes) {
        match change.field.as_str() {
            "messages" => match serde_json::from_value::<MessagesValue>(change.value.clone()) {
                Ok(v) => messages(&v, out),
                Err(e) => out.problems.push(format!("messages change: {e}")),
            },
            "message_template_status_update" => {
                match serde_json::from_value::<TemplateStatusUpdate>(change.value.clone()) {
                    Ok(u) => {
                        out.changes.push(template_review(&u));
                        out.template_updates.push(u);
                    }
                    Err(e) => out.problems.push(format!("template status update: {e}")),
                }
            }
            other => tracing::debug!(field = other, "webhook field not used"),
        }
    }
}

fn messages(v: &MessagesValue, out: &mut Ingest) {
    for raw in &v.messages {
        let m: InboundMessage = match serde_json::from_value(raw.clone()) {
            Ok(m) => m,
            Err(e) => {
                out.problems.push(format!("inbound message: {e}"));
                continue;
            }
        };
        let contact = contact_for(&m, &v.contacts);
        let payload = raw.get(&m.content.kind).cloned();
        out.changes.push(Change::Inbound {
            contact,
            wamid: m.id.clone(),
            at: time(m.timestamp),
            reply_to: m.context.as_ref().and_then(|c| c.id.clone()),
            effect: m.effect(),
            error_code: m.errors.first().map(|e| e.code),
            payload,
        });
    }
    for s in &v.statuses {
        if let Some(change) = status(s) {
            out.changes.push(change);
        }
    }
    for e in &v.errors {
        tracing::warn!(code = e.code, title = ?e.title, "WhatsApp reported an error in a webhook");
    }
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
    Some(Change::Status {
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
    })
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
