//! `hirechat doctor`: what an admin checks when something looks wrong — whether the database
//! takes writes, sends that may have gone, webhooks for another number, and the deliveries
//! kept aside (dead letters) with why.

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::safe_text::neutralise,
    engine::{Request, Response},
};

pub async fn run(config: &Config, data_dir: &std::path::Path, json: bool) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let Response::Doctor { report } = backend.call(Request::Doctor).await? else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if json {
        output::json(&report);
        return Ok(());
    }
    println!(
        "Database: {}",
        if report.writable {
            "takes writes"
        } else {
            "does not take writes (a full disk?); it is tried again every second"
        }
    );
    println!(
        "Outbox: {} waiting, {} may have been sent (not sent again: check with the contact)",
        report.outbox_pending, report.outbox_uncertain
    );
    println!(
        "Webhooks for another phone number or business account since the daemon started: {}",
        report.foreign_since_start
    );
    println!(
        "Dead letters (deliveries kept whole because part of them was not taken): {}",
        report.dead_letters
    );
    for d in &report.recent_dead_letters {
        println!(
            "  #{} {}: {}",
            d.id,
            d.at.format("%Y-%m-%d %H:%M UTC"),
            neutralise(&d.reason, false)
        );
    }
    match &report.number {
        Some(n) => {
            let s = &n.status;
            let show = |v: &Option<String>| {
                v.as_deref()
                    .map_or("?".to_owned(), |v| neutralise(v, false).into_owned())
            };
            println!(
                "Number: {} ({}): quality {}, messaging limit {}, status {}, as of {}{}",
                show(&s.display_phone_number),
                show(&s.verified_name),
                show(&s.quality_rating),
                show(&s.messaging_limit_tier),
                show(&s.status),
                n.checked_at.format("%Y-%m-%d %H:%M UTC"),
                n.error
                    .as_ref()
                    .map(|e| format!("; the last read failed: {e}"))
                    .unwrap_or_default()
            );
        }
        None => println!("Number: not read from WhatsApp yet"),
    }
    if let Some(link) = &report.relay {
        use crate::domain::relay_link::LinkState;
        let state = match &link.state {
            LinkState::Connecting => "connecting".to_owned(),
            LinkState::Connected { since } => {
                format!("connected since {}", since.format("%Y-%m-%d %H:%M UTC"))
            }
            LinkState::Reconnecting { since, why } => format!(
                "reconnecting since {} ({why})",
                since.format("%Y-%m-%d %H:%M UTC")
            ),
        };
        println!(
            "Relay: {state}; {} waiting there; {} refused since start (signature did not match)",
            link.backlog, link.refused
        );
    }
    match config.exposure_warning() {
        Some(w) => println!("Config: {w}"),
        None => println!("Config: no secret readable by other users"),
    }
    Ok(())
}
