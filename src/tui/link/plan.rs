//! Each `Command` as the one `Request` it is, and what to do with the answer: one exhaustive
//! mapping, so a new command does not compile until it is mapped.

use super::{
    Answer,
    plan_answers::{connecting, read, routing_input, thread_input, views_input},
};
use crate::{
    engine::{Request, Response},
    tui::app::{Command, Input},
};

/// Messages loaded at a time when scrolling up past the oldest loaded.
const OLDER_PAGE: usize = 100;

/// What carrying out a command takes.
pub(super) enum Plan {
    /// One request, and what to do with its answer.
    Call(Box<Request>, Answer),
    /// A file read a piece at a time and written into `dir` (then opened, with `open`).
    Save {
        id: u64,
        dir: std::path::PathBuf,
        open: bool,
    },
    /// An image read and prepared for `cols`×`rows` cells of this terminal.
    Preview { id: u64, cols: u16, rows: u16 },
}

/// The request for each command, and what to do with its answer.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per command, with no catch-all: the exhaustive mapping is the point"
)]
pub(super) fn plan(command: Command) -> Plan {
    let (request, answer) = match command {
        Command::Whoami => (
            Request::Whoami,
            read(|r| match r {
                Response::Actor {
                    login,
                    role,
                    channel,
                    language,
                    relay,
                    disconnected_at,
                    ..
                } => Some(Input::Me {
                    login,
                    role,
                    channel,
                    language,
                    relay,
                    disconnected_at,
                }),
                _ => None,
            }),
        ),
        Command::LoadConversations {
            offset,
            limit,
            filter,
        } => (
            Request::Conversations {
                offset,
                limit: Some(limit),
                filter,
            },
            Answer::Load(
                Box::new(|r| match r {
                    Response::Conversations {
                        total,
                        offset,
                        conversations,
                    } => Some(Input::Conversations {
                        total,
                        offset,
                        rows: conversations,
                    }),
                    _ => None,
                }),
                Box::new(Input::ListFailed),
            ),
        ),
        Command::LoadThread { conversation_id } => (
            Request::Thread {
                conversation_id,
                limit: Some(200),
                since: None,
                before: None,
            },
            read(thread_input),
        ),
        Command::LoadThreadFrom {
            conversation_id,
            since,
        } => (
            Request::Thread {
                conversation_id,
                limit: None,
                since: Some(since),
                before: None,
            },
            read(thread_input),
        ),
        Command::LoadOlder {
            conversation_id,
            before,
        } => (
            Request::Thread {
                conversation_id,
                limit: Some(OLDER_PAGE),
                since: None,
                before: Some(before),
            },
            Answer::Load(
                Box::new(move |r| match r {
                    Response::Messages { messages, .. } => Some(Input::Older {
                        conversation_id,
                        messages,
                    }),
                    _ => None,
                }),
                Box::new(move |error| Input::OlderFailed {
                    conversation_id,
                    error,
                }),
            ),
        ),
        command @ (Command::LoadRecords { .. }
        | Command::OpenRecord { .. }
        | Command::LoadRecordCard { .. }
        | Command::SaveRecord { .. }) => super::plan_records::plan(command),
        command @ (Command::BulkPreflight { .. }
        | Command::BulkSend { .. }
        | Command::LoadBatch { .. }
        | Command::CancelBatch { .. }
        | Command::LoadCredits { .. }
        | Command::LoadUsage { .. }
        | Command::LoadRules
        | Command::RuleLog { .. }
        | Command::EnableRule { .. }) => super::plan_bulk::plan(command),
        Command::DeleteView { name } => (Request::DeleteView { name }, read(views_input)),
        Command::SaveView { view } => (Request::SaveView { view }, read(views_input)),
        Command::LoadViews => (
            Request::Views,
            Answer::Load(Box::new(views_input), Box::new(Input::ViewsFailed)),
        ),
        Command::LoadUnread => (
            Request::Conversations {
                offset: 0,
                limit: Some(500),
                filter: Some("unread".into()),
            },
            read(|r| match r {
                Response::Conversations { conversations, .. } => Some(Input::Unread(conversations)),
                _ => None,
            }),
        ),
        Command::LoadHealth => (
            Request::Doctor,
            read(|r| match r {
                Response::Doctor { report } => Some(Input::Health(Box::new(report))),
                _ => None,
            }),
        ),
        Command::LoadRouting => (Request::Settings, read(routing_input)),
        Command::SetRouting(routing) => (Request::SetRouting { routing }, read(routing_input)),
        Command::Disconnect { at } => (Request::Disconnect { at }, Answer::Quiet),
        Command::LoadLabels => (
            Request::Labels,
            read(|r| match r {
                Response::Labels { labels } => Some(Input::Labels(labels)),
                _ => None,
            }),
        ),
        Command::Label {
            conversation_id,
            add,
            remove,
        } => (
            Request::Label {
                with: None,
                conversation_id: Some(conversation_id),
                add,
                remove,
            },
            Answer::Quiet,
        ),
        Command::LoadTeam => (
            Request::Team,
            read(|r| match r {
                Response::Team { users, groups } => Some(Input::Team { users, groups }),
                _ => None,
            }),
        ),
        // The list and the chat follow the events; a refusal is a toast.
        Command::Assign {
            conversation_id,
            to,
        } => (
            Request::Assign {
                with: None,
                conversation_id: Some(conversation_id),
                to,
            },
            Answer::Quiet,
        ),
        // The chat follows the message's events; a refusal is a toast.
        Command::Retry { message_id } => (Request::Retry { message_id }, Answer::Quiet),
        // A refusal gives the text back to the reply box, as a refused send does.
        Command::Schedule { to, what, when } => {
            let text = match &what {
                crate::domain::schedule::ScheduledWhat::Text { text } => text.clone(),
                _ => String::new(),
            };
            let request = Request::Schedule {
                to,
                what,
                at: None,
                when: Some(when),
            };
            let answer = Answer::Load(
                Box::new(|r| match r {
                    Response::Scheduled { scheduled } => Some(Input::Scheduled(scheduled)),
                    _ => None,
                }),
                Box::new(move |error| Input::SendRefused {
                    text,
                    files: Vec::new(),
                    error,
                }),
            );
            (request, answer)
        }
        // The chat follows the send's event.
        Command::CancelScheduled { id } => {
            (Request::CancelScheduled { scheduled_id: id }, Answer::Quiet)
        }
        // The list and the chat follow the events it causes.
        Command::SetState {
            conversation_id,
            change,
        } => (
            Request::SetState {
                with: None,
                conversation_id: Some(conversation_id),
                change,
            },
            Answer::Quiet,
        ),
        Command::AccountNumbers {
            access_token,
            business_account_id,
        } => (
            Request::AccountNumbers {
                access_token,
                business_account_id,
            },
            connecting(|r| match r {
                Response::Numbers { numbers } => Some(Input::Numbers(numbers)),
                _ => None,
            }),
        ),
        Command::Connect(form) => (
            Request::Connect { form },
            connecting(|r| match r {
                Response::Connected { connected } => Some(Input::Connected(connected)),
                _ => None,
            }),
        ),
        Command::LoadTemplates => (
            Request::Templates,
            read(|r| match r {
                Response::Templates { templates } => Some(Input::Templates(templates)),
                _ => None,
            }),
        ),
        Command::Search { query } => (
            Request::Search {
                query: query.clone(),
                limit: None,
            },
            read(move |r| match r {
                Response::Found { hits } => Some(Input::Found { query, hits }),
                _ => None,
            }),
        ),
        Command::PreviewTemplate {
            template_id,
            to,
            name,
            language,
            picks,
        } => (
            Request::PreviewTemplate {
                to,
                name,
                language: Some(language),
                picks: picks.clone(),
            },
            read(move |r| match r {
                Response::Preview {
                    filled,
                    choices,
                    refusal,
                    price,
                    ..
                } => Some(Input::Preview(crate::tui::popup::picker::Preview {
                    template_id,
                    filled,
                    choices,
                    refusal,
                    price,
                    picks,
                })),
                _ => None,
            }),
        ),
        Command::CreateTemplate { template } => {
            (Request::CreateTemplate { template }, Answer::Template)
        }
        Command::EditTemplate {
            name,
            language,
            body,
        } => (
            Request::EditTemplate {
                name,
                language,
                body,
            },
            Answer::Template,
        ),
        Command::SendText { to, text } => (
            Request::SendText {
                to,
                text: text.clone(),
            },
            Answer::Send {
                text,
                files: Vec::new(),
            },
        ),
        Command::SendFiles { to, files, text } => {
            // The reply goes under the first file, as WhatsApp shows a caption, unless it is
            // longer than a caption may be: then it follows the files as a message.
            let written = Some(text.clone()).filter(|t| !t.trim().is_empty());
            let caption_fits =
                text.trim().chars().count() <= crate::engine::send_files::MAX_CAPTION_CHARS;
            let (caption, text_after) = if caption_fits {
                (written, None)
            } else {
                (None, written)
            };
            (
                Request::SendFiles {
                    to,
                    files: files.clone(),
                    caption,
                    text: text_after,
                },
                Answer::Send { text, files },
            )
        }
        Command::LoadAttachments { conversation_id } => (
            Request::Attachments {
                with: None,
                conversation_id: Some(conversation_id),
            },
            read(move |r| match r {
                Response::Attachments { attachments } => Some(Input::Attachments {
                    conversation_id,
                    list: attachments,
                }),
                _ => None,
            }),
        ),
        // The first piece is asked for here; `execute` reads the rest and writes the file.
        Command::LoadPreview { id, cols, rows } => return Plan::Preview { id, cols, rows },
        Command::SaveAttachment { id, dir, open } => return Plan::Save { id, dir, open },
        Command::MarkRead { conversation_id } => {
            (Request::MarkRead { conversation_id }, Answer::Quiet)
        }
        Command::MarkUnread { conversation_id } => {
            (Request::MarkUnread { conversation_id }, Answer::Quiet)
        }
        Command::Answering { conversation_id } => {
            (Request::Answering { conversation_id }, Answer::Quiet)
        }
        Command::SendTemplate {
            to,
            name,
            language,
            picks,
        } => (
            Request::SendTemplate {
                to,
                name,
                language: Some(language),
                picks,
            },
            Answer::Quiet,
        ),
        Command::DeleteTemplate { name, language } => (
            Request::DeleteTemplate {
                name,
                language: Some(language),
            },
            Answer::Quiet,
        ),
    };
    Plan::Call(Box::new(request), answer)
}
