//! `hirechat rules list|show|create|edit|enable|disable|delete|log`: workflow rules, written in
//! TOML (admins change them; anyone may read them and their log).

use std::path::PathBuf;

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{rule::Rule, safe_text::neutralise},
    engine::{Request, Response},
};

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Every rule: name, on or off, what fires it, what it sends.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// One rule, as TOML (what `edit --file` takes).
    Show {
        /// The rule's name.
        name: String,
    },
    /// A new rule from a TOML file (admins).
    Create {
        /// The rule, in TOML (its shape: the README's "Workflow rules").
        #[arg(long)]
        file: PathBuf,
    },
    /// A rule replaced by the one in a TOML file of the same name (admins).
    Edit {
        /// The rule's name.
        name: String,
        /// The rule, in TOML.
        #[arg(long)]
        file: PathBuf,
    },
    /// Turn a rule on (admins).
    Enable {
        /// The rule's name.
        name: String,
    },
    /// Turn a rule off: it fires no more; what it scheduled still goes (admins).
    Disable {
        /// The rule's name.
        name: String,
    },
    /// Delete a rule (admins).
    Delete {
        /// The rule's name.
        name: String,
    },
    /// What rules did, newest first: scheduled, sent, not sent and why.
    Log {
        /// Only this rule's.
        name: Option<String>,
        /// At most this many entries.
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: usize,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

fn read(file: &PathBuf) -> Result<String, CliError> {
    std::fs::read_to_string(file)
        .map_err(|e| CliError::BadInput(format!("cannot read {}: {e}", file.display())))
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: RulesCommand,
) -> Result<(), CliError> {
    let (request, json, show) = match command {
        RulesCommand::List { json } => (Request::Rules, json, None),
        RulesCommand::Show { name } => (Request::Rules, false, Some(name)),
        RulesCommand::Create { file } => (
            Request::SaveRule {
                toml: read(&file)?,
                replace: false,
            },
            false,
            None,
        ),
        RulesCommand::Edit { name, file } => {
            let toml = read(&file)?;
            let given = crate::domain::rule::RuleInput::parse(&toml).map_err(CliError::BadInput)?;
            if given.name != name {
                return Err(CliError::BadInput(format!(
                    "{} names the rule {:?}, not {name:?}",
                    file.display(),
                    given.name
                )));
            }
            (
                Request::SaveRule {
                    toml,
                    replace: true,
                },
                false,
                None,
            )
        }
        RulesCommand::Enable { name } => (
            Request::EnableRule {
                name,
                enabled: true,
            },
            false,
            None,
        ),
        RulesCommand::Disable { name } => (
            Request::EnableRule {
                name,
                enabled: false,
            },
            false,
            None,
        ),
        RulesCommand::Delete { name } => (Request::DeleteRule { name }, false, None),
        RulesCommand::Log { name, limit, json } => (
            Request::RuleLog {
                name,
                limit: Some(limit),
            },
            json,
            None,
        ),
    };
    let mut backend = Backend::connect(config, data_dir, None).await?;
    match backend.call(request).await? {
        Response::Rules { rules } => match show {
            Some(name) => {
                let rule = rules
                    .iter()
                    .find(|r| r.rule.name == name)
                    .ok_or_else(|| CliError::BadInput(format!("there is no rule named {name}")))?;
                let text = toml::to_string_pretty(&rule.rule)
                    .map_err(|e| CliError::Other(e.to_string()))?;
                println!(
                    "# by {}, since {}",
                    rule.author,
                    rule.created_at.format("%Y-%m-%d")
                );
                print!("{}", neutralise(&text, true));
            }
            None if json => output::json(&rules),
            None => {
                if rules.is_empty() {
                    println!("No rules: `hirechat rules create --file RULE.toml` writes one.");
                }
                for r in &rules {
                    println!("{}", line(r));
                }
            }
        },
        Response::Rule { rule } => println!("{}", line(&rule)),
        Response::RuleLog { entries } if json => output::json(&entries),
        Response::RuleLog { entries } => {
            if entries.is_empty() {
                println!("Nothing yet.");
            }
            for e in &entries {
                println!("{}", neutralise(&e.sentence(), false));
            }
        }
        Response::Done => println!("Deleted."),
        _ => return Err(CliError::Other("unexpected answer".into())),
    }
    Ok(())
}

/// name, on/off, what fires it and what it does, its author.
fn line(r: &Rule) -> String {
    neutralise(
        &format!(
            "{:<24} {:<4} {}  (by {})",
            r.rule.name,
            if r.rule.enabled { "on" } else { "off" },
            r.rule.summary(),
            r.author
        ),
        false,
    )
    .into_owned()
}
