//! `hirechat send`: queues a message, waits a little for WhatsApp to take it, and says
//! plainly when that is not confirmed.

use std::time::Duration;

use super::{Backend, CliError, output};
use crate::{
    config::{Config, Need},
    engine::{Request, Response},
};

/// `--text -` (or `--body -`) reads the text from standard input (a script's heredoc, a file piped in),
/// less its final line break.
pub(super) fn text_or_stdin(text: String) -> Result<String, CliError> {
    if text != "-" {
        return Ok(text);
    }
    let mut read = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut read)
        .map_err(|e| CliError::BadInput(format!("--text -: cannot read standard input: {e}")))?;
    Ok(read.strip_suffix('\n').unwrap_or(&read).to_owned())
}

/// `--pick Interviews=12` as module → id.
pub(super) fn picks(args: &[String]) -> Result<crate::domain::merge_source::Picks, CliError> {
    args.iter()
        .map(|a| {
            let (module, id) = a.split_once('=').ok_or_else(|| {
                CliError::BadInput(format!(
                    "--pick {a:?}: write it as MODULE=ID, e.g. Interviews=12"
                ))
            })?;
            let id = id.trim().parse::<u64>().map_err(|_| {
                CliError::BadInput(format!("--pick {a:?}: {id:?} is not an id (a number)"))
            })?;
            Ok((module.trim().to_owned(), id))
        })
        .collect()
}

/// Queues a message, waits (a little) for WhatsApp to take it, and prints it as JSON.
pub(super) async fn send(
    config: &Config,
    data_dir: &std::path::Path,
    request: Request,
    settle: Duration,
) -> Result<(), CliError> {
    use crate::domain::message::Status;
    let mut backend = Backend::connect(config, data_dir, Some(Need::Send)).await?;
    let message = match backend.call(request).await {
        Ok(Response::Message { message }) => message,
        Ok(_) => return Err(CliError::Other("unexpected answer".into())),
        Err(e) => {
            return Err(match e.lost() {
                Some(why) => CliError::Unconfirmed(format!(
                    "the daemon stopped before answering ({why}): the message may have been queued. Look at `hirechat messages --with …` before sending it again"
                )),
                None => e,
            });
        }
    };
    let settled = backend
        .call(Request::Settle {
            message: message.clone(),
            timeout_ms: u64::try_from(settle.as_millis()).unwrap_or(u64::MAX),
        })
        .await;
    let message = match settled {
        Ok(Response::Message { message }) => message,
        Ok(_) => message,
        Err(e) => {
            let Some(why) = e.lost() else {
                return Err(e);
            };
            output::json(&message);
            return Err(CliError::Unconfirmed(format!(
                "queued as message {}, not confirmed: the daemon stopped ({why}). It stays in the outbox: when the daemon runs again it is sent, or marked \"may have been sent\" if it was on its way. Check with `hirechat messages`; do not send it again",
                message.id
            )));
        }
    };
    output::json(&message);
    match message.status {
        Status::Failed => Err(CliError::Client(crate::client::ClientError::Engine {
            kind: crate::engine::api::ErrorKind::Refused,
            message: message
                .error
                .unwrap_or_else(|| "the message could not be sent".into()),
        })),
        Status::Uncertain => Err(CliError::Unconfirmed(format!(
            "message {}: {}",
            message.id,
            message.error.unwrap_or_default()
        ))),
        Status::Queued => Err(CliError::Unconfirmed(format!(
            "message {} is still queued after {} s: WhatsApp has not taken it (is it reachable?). It stays in the outbox and is tried again; `hirechat doctor` shows what waits",
            message.id,
            settle.as_secs()
        ))),
        _ => Ok(()),
    }
}
