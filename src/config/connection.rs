//! The number an admin connected with `hirechat connect`: kept in `<data dir>/connection.toml`
//! (0600: it holds the token and the app secret, which never go into the database), read over
//! the config file's `[whatsapp]` by every command, the environment's secrets winning still.
//! `hirechat disconnect` keeps the file with the time it was disconnected: nothing is sent
//! then, and the history stays readable.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Config, ConfigError, Secret};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub phone_number_id: String,
    pub business_account_id: String,
    pub nickname: String,
    #[serde(serialize_with = "expose")]
    pub access_token: Secret,
    #[serde(serialize_with = "expose")]
    pub app_secret: Secret,
    #[serde(serialize_with = "expose")]
    pub verify_token: Secret,
    /// Where Meta was told to send this account's webhooks, when not the app's own callback
    /// (a relay, or this machine's public address).
    #[serde(default)]
    pub callback: Option<String>,
    pub connected_at: DateTime<Utc>,
    pub connected_by: String,
    #[serde(default)]
    pub disconnected_at: Option<DateTime<Utc>>,
}

/// Written to the file only: a `Secret` never serialises anywhere else.
fn expose<S: serde::Serializer>(secret: &Secret, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose())
}

pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("connection.toml")
}

impl Connection {
    /// The connection kept in `data_dir`, if there is one.
    pub fn load(data_dir: &Path) -> Result<Option<Self>, ConfigError> {
        let path = file(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ConfigError::Unreadable(path, e)),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| ConfigError::Invalid {
                file: path.display().to_string(),
                message: e.to_string().trim_end().to_owned(),
            })
    }

    /// Writes the file whole (0600, then renamed over the old one): a crash leaves the old
    /// connection or the new, never half of one.
    pub fn save(&self, data_dir: &Path) -> std::io::Result<PathBuf> {
        use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _};
        std::fs::create_dir_all(data_dir)?;
        let path = file(data_dir);
        let tmp = data_dir.join(".connection.toml.new");
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(
            b"# Written by `hirechat connect` and `hirechat disconnect`: the connected number and its secrets.\n",
        )?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }
}

impl Config {
    /// Takes the connection kept in `data_dir` over `[whatsapp]`; secrets given in the
    /// environment still win.
    pub fn apply_connection(&mut self, data_dir: &Path) -> Result<(), ConfigError> {
        let Some(c) = Connection::load(data_dir)? else {
            return Ok(());
        };
        let wa = &mut self.whatsapp;
        wa.phone_number_id = c.phone_number_id;
        wa.business_account_id = c.business_account_id;
        wa.nickname = c.nickname;
        wa.access_token = c.access_token;
        wa.app_secret = c.app_secret;
        wa.verify_token = c.verify_token;
        wa.disconnected_at = c.disconnected_at;
        self.apply_env(|k| std::env::var(k).ok());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_private_read_back_and_taken_over_the_config() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("connection-{}", fastrand::u64(..)));
        let c = Connection {
            phone_number_id: "106540352242922".into(),
            business_account_id: "102290129340398".into(),
            nickname: "Tokyo hiring desk".into(),
            access_token: Secret::new("tok"),
            app_secret: Secret::new("sec"),
            verify_token: Secret::new("ver"),
            callback: None,
            connected_at: Utc::now(),
            connected_by: "aiko".into(),
            disconnected_at: None,
        };
        let path = c.save(&dir).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mut config = Config::default();
        config.apply_connection(&dir).unwrap();
        assert_eq!(config.whatsapp.phone_number_id, "106540352242922");
        assert_eq!(config.whatsapp.access_token.expose(), "tok");
        assert!(!format!("{config:?}").contains("tok\""));
        let _ = std::fs::remove_dir_all(dir);
    }
}
