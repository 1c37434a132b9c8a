//! The TUI's way to the engine: in this process, or through the daemon's socket. Commands
//! from `App::update` are carried out here and their answers come back as `Input`s.

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use super::app::{Command, Input};
use crate::{
    domain::permission::Actor,
    engine::{Engine, Request, Response},
    server::socket::Client,
};

#[derive(Clone)]
pub enum Link {
    Local { engine: Engine, actor: Actor },
    Daemon { socket: PathBuf },
}

impl Link {
    async fn call(&self, request: Request) -> Result<Response, String> {
        let response = match self {
            Self::Local { engine, actor } => engine
                .handle(actor, request)
                .await
                .map_err(|e| e.to_string())?,
            Self::Daemon { socket } => {
                let mut client = Client::connect(socket)
                    .await
                    .ok_or_else(|| "the daemon is not running".to_owned())?;
                client.call(&request).await.map_err(|e| e.to_string())?
            }
        };
        match response {
            Response::Error { error } => Err(error.message),
            other => Ok(other),
        }
    }

    /// Carries out `command` in the background; its answer is sent to `inputs`.
    pub fn execute(&self, command: Command, inputs: UnboundedSender<Input>) {
        let link = self.clone();
        tokio::spawn(async move {
            if let Some(input) = link.answer(command).await {
                let _ = inputs.send(input);
            }
        });
    }

    async fn answer(&self, command: Command) -> Option<Input> {
        let (request, read) = match plan(command) {
            Ok(plan) => plan,
            Err(Command::PreviewTemplate {
                template_id,
                to,
                name,
                language,
                picks,
            }) => {
                let request = Request::PreviewTemplate {
                    to,
                    name,
                    language: Some(language),
                    picks: picks.clone(),
                };
                return match self.call(request).await {
                    Ok(Response::Preview {
                        filled,
                        choices,
                        refusal,
                        ..
                    }) => Some(Input::Preview(crate::tui::picker_state::Preview {
                        template_id,
                        filled,
                        choices,
                        refusal,
                        picks,
                    })),
                    Ok(_) => None,
                    Err(e) => Some(Input::Failed(e)),
                };
            }
            Err(Command::CreateTemplate { template }) => {
                return Some(
                    match self.call(Request::CreateTemplate { template }).await {
                        Ok(Response::Template { template }) => Input::TemplateSaved(template),
                        Ok(_) => return None,
                        Err(e) => Input::TemplateRefused(e),
                    },
                );
            }
            Err(Command::Search { query }) => {
                let request = Request::Search {
                    query: query.clone(),
                    limit: None,
                };
                return match self.call(request).await {
                    Ok(Response::Found { hits }) => Some(Input::Found { query, hits }),
                    Ok(_) => None,
                    Err(e) => Some(Input::Failed(e)),
                };
            }
            Err(Command::LoadRecords { query }) => {
                let request = Request::Records {
                    query: query.clone(),
                    offset: 0,
                    limit: None,
                };
                return match self.call(request).await {
                    Ok(Response::Records { total, records }) => Some(Input::Records {
                        query,
                        total,
                        records,
                    }),
                    Ok(_) => None,
                    Err(e) => Some(Input::Failed(e)),
                };
            }
            Err(Command::SendText { to, text }) => {
                return match self
                    .call(Request::SendText {
                        to,
                        text: text.clone(),
                    })
                    .await
                {
                    Ok(_) => None,
                    Err(error) => Some(Input::SendRefused { text, error }),
                };
            }
            Err(_) => return None,
        };
        match self.call(request).await {
            Ok(r) => read(r),
            Err(e) => Some(Input::Failed(e)),
        }
    }

    /// Forwards every engine event to `inputs` until the app stops listening.
    pub async fn forward_events(self, inputs: UnboundedSender<Input>) {
        match self {
            Self::Local { engine, .. } => {
                let mut events = engine.subscribe();
                loop {
                    match events.recv().await {
                        Ok(e) => {
                            if inputs.send(Input::Event(Box::new(e))).is_err() {
                                return;
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    }
                }
            }
            Self::Daemon { socket } => {
                let why = match Client::connect(&socket).await {
                    None => "the daemon is not running".to_owned(),
                    Some(mut client) => match client.call(&Request::Subscribe).await {
                        Ok(Response::Subscribed) => loop {
                            match client.next().await {
                                Ok(Response::Event { event }) => {
                                    if inputs.send(Input::Event(event)).is_err() {
                                        return;
                                    }
                                }
                                Ok(_) => {}
                                Err(e) => break e.to_string(),
                            }
                        },
                        Ok(Response::Error { error }) => error.message,
                        Ok(other) => format!("unexpected answer {other:?}"),
                        Err(e) => e.to_string(),
                    },
                };
                let _ = inputs.send(Input::Disconnected(why));
            }
        }
    }
}

/// How a command's answer becomes an input.
type Reader = fn(Response) -> Option<Input>;

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

/// The request for a command whose answer maps straight to an input; the others come back.
fn plan(command: Command) -> Result<(Request, Reader), Command> {
    Ok(match command {
        Command::Whoami => (Request::Whoami, |r| match r {
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
            |r| match r {
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
            },
        ),
        Command::LoadThread { conversation_id } => (
            Request::Thread {
                conversation_id,
                limit: Some(200),
                since: None,
            },
            thread_input,
        ),
        Command::LoadThreadFrom {
            conversation_id,
            since,
        } => (
            Request::Thread {
                conversation_id,
                limit: None,
                since: Some(since),
            },
            thread_input,
        ),
        Command::OpenRecord { record_id } => (Request::OpenRecord { record_id }, |r| match r {
            Response::Messages {
                conversation,
                messages,
            } => Some(Input::Opened {
                conversation,
                messages,
            }),
            _ => None,
        }),
        other => return lists(other),
    })
}

/// Commands that load a list (views, templates, the unread) or save a view.
fn lists(command: Command) -> Result<(Request, Reader), Command> {
    Ok(match command {
        Command::DeleteView { name } => (Request::DeleteView { name }, |r| match r {
            Response::Views { views } => Some(Input::Views(views)),
            _ => None,
        }),
        Command::SaveView { view } => (Request::SaveView { view }, |r| match r {
            Response::Views { views } => Some(Input::Views(views)),
            _ => None,
        }),
        Command::LoadUnread => (
            Request::Conversations {
                offset: 0,
                limit: Some(500),
                filter: Some("unread".into()),
            },
            |r| match r {
                Response::Conversations { conversations, .. } => Some(Input::Unread(conversations)),
                _ => None,
            },
        ),
        Command::LoadViews => (Request::Views, |r| match r {
            Response::Views { views } => Some(Input::Views(views)),
            _ => None,
        }),
        Command::LoadTemplates => (Request::Templates, |r| match r {
            Response::Templates { templates } => Some(Input::Templates(templates)),
            _ => None,
        }),
        other => (quiet(other)?, |_| None),
    })
}

/// Commands whose effect the engine's events put on screen: they answer only when refused.
fn quiet(command: Command) -> Result<Request, Command> {
    Ok(match command {
        Command::MarkRead { conversation_id } => Request::MarkRead { conversation_id },
        Command::MarkUnread { conversation_id } => Request::MarkUnread { conversation_id },
        Command::Answering { conversation_id } => Request::Answering { conversation_id },
        Command::SendTemplate {
            to,
            name,
            language,
            picks,
        } => Request::SendTemplate {
            to,
            name,
            language: Some(language),
            picks,
        },
        Command::DeleteTemplate { name, language } => Request::DeleteTemplate {
            name,
            language: Some(language),
        },
        other => return Err(other),
    })
}
