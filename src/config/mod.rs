//! Configuration: a TOML file (see `config.example.toml`) plus secrets from the environment.
//! A missing or wrong key is an error that names the key and the file, before anything starts.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::domain::permission::Role;

mod attachments;
mod check;
mod connection;
mod credits;
mod outreach;
mod relay;
mod secret;

pub use attachments::{AttachmentsConfig, Graphics};
pub use connection::{Connection, file as connection_file};
pub use credits::CreditsConfig;
pub use outreach::OutreachConfig;
pub use relay::{Consumer, FeedMode, RelayConfig, RelayServerConfig, safe_url};

use secret::exposure;
pub use secret::{Secret, SecretInput};

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub whatsapp: WhatsAppConfig,
    pub webhook: WebhookConfig,
    pub store: StoreConfig,
    pub outbox: OutboxConfig,
    pub organization: crate::domain::merge_source::Organization,
    pub notifications: NotificationsConfig,
    pub triage: TriageConfig,
    /// Sends that are not a recruiter's immediate reply: scheduled ones.
    pub outreach: OutreachConfig,
    /// The balance's reserve, low-balance alerts, auto-recharge.
    pub credits: CreditsConfig,
    /// The starting routing settings (an admin may change them later: they are then stored).
    pub routing: crate::domain::routing::Routing,
    pub users: Vec<UserConfig>,
    pub groups: Vec<crate::domain::routing::Group>,
    /// The inbox's look and mouse.
    pub tui: TuiConfig,
    /// Files: sizes, retention, opening, saving, picking.
    pub attachments: AttachmentsConfig,
    /// The inbox's side of a relay (`[webhook] mode = "relay"`).
    pub relay: RelayConfig,
    /// `hirechat relay`'s own settings.
    pub relay_server: RelayServerConfig,
    /// Keys of the inbox, by action (its name or the words help uses): a key or a list.
    pub keys: std::collections::BTreeMap<String, KeyList>,
    /// Where this configuration came from, for error messages.
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// The secrets that file holds while others may read it ("access token and app secret").
    #[serde(skip)]
    pub exposed: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhatsAppConfig {
    pub api_base: String,
    pub api_version: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub access_token: Secret,
    pub app_secret: Secret,
    pub verify_token: Secret,
    pub nickname: String,
    /// How often templates' statuses and the number's quality and limit are read again from
    /// WhatsApp, in seconds (a missed webhook is never sent again).
    pub resync_secs: u64,
    /// Opening a conversation marks the contact's last message read on WhatsApp (blue ticks).
    pub read_receipts: bool,
    /// Writing a reply shows the contact WhatsApp's "typing…" (at most once every 20 s).
    pub typing_indicator: bool,
    /// When `hirechat disconnect` disconnected the number (from `connection.toml`): nothing
    /// is sent since.
    #[serde(skip)]
    pub disconnected_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for WhatsAppConfig {
    fn default() -> Self {
        Self {
            api_base: "https://graph.facebook.com".into(),
            api_version: "v21.0".into(),
            phone_number_id: String::new(),
            business_account_id: String::new(),
            access_token: Secret::default(),
            app_secret: Secret::default(),
            verify_token: Secret::default(),
            nickname: "hirechat".into(),
            resync_secs: 3600,
            read_receipts: true,
            typing_indicator: true,
            disconnected_at: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// `direct` (Meta posts to this machine) or `relay` (read from `[relay] url`).
    pub mode: FeedMode,
    pub listen: SocketAddr,
    pub path: String,
    /// Larger bodies are refused with 413. Meta's payloads stay under 3 MB.
    pub max_body_bytes: usize,
    /// A request's headers (and, on a kept-alive connection, the next request's) must arrive
    /// within this; else the connection is closed. Covers clients that send nothing.
    pub header_timeout_secs: u64,
    /// A request's body must arrive within this (408 otherwise).
    pub body_timeout_secs: u64,
    /// Connections served at once; more wait in the kernel's queue, unanswered.
    pub max_connections: usize,
    /// Bodies held in memory at once, all connections together, in MiB: a request waits for
    /// room before its body is read.
    pub max_buffered_mb: usize,
    /// On SIGTERM, how long connections in hand may take to finish before they are cut.
    pub shutdown_grace_secs: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            mode: FeedMode::Direct,
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            path: "/webhook".into(),
            max_body_bytes: 4 * 1024 * 1024,
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            max_connections: 128,
            max_buffered_mb: 64,
            shutdown_grace_secs: 5,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// sled's page cache, in MiB (its own default of 1 GiB is far too much for a terminal app).
    pub cache_mb: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { cache_mb: 64 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// Attempts before a message that keeps meeting temporary errors is marked failed.
    pub max_attempts: u32,
    /// The first retry waits about this long; each later one doubles it (with jitter).
    pub first_retry_ms: u64,
    pub max_retry_ms: u64,
    /// How long one call to the Cloud API may take.
    pub request_timeout_secs: u64,
    /// Messages a second the number may send: WhatsApp's 80 by default, up to 1,000 once
    /// Meta raised the number's throughput.
    pub messages_per_second: u32,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_retry_ms: 1_000,
            max_retry_ms: 300_000,
            request_timeout_secs: 15,
            messages_per_second: 80,
        }
    }
}

/// How the inbox calls attention to a new message, beyond the bell in its header. Both travel
/// through SSH to the recruiter's own terminal.
#[derive(Debug, Clone, Copy, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationsConfig {
    /// Ring the terminal's bell.
    pub bell: bool,
    /// A desktop notification through the terminal (OSC 9 and OSC 777).
    pub desktop: bool,
}

/// The inbox's look and feel (`[tui]`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TuiConfig {
    /// Clicks select and focus, the wheel scrolls; off leaves the mouse to the terminal
    /// (selecting text to copy).
    pub mouse: bool,
    /// `dark`, `light`, or `terminal` (its own colours and weights only).
    pub theme: ThemeName,
}

impl Default for TuiConfig {
    fn default() -> Self {
        Self {
            mouse: true,
            theme: ThemeName::Dark,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    Terminal,
}

/// One key or several, as help writes them: `a`, `Ctrl-o`, `Alt-Enter`, `PgDn`, `F2`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Self::One(k) => vec![k.as_str()],
            Self::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

/// How the team triages.
#[derive(Debug, Clone, Copy, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct TriageConfig {
    /// `answered` (opening a conversation is not answering it) or `read`.
    pub unreplied_until: crate::domain::filter::UnrepliedUntil,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub name: String,
    pub login: String,
    pub role: Role,
    /// For `${Users.Email}` and `${Users.Phone}`.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// IANA (`Asia/Tokyo`): where "today" begins for this user's "sent today"; the server's
    /// own zone when not given.
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file {0} does not exist: copy config.example.toml there and fill in [whatsapp] (without --config, hirechat reads {default})",
        default = crate::paths::default_config_file().display()
    )]
    Missing(PathBuf),
    #[error("cannot read config file {0}: {1}")]
    Unreadable(PathBuf, std::io::Error),
    #[error("config file {file}: {message}")]
    Invalid { file: String, message: String },
    #[error("config key `{key}` in {file}: {problem}")]
    Key {
        key: String,
        file: String,
        problem: String,
    },
}

/// What a command needs from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Sending through the Cloud API.
    Send,
    /// The daemon: sending plus receiving webhooks.
    Serve,
    /// `hirechat relay`: answering Meta's verification and handing deliveries to consumers.
    Relay,
}

impl Config {
    /// Reads `path`, or the default file when `path` is `None` (built-in defaults when that
    /// does not exist either), then applies the secrets found in the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let default = crate::paths::default_config_file();
        let mut config = if let Some(p) = path {
            Self::read(p)?
        } else if default.exists() {
            Self::read(&default)?
        } else {
            Self::default()
        };
        config.apply_env(|k| std::env::var(k).ok());
        config.check_shape()?;
        Ok(config)
    }

    fn read(path: &Path) -> Result<Self, ConfigError> {
        if !path.exists() {
            return Err(ConfigError::Missing(path.to_owned()));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable(path.into(), e))?;
        let mut config = Self::parse(&text, &path.display().to_string())?;
        config.source = Some(path.to_owned());
        config.exposed = exposure(path, &config);
        Ok(config)
    }

    /// A warning for a config file that holds a secret and that other users can read, naming
    /// the file and the fix; none when it is private or holds no secret.
    pub fn exposure_warning(&self) -> Option<String> {
        let (path, secrets) = (self.source.as_ref()?, self.exposed.as_ref()?);
        Some(format!(
            "{} holds the {secrets} and other users of this machine can read it: run `chmod 600 {}` (or give the secrets as WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN)",
            path.display(),
            path.display()
        ))
    }

    /// Every secret the configuration holds, with its name, for the exposure check.
    fn secrets(&self) -> Vec<(&Secret, &'static str)> {
        let wa = &self.whatsapp;
        let mut all = vec![
            (&wa.access_token, "access token"),
            (&wa.app_secret, "app secret"),
            (&wa.verify_token, "verify token"),
            (&self.relay.token, "relay token"),
        ];
        all.extend(
            self.relay_server
                .consumers
                .iter()
                .map(|c| (&c.token, "relay consumers' tokens")),
        );
        all
    }

    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Invalid {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })
    }

    /// Secrets from `WHATSAPP_ACCESS_TOKEN`, `WHATSAPP_APP_SECRET`, `WHATSAPP_VERIFY_TOKEN`
    /// and `HIRECHAT_RELAY_TOKEN` win over the file, so the file need not hold them.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        let wa = &mut self.whatsapp;
        for (name, slot) in [
            ("WHATSAPP_ACCESS_TOKEN", &mut wa.access_token),
            ("WHATSAPP_APP_SECRET", &mut wa.app_secret),
            ("WHATSAPP_VERIFY_TOKEN", &mut wa.verify_token),
            ("HIRECHAT_RELAY_TOKEN", &mut self.relay.token),
        ] {
            if let Some(v) = var(name).filter(|v| !v.is_empty()) {
                *slot = Secret::new(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_parses() {
        let text = include_str!("../../config.example.toml");
        let c = Config::parse(text, "config.example.toml").unwrap();
        assert_eq!(c.whatsapp.phone_number_id, "106540352242922");
        assert_eq!(c.users[0].role, Role::Admin);
        c.check_shape().unwrap();
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::parse("[whatsapp]\nphone_numbr_id = \"1\"\n", "x.toml").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("x.toml") && msg.contains("phone_numbr_id"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_value_is_named() {
        let mut c = Config::parse("[whatsapp]\napi_base = \"ftp://x\"\n", "x.toml").unwrap();
        c.source = Some("x.toml".into());
        let msg = c.check_shape().unwrap_err().to_string();
        assert!(
            msg.contains("whatsapp.api_base") && msg.contains("x.toml"),
            "{msg}"
        );
    }

    #[test]
    fn secrets_from_env_and_never_in_debug() {
        let mut c = Config::default();
        assert!(
            c.require(Need::Send)
                .unwrap_err()
                .to_string()
                .contains("phone_number_id")
        );
        c.whatsapp.phone_number_id = "1".into();
        let msg = c.require(Need::Send).unwrap_err().to_string();
        assert!(msg.contains("whatsapp.access_token"), "{msg}");
        c.apply_env(|k| (k == "WHATSAPP_ACCESS_TOKEN").then(|| "tok-123".to_owned()));
        c.require(Need::Send).unwrap();
        assert!(!format!("{c:?}").contains("tok-123"));
        assert!(
            c.require(Need::Serve)
                .unwrap_err()
                .to_string()
                .contains("app_secret")
        );
    }
}
