//! What an answer becomes: the input it gives the app (`read`), or, for a load the app waits
//! for, also the input its failure gives (`Answer::Load`).

use super::Answer;
use crate::{engine::Response, tui::app::Input};

/// A conversation's messages, for the open chat.
pub(super) fn thread_input(r: Response) -> Option<Input> {
    match r {
        Response::Messages {
            conversation,
            messages,
            events,
            scheduled,
        } => Some(Input::Thread {
            conversation,
            messages,
            trail: events,
            scheduled,
        }),
        _ => None,
    }
}

pub(super) fn routing_input(r: Response) -> Option<Input> {
    match r {
        Response::Settings {
            routing,
            pool,
            source,
        } => Some(Input::Routing {
            routing,
            pool,
            source,
        }),
        _ => None,
    }
}

pub(super) fn views_input(r: Response) -> Option<Input> {
    match r {
        Response::Views { views } => Some(Input::Views(views)),
        _ => None,
    }
}

pub(super) fn read(f: impl FnOnce(Response) -> Option<Input> + Send + 'static) -> Answer {
    Answer::Read(Box::new(f))
}

/// A step of connecting a number: a refusal is shown in the form, not as a toast.
pub(super) fn connecting(f: impl FnOnce(Response) -> Option<Input> + Send + 'static) -> Answer {
    Answer::Load(Box::new(f), Box::new(Input::ConnectRefused))
}
