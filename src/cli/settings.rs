//! `hirechat settings show|routing`: the routing of unknown senders and new conversations.

use clap::Subcommand;

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::routing::{Routing, UnknownSenders},
    engine::{Request, Response},
};

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// The settings in force.
    Show {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change the routing (admins): what an unknown sender creates, and who gets new
    /// conversations. What is not given stays as it is.
    Routing {
        /// `none`, `candidate` or `contact`.
        #[arg(long)]
        unknown_senders: Option<String>,
        /// `user:LOGIN`, `group:NAME`, `role:recruiter`…, or "" for nobody.
        #[arg(long)]
        assign_to: Option<String>,
    },
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: SettingsCommand,
) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let (response, json) = match command {
        SettingsCommand::Show { json } => (backend.call(Request::Settings).await?, json),
        SettingsCommand::Routing {
            unknown_senders,
            assign_to,
        } => (
            set_routing(&mut backend, unknown_senders, assign_to).await?,
            false,
        ),
    };
    show(response, json)
}

/// Changes what is given of the routing (the rest stays); answers the settings now in force.
pub(super) async fn set_routing(
    backend: &mut Backend,
    unknown_senders: Option<String>,
    assign_to: Option<String>,
) -> Result<Response, CliError> {
    let Response::Settings { mut routing, .. } = backend.call(Request::Settings).await? else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if let Some(u) = unknown_senders {
        routing.unknown_senders = match u.as_str() {
            "none" => UnknownSenders::None,
            "candidate" => UnknownSenders::Candidate,
            "contact" => UnknownSenders::Contact,
            other => {
                return Err(CliError::BadInput(format!(
                    "--unknown-senders {other:?}: use none, candidate or contact"
                )));
            }
        };
    }
    if let Some(a) = assign_to {
        routing.assign_to = a;
    }
    backend.call(Request::SetRouting { routing }).await
}

/// Prints the settings an answer carries (as JSON with `json`).
pub(super) fn show(response: Response, json: bool) -> Result<(), CliError> {
    let Response::Settings {
        routing,
        pool,
        source,
    } = response
    else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if json {
        output::json(&serde_json::json!({"routing": routing, "pool": pool, "source": source}));
    } else {
        print(&routing, &pool, &source);
    }
    Ok(())
}

fn print(routing: &Routing, pool: &[String], source: &str) {
    let unknown = match routing.unknown_senders {
        UnknownSenders::None => "nothing (just the conversation)",
        UnknownSenders::Candidate => "a candidate record",
        UnknownSenders::Contact => "a contact record",
    };
    println!("Routing (set in the {source}):");
    println!("  a message from an unknown number creates {unknown}");
    if pool.is_empty() {
        println!("  new conversations without an owner are assigned to nobody");
    } else {
        println!(
            "  new conversations without an owner go to {} ({}, in turn)",
            routing.assign_to,
            pool.join(", ")
        );
    }
}
