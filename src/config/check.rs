//! What the configuration must hold: the shape every command relies on, and what sending or
//! serving needs; each mistake named with its key and its file.

use super::{Config, ConfigError, FeedMode, Need, UserConfig};
use crate::domain::permission::Role;

impl Config {
    pub(super) fn file_name(&self) -> String {
        self.source.as_ref().map_or_else(
            || "the built-in defaults (no config file)".into(),
            |p| p.display().to_string(),
        )
    }

    pub(super) fn key_error(&self, key: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError::Key {
            key: key.into(),
            file: self.file_name(),
            problem: problem.into(),
        }
    }

    /// Checks the values every command relies on.
    pub(super) fn check_shape(&self) -> Result<(), ConfigError> {
        let wa = &self.whatsapp;
        if !(wa.api_base.starts_with("http://") || wa.api_base.starts_with("https://")) {
            return Err(self.key_error("whatsapp.api_base", "must start with https:// or http://"));
        }
        if !wa.api_version.starts_with('v') || wa.api_version.contains('/') {
            return Err(self.key_error("whatsapp.api_version", "must look like v21.0"));
        }
        for (key, value) in [
            ("whatsapp.phone_number_id", &wa.phone_number_id),
            ("whatsapp.business_account_id", &wa.business_account_id),
        ] {
            if !value.chars().all(|c| c.is_ascii_digit()) {
                return Err(self.key_error(key, "must be the numeric ID from the WhatsApp Manager"));
            }
        }
        if !self.webhook.path.starts_with('/') {
            return Err(self.key_error("webhook.path", "must start with /"));
        }
        if ["/healthz", "/events", "/ack", "/status"].contains(&self.webhook.path.as_str()) {
            return Err(self.key_error(
                "webhook.path",
                "must not be /healthz, /events, /ack or /status: the health check and the relay's consumers use them",
            ));
        }
        let hook = &self.webhook;
        for (key, value) in [
            ("webhook.max_body_bytes", hook.max_body_bytes as u64),
            ("webhook.header_timeout_secs", hook.header_timeout_secs),
            ("webhook.body_timeout_secs", hook.body_timeout_secs),
            ("webhook.max_connections", hook.max_connections as u64),
            ("webhook.max_buffered_mb", hook.max_buffered_mb as u64),
            ("attachments.download_mb", self.attachments.download_mb),
            (
                "attachments.transfer_timeout_secs",
                self.attachments.transfer_timeout_secs,
            ),
        ] {
            if value == 0 {
                return Err(self.key_error(key, "must be more than 0"));
            }
        }
        if hook.max_buffered_mb.saturating_mul(1024 * 1024) < hook.max_body_bytes {
            return Err(self.key_error(
                "webhook.max_buffered_mb",
                "must hold at least one body of webhook.max_body_bytes",
            ));
        }
        let rate = self.outbox.messages_per_second;
        if !(1..=crate::domain::pacing::MAX_PER_SECOND).contains(&rate) {
            return Err(self.key_error(
                "outbox.messages_per_second",
                "must be from 1 to 1000 (WhatsApp's 80 unless Meta raised the number's throughput)",
            ));
        }
        let mut logins = std::collections::HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            if u.login.trim().is_empty() {
                return Err(self.key_error(&format!("users[{i}].login"), "must not be empty"));
            }
            if !logins.insert(u.login.as_str()) {
                return Err(self.key_error(
                    &format!("users[{i}].login"),
                    format!("{:?} appears twice", u.login),
                ));
            }
            if let Some(z) = &u.time_zone
                && z.parse::<chrono_tz::Tz>().is_err()
            {
                return Err(self.key_error(
                    &format!("users[{i}].time_zone"),
                    format!("{z:?} is not an IANA time zone (e.g. Asia/Tokyo, Europe/London)"),
                ));
            }
        }
        self.credits
            .check()
            .map_err(|message| ConfigError::Invalid {
                file: self.file_name(),
                message,
            })?;
        self.routing_plan()
            .map_err(|e| self.key_error("routing.assign_to", e.to_string()))?;
        self.check_relay()
    }

    /// `[relay]` when the inbox reads from one, `[relay_server]` always (it is only used by
    /// `hirechat relay`, but a mistake is better named early).
    fn check_relay(&self) -> Result<(), ConfigError> {
        let relay = &self.relay;
        if self.webhook.mode == FeedMode::Relay {
            if relay.url.is_empty() {
                return Err(self.key_error(
                    "relay.url",
                    "is required with webhook.mode = \"relay\": the relay's address",
                ));
            }
            if relay.token.is_empty() {
                return Err(self.key_error(
                    "relay.token",
                    "is required with webhook.mode = \"relay\" (or the environment variable HIRECHAT_RELAY_TOKEN)",
                ));
            }
        }
        if !relay.url.is_empty() && !super::safe_url(&relay.url) {
            return Err(self.key_error(
                "relay.url",
                "must start with https:// (plain http only to this machine: the token travels with every request)",
            ));
        }
        if relay.wait_secs == 0 || relay.wait_secs > 300 {
            return Err(self.key_error("relay.wait_secs", "must be between 1 and 300"));
        }
        if relay.max_backoff_secs == 0 {
            return Err(self.key_error("relay.max_backoff_secs", "must be more than 0"));
        }
        let server = &self.relay_server;
        if server.max_store_mb == 0 {
            return Err(self.key_error("relay_server.max_store_mb", "must be more than 0"));
        }
        let mut names = std::collections::HashSet::new();
        let mut tokens = std::collections::HashSet::new();
        for (i, c) in server.consumers.iter().enumerate() {
            let valid_name = !c.name.is_empty()
                && c.name.len() <= 64
                && c.name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
            if !valid_name {
                return Err(self.key_error(
                    &format!("relay_server.consumers[{i}].name"),
                    "must be 1 to 64 letters, digits, - or _",
                ));
            }
            if !names.insert(c.name.as_str()) {
                return Err(self.key_error(
                    &format!("relay_server.consumers[{i}].name"),
                    format!("{:?} appears twice", c.name),
                ));
            }
            if c.token.expose().len() < 16 {
                return Err(self.key_error(
                    &format!("relay_server.consumers[{i}].token"),
                    "must be at least 16 characters (e.g. `openssl rand -hex 24`)",
                ));
            }
            if !tokens.insert(c.token.expose()) {
                return Err(self.key_error(
                    &format!("relay_server.consumers[{i}].token"),
                    "is another consumer's token too: each needs its own",
                ));
            }
        }
        Ok(())
    }

    /// The routing resolved against `[[users]]` and `[[groups]]`.
    pub fn routing_plan(
        &self,
    ) -> Result<crate::domain::routing::Plan, crate::domain::routing::RoutingError> {
        self.routing.plan(&self.team(), &self.groups)
    }

    /// Every user's login and role.
    pub fn team(&self) -> Vec<(String, Role)> {
        self.users
            .iter()
            .map(|u| (u.login.clone(), u.role))
            .collect()
    }

    /// Checks that what `need` requires is set.
    pub fn require(&self, need: Need) -> Result<(), ConfigError> {
        let wa = &self.whatsapp;
        if need == Need::Relay {
            if wa.verify_token.is_empty() {
                return Err(self.key_error(
                    "whatsapp.verify_token",
                    "is required (or WHATSAPP_VERIFY_TOKEN): the relay answers Meta's verification with it",
                ));
            }
            if self.relay_server.consumers.is_empty() {
                return Err(self.key_error(
                    "relay_server.consumers",
                    "needs at least one [[relay_server.consumers]] (a name and a token) to read the deliveries",
                ));
            }
            return Ok(());
        }
        let mut required = vec![
            (
                "whatsapp.phone_number_id",
                wa.phone_number_id.is_empty(),
                "",
            ),
            (
                "whatsapp.access_token",
                wa.access_token.is_empty(),
                " (or the environment variable WHATSAPP_ACCESS_TOKEN)",
            ),
        ];
        if need == Need::Serve {
            required.push((
                "whatsapp.app_secret",
                wa.app_secret.is_empty(),
                " (or WHATSAPP_APP_SECRET): webhooks cannot be authenticated without it",
            ));
            required.push((
                "whatsapp.verify_token",
                wa.verify_token.is_empty(),
                " (or WHATSAPP_VERIFY_TOKEN)",
            ));
        }
        for (key, missing, hint) in required {
            if missing {
                return Err(self.key_error(key, format!("is required{hint}")));
            }
        }
        Ok(())
    }

    pub fn user_by_login(&self, login: &str) -> Option<&UserConfig> {
        self.users.iter().find(|u| u.login == login)
    }
}
