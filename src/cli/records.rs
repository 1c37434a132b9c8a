//! `hirechat records list [QUERY]` (candidates and contacts, searched by name, email, mobile or
//! owner) and `hirechat records show ID|--with N` (one record's card: its fields, opt-out
//! history, job openings, upcoming interviews in the record's zone, and its conversation).

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{record::Record, record_card, safe_text::neutralise},
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
    }
    Ok(())
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
