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
    match config.exposure_warning() {
        Some(w) => println!("Config: {w}"),
        None => println!("Config: no secret readable by other users"),
    }
    Ok(())
}
