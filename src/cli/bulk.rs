//! A bulk send from the shell (`send --template NAME --filter Q | --to-file F`): the preflight
//! first (who receives it, who is skipped and why), then the batch, its undo period (Ctrl-C
//! takes it back), progress while it goes (Ctrl-C stops what has not gone), and a summary.
//! `batches list|show|cancel` for those sent earlier or for later.

use std::{
    io::{IsTerminal as _, Read as _},
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::{DateTime, Utc};

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::{Config, Need},
    domain::{
        bulk::{Batch, Outcome, Preflight, Progress, Recipients, Stage},
        safe_text::neutralise,
    },
    engine::{Request, Response},
};

pub struct BulkArgs {
    pub template: String,
    pub language: Option<String>,
    pub recipients: Recipients,
    pub at: Option<DateTime<Utc>>,
    pub dry_run: bool,
    pub json: bool,
}

/// How often the progress is read while a batch goes.
const POLL: Duration = Duration::from_millis(500);
/// Skipped recipients listed by name before "and N more".
const LISTED: usize = 20;

/// `--filter` or `--to-file` as recipients.
pub fn recipients(filter: Option<String>, file: Option<PathBuf>) -> Result<Recipients, CliError> {
    match (filter, file) {
        (Some(query), _) => Ok(Recipients::Filter { query }),
        (None, Some(file)) => Ok(Recipients::Numbers {
            numbers: numbers_in(&read(&file)?),
        }),
        (None, None) => Err(CliError::BadInput(
            "say whom: --to, --filter or --to-file".into(),
        )),
    }
}

fn read(file: &Path) -> Result<String, CliError> {
    let mut text = String::new();
    let result = if file == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    result.map_err(|e| CliError::BadInput(format!("{}: {e}", file.display())))?;
    Ok(text)
}

/// One number a line: a CSV's first column, blank lines and `#` comments skipped, and a
/// header line (no digit in it) too.
fn numbers_in(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            l.split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches('"')
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| l.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

pub async fn run(config: &Config, data_dir: &Path, a: BulkArgs) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, Some(Need::Send)).await?;
    let preflight = Request::BulkPreflight {
        template: a.template.clone(),
        language: a.language.clone(),
        recipients: a.recipients.clone(),
    };
    let Response::Preflight { preflight } = backend.call(preflight).await? else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if a.dry_run {
        if a.json {
            output::json(&preflight);
        } else {
            print_preflight(&preflight, &mut std::io::stdout());
        }
        return Ok(());
    }
    print_preflight(&preflight, &mut std::io::stderr());
    let send = Request::BulkSend {
        template: a.template,
        language: a.language,
        recipients: a.recipients,
        at: a.at,
    };
    let Response::Batch { batch, .. } = backend.call(send).await? else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if a.at.is_some() {
        eprintln!(
            "Bulk send {} goes at {}: `hirechat batches cancel {}` takes it back until then.",
            batch.id,
            batch
                .starts_at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M"),
            batch.id
        );
        if a.json {
            output::json(&batch);
        }
        return Ok(());
    }
    let undo = (batch.starts_at - Utc::now()).num_seconds().max(0);
    eprintln!(
        "Sending to {} in {undo} s: Ctrl-C takes it back.",
        batch.recipients
    );
    let (batch, progress, outcomes) = follow(&mut backend, batch.id).await?;
    if a.json {
        output::json(&serde_json::json!({
            "batch": batch, "progress": progress, "outcomes": outcomes,
        }));
    }
    summary(&batch, &progress, &outcomes)
}

/// Reads the batch's progress until nothing more will happen, showing it on a terminal;
/// Ctrl-C cancels what has not gone.
async fn follow(
    backend: &mut Backend,
    id: u64,
) -> Result<(Box<Batch>, Progress, Vec<Outcome>), CliError> {
    let show = std::io::stderr().is_terminal();
    let mut request = Request::Batch { batch_id: id };
    loop {
        let Response::Batch {
            batch,
            progress,
            outcomes,
        } = backend.call(request.clone()).await?
        else {
            return Err(CliError::Other("unexpected answer".into()));
        };
        if show {
            eprint!("\r\x1b[2K{}", bar(&progress));
        }
        if progress.done() {
            if show {
                eprintln!();
            }
            return Ok((batch, progress, outcomes));
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = tokio::signal::ctrl_c() => {
                if show {
                    eprintln!();
                }
                let started = batch.starts_at <= Utc::now();
                eprintln!("{}", if started {
                    "Stopping: what has not gone is cancelled."
                } else {
                    "Taken back: nothing is sent."
                });
                request = Request::CancelBatch { batch_id: id };
            }
        }
    }
}

/// `[#########...........]  120/500  118 sent, 2 failed`
fn bar(p: &Progress) -> String {
    let (settled, total) = p.settled();
    let width = 30;
    let filled = (settled * width).checked_div(total).unwrap_or(width);
    format!(
        "[{}{}] {settled}/{total}  {}",
        "#".repeat(filled),
        ".".repeat(width - filled),
        p.sentence()
    )
}

fn print_preflight(p: &Preflight, out: &mut impl std::io::Write) {
    let _ = writeln!(
        out,
        "{}: {} will receive it, {} skipped.",
        neutralise(&p.template, false),
        p.send.len(),
        p.skipped.len()
    );
    for s in p.skipped.iter().take(LISTED) {
        let _ = writeln!(
            out,
            "  skipped {} {}: {}",
            neutralise(&s.to, false),
            neutralise(&s.name, false),
            neutralise(&s.reason, false)
        );
    }
    if p.skipped.len() > LISTED {
        let _ = writeln!(out, "  and {} more skipped", p.skipped.len() - LISTED);
    }
    if let Some(cost) = &p.cost {
        let _ = writeln!(out, "{}", cost.sentence());
    }
}

/// The end: what went, what failed and why; exit 1 when some failed.
fn summary(batch: &Batch, p: &Progress, outcomes: &[Outcome]) -> Result<(), CliError> {
    eprintln!(
        "Bulk send {} of {}: {}.",
        batch.id,
        neutralise(&batch.template, false),
        p.sentence()
    );
    for o in outcomes.iter().filter(|o| o.stage == Stage::Failed) {
        eprintln!(
            "  failed {}: {}",
            neutralise(&o.to, false),
            neutralise(o.reason.as_deref().unwrap_or("no reason given"), false)
        );
    }
    if p.failed > 0 {
        return Err(CliError::Other(format!(
            "{} of {} failed",
            p.failed, batch.recipients
        )));
    }
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum BatchesCommand {
    /// Bulk sends, newest first, with how far each got.
    List {
        /// As JSON, each with its progress.
        #[arg(long)]
        json: bool,
    },
    /// One bulk send: each recipient's outcome.
    Show {
        /// Its id, from `list`.
        id: u64,
        /// As JSON: the batch, its progress and each recipient's outcome.
        #[arg(long)]
        json: bool,
    },
    /// Stop a bulk send (yours, or any for an admin): what has not gone is cancelled.
    Cancel {
        /// Its id, from `list`.
        id: u64,
    },
}

pub async fn batches(
    config: &Config,
    data_dir: &Path,
    command: BatchesCommand,
) -> Result<(), CliError> {
    let (request, json) = match command {
        BatchesCommand::List { json } => (Request::Batches, json),
        BatchesCommand::Show { id, json } => (Request::Batch { batch_id: id }, json),
        BatchesCommand::Cancel { id } => (Request::CancelBatch { batch_id: id }, false),
    };
    let mut backend = Backend::connect(config, data_dir, None).await?;
    match backend.call(request).await? {
        Response::Batches { batches } if json => output::json(&batches),
        Response::Batches { batches } => {
            if batches.is_empty() {
                println!(
                    "No bulk sends yet: `hirechat send --template NAME --filter Q` makes one."
                );
            }
            for b in &batches {
                println!("{}", line(&b.batch, &b.progress));
            }
        }
        Response::Batch {
            batch,
            progress,
            outcomes,
        } => {
            if json {
                output::json(&serde_json::json!({
                    "batch": batch, "progress": progress, "outcomes": outcomes,
                }));
                return Ok(());
            }
            println!("{}", line(&batch, &progress));
            for o in &outcomes {
                println!(
                    "  {}  {:?}{}",
                    neutralise(&o.to, false),
                    o.stage,
                    o.reason
                        .as_deref()
                        .map(|r| format!(": {}", neutralise(r, false)))
                        .unwrap_or_default()
                );
            }
            for s in &batch.skipped {
                println!(
                    "  {}  skipped: {}",
                    neutralise(&s.to, false),
                    neutralise(&s.reason, false)
                );
            }
        }
        _ => return Err(CliError::Other("unexpected answer".into())),
    }
    Ok(())
}

/// id, when, template, by whom, how far.
fn line(b: &Batch, p: &Progress) -> String {
    format!(
        "{:>6}  {}  {}  by {}  {} recipients: {}",
        b.id,
        b.starts_at
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M"),
        neutralise(&b.template, false),
        neutralise(&b.by, false),
        b.recipients,
        p.sentence()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_numbers_skips_its_header_comments_and_blank_lines() {
        let text = "Mobile,Name\n# the shortlist\n+819012345678,Ken\n\n\"+44 7400 123456\",Emily\n";
        assert_eq!(numbers_in(text), ["+819012345678", "+44 7400 123456"]);
    }

    #[test]
    fn the_bar_fills_with_what_is_settled() {
        let p = Progress {
            total: 4,
            sent: 1,
            failed: 1,
            waiting: 2,
            ..Progress::default()
        };
        assert!(bar(&p).starts_with(&format!("[{}{}] 2/4", "#".repeat(15), ".".repeat(15))));
    }
}
