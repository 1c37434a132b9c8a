//! `hirechat attachments list|save`: a conversation's files, and saving one where the user
//! wants it.

use std::path::PathBuf;

use clap::Subcommand;

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{attachment::human_size, message::Direction, safe_text::neutralise},
    engine::{Request, Response, api::AttachmentView},
};

#[derive(Debug, Subcommand)]
pub enum AttachmentsCommand {
    /// A conversation's files, newest first: id, kind, name, size, state.
    List {
        /// A phone number with its country code, or a BSUID.
        #[arg(long)]
        with: String,
        /// As JSON (kind, mime type, size, sha256, file name, state, local path when ready).
        #[arg(long)]
        json: bool,
    },
    /// Save a file (by the id `list` shows) into a folder, under its own name made safe;
    /// nothing is overwritten.
    Save {
        /// The file's id.
        id: u64,
        /// The folder; else `[attachments] save_dir`, else ~/Downloads, else home.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: AttachmentsCommand,
) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    match command {
        AttachmentsCommand::List { with, json } => {
            let Response::Attachments { attachments } = backend
                .call(Request::Attachments {
                    with: Some(with),
                    conversation_id: None,
                })
                .await?
            else {
                return Err(CliError::Other("unexpected answer".into()));
            };
            if json {
                output::json(&attachments);
            } else {
                table(&attachments);
            }
            Ok(())
        }
        AttachmentsCommand::Save { id, to } => {
            let dir = to.unwrap_or_else(|| config.attachments.save_folder());
            let path = backend
                .client()
                .save_attachment(id, &dir, |_, _| {})
                .await?;
            println!("{}", path.display());
            Ok(())
        }
    }
}

fn table(attachments: &[AttachmentView]) {
    if attachments.is_empty() {
        println!("No files in this conversation.");
        return;
    }
    for a in attachments {
        let arrow = match a.direction {
            Direction::In => "←",
            Direction::Out => "→",
        };
        let name = a.file_name.as_deref().unwrap_or("-");
        let size = a.size.map_or_else(|| "-".to_owned(), human_size);
        let state = a.why.as_deref().unwrap_or(&a.state);
        println!(
            "{:>6}  {} {arrow} {:<8} {:<32} {:>8}  {}",
            a.id,
            a.at.format("%Y-%m-%d %H:%M"),
            a.kind,
            neutralise(name, false),
            size,
            neutralise(state, false)
        );
    }
}
