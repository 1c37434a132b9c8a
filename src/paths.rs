//! Where hirechat keeps its files by default, following the XDG base directories.

use std::path::PathBuf;

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home().join(fallback))
}

/// `$XDG_CONFIG_HOME/hirechat/config.toml`
pub fn default_config_file() -> PathBuf {
    xdg("XDG_CONFIG_HOME", ".config")
        .join("hirechat")
        .join("config.toml")
}

/// `$XDG_DATA_HOME/hirechat`
pub fn default_data_dir() -> PathBuf {
    xdg("XDG_DATA_HOME", ".local/share").join("hirechat")
}

/// `$XDG_STATE_HOME/hirechat`: a user's own state (unsent replies), never shared.
pub fn state_dir() -> PathBuf {
    xdg("XDG_STATE_HOME", ".local/state").join("hirechat")
}

/// The daemon's socket inside a data directory.
pub fn socket_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("hirechat.sock")
}

/// From here on, what this process creates is its user's alone: files 0600, directories 0700
/// (the database, its log, the demo's copies). The socket is opened to the team on purpose,
/// by mode, where it is made.
pub fn private_by_default() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Takes group and others' access away from `path` and, for a directory, from everything in
/// it that this user owns: for data written by a version that left it readable by everyone.
pub fn make_private(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let own = crate::server::peer::current_uid();
    if Some(meta.uid()) == own && meta.mode() & 0o077 != 0 {
        let mode = meta.mode() & 0o700;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            make_private(&entry?.path())?;
        }
    }
    Ok(())
}
