//! `hirechat outbox list` (what waits, is in doubt, or failed, and whether a retry is
//! offered) and `hirechat outbox retry ID` (a failed message sent again, waited for as `send`
//! waits).

use std::time::Duration;

use super::{
    backend::{Backend, CliError},
    output, send,
};
use crate::{
    config::Config,
    engine::{Request, Response},
};

#[derive(Debug, clap::Subcommand)]
pub enum OutboxCommand {
    /// Sends waiting, in doubt (may have been sent) or failed, oldest first; failed ones say
    /// whether they may be sent again, and why not.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Send a failed message again (its id, from `list`), with a new send's checks (the
    /// window, the contact's opt-out); prints the message once WhatsApp took it.
    Retry {
        /// The message's id.
        id: u64,
        /// How long to wait for WhatsApp to take it, in seconds.
        #[arg(long, default_value_t = 20, value_name = "SECONDS")]
        wait: u64,
    },
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: OutboxCommand,
) -> Result<(), CliError> {
    match command {
        OutboxCommand::Retry { id, wait } => {
            send::send(
                config,
                data_dir,
                Request::Retry { message_id: id },
                Duration::from_secs(wait),
            )
            .await
        }
        OutboxCommand::List { json } => {
            let mut backend = Backend::connect(config, data_dir, None).await?;
            let Response::Outbox { items } = backend.call(Request::Outbox).await? else {
                return Err(CliError::Other("unexpected answer".into()));
            };
            if json {
                output::json(&items);
                return Ok(());
            }
            if items.is_empty() {
                println!("The outbox is empty: nothing waits, nothing failed.");
            }
            for i in items {
                let error = i
                    .error
                    .as_deref()
                    .map(|e| format!(" · {}", crate::domain::safe_text::neutralise(e, false)))
                    .unwrap_or_default();
                let retry = match (i.state.as_str(), i.retry, &i.why_not) {
                    ("failed", true, _) => format!(" · `hirechat outbox retry {}`", i.id),
                    ("failed", false, Some(why)) => format!(" · no retry: {why}"),
                    _ => String::new(),
                };
                println!(
                    "{:>8}  {}  {:<10} attempts {}{error}{retry}",
                    i.id,
                    i.queued_at.format("%Y-%m-%d %H:%M"),
                    i.state,
                    i.attempts
                );
            }
            Ok(())
        }
    }
}
