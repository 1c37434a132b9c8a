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

/// The daemon's socket inside a data directory.
pub fn socket_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("hirechat.sock")
}
