//! `hirechat records list [QUERY]` (candidates and contacts, searched by name, email, mobile or
//! owner) and `hirechat records show ID|--with N` (one record's card: its fields, opt-out
//! history, job openings, upcoming interviews in the record's zone, and its conversation) and
//! `hirechat records edit ID|--with N --set FIELD=VALUE… [--opt-out|--opt-in]` (a change
//! from a script or a phone call, without an import file).

use super::{
    backend::{Backend, CliError},
    output, record_fields,
};
use crate::{
    config::Config,
    domain::{
        record::{Record, RecordInput},
        record_card,
        safe_text::neutralise,
    },
    engine::{RecordCard, Request, Response},
};

#[derive(Debug, clap::Subcommand)]
pub enum RecordsCommand {
    /// Candidates and contacts, by name; a query narrows them (name, email, mobile or owner).
    List {
        /// Words to search for.
        query: Vec<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// One record: its fields, opt-out history, job openings, upcoming interviews, and its
    /// conversation's status, assignee and labels.
    Show {
        /// The record's id (from `list`).
        #[arg(required_unless_present = "with", conflicts_with = "with")]
        id: Option<u64>,
        /// Or the record of a conversation: a phone number or a BSUID.
        #[arg(long)]
        with: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a record: each `--set` names a field as an import's header would (`Email`,
    /// `Owner`, `Time zone`, a custom field by its name) and gives its value; an empty value
    /// clears it. `--opt-out` / `--opt-in` change consent, kept in its history with who and
    /// when. Prints the record as saved.
    Edit {
        /// The record's id (from `list`).
        #[arg(required_unless_present = "with", conflicts_with = "with")]
        id: Option<u64>,
        /// Or the record of a conversation: a phone number or a BSUID.
        #[arg(long)]
        with: Option<String>,
        /// A field and its new value, as FIELD=VALUE (again for more fields).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// The person asked not to be messaged: nothing more is sent to them.
        #[arg(long, conflicts_with = "opt_in")]
        opt_out: bool,
        /// The person agreed again to be messaged.
        #[arg(long)]
        opt_in: bool,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: RecordsCommand,
) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    match command {
        RecordsCommand::List { query, limit, json } => {
            let request = Request::Records {
                query: query.join(" "),
                offset: 0,
                limit: Some(limit),
            };
            let Response::Records { total, records } = backend.call(request).await? else {
                return Err(CliError::Other("unexpected answer".into()));
            };
            if json {
                output::json(&records);
            } else {
                print_list(total, &records);
            }
        }
        RecordsCommand::Show { id, with, json } => {
            let request = Request::RecordCard {
                record_id: id,
                with,
                conversation_id: None,
            };
            let Response::RecordCard { card } = backend.call(request).await? else {
                return Err(CliError::Other("unexpected answer".into()));
            };
            if json {
                output::json(&card);
            } else {
                print_card(&card);
            }
        }
        RecordsCommand::Edit {
            id,
            with,
            set,
            opt_out,
            opt_in,
            json,
        } => {
            let consent = (opt_out || opt_in).then_some(opt_out);
            if set.is_empty() && consent.is_none() {
                return Err(CliError::BadInput(
                    "nothing to change: give --set FIELD=VALUE, --opt-out or --opt-in".into(),
                ));
            }
            let request = Request::RecordCard {
                record_id: id,
                with: with.clone(),
                conversation_id: None,
            };
            let Response::RecordCard { card } = backend.call(request).await? else {
                return Err(CliError::Other("unexpected answer".into()));
            };
            let Some(record) = card.record else {
                let who = with
                    .as_deref()
                    .map_or_else(|| format!("record {}", id.unwrap_or_default()), show);
                return Err(CliError::BadInput(format!(
                    "{who} has no record yet: import one (`hirechat import candidates FILE.csv`) or create it in the TUI"
                )));
            };
            let mut input = edited(&record, &set)?;
            input.opted_out = consent.or(input.opted_out);
            let request = Request::SaveRecord {
                record_id: Some(record.id),
                record: input,
            };
            let Response::Record { record } = backend.call(request).await? else {
                return Err(CliError::Other("unexpected answer".into()));
            };
            if json {
                output::json(&record);
            } else {
                println!("Saved record {}", record.id);
                for (label, value) in record_card::rows(&record) {
                    println!("  {:<14} {}", show(&label), show(&value));
                }
            }
        }
    }
    Ok(())
}

/// `record` with each `FIELD=VALUE` of `set` written into it.
fn edited(record: &Record, set: &[String]) -> Result<RecordInput, CliError> {
    let mut input = RecordInput::from(record);
    for pair in set {
        let Some((field, value)) = pair.split_once('=') else {
            return Err(CliError::BadInput(format!(
                "--set {}: write it as FIELD=VALUE, such as Email=mika@example.com",
                show(pair)
            )));
        };
        let (field, value) = (field.trim(), value.trim());
        if field.is_empty() {
            return Err(CliError::BadInput(format!(
                "--set {}: the field's name is missing before =",
                show(pair)
            )));
        }
        record_fields::set(&mut input, record_fields::column(field), field, value)
            .map_err(CliError::BadInput)?;
    }
    Ok(input)
}

fn show(s: &str) -> String {
    neutralise(s, false).into_owned()
}

fn print_list(total: usize, records: &[Record]) {
    if records.is_empty() {
        println!("No records match.");
        return;
    }
    for r in records {
        let mobile = r.mobile.as_ref().map_or("no mobile", |m| m.as_str());
        let mut details = vec![mobile.to_owned()];
        details.extend(r.email.as_deref().map(show));
        details.extend(r.owner.as_deref().map(|o| format!("owner {}", show(o))));
        if r.opted_out {
            details.push("opted out".into());
        }
        println!("{:>8}  {:<28} {}", r.id, show(&r.name), details.join(" · "));
    }
    if total > records.len() {
        println!(
            "({} of {total}: narrow with a query, or --limit)",
            records.len()
        );
    }
}

fn print_card(card: &RecordCard) {
    let Some(r) = &card.record else {
        let number = card
            .conversation
            .as_ref()
            .and_then(|c| c.wa_id.clone())
            .unwrap_or_default();
        println!(
            "+{} has no record yet: import one (`hirechat import candidates FILE.csv`) or create it in the TUI (i, then e).",
            show(&number)
        );
        print_conversation(card);
        return;
    };
    println!("Record {}", r.id);
    for (label, value) in record_card::rows(r) {
        println!("  {:<14} {}", show(&label), show(&value));
    }
    let history = record_card::consent_history(r);
    if !history.is_empty() {
        println!("Opt-out history");
        for h in history {
            println!("  {}", show(&h));
        }
    }
    let zone = r.time_zone.as_deref();
    println!("Job openings");
    if card.job_openings.is_empty() {
        println!("  none linked");
    }
    for j in &card.job_openings {
        println!("  {}", show(&j.label(zone)));
    }
    println!("Upcoming interviews");
    if card.interviews.is_empty() {
        println!("  none");
    }
    for i in &card.interviews {
        println!("  {}", show(&i.label(zone)));
    }
    print_conversation(card);
}

fn print_conversation(card: &RecordCard) {
    let Some(c) = &card.conversation else {
        println!("No conversation yet.");
        return;
    };
    println!("Conversation {}", c.id);
    let snoozed = c
        .snoozed_until
        .map(|t| format!(", snoozed until {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    println!("  {:<14} {}{snoozed}", "Status", c.status.as_str());
    println!(
        "  {:<14} {}",
        "Assignee",
        c.owner.as_deref().map_or_else(|| "nobody".into(), show)
    );
    println!(
        "  {:<14} {}",
        "Labels",
        if c.labels.is_empty() {
            "none".to_owned()
        } else {
            show(&c.labels.join(", "))
        }
    );
}
