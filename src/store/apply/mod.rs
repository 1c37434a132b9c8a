//! Applying changes inside one sled transaction. The single writer calls this with everything
//! queued since its last flush, so one flush makes a whole group durable.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use sled::transaction::{
    ConflictableTransactionError, TransactionError, Transactional, TransactionalTree,
};

use super::Change;
use super::{DeadLetter, StoreError, Stored, T, keys, search_queue};
use crate::domain::{conversation::Conversation, event::Event};

pub(super) use super::keys::{
    CONVERSATIONS_COUNTER, MESSAGES_COUNTER, ROUTING_PLAN, ROUTING_SETTINGS, UNREPLIED_COUNTER,
    owner_counter,
};

/// Since when a conversation waits for an answer, and whose it is.
pub(super) type Waiting = (DateTime<Utc>, Option<String>);

/// Whether a conversation waits for an answer (open, not snoozed, the contact wrote last),
/// and since when: their first message not answered, so a contact who writes again keeps
/// their place in the unreplied index (and its key is not moved).
pub(super) fn waiting(c: &Conversation) -> Option<Waiting> {
    let since = c.waiting_since()?;
    (c.merged_into.is_none() && crate::domain::conversation_state::awaits_answer(c))
        .then(|| (since, c.owner.clone()))
}

mod bulk;
mod conversation_state;
mod conversations;
mod credits;
mod media;
mod messages;
mod outbox;
mod records;
mod related;
mod routing;
mod rules;
mod schedule;
mod templates;
mod views;

type TxResult<V> = Result<V, ConflictableTransactionError<StoreError>>;

/// Applies `changes` in one transaction: the events of each, and every conversation written
/// (for the filters' in-memory facts).
pub(super) fn apply(
    trees: &[sled::Tree],
    id_floor: u64,
    changes: &[Change],
) -> Result<(Vec<Vec<Event>>, Vec<Conversation>), StoreError> {
    let written = RefCell::new(Vec::new());
    let to_index = RefCell::new(Vec::new());
    let result = trees.transaction(|t| {
        // A transaction may run again after a conflict: only the last run counts.
        written.borrow_mut().clear();
        to_index.borrow_mut().clear();
        let tx = Tx {
            t,
            written: &written,
            to_index: &to_index,
            id_floor,
            rules: RefCell::default(),
        };
        let events = changes
            .iter()
            .map(|c| tx.apply(c))
            .collect::<TxResult<Vec<_>>>()?;
        tx.queue_texts()?;
        Ok(events)
    });
    let events = result.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Sled(e),
    })?;
    Ok((events, written.into_inner()))
}

struct Tx<'a> {
    t: &'a [TransactionalTree],
    written: &'a RefCell<Vec<Conversation>>,
    /// The texts written, for the search queue's one entry (`search_queue`).
    to_index: &'a RefCell<Vec<u8>>,
    id_floor: u64,
    /// The workflow rules once read in this run of the transaction: a group of a thousand
    /// imported rows or webhooks reads and decodes them once, not twice per row.
    rules: RefCell<Option<std::rc::Rc<Vec<crate::domain::rule::Rule>>>>,
}

impl Tx<'_> {
    fn tree(&self, t: T) -> &TransactionalTree {
        &self.t[t as usize]
    }

    /// A new id, never given out before in this store (not even before a compaction).
    fn new_id(&self) -> TxResult<u64> {
        Ok(self.id_floor + self.tree(T::Meta).generate_id()?)
    }

    fn get<V: Stored>(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<Option<V>> {
        match self.tree(t).get(key)? {
            Some(v) => V::from_stored(&v)
                .map(Some)
                .map_err(ConflictableTransactionError::Abort),
            None => Ok(None),
        }
    }

    fn put<V: Stored>(&self, t: T, key: impl AsRef<[u8]>, value: &V) -> TxResult<()> {
        let bytes = value
            .to_stored()
            .map_err(ConflictableTransactionError::Abort)?;
        self.tree(t).insert(key.as_ref(), bytes)?;
        Ok(())
    }

    /// Queues a message (`search_queue::MESSAGE`, its key) or a conversation's name
    /// (`search_queue::NAME`, its id) for the search index. The tokens are written outside the
    /// transaction (see `Store::index_pending`), so webhooks are not slowed by them.
    fn queue_for_search(&self, what: u8, key: &[u8]) {
        search_queue::push(&mut self.to_index.borrow_mut(), what, key);
    }

    /// Writes what the transaction queued for search as one entry.
    fn queue_texts(&self) -> TxResult<()> {
        let group = std::mem::take(&mut *self.to_index.borrow_mut());
        if group.is_empty() {
            return Ok(());
        }
        let turn = self.new_id()?;
        self.tree(T::SearchQueue)
            .insert(&search_queue::group_key(turn), group)?;
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

    /// A delivery that could not be read, kept whole with why.
    fn dead_letter(&self, at: DateTime<Utc>, reason: &str, body: &[u8]) -> TxResult<Vec<Event>> {
        let id = self.new_id()?;
        let letter = DeadLetter {
            id,
            at,
            reason: reason.to_owned(),
            body: String::from_utf8_lossy(body).into_owned(),
        };
        self.put(T::DeadLetters, keys::id(id), &letter)?;
        Ok(vec![])
    }

    fn apply(&self, change: &Change) -> TxResult<Vec<Event>> {
        match change {
            Change::Inbound(arrived) => self.inbound(arrived),
            Change::Status(reported) => self.status(reported),
            Change::DeadLetter { at, reason, body } => self.dead_letter(*at, reason, body),
            Change::Queue(queued) => self.queue(queued),
            Change::AttemptStarted { id } => self.attempt_started(*id),
            Change::UploadRetry { id, next_at, error } => self.outbox_state(*id, |item| {
                item.attempts += 1;
                item.retry_at(*next_at, error);
            }),
            Change::Uploaded { id, media_id } => {
                self.outbox_state(*id, |item| item.uploaded(media_id))
            }
            Change::RetryLater { id, next_at, error } => {
                self.outbox_state(*id, |item| item.retry_at(*next_at, error))
            }
            Change::Accepted { id, wamid } => self.accepted(*id, wamid),
            Change::SendFailed { id, code, error } => self.send_failed(*id, *code, error),
            Change::SendUncertain { id, error } => self.uncertain(*id, error),
            Change::MarkInterrupted { ids } => self.mark_interrupted(ids),
            Change::SaveRecord { id, record } => self.save_record(*id, record),
            Change::SaveRelated { data } => self.save_related(data),
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
            Change::SaveView { view } => self.save_view(view.clone()),
            Change::SetRouting { routing, plan } => self.set_routing(routing.as_ref(), plan),
            Change::DeleteView { id } => {
                self.tree(T::Views).remove(&keys::id(*id))?;
                Ok(vec![])
            }
            Change::MediaFetched {
                message_id,
                wamid,
                fetch,
                size,
                stored,
                mime_type,
            } => self.media_fetched(
                *message_id,
                wamid,
                fetch,
                (*size, stored.as_ref(), mime_type.as_ref()),
            ),
            Change::FileRemoved {
                message_id,
                after_days,
            } => self.file_removed(*message_id, *after_days),
            Change::MediaRetry {
                message_id,
                attempts,
                next_at,
            } => self.media_retry(*message_id, *attempts, *next_at),
            Change::OpenConversation { contact } => {
                let conversation = self.conversation_for(contact)?;
                self.store_conversation(&conversation)?;
                Ok(vec![Event::ConversationChanged { conversation }])
            }
            Change::Retry { id, at } => self.retry(*id, *at),
            change @ (Change::SetState { .. }
            | Change::Assign { .. }
            | Change::AssignRecord { .. }
            | Change::Label { .. }
            | Change::EndSnoozes { .. }) => self.work(change),
            Change::SaveLabel { label } => {
                self.put(T::Labels, label.name.as_bytes(), label)?;
                Ok(vec![])
            }
            Change::DeleteLabel { name } => {
                self.tree(T::Labels).remove(name.as_bytes())?;
                Ok(vec![])
            }
            Change::MarkRead { conversation_id } => self.set_unread(*conversation_id, 0),
            Change::MarkUnread { conversation_id } => self.set_unread(*conversation_id, 1),
            change @ (Change::SaveRules { .. }
            | Change::FireUnreplied { .. }
            | Change::FireDates { .. }
            | Change::Notify { .. }) => self.rule_change(change),
            change @ (Change::Schedule { .. }
            | Change::ScheduleRun { .. }
            | Change::ScheduleEnd { .. }) => self.scheduled(change),
            Change::SaveBatch { batch, sends } => self.save_batch(batch, sends),
            Change::SaveRateCard { card } => self.save_rate_card(card),
            Change::Credit { entry, at } => Ok(vec![self.ledger(entry.clone(), *at)?]),
            Change::CancelBatch { id, sends, by, at } => self.cancel_batch(*id, sends, by, *at),
        }
    }
}
