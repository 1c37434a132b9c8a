//! `hirechat scheduled list|cancel|edit`: the messages waiting to be sent later (`send --at`),
//! and changing or cancelling one until it goes.

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{
        safe_text::neutralise,
        schedule::{ScheduleState, ScheduledSend},
    },
    engine::{Request, Response},
};

#[derive(Debug, clap::Subcommand)]
pub enum ScheduledCommand {
    /// The sends waiting, soonest first (with `--all`, also those gone, cancelled, failed or
    /// skipped, and why).
    List {
        /// Only this conversation's: a phone number or a BSUID.
        #[arg(long)]
        with: Option<String>,
        /// Also those sent, cancelled, failed or skipped.
        #[arg(long)]
        all: bool,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a waiting send (yours, or any for an admin): it never goes.
    Cancel {
        /// Its id, from `list`.
        id: u64,
    },
    /// Change a waiting send's text or time.
    Edit {
        /// Its id, from `list`.
        id: u64,
        /// The new text (a scheduled template keeps its own).
        #[arg(long)]
        text: Option<String>,
        /// As `send --at` takes it.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: ScheduledCommand,
) -> Result<(), CliError> {
    let (request, json) = match command {
        ScheduledCommand::List { with, all, json } => (
            Request::Scheduled {
                with,
                conversation_id: None,
                all,
            },
            json,
        ),
        ScheduledCommand::Cancel { id } => (Request::CancelScheduled { scheduled_id: id }, false),
        ScheduledCommand::Edit { id, text, at } => {
            if text.is_none() && at.is_none() {
                return Err(CliError::BadInput("say --text, --at or both".into()));
            }
            let at = at
                .map(|t| super::conversation_state::time_in_my_zone(config, &t))
                .transpose()?;
            (
                Request::EditScheduled {
                    scheduled_id: id,
                    text,
                    at,
                },
                false,
            )
        }
    };
    let mut backend = Backend::connect(config, data_dir, None).await?;
    match backend.call(request).await? {
        Response::ScheduledList { scheduled } if json => output::json(&scheduled),
        Response::ScheduledList { scheduled } => {
            if scheduled.is_empty() {
                println!(
                    "Nothing is scheduled: `hirechat send --to N --text T --at TIME` schedules."
                );
            }
            for s in &scheduled {
                println!("{}", line(s));
            }
        }
        Response::Scheduled { scheduled } => println!("{}", line(&scheduled)),
        _ => return Err(CliError::Other("unexpected answer".into())),
    }
    Ok(())
}

/// id, when, to whom, by whom, where it stands, what.
fn line(s: &ScheduledSend) -> String {
    let state = match &s.state {
        ScheduleState::Waiting if s.will_skip.is_some() => format!(
            "waiting, will be skipped: {}",
            s.will_skip.as_deref().unwrap_or_default()
        ),
        ScheduleState::Waiting if s.held.is_some() => {
            format!("waiting ({})", s.held.as_deref().unwrap_or_default())
        }
        ScheduleState::Waiting => "waiting".to_owned(),
        ScheduleState::Sent { message_id, .. } => format!("sent (message {message_id})"),
        ScheduleState::Done { what, .. } => what.clone(),
        ScheduleState::Cancelled { cancelled_by, .. } => format!("cancelled by {cancelled_by}"),
        ScheduleState::Failed { reason, .. } => format!("not sent: {reason}"),
        ScheduleState::Skipped { reason, .. } => format!("skipped: {reason}"),
    };
    let mut what: String = neutralise(&s.summary(), false).replace('\n', " ");
    if what.chars().count() > 60 {
        what = what.chars().take(59).collect::<String>() + "…";
    }
    format!(
        "{:>6}  {}  {}  by {}  {}  {what}",
        s.id,
        s.due_at
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M"),
        neutralise(&s.to, false),
        neutralise(&s.by, false),
        neutralise(&state, false)
    )
}
