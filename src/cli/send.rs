//! `hirechat send`: queues a message, waits a little for WhatsApp to take it, and says
//! plainly when that is not confirmed.

use std::time::Duration;

use super::{Backend, CliError, output};
use crate::{
    config::{Config, Need},
    domain::{
        message::{Message, Status},
        schedule::ScheduledWhat,
    },
    engine::{Request, Response},
};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["text", "template", "attach"])))]
#[command(group(clap::ArgGroup::new("whom").required(true).args(["to", "filter", "to_file"])))]
pub struct SendArgs {
    /// A phone number with its country code (+81 90 1234 5678) or a BSUID.
    #[arg(long)]
    to: Option<String>,
    /// A bulk send of the template to every conversation the filter (or a view's name)
    /// selects now: `--filter "label:visa unreplied>3d"`.
    #[arg(long, requires = "template", conflicts_with_all = ["text", "attach"])]
    filter: Option<String>,
    /// A bulk send of the template to the numbers (or BSUIDs) in FILE, one a line (a CSV's
    /// first column; lines that start with # are skipped; `-` reads standard input).
    #[arg(long, value_name = "FILE", requires = "template", conflicts_with_all = ["text", "attach"])]
    to_file: Option<std::path::PathBuf>,
    /// With --filter or --to-file: print who would receive it and who is skipped, and why;
    /// send nothing.
    #[arg(long)]
    dry_run: bool,
    /// With --filter or --to-file: the preflight, then each recipient's outcome, as JSON.
    #[arg(long)]
    json: bool,
    /// Free text (only within 24 hours of the contact's last message); `-` reads it from
    /// standard input.
    #[arg(long)]
    text: Option<String>,
    /// A template by name, its merge fields filled from the contact's record.
    #[arg(long)]
    template: Option<String>,
    /// The template's language, when it exists in several.
    #[arg(long, requires = "template")]
    lang: Option<String>,
    /// Which value to use where a merge field has several, e.g. `--pick Interviews=12`
    /// (a refused send lists the choices).
    #[arg(long, requires = "template", value_name = "MODULE=ID")]
    pick: Vec<String>,
    /// A file to send (a path, or an https link that is fetched here): up to 5, each a
    /// JPEG or PNG image, a PDF, an MP4 or 3GP video, or MP3, OGG or AMR audio.
    #[arg(long, value_name = "FILE|URL", conflicts_with = "template")]
    attach: Vec<String>,
    /// Shown under the first file that takes one (images, video, documents).
    #[arg(long, requires = "attach")]
    caption: Option<String>,
    /// Send it later instead: tomorrow (9:00), "tomorrow 14:30", 17:30, 2h, "2026-12-03 14:00"
    /// (in your `[[users]] time_zone`, else this machine's) or an RFC 3339 instant. Prints
    /// the scheduled send as JSON.
    #[arg(long, value_name = "TIME", conflicts_with = "attach")]
    at: Option<String>,
    /// How long to wait for WhatsApp to take the message before saying it is still queued.
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    wait: u64,
}

pub(super) async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    a: SendArgs,
) -> Result<(), CliError> {
    let Some(to) = a.to else {
        let bulk = super::bulk::BulkArgs {
            template: a.template.unwrap_or_default(),
            language: a.lang,
            recipients: super::bulk::recipients(a.filter, a.to_file)?,
            at: a
                .at
                .map(|at| super::conversation_state::time_in_my_zone(config, &at))
                .transpose()?,
            dry_run: a.dry_run,
            json: a.json,
        };
        return super::bulk::run(config, data_dir, bulk).await;
    };
    if a.dry_run || a.json {
        return Err(CliError::BadInput(
            "--dry-run and --json are for a bulk send (--filter or --to-file)".into(),
        ));
    }
    if let Some(at) = a.at {
        let at = super::conversation_state::time_in_my_zone(config, &at)?;
        let what = match (a.text, a.template) {
            (Some(text), _) => ScheduledWhat::Text {
                text: text_or_stdin(text)?,
            },
            (None, Some(name)) => ScheduledWhat::Template {
                name,
                language: a.lang,
                picks: picks(&a.pick)?,
            },
            (None, None) => return Err(CliError::BadInput("say --text or --template".into())),
        };
        let mut backend = Backend::connect(config, data_dir, Some(Need::Send)).await?;
        let request = Request::Schedule {
            to,
            what,
            at: Some(at),
            when: None,
        };
        let Response::Scheduled { scheduled } = backend.call(request).await? else {
            return Err(CliError::Other("unexpected answer".into()));
        };
        output::json(&scheduled);
        return Ok(());
    }
    let request = request(to, a.text, a.template, a.lang, &a.pick, a.attach, a.caption)?;
    send(config, data_dir, request, Duration::from_secs(a.wait)).await
}

/// The request `hirechat send`'s flags make: files (with a caption and a text after them),
/// a text, or a template.
fn request(
    to: String,
    text: Option<String>,
    template: Option<String>,
    lang: Option<String>,
    pick: &[String],
    attach: Vec<String>,
    caption: Option<String>,
) -> Result<Request, CliError> {
    Ok(match (text, template) {
        (text, None) if !attach.is_empty() => Request::SendFiles {
            to,
            files: sources(attach)?,
            caption,
            text: text.map(text_or_stdin).transpose()?,
        },
        (Some(text), _) => Request::SendText {
            to,
            text: text_or_stdin(text)?,
        },
        (None, Some(name)) => Request::SendTemplate {
            to,
            name,
            language: lang,
            picks: picks(pick)?,
        },
        (None, None) => return Err(CliError::BadInput("say --text or --template".into())),
    })
}

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

/// Queues a message (or several: files), waits (a little) for WhatsApp to take them, and
/// prints it as JSON (several: a JSON array).
pub(super) async fn send(
    config: &Config,
    data_dir: &std::path::Path,
    request: Request,
    settle: Duration,
) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, Some(Need::Send)).await?;
    let (queued, many) = match backend.call(request).await {
        Ok(Response::Message { message }) => (vec![*message], false),
        Ok(Response::Sent { messages }) => (messages, true),
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
    let deadline = tokio::time::Instant::now() + settle;
    let mut settled = Vec::with_capacity(queued.len());
    for message in queued {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match settle_one(&mut backend, message.clone(), left).await {
            Ok(m) => settled.push(m),
            Err(why) => {
                settled.push(message.clone());
                print(&settled, many);
                return Err(CliError::Unconfirmed(format!(
                    "queued as message {}, not confirmed: the daemon stopped ({why}). It stays in the outbox: when the daemon runs again it is sent, or marked \"may have been sent\" if it was on its way. Check with `hirechat messages`; do not send it again",
                    message.id
                )));
            }
        }
    }
    print(&settled, many);
    settled
        .into_iter()
        .map(|m| verdict(m, settle))
        .find(Result::is_err)
        .unwrap_or(Ok(()))
}

fn print(messages: &[Message], many: bool) {
    if many {
        output::json(&messages);
    } else if let Some(m) = messages.first() {
        output::json(m);
    }
}

/// The message once WhatsApp took or refused it, or as it stands after `wait`; an error only
/// when the daemon went away (why).
async fn settle_one(
    backend: &mut Backend,
    message: Message,
    wait: Duration,
) -> Result<Message, String> {
    let settled = backend
        .call(Request::Settle {
            message: Box::new(message.clone()),
            timeout_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        })
        .await;
    match settled {
        Ok(Response::Message { message }) => Ok(*message),
        Ok(_) => Ok(message),
        Err(e) => match e.lost() {
            Some(why) => Err(why.to_string()),
            None => Ok(message),
        },
    }
}

/// Whether a settled message is a success for the exit status.
fn verdict(message: Message, settle: Duration) -> Result<(), CliError> {
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

/// `--attach` as the engine takes it: a link as given, a path made absolute (the daemon does
/// not share this shell's folder).
pub(super) fn sources(attach: Vec<String>) -> Result<Vec<String>, CliError> {
    attach
        .into_iter()
        .map(|a| {
            if crate::domain::attachment::is_link(&a) {
                return Ok(a);
            }
            std::path::absolute(&a)
                .map(|p| p.to_string_lossy().into_owned())
                .map_err(|e| CliError::BadInput(format!("--attach {a}: {e}")))
        })
        .collect()
}
