//! The inbox, on this machine's data or the demo's: its keys, its look, what an empty one says.

use std::path::{Path, PathBuf};

use super::backend::CliError;
use crate::config::Config;

/// The demo needs no configuration: it makes its own. Given one (`--config`), it takes its
/// look and its handling of files from it.
pub async fn demo(config: Option<&Path>, data_dir: Option<PathBuf>) -> Result<(), CliError> {
    let look = match config {
        Some(path) => look(&Config::load(Some(path))?),
        None => crate::tui::Look::default(),
    };
    crate::demo::run(data_dir, look)
        .await
        .map_err(CliError::Other)
}

/// The inbox on this machine's data: through the daemon when one runs.
pub async fn tui(
    config: &Config,
    data_dir: &Path,
    exposed: Option<String>,
) -> Result<(), CliError> {
    let keys = crate::tui::keymap::custom::parse(&config.keys).map_err(|e| {
        let file = config
            .source
            .as_ref()
            .map_or_else(|| "the config".to_owned(), |p| p.display().to_string());
        CliError::BadInput(format!("{file}: {e}"))
    })?;
    crate::tui::keymap::custom::set(keys);
    let client =
        crate::client::Client::open(config, data_dir, crate::client::Sending::IfConfigured).await?;
    let connection = if client.is_daemon() {
        crate::tui::app::Connection::Daemon
    } else {
        crate::tui::app::Connection::InProcess
    };
    let hint = empty_hint(config, client.is_daemon());
    let link = crate::tui::link::Link::new(client);
    let drafts = crate::tui::drafts_file::DraftsFile::for_data_dir(data_dir);
    crate::tui::run_terminal(link, connection, look(config), exposed, hint, Some(drafts))
        .await
        .map_err(CliError::Other)
}

/// What an empty inbox says when nothing could deliver messages to it: no config at all, or
/// no daemon receiving WhatsApp's webhooks.
fn empty_hint(config: &Config, daemon: bool) -> Option<String> {
    if config.source.is_none() {
        return Some(format!(
            "Nothing can arrive yet: there is no config. Copy config.example.toml to {}, fill in [whatsapp], and run `hirechat serve` to receive messages. `hirechat demo` tries the inbox with sample conversations.",
            crate::paths::default_config_file().display()
        ));
    }
    (!daemon).then(|| {
        "Messages arrive through the daemon: run `hirechat serve` (it receives WhatsApp's webhooks) and this inbox shows them.".to_owned()
    })
}

/// How the inbox looks and handles files, from the config.
fn look(config: &Config) -> crate::tui::Look {
    crate::tui::Look {
        alerts: config.notifications,
        tui: config.tui,
        attachments: config.attachments.clone(),
    }
}
