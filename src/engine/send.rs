//! Sending: whom a send goes to, the rules every send obeys (sending set up, opt-out), and
//! queueing in the durable outbox. Free text adds the 24-hour window.

use chrono::{DateTime, Timelike, Utc};

use super::{Engine, EngineError, Response};
use crate::{
    domain::{
        conversation::Conversation,
        event::Event,
        identity::ContactRef,
        message::{Media, Message},
        outbox::Upload,
        permission::Actor,
        phone::PhoneNumber,
        record::Record,
        safe_text::neutralise,
    },
    store::{Change, ContactInfo, Queued},
    whatsapp::send::SendRequest,
};

/// Whom a send goes to, as far as the store knows them.
pub(super) struct Target {
    pub who: ContactRef,
    pub conversation: Option<Conversation>,
    pub record: Option<Record>,
    /// Whole seconds, as WhatsApp stamps the contact's messages: an answer in the same second
    /// then sorts after this message (ties go by arrival).
    pub now: DateTime<Utc>,
}

impl Target {
    pub fn window_open(&self) -> bool {
        self.conversation
            .as_ref()
            .is_some_and(|c| c.window_open(self.now))
    }

    /// Their phone number, when known.
    pub fn phone(&self) -> Option<PhoneNumber> {
        self.contact().phone
    }

    /// The number when known (Meta's advice), else the BSUID.
    fn contact(&self) -> ContactInfo {
        let phone = self
            .conversation
            .as_ref()
            .and_then(|c| c.phone.clone())
            .or(match &self.who {
                ContactRef::Phone(p) => Some(p.clone()),
                ContactRef::Bsuid(_) => None,
            })
            .or_else(|| self.record.as_ref().and_then(|r| r.mobile.clone()));
        let bsuid = self
            .conversation
            .as_ref()
            .and_then(|c| c.bsuid.clone())
            .or(match &self.who {
                ContactRef::Bsuid(b) => Some(b.clone()),
                ContactRef::Phone(_) => None,
            });
        ContactInfo {
            phone,
            bsuid,
            ..ContactInfo::default()
        }
    }

    pub fn window_closed_reason(&self) -> String {
        let name = self
            .conversation
            .as_ref()
            .map_or_else(|| self.who.to_string(), Conversation::display_name);
        let name = neutralise(&name, false);
        match self.conversation.as_ref().and_then(|c| c.last_inbound_at) {
            None => format!(
                "{name} has never written to this number: WhatsApp only allows starting a conversation with an approved template"
            ),
            Some(t) => format!(
                "{name} last wrote {} hours ago, more than 24 hours: WhatsApp only allows an approved template now",
                (self.now - t).num_hours()
            ),
        }
    }
}

impl Engine {
    /// Finds whom `to` names and checks what every send must pass.
    pub(super) fn target(&self, to: &str) -> Result<Target, EngineError> {
        if self.inner.client.get().is_none() {
            return Err(EngineError::Unavailable(
                "sending is not set up: an admin connects a number (`hirechat connect`, or `S` then `c` in the TUI), or the config gives whatsapp.phone_number_id and whatsapp.access_token (or WHATSAPP_ACCESS_TOKEN)".into(),
            ));
        }
        let who = ContactRef::parse(to).map_err(|e| EngineError::BadInput(e.to_string()))?;
        let conversation = self.lookup(&who)?;
        let record = match (&conversation, &who) {
            (Some(c), _) if c.record_id.is_some() => {
                self.store().record(c.record_id.unwrap_or_default())?
            }
            (_, ContactRef::Phone(p)) => self.store().record_by_phone(p)?,
            _ => None,
        };
        if let Some(r) = record.as_ref().filter(|r| r.opted_out) {
            return Err(EngineError::Forbidden(format!(
                "{} has opted out of messages: nothing is sent to them",
                neutralise(&r.name, false)
            )));
        }
        Ok(Target {
            who,
            conversation,
            record,
            now: Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now),
        })
    }

    pub(super) async fn send_text(
        &self,
        actor: &Actor,
        to: &str,
        text: &str,
    ) -> Result<Response, EngineError> {
        let change = self.text_change(actor, to, text)?;
        self.queue_change(change).await
    }

    /// The change that queues free text to `to`, once every rule said yes.
    pub(super) fn text_change(
        &self,
        actor: &Actor,
        to: &str,
        text: &str,
    ) -> Result<Change, EngineError> {
        let target = self.target(to)?;
        let text = text.trim_end();
        crate::domain::message::check_text(text).map_err(EngineError::BadInput)?;
        if !target.window_open() {
            return Err(EngineError::WindowClosed(target.window_closed_reason()));
        }
        let mut change = queued(actor, &target, "text", text, None, |to, recipient| {
            SendRequest::text(to, recipient, text)
        })?;
        held(&mut change, self.hold_for(actor, &target, None)?);
        Ok(change)
    }

    /// Stores the message `change` queues, with its outbox item, then wakes the outbox.
    pub(super) async fn queue_change(&self, change: Change) -> Result<Response, EngineError> {
        let mut messages = self.queue_all(vec![change]).await?;
        messages
            .pop()
            .map(|message| Response::Message {
                message: Box::new(message),
            })
            .ok_or_else(|| EngineError::Unavailable("the message was not queued".into()))
    }

    /// Queues several messages in one transaction (all or none), then wakes the outbox;
    /// returns them as queued, in order.
    pub(super) async fn queue_all(
        &self,
        changes: Vec<Change>,
    ) -> Result<Vec<Message>, EngineError> {
        let events = self.inner.writer.write(changes).await?;
        self.inner.wake_outbox.notify_one();
        Ok(events
            .into_iter()
            .filter_map(|e| match e {
                Event::MessageQueued { message, .. } => Some(message),
                _ => None,
            })
            .collect())
    }
}

/// The change that queues one message to `target`, built by `request` for its number or
/// BSUID; `file` is what it carries, if anything.
/// The queued send `change` holding `hold` from the balance.
pub(super) fn held(change: &mut Change, hold: Option<crate::domain::credits::Hold>) {
    if let Change::Queue(q) = change {
        q.hold = hold.map(Box::new);
    }
}

pub(super) fn queued(
    actor: &Actor,
    target: &Target,
    kind: &str,
    text: &str,
    file: Option<(Media, Upload)>,
    request: impl FnOnce(Option<String>, Option<String>) -> SendRequest,
) -> Result<Change, EngineError> {
    let contact = target.contact();
    let request = request(
        contact.phone.as_ref().map(PhoneNumber::to_string),
        contact.bsuid.as_ref().map(ToString::to_string),
    );
    let request =
        serde_json::to_value(&request).map_err(|e| EngineError::Unavailable(e.to_string()))?;
    Ok(Change::Queue(Queued {
        contact,
        kind: kind.to_owned(),
        text: text.to_owned(),
        request,
        sent_by: actor.login.clone(),
        at: target.now,
        file,
        batch: None,
        hold: None,
    }))
}
