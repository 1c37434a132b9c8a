//! Logs go to a file in the data directory: the terminal belongs to the UI and to the output
//! that scripts read. Secrets are never logged (the config types redact them in `Debug`).

use std::{fs::File, path::Path};

use tracing_subscriber::EnvFilter;

fn open(dir: &Path, name: &str) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .ok()?;
    // A log left readable by an older version: it names contacts and numbers.
    let _ = crate::paths::make_private(&path);
    Some(file)
}

/// Starts logging to `<data_dir>/hirechat.log`; the level comes from `HIRECHAT_LOG`
/// (default `info`). In a team's data directory that file is the daemon's: another user's
/// commands log to `hirechat-<uid>.log` beside it, or to their own state directory. Without
/// any writable place there is no log, and no failure. Keep the guard alive for the life of
/// the process.
pub fn init(data_dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let uid = crate::server::peer::current_uid().unwrap_or_default();
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/state")))
        .map(|p| p.join("hirechat"));
    let file = open(data_dir, "hirechat.log")
        .or_else(|| open(data_dir, &format!("hirechat-{uid}.log")))
        .or_else(|| open(state.as_deref()?, "hirechat.log"))?;
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
