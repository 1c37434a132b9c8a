//! `hirechat doctor`: one command that checks and explains — files and their modes, the
//! daemon, the database, the outbox, whether webhooks arrive (or the relay's link), the token
//! and its permissions, the number and its rating, the webhook subscription, the app secret,
//! the clock against the API's, the disk. Each line ok, warn or fail with the fix (the
//! judgements are `domain::doctor`'s); a fail makes the exit code 1. Then the deliveries kept
//! aside, with why.

use std::path::Path;

use super::{
    backend::{Backend, CliError},
    doctor_api, output,
};
use crate::{
    config::{Config, FeedMode},
    domain::{
        doctor::{self, Check, Level},
        relay_link::LinkState,
        safe_text::neutralise,
    },
    engine::{Request, Response, api::Health},
};

pub async fn run(config: &Config, data_dir: &Path, json: bool) -> Result<(), CliError> {
    let mut checks = files(config, data_dir);
    let socket = crate::paths::socket_file(data_dir);
    checks.push(if crate::server::socket::answers(&socket).await {
        Check::ok("daemon", format!("answers on {}", socket.display()))
    } else {
        Check::warn(
            "daemon",
            format!("no daemon answers on {}", socket.display()),
            "start `hirechat serve`: webhooks arrive and messages go out only while it runs",
        )
    });
    let report = match engine_report(config, data_dir).await {
        Ok(r) => {
            checks.extend(engine_checks(&r, config));
            Some(r)
        }
        Err(e) => {
            checks.push(Check::fail(
                "database",
                format!("the engine could not be asked: {e}"),
                "run doctor as an admin of the daemon (`[[users]]` role = \"admin\"), or as the daemon's user",
            ));
            None
        }
    };
    checks.extend(doctor_api::checks(config).await);
    checks.push(disk(data_dir));
    if json {
        output::json(&serde_json::json!({ "checks": checks, "engine": report }));
    } else {
        print(&checks, report.as_ref());
    }
    let failing = checks.iter().filter(|c| c.level == Level::Fail).count();
    if failing > 0 {
        return Err(CliError::Other(format!(
            "{failing} check{} failed (above, with the fix)",
            if failing == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

async fn engine_report(config: &Config, data_dir: &Path) -> Result<Health, CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    match backend.call(Request::Doctor).await? {
        Response::Doctor { report } => Ok(report),
        _ => Err(CliError::Other("unexpected answer".into())),
    }
}

/// The config file, the connection file and the data directory, by their modes.
fn files(config: &Config, data_dir: &Path) -> Vec<Check> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut checks = vec![match config.exposure_warning() {
        Some(w) => Check::warn(
            "config",
            w,
            "make the file private, or move the secrets to the environment",
        ),
        None => Check::ok(
            "config",
            config.source.as_ref().map_or_else(
                || "no config file (built-in defaults)".to_owned(),
                |p| format!("{}: no secret readable by other users", p.display()),
            ),
        ),
    }];
    let connection = crate::config::Connection::load(data_dir);
    let file = data_dir.join("connection.toml");
    match (connection, std::fs::metadata(&file)) {
        (Err(e), _) => checks.push(Check::fail(
            "connection",
            e.to_string(),
            "run `hirechat connect` again to write it anew",
        )),
        (Ok(Some(_)), Ok(meta)) if meta.permissions().mode() & 0o077 != 0 => {
            checks.push(Check::fail(
                "connection",
                format!("{} holds the token and others may read it", file.display()),
                format!("chmod 600 {}", file.display()),
            ));
        }
        (Ok(Some(c)), _) => checks.push(match c.disconnected_at {
            Some(at) => Check::warn(
                "connection",
                format!(
                    "{:?} was disconnected on {}: nothing is sent",
                    c.nickname,
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
                "`hirechat connect` connects it again",
            ),
            None => Check::ok(
                "connection",
                format!(
                    "{:?} connected on {} by {}",
                    c.nickname,
                    c.connected_at.format("%Y-%m-%d"),
                    c.connected_by
                ),
            ),
        }),
        (Ok(None), _) => {}
    }
    if let Ok(meta) = std::fs::metadata(data_dir) {
        let mode = meta.permissions().mode() & 0o7777;
        checks.push(if mode & 0o007 != 0 || mode & 0o040 != 0 {
            Check::warn(
                "files",
                format!("the data directory {} is mode {mode:04o}", data_dir.display()),
                format!(
                    "chmod 700 {0} (or 2710 for a team sharing the socket through the directory's group)",
                    data_dir.display()
                ),
            )
        } else {
            Check::ok("files", format!("the data directory is mode {mode:04o}"))
        });
    }
    checks
}

/// What the engine says of itself: the database, the outbox, webhooks arriving (or the relay).
fn engine_checks(r: &Health, config: &Config) -> Vec<Check> {
    let mut checks = vec![if r.writable {
        Check::ok("database", "takes writes")
    } else {
        Check::fail(
            "database",
            "does not take writes (tried again every second)",
            "free room on the data directory's disk; WhatsApp delivers again what was refused",
        )
    }];
    if let Some(db) = &r.database {
        checks.push(doctor::database_size(
            db.bytes,
            db.after_last_compaction,
            db.worth_compacting,
        ));
    }
    checks.push(if r.outbox_uncertain > 0 {
        Check::warn(
            "outbox",
            format!(
                "{} waiting, {} may have been sent (never sent again blindly)",
                r.outbox_pending, r.outbox_uncertain
            ),
            "check with those contacts before sending again",
        )
    } else {
        Check::ok("outbox", format!("{} waiting", r.outbox_pending))
    });
    let now = chrono::Utc::now();
    checks.push(match (config.webhook.mode, &r.relay) {
        (FeedMode::Relay, Some(link)) => match &link.state {
            LinkState::Connected { since } => Check::ok(
                "webhooks",
                format!(
                    "read from the relay since {}, {} waiting there, {} refused (signature)",
                    since.format("%Y-%m-%d %H:%M UTC"),
                    link.backlog,
                    link.refused
                ),
            ),
            LinkState::Connecting => Check::warn(
                "webhooks",
                "the relay has not answered yet",
                "wait a moment and ask again",
            ),
            LinkState::Reconnecting { since, why } => Check::fail(
                "webhooks",
                format!(
                    "the relay link fails since {} ({why})",
                    since.format("%Y-%m-%d %H:%M UTC")
                ),
                "check [relay] url and token (one of the relay's [[relay_server.consumers]]) and that `hirechat relay` runs there; the relay keeps what arrives meanwhile",
            ),
        },
        _ => doctor::arriving(
            r.last_delivery_at.map(|t| (now - t).num_seconds()),
            (now - r.started_at).num_seconds(),
        ),
    });
    checks
}

fn disk(data_dir: &Path) -> Check {
    match rustix::fs::statvfs(data_dir) {
        Ok(s) => doctor::disk(
            s.f_bavail.saturating_mul(s.f_frsize),
            s.f_blocks.saturating_mul(s.f_frsize),
        ),
        Err(e) => Check::warn(
            "disk",
            format!("free room unknown: {e}"),
            "check the data directory exists",
        ),
    }
}

fn print(checks: &[Check], report: Option<&Health>) {
    for c in checks {
        println!("{:<4}  {:<12} {}", c.level.word(), c.name, c.found);
        if let Some(fix) = &c.fix {
            println!("      {:<12} fix: {fix}", "");
        }
    }
    let Some(r) = report else { return };
    println!(
        "Webhooks for another phone number or business account since the daemon started: {}",
        r.foreign_since_start
    );
    println!(
        "Dead letters (deliveries kept whole because part of them was not taken): {}",
        r.dead_letters
    );
    for d in &r.recent_dead_letters {
        println!(
            "  #{} {}: {}",
            d.id,
            d.at.format("%Y-%m-%d %H:%M UTC"),
            neutralise(&d.reason, false)
        );
    }
}
