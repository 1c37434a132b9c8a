//! Reading for the caller: a conversation's messages (newest, or from a time on), searches,
//! finding a conversation by number or BSUID, and the daemon's health for `doctor`.

use chrono::Utc;

use super::{
    ConversationView, DEFAULT_PAGE, Engine, EngineError, Request, Response, SEARCH_CONTEXT,
    SEARCH_PAGE, api,
};
use crate::domain::{conversation::Conversation, identity::ContactRef, outbox::OutboxState};

impl Engine {
    pub(super) fn doctor(&self) -> Result<Response, EngineError> {
        Ok(Response::Doctor {
            report: self.health()?,
        })
    }

    /// The daemon's health: whether the database takes writes, dead letters, deliveries for
    /// others, the outbox.
    pub fn health(&self) -> Result<api::Health, EngineError> {
        let store = self.store();
        let (dead_letters, recent) = store.recent_dead_letters(10)?;
        let outbox = store.outbox()?;
        let uncertain = outbox
            .iter()
            .filter(|i| i.state == OutboxState::Uncertain)
            .count();
        Ok(api::Health {
            writable: store.flush().is_ok(),
            dead_letters,
            recent_dead_letters: recent
                .into_iter()
                .map(|d| api::DeadLetterView {
                    id: d.id,
                    at: d.at,
                    reason: d.reason,
                })
                .collect(),
            foreign_since_start: self
                .inner
                .foreign
                .load(std::sync::atomic::Ordering::Relaxed) as u64,
            outbox_pending: (outbox.len() - uncertain) as u64,
            outbox_uncertain: uncertain as u64,
            number: self.number(),
            relay: self.relay_link(),
            started_at: self.inner.started_at,
            last_delivery_at: self.inner.deliveries.last(),
            disconnected_at: self.disconnected_at(),
            connection: self.connection_view(),
            database: store.disk_use().ok(),
        })
    }

    /// A conversation's messages (newest, or from a time on), or a search across them all.
    pub(super) fn reading(&self, request: Request) -> Result<Response, EngineError> {
        match request {
            Request::Thread {
                conversation_id,
                limit,
                since,
                before,
            } => {
                let conv = self.store().conversation(conversation_id)?.ok_or_else(|| {
                    EngineError::NotFound(format!("no conversation {conversation_id}"))
                })?;
                if let Some(at) = before {
                    return Ok(Response::Messages {
                        conversation: ConversationView::new(&conv, Utc::now()),
                        messages: self.store().messages_before(
                            &conv,
                            at,
                            limit.unwrap_or(DEFAULT_PAGE),
                        )?,
                        events: Vec::new(),
                        scheduled: Vec::new(),
                    });
                }
                match since {
                    Some(at) => Ok(Response::Messages {
                        conversation: ConversationView::new(&conv, Utc::now()),
                        messages: self.store().messages_since(
                            &conv,
                            at,
                            limit.unwrap_or(SEARCH_CONTEXT),
                        )?,
                        events: self.store().trail(conv.id)?,
                        scheduled: self.scheduled_of(conv.id)?,
                    }),
                    None => self.thread(&conv, limit),
                }
            }
            Request::Search { query, limit } => {
                let query = crate::domain::search::Query::parse(&query);
                let hits = self
                    .store()
                    .search(&query, limit.unwrap_or(SEARCH_PAGE))?
                    .into_iter()
                    .map(|f| api::SearchHit {
                        conversation: ConversationView::new(&f.conversation, Utc::now()),
                        message: f.message,
                    })
                    .collect();
                Ok(Response::Found { hits })
            }
            _ => Err(EngineError::BadInput("not a reading command".into())),
        }
    }

    /// A conversation with its newest messages.
    pub(super) fn thread(
        &self,
        conv: &Conversation,
        limit: Option<usize>,
    ) -> Result<Response, EngineError> {
        let messages = self.store().messages(conv, limit.unwrap_or(DEFAULT_PAGE))?;
        Ok(Response::Messages {
            conversation: ConversationView::new(conv, Utc::now()),
            messages,
            events: self.store().trail(conv.id)?,
            scheduled: self.scheduled_of(conv.id)?,
        })
    }

    pub(super) fn lookup(&self, who: &ContactRef) -> Result<Option<Conversation>, EngineError> {
        Ok(match who {
            ContactRef::Phone(p) => self.store().conversation_by_phone(p)?,
            ContactRef::Bsuid(b) => self.store().conversation_by_bsuid(b)?,
        })
    }

    pub(super) fn find(&self, with: &str) -> Result<Conversation, EngineError> {
        let who = ContactRef::parse(with).map_err(|e| EngineError::BadInput(e.to_string()))?;
        self.lookup(&who)?
            .ok_or_else(|| EngineError::NotFound(format!("no conversation with {who}")))
    }

    /// A conversation's waiting sends, those that will be skipped marked as such.
    fn scheduled_of(
        &self,
        conversation: u64,
    ) -> Result<Vec<crate::domain::schedule::ScheduledSend>, EngineError> {
        let mut sends = self.store().scheduled_of(conversation)?;
        self.mark_skips(&mut sends);
        Ok(sends)
    }
}
