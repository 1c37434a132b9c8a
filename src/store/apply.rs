//! Applying changes inside one sled transaction. The single writer calls this with everything
//! queued since its last flush, so one flush makes a whole group durable.

use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use sled::transaction::{
    ConflictableTransactionError, TransactionError, Transactional, TransactionalTree,
};

use super::Change;
use super::{DeadLetter, StoreError, T, change::ContactInfo, keys};
use crate::domain::{
    conversation::Conversation,
    event::Event,
    message::{Direction, Effect, Message, Status, Summary},
    outbox::{OutboxItem, OutboxState, callback_data, parse_callback_data},
    record::Record,
    template::{Template, TemplateStatus},
};

pub(super) const CONVERSATIONS_COUNTER: &str = "count:conversations";
pub(super) const MESSAGES_COUNTER: &str = "count:messages";
pub(super) const UNREPLIED_COUNTER: &str = "count:unreplied";

/// The counter of one owner's unreplied conversations.
pub(super) fn owner_counter(owner: &str) -> String {
    format!("count:unreplied:{owner}")
}

/// Since when a conversation waits for an answer (the contact wrote last), and whose it is.
pub(super) fn waiting(c: &Conversation) -> Option<(DateTime<Utc>, Option<String>)> {
    let inbound = c.last_inbound_at?;
    (c.merged_into.is_none() && c.last_outbound_at.is_none_or(|o| o < inbound))
        .then(|| (inbound, c.owner.clone()))
}

/// What an interrupted attempt's message says until a webhook settles it.
const INTERRUPTED: &str = "Sending was interrupted: it may have reached WhatsApp. Check with the contact, then resend if needed.";

type TxResult<V> = Result<V, ConflictableTransactionError<StoreError>>;

pub(super) fn apply(
    trees: &[sled::Tree],
    changes: &[Change],
) -> Result<Vec<Vec<Event>>, StoreError> {
    let result = trees.transaction(|t| {
        let tx = Tx { t };
        changes
            .iter()
            .map(|c| tx.apply(c))
            .collect::<TxResult<Vec<_>>>()
    });
    result.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Sled(e),
    })
}

struct Tx<'a> {
    t: &'a [TransactionalTree],
}

fn corrupt(e: &serde_json::Error) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(StoreError::Corrupt(e.to_string()))
}

impl Tx<'_> {
    fn tree(&self, t: T) -> &TransactionalTree {
        &self.t[t as usize]
    }

    fn get<V: DeserializeOwned>(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<Option<V>> {
        match self.tree(t).get(key)? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| corrupt(&e)),
            None => Ok(None),
        }
    }

    fn put<V: Serialize>(&self, t: T, key: impl AsRef<[u8]>, value: &V) -> TxResult<()> {
        let bytes = serde_json::to_vec(value).map_err(|e| corrupt(&e))?;
        self.tree(t).insert(key.as_ref(), bytes)?;
        Ok(())
    }

    fn get_id(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<Option<u64>> {
        Ok(self.tree(t).get(key)?.map(|v| keys::read_id(&v)))
    }

    fn bump(&self, counter: &str, by: i64) -> TxResult<()> {
        let now = self.get_id(T::Meta, counter)?.unwrap_or(0);
        let next = now.saturating_add_signed(by);
        self.tree(T::Meta).insert(counter, &keys::id(next))?;
        Ok(())
    }

    fn apply(&self, change: &Change) -> TxResult<Vec<Event>> {
        match change {
            Change::Inbound {
                contact,
                wamid,
                at,
                reply_to,
                effect,
                error_code,
                payload,
            } => self.inbound(
                contact,
                wamid,
                *at,
                reply_to.as_ref(),
                effect,
                *error_code,
                payload.as_ref(),
            ),
            Change::Status {
                wamid,
                status,
                callback_data,
                recipient,
                error,
                pricing,
            } => self.status(
                wamid,
                *status,
                callback_data.as_deref(),
                recipient,
                error.as_ref(),
                pricing.as_ref(),
            ),
            Change::DeadLetter { at, reason, body } => {
                let id = self.tree(T::Meta).generate_id()?;
                let letter = DeadLetter {
                    id,
                    at: *at,
                    reason: reason.clone(),
                    body: String::from_utf8_lossy(body).into_owned(),
                };
                self.put(T::DeadLetters, keys::id(id), &letter)?;
                Ok(vec![])
            }
            Change::Queue {
                contact,
                kind,
                text,
                request,
                sent_by,
                at,
            } => self.queue(contact, kind, text, request, sent_by, *at),
            Change::AttemptStarted { id } => self.outbox_state(*id, |item| {
                item.state = OutboxState::InFlight;
                item.attempts += 1;
            }),
            Change::RetryLater { id, next_at, error } => self.outbox_state(*id, |item| {
                item.state = OutboxState::Pending;
                item.next_attempt_at = *next_at;
                item.last_error = Some(error.clone());
            }),
            Change::Accepted { id, wamid } => self.accepted(*id, wamid),
            Change::SendFailed { id, code, error } => self.send_failed(*id, *code, error),
            Change::MarkInterrupted { ids } => self.mark_interrupted(ids),
            Change::SaveRecord { id, record } => self.save_record(*id, record),
            Change::SaveTemplate { template } => self.save_template(template.clone()),
            Change::DeleteTemplate { id } => self.delete_template(*id),
            Change::TemplateReviewed {
                whatsapp_id,
                name,
                language,
                status,
                reason,
            } => self.template_reviewed(
                whatsapp_id.as_deref(),
                name,
                language,
                *status,
                reason.as_ref(),
            ),
            Change::SyncTemplates { remote } => self.sync_templates(remote),
            Change::MarkRead { conversation_id } => self.set_unread(*conversation_id, 0),
            Change::MarkUnread { conversation_id } => self.set_unread(*conversation_id, 1),
        }
    }

    // --- conversations -------------------------------------------------------------------

    /// Read (`unread` 0) or unread again (at least 1; a count already there stays).
    fn set_unread(&self, conversation_id: u64, unread: u32) -> TxResult<Vec<Event>> {
        let Some(mut conv) =
            self.get::<Conversation>(T::Conversations, keys::id(conversation_id))?
        else {
            return Ok(vec![]);
        };
        let next = if unread == 0 {
            0
        } else {
            conv.unread.max(unread)
        };
        if conv.unread == next {
            return Ok(vec![]);
        }
        conv.unread = next;
        self.store_conversation(&conv)?;
        Ok(vec![Event::ConversationChanged { conversation: conv }])
    }

    /// Finds the contact's conversation, or starts one; fills in what the payload adds
    /// (a number for a BSUID, a BSUID for a number, a name) and merges two conversations
    /// that turn out to be the same person.
    fn conversation_for(&self, contact: &ContactInfo) -> TxResult<Conversation> {
        let by_bsuid = match &contact.bsuid {
            Some(b) => self.live_conversation(T::ConvByBsuid, b.as_str())?,
            None => None,
        };
        let by_phone = match &contact.phone {
            Some(p) => self.live_conversation(T::ConvByPhone, p.wa_id())?,
            None => None,
        };
        let mut conv = match (by_bsuid, by_phone) {
            (Some(a), Some(b)) if a.id != b.id => self.merge(a, b)?,
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => {
                let id = self.tree(T::Meta).generate_id()?;
                self.bump(CONVERSATIONS_COUNTER, 1)?;
                Conversation::new(id, None, None)
            }
        };
        if conv.phone.is_none()
            && let Some(p) = &contact.phone
        {
            conv.phone = Some(p.clone());
            self.tree(T::ConvByPhone)
                .insert(p.wa_id(), &keys::id(conv.id))?;
        }
        if conv.bsuid.is_none()
            && let Some(b) = &contact.bsuid
        {
            conv.bsuid = Some(b.clone());
            self.tree(T::ConvByBsuid)
                .insert(b.as_str(), &keys::id(conv.id))?;
        }
        if let Some(n) = contact.name.as_ref().filter(|n| !n.trim().is_empty()) {
            n.clone_into(&mut conv.name);
        }
        if let Some(u) = &contact.username {
            conv.username = Some(u.clone());
        }
        if conv.record_id.is_none()
            && let Some(p) = &conv.phone
            && let Some(id) = self.get_id(T::RecordByPhone, p.wa_id())?
            && let Some(record) = self.get::<Record>(T::Records, keys::id(id))?
        {
            conv.record_id = Some(record.id);
            conv.record_name = Some(record.name);
            conv.owner = record.owner;
        }
        Ok(conv)
    }

    fn save_template(&self, mut t: Template) -> TxResult<Vec<Event>> {
        if t.id == 0 {
            // 0 means "new": ids start at 1.
            t.id = self.tree(T::Meta).generate_id()? + 1;
        }
        self.put(T::Templates, keys::id(t.id), &t)?;
        self.tree(T::TemplateIndex).insert(
            template_name_key(&t.name, &t.language).as_bytes(),
            &keys::id(t.id),
        )?;
        if let Some(w) = &t.whatsapp_id {
            self.tree(T::TemplateIndex)
                .insert(template_wa_key(w).as_bytes(), &keys::id(t.id))?;
        }
        Ok(vec![Event::TemplateChanged { template: t }])
    }

    fn template_reviewed(
        &self,
        whatsapp_id: Option<&str>,
        name: &str,
        language: &str,
        status: TemplateStatus,
        reason: Option<&String>,
    ) -> TxResult<Vec<Event>> {
        let by_wa = match whatsapp_id {
            Some(w) => self.get_id(T::TemplateIndex, template_wa_key(w))?,
            None => None,
        };
        let id = match by_wa {
            Some(id) => Some(id),
            None => self.get_id(T::TemplateIndex, template_name_key(name, language))?,
        };
        let Some(mut t) = id
            .map(|id| self.get::<Template>(T::Templates, keys::id(id)))
            .transpose()?
            .flatten()
        else {
            // A template this store does not know: `templates sync` brings it in.
            return Ok(vec![]);
        };
        t.status = status;
        t.reason = reason.cloned();
        self.save_template(t)
    }

    fn sync_templates(&self, remote: &[Template]) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for r in remote {
            let existing =
                self.get_id(T::TemplateIndex, template_name_key(&r.name, &r.language))?;
            let known = existing
                .map(|id| self.get::<Template>(T::Templates, keys::id(id)))
                .transpose()?
                .flatten();
            let t = match known {
                Some(mut t) => {
                    t.status = r.status;
                    t.reason.clone_from(&r.reason);
                    t.whatsapp_id.clone_from(&r.whatsapp_id);
                    // The body here keeps its merge fields; WhatsApp's has {{1}}….
                    t.category = r.category.or(t.category);
                    t
                }
                None => r.clone(),
            };
            events.extend(self.save_template(t)?);
        }
        Ok(events)
    }

    fn delete_template(&self, id: u64) -> TxResult<Vec<Event>> {
        let Some(t) = self.get::<Template>(T::Templates, keys::id(id))? else {
            return Ok(vec![]);
        };
        self.tree(T::Templates).remove(&keys::id(id))?;
        self.tree(T::TemplateIndex)
            .remove(template_name_key(&t.name, &t.language).as_bytes())?;
        if let Some(w) = &t.whatsapp_id {
            self.tree(T::TemplateIndex)
                .remove(template_wa_key(w).as_bytes())?;
        }
        Ok(vec![Event::TemplateDeleted { id }])
    }

    fn save_record(&self, id: Option<u64>, record: &Record) -> TxResult<Vec<Event>> {
        let mut record = record.clone();
        record.id = match id {
            Some(id) => id,
            None => self.tree(T::Meta).generate_id()?,
        };
        let previous: Option<Record> = self.get(T::Records, keys::id(record.id))?;
        if let Some(old) = previous.as_ref().and_then(|p| p.mobile.as_ref())
            && record.mobile.as_ref() != Some(old)
        {
            self.tree(T::RecordByPhone).remove(old.wa_id())?;
        }
        if let Some(old) = previous.as_ref().and_then(|p| p.email.as_ref())
            && record.email.as_ref() != Some(old)
        {
            self.tree(T::RecordByEmail).remove(old.as_bytes())?;
        }
        if let Some(e) = &record.email {
            self.tree(T::RecordByEmail)
                .insert(e.as_bytes(), &keys::id(record.id))?;
        }
        self.put(T::Records, keys::id(record.id), &record)?;
        let mut events = Vec::new();
        if let Some(p) = &record.mobile {
            self.tree(T::RecordByPhone)
                .insert(p.wa_id(), &keys::id(record.id))?;
            if let Some(mut conv) = self.live_conversation(T::ConvByPhone, p.wa_id())? {
                conv.record_id = Some(record.id);
                conv.record_name = Some(record.name.clone());
                conv.owner.clone_from(&record.owner);
                self.store_conversation(&conv)?;
                events.push(Event::ConversationChanged { conversation: conv });
            }
        }
        events.push(Event::RecordSaved { record });
        Ok(events)
    }

    fn live_conversation(&self, t: T, key: &str) -> TxResult<Option<Conversation>> {
        let Some(id) = self.get_id(t, key)? else {
            return Ok(None);
        };
        let conv: Option<Conversation> = self.get(T::Conversations, keys::id(id))?;
        match conv {
            Some(c) if c.merged_into.is_some() => self.get(
                T::Conversations,
                keys::id(c.merged_into.unwrap_or_default()),
            ),
            other => Ok(other),
        }
    }

    /// Keeps the older conversation; the newer one's messages stay where they are and are
    /// read through `merged` (moving them would need a scan inside the transaction).
    fn merge(&self, a: Conversation, b: Conversation) -> TxResult<Conversation> {
        let (mut keep, mut gone) = if a.id < b.id { (a, b) } else { (b, a) };
        keep.merged.push(gone.id);
        keep.merged.append(&mut gone.merged);
        keep.unread += gone.unread;
        keep.failed += gone.failed;
        for (k, g) in [
            (&mut keep.last_inbound_at, gone.last_inbound_at),
            (&mut keep.last_outbound_at, gone.last_outbound_at),
        ] {
            *k = (*k).max(g);
        }
        if gone.last_message_at > keep.last_message_at {
            keep.last_text.clone_from(&gone.last_text);
        }
        keep.last_message_at = keep.last_message_at.max(gone.last_message_at);
        keep.owner = keep.owner.or_else(|| gone.owner.clone());
        gone.merged_into = Some(keep.id);
        // Out of the list and the unreplied index: it lives on in `keep`.
        self.store_conversation(&gone)?;
        self.bump(CONVERSATIONS_COUNTER, -1)?;
        Ok(keep)
    }

    /// Stores a conversation and keeps its derived indexes true: its place in the list (last
    /// activity) and in the unreplied index (by waiting time, overall and per owner), with
    /// their counters. Every conversation write goes through here.
    fn store_conversation(&self, conv: &Conversation) -> TxResult<()> {
        let old: Option<Conversation> = self.get(T::Conversations, keys::id(conv.id))?;
        let listed = |c: &Conversation| {
            c.merged_into
                .is_none()
                .then_some(c.last_message_at)
                .flatten()
        };
        let (was, now) = (old.as_ref().and_then(listed), listed(conv));
        if was != now {
            if let Some(at) = was {
                self.tree(T::ConvByActivity)
                    .remove(&keys::activity(at, conv.id))?;
            }
            if let Some(at) = now {
                self.tree(T::ConvByActivity)
                    .insert(&keys::activity(at, conv.id), &[])?;
            }
        }
        let (was, now) = (old.as_ref().and_then(waiting), waiting(conv));
        if was != now {
            if let Some((since, owner)) = was {
                self.unreplied_index(conv.id, since, owner.as_deref(), false)?;
            }
            if let Some((since, owner)) = now {
                self.unreplied_index(conv.id, since, owner.as_deref(), true)?;
            }
        }
        self.put(T::Conversations, keys::id(conv.id), conv)
    }

    fn unreplied_index(
        &self,
        id: u64,
        since: DateTime<Utc>,
        owner: Option<&str>,
        add: bool,
    ) -> TxResult<()> {
        let key = keys::activity(since, id);
        let by = if add { 1 } else { -1 };
        if add {
            self.tree(T::ConvUnreplied).insert(&key, &[])?;
        } else {
            self.tree(T::ConvUnreplied).remove(&key)?;
        }
        self.bump(UNREPLIED_COUNTER, by)?;
        if let Some(o) = owner {
            let partition_key = keys::owned(o, &key);
            if add {
                self.tree(T::ConvUnrepliedByOwner)
                    .insert(partition_key, &[])?;
            } else {
                self.tree(T::ConvUnrepliedByOwner).remove(partition_key)?;
            }
            self.bump(&owner_counter(o), by)?;
        }
        Ok(())
    }

    // --- messages ------------------------------------------------------------------------

    /// A message still in the outbox, found through its outbox item (which knows where it is
    /// stored). There is no index by id: a million more keys would cost more memory than the
    /// few lookups it would serve.
    fn message_by_id(&self, id: u64) -> TxResult<Option<(Vec<u8>, Message)>> {
        let Some(item) = self.get::<OutboxItem>(T::Outbox, keys::id(id))? else {
            return Ok(None);
        };
        let key = keys::message(item.conversation_id, item.at, id);
        Ok(self.get(T::Messages, key)?.map(|m| (key.to_vec(), m)))
    }

    fn message_by_wamid(&self, wamid: &str) -> TxResult<Option<(Vec<u8>, Message)>> {
        let Some(key) = self.tree(T::MsgByWamid).get(wamid)? else {
            return Ok(None);
        };
        Ok(self.get(T::Messages, &key)?.map(|m| (key.to_vec(), m)))
    }

    fn insert_message(&self, m: &Message) -> TxResult<()> {
        let key = keys::message(m.conversation_id, m.at, m.id);
        self.put(T::Messages, key, m)?;
        if let Some(w) = &m.wamid {
            self.tree(T::MsgByWamid).insert(w.as_str(), &key)?;
        }
        self.bump(MESSAGES_COUNTER, 1)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the fields of one Change::Inbound"
    )]
    fn inbound(
        &self,
        contact: &ContactInfo,
        wamid: &str,
        at: DateTime<Utc>,
        reply_to: Option<&String>,
        effect: &Effect,
        error_code: Option<i64>,
        payload: Option<&serde_json::Value>,
    ) -> TxResult<Vec<Event>> {
        // Meta retries and delivers to every subscribed app: the same wamid is stored once.
        if self.tree(T::MsgByWamid).get(wamid)?.is_some() {
            return Ok(vec![]);
        }
        let mut conv = self.conversation_for(contact)?;
        // Any message from the contact (re)opens the 24-hour window.
        if conv.last_inbound_at.is_none_or(|t| t < at) {
            conv.last_inbound_at = Some(at);
        }
        let target = match effect {
            Effect::React { target, .. }
            | Effect::Edit { target, .. }
            | Effect::Revoke { target } => self.message_by_wamid(target)?,
            Effect::New(_) => None,
        };
        if let Some((key, mut original)) = target {
            match effect {
                Effect::React { emoji, .. } => original.reaction.clone_from(emoji),
                Effect::Edit { summary, .. } => {
                    original.text.clone_from(&summary.text);
                    original.kind.clone_from(&summary.kind);
                    original.media.clone_from(&summary.media);
                    original.edited = true;
                }
                Effect::Revoke { .. } => original.deleted = true,
                Effect::New(_) => {}
            }
            self.put(T::Messages, &key, &original)?;
            // Remember the change's own wamid so a repeat of it is ignored.
            self.tree(T::MsgByWamid).insert(wamid, key.as_slice())?;
            self.store_conversation(&conv)?;
            return Ok(vec![Event::MessageChanged {
                conversation: conv,
                message: original,
            }]);
        }
        // A new message, or a change to one we never saw: kept, never dropped.
        let (summary, edited, deleted) = match effect {
            Effect::New(s) => (s.clone(), false, false),
            Effect::Edit { summary, .. } => (summary.clone(), true, false),
            Effect::React { emoji, .. } => (
                Summary {
                    kind: "reaction".into(),
                    text: format!(
                        "Reacted {} to an earlier message",
                        emoji.as_deref().unwrap_or("(removed)")
                    ),
                    media: None,
                },
                false,
                false,
            ),
            Effect::Revoke { .. } => (
                Summary {
                    kind: "revoke".into(),
                    text: "Deleted an earlier message".into(),
                    media: None,
                },
                false,
                true,
            ),
        };
        let message = Message {
            id: self.tree(T::Meta).generate_id()?,
            conversation_id: conv.id,
            wamid: Some(wamid.to_owned()),
            direction: Direction::In,
            kind: summary.kind,
            text: summary.text,
            status: Status::Delivered,
            error: None,
            error_code,
            at,
            media: summary.media,
            reply_to: reply_to.cloned(),
            reaction: None,
            edited,
            deleted,
            sent_by: None,
            outbox_id: None,
            pricing: None,
            payload: payload.cloned(),
        };
        conv.note_message(true, at, &message.text);
        self.insert_message(&message)?;
        self.store_conversation(&conv)?;
        Ok(vec![Event::MessageReceived {
            conversation: conv,
            message,
        }])
    }

    fn status(
        &self,
        wamid: &str,
        status: Status,
        callback: Option<&str>,
        recipient: &ContactInfo,
        error: Option<&(i64, String)>,
        pricing: Option<&crate::domain::message::Pricing>,
    ) -> TxResult<Vec<Event>> {
        let outbox_id = callback.and_then(parse_callback_data);
        let found = match self.message_by_wamid(wamid)? {
            Some(f) => Some(f),
            None => match outbox_id {
                Some(id) => self.message_by_id(id)?,
                None => None,
            },
        };
        // A status for a message this store never sent (another app on the same number, or
        // data from before a reset) is ignored.
        let Some((key, mut message)) = found else {
            return Ok(vec![]);
        };
        let before = message.clone();
        let item: Option<OutboxItem> = self.get(T::Outbox, keys::id(message.id))?;
        let interrupted = item
            .as_ref()
            .is_some_and(|i| i.state == OutboxState::Uncertain);
        if interrupted && status != Status::Failed {
            // WhatsApp did get the interrupted attempt: it settles the uncertainty.
            message.status = status;
            message.error = None;
        } else {
            message.status = message.status.advance(status);
        }
        if message.status == Status::Failed
            && before.status != Status::Failed
            && let Some((code, sentence)) = error
        {
            message.error = Some(sentence.clone());
            message.error_code = Some(*code);
        }
        if message.wamid.is_none() {
            message.wamid = Some(wamid.to_owned());
            self.tree(T::MsgByWamid).insert(wamid, key.as_slice())?;
        }
        if let Some(p) = pricing {
            message.pricing = Some(p.clone());
        }
        if item.is_some() && status != Status::Failed {
            // WhatsApp has it: nothing left to send.
            self.tree(T::Outbox).remove(&keys::id(message.id))?;
        }
        if message == before {
            return Ok(vec![]);
        }
        self.put(T::Messages, &key, &message)?;
        let mut conv: Conversation = self
            .get(T::Conversations, keys::id(message.conversation_id))?
            .unwrap_or_else(|| Conversation::new(message.conversation_id, None, None));
        let failed_now = message.status == Status::Failed;
        let failed_before = before.status == Status::Failed;
        if failed_now != failed_before {
            if failed_now {
                conv.failed += 1;
            } else {
                conv.failed = conv.failed.saturating_sub(1);
            }
        }
        if conv.bsuid.is_none() && conv.phone.is_none() {
            conv.phone.clone_from(&recipient.phone);
        }
        self.store_conversation(&conv)?;
        Ok(vec![message_event(
            conv,
            message,
            failed_now && !failed_before,
        )])
    }

    // --- outbox ---------------------------------------------------------------------------

    fn queue(
        &self,
        contact: &ContactInfo,
        kind: &str,
        text: &str,
        request: &serde_json::Value,
        sent_by: &str,
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let mut conv = self.conversation_for(contact)?;
        let id = self.tree(T::Meta).generate_id()?;
        let mut request = request.clone();
        request["biz_opaque_callback_data"] = callback_data(id).into();
        let message = Message {
            id,
            conversation_id: conv.id,
            wamid: None,
            direction: Direction::Out,
            kind: kind.to_owned(),
            text: text.to_owned(),
            status: Status::Queued,
            error: None,
            error_code: None,
            at,
            media: None,
            reply_to: None,
            reaction: None,
            edited: false,
            deleted: false,
            sent_by: Some(sent_by.to_owned()),
            outbox_id: Some(id),
            pricing: None,
            payload: None,
        };
        let item = OutboxItem {
            id,
            conversation_id: conv.id,
            at,
            request,
            state: OutboxState::Pending,
            attempts: 0,
            next_attempt_at: at,
            last_error: None,
        };
        conv.note_message(false, at, text);
        conv.last_replied_by = Some(sent_by.to_owned());
        self.insert_message(&message)?;
        self.put(T::Outbox, keys::id(id), &item)?;
        self.store_conversation(&conv)?;
        Ok(vec![Event::MessageQueued {
            conversation: conv,
            message,
        }])
    }

    fn outbox_state(&self, id: u64, f: impl FnOnce(&mut OutboxItem)) -> TxResult<Vec<Event>> {
        if let Some(mut item) = self.get::<OutboxItem>(T::Outbox, keys::id(id))? {
            f(&mut item);
            self.put(T::Outbox, keys::id(id), &item)?;
        }
        Ok(vec![])
    }

    fn update_message(
        &self,
        id: u64,
        f: impl FnOnce(&mut Message, &mut Conversation),
    ) -> TxResult<Vec<Event>> {
        let Some((key, mut message)) = self.message_by_id(id)? else {
            return Ok(vec![]);
        };
        let Some(mut conv) =
            self.get::<Conversation>(T::Conversations, keys::id(message.conversation_id))?
        else {
            return Ok(vec![]);
        };
        let before = message.clone();
        f(&mut message, &mut conv);
        if message == before {
            return Ok(vec![]);
        }
        self.put(T::Messages, &key, &message)?;
        self.store_conversation(&conv)?;
        let failed = message.status == Status::Failed && before.status != Status::Failed;
        Ok(vec![message_event(conv, message, failed)])
    }

    fn accepted(&self, id: u64, wamid: &str) -> TxResult<Vec<Event>> {
        // The outbox item says where the message is: use it before removing it.
        if let Some((key, _)) = self.message_by_id(id)? {
            self.tree(T::MsgByWamid).insert(wamid, key.as_slice())?;
        }
        let events = self.update_message(id, |m, _| {
            m.wamid = Some(wamid.to_owned());
            m.status = m.status.advance(Status::Sent);
        })?;
        self.tree(T::Outbox).remove(&keys::id(id))?;
        Ok(events)
    }

    fn send_failed(&self, id: u64, code: Option<i64>, error: &str) -> TxResult<Vec<Event>> {
        let events = self.update_message(id, |m, conv| {
            if m.status != Status::Failed {
                conv.failed += 1;
            }
            m.status = Status::Failed;
            m.error = Some(error.to_owned());
            m.error_code = code;
        })?;
        self.tree(T::Outbox).remove(&keys::id(id))?;
        Ok(events)
    }

    /// Attempts that were in flight when the process stopped: WhatsApp may or may not have
    /// them. They are not sent again blindly; the message shows it, and a status webhook
    /// carrying the callback data settles it.
    fn mark_interrupted(&self, ids: &[u64]) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for &id in ids {
            let Some(mut item) = self.get::<OutboxItem>(T::Outbox, keys::id(id))? else {
                continue;
            };
            if item.state != OutboxState::InFlight {
                continue;
            }
            item.state = OutboxState::Uncertain;
            self.put(T::Outbox, keys::id(id), &item)?;
            events.extend(self.update_message(id, |m, conv| {
                if m.status != Status::Failed {
                    conv.failed += 1;
                }
                m.status = Status::Failed;
                m.error = Some(INTERRUPTED.to_owned());
                m.error_code = None;
            })?);
        }
        Ok(events)
    }
}

/// The event for a changed message: a failure is told as such, so clients can alert.
fn message_event(conversation: Conversation, message: Message, newly_failed: bool) -> Event {
    if newly_failed {
        Event::SendFailed {
            conversation,
            message,
        }
    } else {
        Event::MessageChanged {
            conversation,
            message,
        }
    }
}

/// Templates are found by name and language; Meta writes `en-US` where templates say `en_US`.
fn template_name_key(name: &str, language: &str) -> String {
    format!("name:{name}:{}", language.replace('-', "_"))
}

fn template_wa_key(whatsapp_id: &str) -> String {
    format!("wa:{whatsapp_id}")
}
