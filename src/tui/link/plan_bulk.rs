//! Bulk sends' commands as requests: the preflight, the confirmed batch, its progress, and
//! taking it back.

use super::{Answer, plan::read};
use crate::{
    engine::{Request, Response},
    tui::app::{Command, Input},
};

fn batch_input(r: Response) -> Option<Input> {
    match r {
        Response::Batch {
            batch,
            progress,
            outcomes,
        } => Some(Input::Batch {
            batch,
            progress,
            outcomes,
        }),
        _ => None,
    }
}

pub(super) fn plan(command: Command) -> (Request, Answer) {
    match command {
        Command::BulkPreflight {
            template,
            language,
            recipients,
        } => (
            Request::BulkPreflight {
                template,
                language: Some(language).filter(|l| !l.is_empty()),
                recipients,
            },
            read(|r| match r {
                Response::Preflight { preflight } => Some(Input::Preflight(preflight)),
                _ => None,
            }),
        ),
        // A refusal (nobody to send to, a viewer) is a toast.
        Command::BulkSend {
            template,
            language,
            recipients,
        } => (
            Request::BulkSend {
                template,
                language: Some(language).filter(|l| !l.is_empty()),
                recipients,
                at: None,
            },
            read(batch_input),
        ),
        Command::LoadBatch { id } => (Request::Batch { batch_id: id }, read(batch_input)),
        Command::CancelBatch { id } => (Request::CancelBatch { batch_id: id }, read(batch_input)),
        _ => unreachable!("only the bulk sends' commands are planned here"),
    }
}
