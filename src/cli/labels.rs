//! `hirechat labels list|create|delete` (admins define them) and `hirechat labels put --with N
//! --add X --remove Y` (anyone who replies labels a conversation).

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::safe_text::neutralise,
    engine::{Request, Response},
};

#[derive(Debug, clap::Subcommand)]
pub enum LabelsCommand {
    /// The labels defined, with their colours.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Define a label (admins), or change its colour.
    Create {
        /// One word: letters, digits, - or _.
        name: String,
        /// red, green, yellow, blue, magenta, cyan or gray.
        #[arg(long, default_value = "cyan")]
        colour: String,
    },
    /// Delete a label no conversation carries (admins).
    Delete {
        /// The label's name.
        name: String,
    },
    /// Put labels on a conversation, or take them off.
    Put {
        /// A phone number or a BSUID.
        #[arg(long)]
        with: String,
        /// A label to put on (again for more).
        #[arg(long)]
        add: Vec<String>,
        /// A label to take off (again for more).
        #[arg(long)]
        remove: Vec<String>,
        /// The conversation as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: LabelsCommand,
) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let (request, json) = match command {
        LabelsCommand::List { json } => (Request::Labels, json),
        LabelsCommand::Create { name, colour } => (Request::SaveLabel { name, colour }, false),
        LabelsCommand::Delete { name } => (Request::DeleteLabel { name }, false),
        LabelsCommand::Put {
            with,
            add,
            remove,
            json,
        } => (
            Request::Label {
                with: Some(with),
                conversation_id: None,
                add,
                remove,
            },
            json,
        ),
    };
    match backend.call(request).await? {
        Response::Labels { labels } if json => output::json(&labels),
        Response::Labels { labels } => {
            if labels.is_empty() {
                println!(
                    "No labels yet: an admin defines them with `hirechat labels create NAME`."
                );
            }
            for l in labels {
                println!("{:<24} {}", neutralise(&l.name, false), l.colour);
            }
        }
        Response::Conversation { conversation } if json => output::json(&conversation),
        Response::Conversation { conversation } => println!(
            "{}: {}",
            neutralise(&conversation.name, false),
            if conversation.labels.is_empty() {
                "no labels".to_owned()
            } else {
                conversation.labels.join(", ")
            }
        ),
        _ => return Err(CliError::Other("unexpected answer".into())),
    }
    Ok(())
}
