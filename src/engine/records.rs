//! Record commands: save one, search them (the records pane), show one's card, and open a
//! record's conversation, starting it when there is none yet.

use super::{Engine, EngineError, Request, Response};
use crate::{
    domain::{
        event::Event,
        permission::{Actor, Permission},
    },
    store::{Change, ContactInfo},
};

impl Engine {
    /// What moves the reminders of a record's interviews when `new` replaces `old` somewhere
    /// else: they are sent at a time of day where the person is, read from their zone or
    /// their number. The transaction that saves the record cannot find its interviews (it
    /// cannot scan), so they go with it, after the record.
    pub(super) fn dates_to_move(
        &self,
        old: Option<&crate::domain::record::Record>,
        new: &crate::domain::record::Record,
    ) -> Result<Option<Change>, EngineError> {
        let Some(old) = old.filter(|o| o.time_zone != new.time_zone || o.mobile != new.mobile)
        else {
            return Ok(None);
        };
        let interviews = self.store().interviews_of(old.id)?;
        Ok((!interviews.is_empty()).then_some(Change::FireDates {
            record_id: old.id,
            interviews,
        }))
    }
}

/// How many records a search returns unless asked otherwise.
const RECORDS_PAGE: usize = 200;

impl Engine {
    pub(super) async fn record_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::SaveRecord {
                record_id: id,
                record: input,
            } => {
                let given = input
                    .validate(id.unwrap_or_default())
                    .map_err(|e| EngineError::BadInput(e.to_string()))?;
                let existing = match id {
                    Some(id) => self.store().record(id)?,
                    None => None,
                };
                let editor = crate::domain::record_update::Editor {
                    login: &actor.login,
                    at: chrono::Utc::now(),
                    via: "edited".into(),
                };
                let record = crate::domain::record_update::replace(
                    existing.as_ref(),
                    &input,
                    given,
                    &editor,
                );
                let moved = self.dates_to_move(existing.as_ref(), &record)?;
                let mut changes = vec![Change::SaveRecord { id, record }];
                changes.extend(moved);
                let events = self.apply_history(changes).await?;
                events
                    .into_iter()
                    .find_map(|e| match e {
                        Event::RecordSaved { record } => Some(Response::Record { record }),
                        _ => None,
                    })
                    .ok_or_else(|| EngineError::Unavailable("the record was not saved".into()))
            }
            Request::Records {
                query,
                offset,
                limit,
            } => {
                let (total, records) =
                    self.store()
                        .search_records(&query, offset, limit.unwrap_or(RECORDS_PAGE))?;
                Ok(Response::Records { total, records })
            }
            Request::OpenRecord { record_id } => self.open_record(actor, record_id).await,
            Request::RecordCard {
                record_id,
                with,
                conversation_id,
            } => Ok(Response::RecordCard {
                card: Box::new(self.record_card(record_id, with.as_deref(), conversation_id)?),
            }),
            _ => Err(EngineError::BadInput("not a record command".into())),
        }
    }

    /// The record's conversation with its newest messages; started (empty, not yet listed)
    /// for someone who may write, when the record has a mobile number and no conversation.
    async fn open_record(&self, actor: &Actor, record_id: u64) -> Result<Response, EngineError> {
        let record = self
            .store()
            .record(record_id)?
            .ok_or_else(|| EngineError::NotFound(format!("no record {record_id}")))?;
        let Some(phone) = record.mobile.clone() else {
            return Err(EngineError::BadInput(format!(
                "{} has no mobile number: add one to the record to write to them on WhatsApp",
                crate::domain::safe_text::neutralise(&record.name, false)
            )));
        };
        if let Some(conv) = self.store().conversation_by_phone(&phone)? {
            return self.thread(&conv, None);
        }
        if !actor.role.allows(Permission::Reply) {
            return Err(EngineError::Forbidden(format!(
                "{} ({}) may not start conversations: ask an admin for that role",
                actor.login, actor.role
            )));
        }
        let contact = ContactInfo {
            phone: Some(phone),
            name: Some(record.name.clone()),
            ..ContactInfo::default()
        };
        let events = self
            .apply_history(vec![Change::OpenConversation { contact }])
            .await?;
        let conv = events
            .into_iter()
            .find_map(|e| match e {
                Event::ConversationChanged { conversation } => Some(conversation),
                _ => None,
            })
            .ok_or_else(|| EngineError::Unavailable("the conversation was not started".into()))?;
        self.thread(&conv, None)
    }
}
