//! The record beside the chat (`i` in the TUI, `hirechat records show`): the contact's record
//! with its job openings and upcoming interviews, and the conversation's status, assignee and
//! labels. A conversation whose number has no record yet gets a card without one, so that the
//! recruiter can create it from there.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{ConversationView, Engine, EngineError};
use crate::domain::{
    record::Record,
    record_card,
    related::{Related, RelatedData},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordCard {
    /// None: the conversation's number belongs to no record yet.
    pub record: Option<Record>,
    /// The record's conversation, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationView>,
    /// The job openings its interviews or its own columns name.
    #[serde(default)]
    pub job_openings: Vec<Related>,
    /// Its interviews not over yet, soonest first.
    #[serde(default)]
    pub interviews: Vec<Related>,
}

impl Engine {
    /// The card of a record, or of the record behind a conversation.
    pub(super) fn record_card(
        &self,
        record_id: Option<u64>,
        with: Option<&str>,
        conversation_id: Option<u64>,
    ) -> Result<RecordCard, EngineError> {
        let store = self.store();
        let (record, conversation) = if let Some(id) = record_id {
            let record = store
                .record(id)?
                .ok_or_else(|| EngineError::NotFound(format!("no record {id}")))?;
            let conversation = match &record.mobile {
                Some(phone) => store.conversation_by_phone(phone)?,
                None => None,
            };
            (Some(record), conversation)
        } else {
            let conv = self.named(with, conversation_id)?;
            let record = match (conv.record_id, &conv.phone) {
                (Some(id), _) => store.record(id)?,
                (None, Some(phone)) => store.record_by_phone(phone)?,
                (None, None) => None,
            };
            (record, Some(conv))
        };
        let mut card = RecordCard {
            record: None,
            conversation: conversation.map(|c| ConversationView::new(&c, Utc::now())),
            job_openings: Vec::new(),
            interviews: Vec::new(),
        };
        let Some(record) = record else {
            return Ok(card);
        };
        let interviews = store.interviews_of(record.id)?;
        for title in record_card::linked(&record, &interviews).jobs {
            card.job_openings.extend(
                store
                    .job_openings_titled(&title)?
                    .into_iter()
                    .filter(|j| matches!(j.data, RelatedData::JobOpening(_))),
            );
        }
        card.interviews = record_card::upcoming(interviews, Utc::now());
        card.record = Some(record);
        Ok(card)
    }
}
