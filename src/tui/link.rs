//! The TUI's way to the engine, through `client::Client`: each `Command` from `App::update` is
//! one request (one exhaustive mapping: a new command does not compile until it is mapped),
//! and its answer comes back as an `Input`; the engine's events and the connection's ups and
//! downs come back as `Input`s too.

use tokio::sync::mpsc::UnboundedSender;

use super::app::{Command, Input};
use crate::{
    client::{Client, Feed},
    domain::permission::Actor,
    engine::{Engine, Request, Response},
};

#[derive(Clone)]
pub struct Link {
    client: Client,
    /// How this terminal shows images; none: previews are off.
    picker: Option<std::sync::Arc<ratatui_image::picker::Picker>>,
}

/// How an answer becomes an input: `Done` answers need none (the engine's events show their
/// effect), the others read what came back.
enum Answer {
    Quiet,
    Read(Box<dyn FnOnce(Response) -> Option<Input> + Send>),
    /// A load the app waits for (a page of the list, older messages): its failure is told
    /// as its own input, so the app stops waiting and may load again.
    Load(
        Box<dyn FnOnce(Response) -> Option<Input> + Send>,
        Box<dyn FnOnce(String) -> Input + Send>,
    ),
    /// Refusals of a send come back with the text, so the recruiter does not lose it.
    Send(String),
    /// Refusals of a template carry the form's own error state.
    Template,
    /// A file saved into `dir` a piece at a time (then opened, with `open`).
    Save {
        dir: std::path::PathBuf,
        open: bool,
    },
}

impl Link {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            picker: None,
        }
    }

    /// Images are previewed, as `picker` says this terminal shows them.
    #[must_use]
    pub fn with_previews(mut self, picker: ratatui_image::picker::Picker) -> Self {
        self.picker = Some(std::sync::Arc::new(picker));
        self
    }

    pub fn previews(&self) -> bool {
        self.picker.is_some()
    }

    /// An engine in this process, acting for `actor` (the demo and the tests).
    pub fn local(engine: Engine, actor: Actor) -> Self {
        Self::new(Client::Local { engine, actor })
    }

    /// Carries out `command` in the background; its answer is sent to `inputs`.
    pub fn execute(&self, command: Command, inputs: UnboundedSender<Input>) {
        let client = self.client.clone();
        if let Command::LoadPreview { id, cols, rows } = command {
            let picker = self.picker.clone();
            tokio::spawn(async move {
                let image = preview(&client, picker, id, cols, rows).await;
                let _ = inputs.send(Input::ImagePreview { id, image });
            });
            return;
        }
        tokio::spawn(async move {
            let (request, answer) = plan(command);
            if let (Request::ReadAttachment { attachment, .. }, Answer::Save { dir, open }) =
                (&request, &answer)
            {
                let input = match client.save_attachment(*attachment, dir, |_, _| {}).await {
                    Ok(path) => Input::FileSaved { path, open: *open },
                    Err(e) => Input::Failed(format!("The file could not be saved: {e}")),
                };
                let _ = inputs.send(input);
                return;
            }
            let input = match (client.call(request).await, answer) {
                (Ok(r), Answer::Read(read) | Answer::Load(read, _)) => read(r),
                (Err(e), Answer::Load(_, failed)) => Some(failed(e.to_string())),
                (Ok(Response::Template { template }), Answer::Template) => {
                    Some(Input::TemplateSaved(template))
                }
                (
                    Ok(_),
                    Answer::Quiet | Answer::Send(_) | Answer::Template | Answer::Save { .. },
                ) => None,
                (Err(e), Answer::Send(text)) => Some(Input::SendRefused {
                    text,
                    error: e.to_string(),
                }),
                (Err(e), Answer::Template) => Some(Input::TemplateRefused(e.to_string())),
                (Err(e), Answer::Quiet | Answer::Read(_) | Answer::Save { .. }) => {
                    Some(Input::Failed(e.to_string()))
                }
            };
            if let Some(input) = input {
                let _ = inputs.send(input);
            }
        });
    }

    /// Forwards every engine event to `inputs` until the app stops listening; when events
    /// were missed or the daemon came back, asks the app to load again what it shows.
    pub async fn forward_events(self, inputs: UnboundedSender<Input>) {
        let mut feed = self.client.events();
        while let Some(item) = feed.recv().await {
            let input = match item {
                Feed::Event(e) => Input::Event(e),
                Feed::Resync => Input::Resync,
                Feed::Reconnecting(why) => Input::Reconnecting(why),
                Feed::Reconnected => Input::Reconnected,
            };
            if inputs.send(input).is_err() {
                return;
            }
        }
    }
}

/// The largest image previewed (WhatsApp's own limit for images is 5 MB).
const PREVIEW_CAP: u64 = 16 * 1024 * 1024;

/// Reads image `id` and prepares it off the async workers.
async fn preview(
    client: &Client,
    picker: Option<std::sync::Arc<ratatui_image::picker::Picker>>,
    id: u64,
    cols: u16,
    rows: u16,
) -> Result<super::preview::PreviewImage, String> {
    let picker = picker.ok_or("previews are off")?;
    let bytes = client
        .read_attachment(id, PREVIEW_CAP, true)
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || super::preview::prepare(&picker, id, &bytes, cols, rows))
        .await
        .map_err(|e| e.to_string())?
}

/// Messages loaded at a time when scrolling up past the oldest loaded.
const OLDER_PAGE: usize = 100;

/// A conversation's messages, for the open chat.
fn thread_input(r: Response) -> Option<Input> {
    match r {
        Response::Messages {
            conversation,
            messages,
        } => Some(Input::Thread {
            conversation,
            messages,
        }),
        _ => None,
    }
}

fn views_input(r: Response) -> Option<Input> {
    match r {
        Response::Views { views } => Some(Input::Views(views)),
        _ => None,
    }
}

fn read(f: impl FnOnce(Response) -> Option<Input> + Send + 'static) -> Answer {
    Answer::Read(Box::new(f))
}

/// The request for each command, and what to do with its answer.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per command, with no catch-all: the exhaustive mapping is the point"
)]
fn plan(command: Command) -> (Request, Answer) {
    match command {
        Command::Whoami => (
            Request::Whoami,
            read(|r| match r {
                Response::Actor {
                    login,
                    role,
                    channel,
                    language,
                    ..
                } => Some(Input::Me {
                    login,
                    role,
                    channel,
                    language,
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
        Command::OpenRecord { record_id } => (
            Request::OpenRecord { record_id },
            read(|r| match r {
                Response::Messages {
                    conversation,
                    messages,
                } => Some(Input::Opened {
                    conversation,
                    messages,
                }),
                _ => None,
            }),
        ),
        Command::DeleteView { name } => (Request::DeleteView { name }, read(views_input)),
        Command::SaveView { view } => (Request::SaveView { view }, read(views_input)),
        Command::LoadViews => (Request::Views, read(views_input)),
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
                    ..
                } => Some(Input::Preview(crate::tui::popup::picker::Preview {
                    template_id,
                    filled,
                    choices,
                    refusal,
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
            Answer::Send(text),
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
                    files,
                    caption,
                    text: text_after,
                },
                Answer::Send(text),
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
        // Read by `execute` itself, a piece at a time, and decoded there: the first piece is
        // what it asks for.
        Command::LoadPreview { id, .. } => (
            Request::ReadAttachment {
                attachment: id,
                offset: 0,
                preview: false,
            },
            Answer::Quiet,
        ),
        Command::SaveAttachment { id, dir, open } => (
            Request::ReadAttachment {
                attachment: id,
                offset: 0,
                preview: false,
            },
            Answer::Save { dir, open },
        ),
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
    }
}
