//! `hirechat conversations resolve|reopen|pending|snooze --with N`: where a conversation
//! stands in the team's work, changed from a shell (the engine checks who may and records who
//! did).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{
        conversation_state::{StateChange, parse_until},
        safe_text::neutralise,
    },
    engine::{Request, Response},
};

#[derive(Debug, clap::Subcommand)]
pub enum StateAction {
    /// Done: out of the unreplied views until the contact writes again.
    Resolve {
        /// A phone number or a BSUID.
        #[arg(long)]
        with: String,
    },
    /// Open again (also ends a snooze).
    Reopen {
        /// A phone number or a BSUID.
        #[arg(long)]
        with: String,
    },
    /// Waiting on the contact: out of the unreplied views until they write.
    Pending {
        /// A phone number or a BSUID.
        #[arg(long)]
        with: String,
    },
    /// Out of sight until a time, then back as unread.
    Snooze {
        /// A phone number or a BSUID.
        #[arg(long)]
        with: String,
        /// 30m, 2h, 3d, 1w, tomorrow (9:00), 17:30, 2026-12-03 or "2026-12-03 14:00", in
        /// your `[[users]] time_zone` (else this machine's).
        #[arg(long)]
        until: String,
    },
}

/// When `until` is, read in the caller's zone (`--until`, `send --at`).
pub(super) fn time_in_my_zone(config: &Config, until: &str) -> Result<DateTime<Utc>, CliError> {
    let me = crate::server::peer::current_uid().and_then(crate::server::peer::login_of);
    let zone = config
        .users
        .iter()
        .find(|u| Some(&u.login) == me.as_ref())
        .and_then(|u| u.time_zone.as_deref()?.parse::<chrono_tz::Tz>().ok());
    let now = Utc::now();
    match zone {
        Some(z) => parse_until(until, now, &z),
        None => parse_until(until, now, &chrono::Local),
    }
    .map_err(CliError::BadInput)
}

/// Carries out a change to one conversation; with `json`, prints it as it now stands (and
/// gives back nothing more to say).
async fn changed(
    config: &Config,
    data_dir: &Path,
    request: Request,
    json: bool,
) -> Result<Option<Box<crate::engine::ConversationView>>, CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let Response::Conversation { conversation } = backend.call(request).await? else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if json {
        output::json(&conversation);
        return Ok(None);
    }
    Ok(Some(conversation))
}

pub async fn run(
    config: &Config,
    data_dir: &Path,
    action: StateAction,
    json: bool,
) -> Result<(), CliError> {
    let (with, change) = match action {
        StateAction::Resolve { with } => (with, StateChange::Resolved),
        StateAction::Reopen { with } => (with, StateChange::Open),
        StateAction::Pending { with } => (with, StateChange::Pending),
        StateAction::Snooze { with, until } => (
            with,
            StateChange::Snooze {
                until: time_in_my_zone(config, &until)?,
            },
        ),
    };
    let Some(conversation) = changed(
        config,
        data_dir,
        Request::SetState {
            with: Some(with),
            conversation_id: None,
            change,
        },
        json,
    )
    .await?
    else {
        return Ok(());
    };
    let name = neutralise(&conversation.name, false);
    match conversation.snoozed_until {
        Some(until) => println!(
            "{name}: snoozed until {} (back as unread then, or when they write)",
            until
                .with_timezone(&chrono::Local)
                .format("%a %-d %b %H:%M")
        ),
        None => println!("{name}: {}", conversation.status.as_str()),
    }
    Ok(())
}

/// `hirechat assign --with N --to LOGIN|group:NAME|none`.
pub async fn assign(
    config: &Config,
    data_dir: &Path,
    with: String,
    to: String,
    json: bool,
) -> Result<(), CliError> {
    let Some(conversation) = changed(
        config,
        data_dir,
        Request::Assign {
            with: Some(with),
            conversation_id: None,
            to,
        },
        json,
    )
    .await?
    else {
        return Ok(());
    };
    println!(
        "{}: {}",
        neutralise(&conversation.name, false),
        conversation
            .owner
            .as_deref()
            .map_or_else(|| "nobody's".to_owned(), |o| format!("assigned to {o}"))
    );
    Ok(())
}
