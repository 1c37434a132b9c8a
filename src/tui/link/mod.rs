//! The TUI's way to the engine, through `client::Client`: each `Command` from `App::update` is
//! one request (one exhaustive mapping: a new command does not compile until it is mapped),
//! and its answer comes back as an `Input`; the engine's events and the connection's ups and
//! downs come back as `Input`s too.

use tokio::sync::mpsc::UnboundedSender;

use super::app::{Command, Input};

mod plan;
mod plan_answers;
mod plan_bulk;
mod plan_records;

use crate::{
    client::{Client, Feed},
    domain::permission::Actor,
    engine::{Engine, Response},
};
use plan::{Plan, plan};

#[derive(Clone)]
pub struct Link {
    client: Client,
    /// How this terminal shows images; none: previews are off.
    picker: Option<std::sync::Arc<ratatui_image::picker::Picker>>,
}

/// How an answer becomes an input: `Done` answers need none (the engine's events show their
/// effect), the others read what came back.
pub(super) enum Answer {
    Quiet,
    Read(Box<dyn FnOnce(Response) -> Option<Input> + Send>),
    /// A load the app waits for (a page of the list, older messages): its failure is told
    /// as its own input, so the app stops waiting and may load again.
    Load(
        Box<dyn FnOnce(Response) -> Option<Input> + Send>,
        Box<dyn FnOnce(String) -> Input + Send>,
    ),
    /// Refusals of a send come back with the text and the files, so the recruiter loses
    /// neither.
    Send {
        text: String,
        files: Vec<String>,
    },
    /// Refusals of a template carry the form's own error state.
    Template,
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
        let picker = self.picker.clone();
        tokio::spawn(async move {
            let (request, answer) = match plan(command) {
                Plan::Call(request, answer) => (*request, answer),
                Plan::Save { id, dir, open } => {
                    let input = match client.save_attachment(id, &dir, |_, _| {}).await {
                        Ok(path) => Input::FileSaved { path, open },
                        Err(e) => Input::Failed(format!("The file could not be saved: {e}")),
                    };
                    let _ = inputs.send(input);
                    return;
                }
                Plan::Preview { id, cols, rows } => {
                    let image = preview(&client, picker, id, cols, rows).await;
                    let _ = inputs.send(Input::ImagePreview { id, image });
                    return;
                }
            };
            let input = match (client.call(request).await, answer) {
                (Ok(r), Answer::Read(read) | Answer::Load(read, _)) => read(r),
                (Err(e), Answer::Load(_, failed)) => Some(failed(e.to_string())),
                (Ok(Response::Template { template }), Answer::Template) => {
                    Some(Input::TemplateSaved(template))
                }
                (Ok(_), Answer::Quiet | Answer::Send { .. } | Answer::Template) => None,
                (Err(e), Answer::Send { text, files }) => Some(Input::SendRefused {
                    text,
                    files,
                    error: e.to_string(),
                }),
                (Err(e), Answer::Template) => Some(Input::TemplateRefused(e.to_string())),
                (Err(e), Answer::Quiet | Answer::Read(_)) => Some(Input::Failed(e.to_string())),
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
