//! Logs go to a file in the data directory: the terminal belongs to the UI and to the output
//! that scripts read. Secrets are never logged (the config types redact them in `Debug`).

use std::path::Path;

use tracing_subscriber::EnvFilter;

/// Starts logging to `<data_dir>/hirechat.log`; the level comes from `HIRECHAT_LOG`
/// (default `info`). Keep the guard alive for the life of the process.
pub fn init(data_dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    std::fs::create_dir_all(data_dir).ok()?;
    let file = tracing_appender::rolling::never(data_dir, "hirechat.log");
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("HIRECHAT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
