//! The records' commands as requests: the records pane's search, opening a record's
//! conversation, the record beside the chat and saving it.

use super::{Answer, plan_answers::read};
use crate::{
    engine::{Request, Response},
    tui::app::{Command, Input},
};

pub(super) fn plan(command: Command) -> (Request, Answer) {
    match command {
        Command::LoadRecords { query } => (
            Request::Records {
                query: query.clone(),
                offset: 0,
                limit: None,
            },
            read(move |r| match r {
                Response::Records { total, records } => Some(Input::Records {
                    query,
                    total,
                    records,
                }),
                _ => None,
            }),
        ),
        Command::OpenRecord { record_id } => (
            Request::OpenRecord { record_id },
            read(|r| match r {
                Response::Messages {
                    conversation,
                    messages,
                    events,
                    scheduled,
                } => Some(Input::Opened {
                    conversation,
                    messages,
                    trail: events,
                    scheduled,
                }),
                _ => None,
            }),
        ),
        Command::LoadRecordCard { conversation_id } => (
            Request::RecordCard {
                record_id: None,
                with: None,
                conversation_id: Some(conversation_id),
            },
            read(|r| match r {
                Response::RecordCard { card } => Some(Input::RecordCard(card)),
                _ => None,
            }),
        ),
        // A refusal (a bad mobile, a viewer) is shown in the form.
        Command::SaveRecord { id, record } => (
            Request::SaveRecord {
                record_id: id,
                record: *record,
            },
            Answer::Load(
                Box::new(|r| match r {
                    Response::Record { record } => Some(Input::RecordSaved(Box::new(record))),
                    _ => None,
                }),
                Box::new(Input::RecordRefused),
            ),
        ),
        _ => unreachable!("only the records' commands are planned here"),
    }
}
