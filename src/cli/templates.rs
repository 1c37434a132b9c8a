//! `hirechat templates list|create|sync|delete`.

use clap::Subcommand;
use serde::de::DeserializeOwned;

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::template::{Template, TemplateInput},
    engine::{Request, Response},
};

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Every template, with its WhatsApp status.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create a template. An approved-type one is submitted to WhatsApp and stays pending
    /// until WhatsApp approves or rejects it.
    Create {
        /// WhatsApp's rule: lowercase letters, digits and underscores.
        #[arg(long)]
        name: String,
        /// The text, with merge fields like ${Candidates.First Name}.
        #[arg(long)]
        body: String,
        /// `whatsapp` (approved, for any time) or `custom` (inside the 24-hour window only).
        #[arg(long, default_value = "whatsapp")]
        kind: String,
        /// `candidates` or `contacts`; it cannot change later.
        #[arg(long, default_value = "candidates")]
        module: String,
        /// A WhatsApp language code: `en_US`, `en_GB`, `ja`, …
        #[arg(long)]
        lang: Option<String>,
        /// `utility`, `marketing` or `authentication`.
        #[arg(long)]
        category: Option<String>,
    },
    /// Give a template a new body. An approved-type one goes back to WhatsApp for review
    /// (WhatsApp takes edits of approved, rejected or paused templates; of an approved one,
    /// one a day).
    Edit {
        /// The template's name.
        #[arg(long)]
        name: String,
        /// Its language, when it exists in several.
        #[arg(long)]
        lang: Option<String>,
        /// The new text, with merge fields like ${Candidates.First Name}; `-` reads it from
        /// standard input.
        #[arg(long)]
        body: String,
    },
    /// Bring in the templates of the WhatsApp account and their statuses.
    Sync,
    /// Delete a template (on WhatsApp too, for an approved-type one).
    Delete {
        /// The template's name.
        #[arg(long)]
        name: String,
        /// Its language, when it exists in several.
        #[arg(long)]
        lang: Option<String>,
    },
}

/// A domain enum from its `snake_case` word, with the choices in the error.
fn word<T: DeserializeOwned>(what: &str, value: &str, choices: &str) -> Result<T, CliError> {
    serde_json::from_value(serde_json::Value::String(value.trim().to_ascii_lowercase()))
        .map_err(|_| CliError::BadInput(format!("--{what} {value:?}: use one of {choices}")))
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: TemplatesCommand,
) -> Result<(), CliError> {
    let need = match command {
        TemplatesCommand::List { .. } => None,
        _ => Some(crate::config::Need::Send),
    };
    let mut backend = Backend::connect(config, data_dir, need).await?;
    match command {
        TemplatesCommand::List { json } => {
            let Response::Templates { templates } = backend.call(Request::Templates).await? else {
                return Err(CliError::Other("unexpected answer".into()));
            };
            if json {
                output::json(&templates);
            } else {
                table(&templates);
            }
        }
        TemplatesCommand::Create {
            name,
            body,
            kind,
            module,
            lang,
            category,
        } => {
            let template = TemplateInput {
                kind: word("kind", &kind, "whatsapp, custom")?,
                module: word("module", &module, "candidates, contacts")?,
                name,
                language: lang,
                category: category
                    .map(|c| word("category", &c, "utility, marketing, authentication"))
                    .transpose()?,
                body,
            };
            let answer = backend.call(Request::CreateTemplate { template }).await?;
            if let Response::Template { template } = answer {
                output::json(&template);
            }
        }
        TemplatesCommand::Edit { name, lang, body } => {
            let body = super::send::text_or_stdin(body)?;
            let answer = backend
                .call(Request::EditTemplate {
                    name,
                    language: lang,
                    body,
                })
                .await?;
            if let Response::Template { template } = answer {
                output::json(&template);
            }
        }
        TemplatesCommand::Sync => {
            if let Response::Templates { templates } = backend.call(Request::SyncTemplates).await? {
                table(&templates);
            }
        }
        TemplatesCommand::Delete { name, lang } => {
            backend
                .call(Request::DeleteTemplate {
                    name: name.clone(),
                    language: lang,
                })
                .await?;
            println!("Deleted {name}.");
        }
    }
    Ok(())
}

fn table(templates: &[Template]) {
    if templates.is_empty() {
        println!("No templates yet.");
        return;
    }
    println!(
        "{:<32} {:<7} {:<9} {:<11} {:<9} BODY",
        "NAME", "LANG", "KIND", "MODULE", "STATUS"
    );
    for t in templates {
        let kind = serde_json::to_value(t.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let module = serde_json::to_value(t.module)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let status = match &t.reason {
            Some(r) => format!("{} ({r})", t.status.as_str()),
            None => t.status.as_str().to_owned(),
        };
        println!(
            "{:<32} {:<7} {:<9} {:<11} {:<9} {}",
            crate::tui::format::fit(&t.name, 32),
            t.language,
            kind,
            module,
            status,
            crate::tui::format::fit(&t.body, 60)
        );
    }
}
