//! How webhooks reach the inbox (`[webhook] mode`), the inbox's side of a relay (`[relay]`),
//! and `hirechat relay`'s own settings (`[relay_server]`).

use serde::Deserialize;

use super::Secret;

/// Where the inbox's webhooks come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FeedMode {
    /// Meta (or a tunnel that passes the raw body through) posts to `hirechat serve`.
    #[default]
    Direct,
    /// The inbox reads them from a `hirechat relay` that Meta posts to.
    Relay,
}

/// The inbox's side of a relay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RelayConfig {
    /// The relay's address (`https://relay.example.com`; plain http only to this machine).
    pub url: String,
    /// This inbox's bearer token, one of the relay's `[[relay_server.consumers]]`.
    pub token: Secret,
    /// How long one poll waits for news, in seconds.
    pub wait_secs: u64,
    /// The longest pause between attempts to reach the relay, in seconds.
    pub max_backoff_secs: u64,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            token: Secret::default(),
            wait_secs: 30,
            max_backoff_secs: 60,
        }
    }
}

/// `hirechat relay`: keeps Meta's deliveries for the inboxes that read them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RelayServerConfig {
    /// Deliveries every consumer has acknowledged are deleted this many hours after they
    /// arrived.
    pub retention_hours: u64,
    /// Deliveries kept at most, in MiB; past it Meta is answered 503 and delivers again later.
    pub max_store_mb: u64,
    /// The page cache of the relay's database, in MiB.
    pub cache_mb: u64,
    /// Who may read the deliveries, each with its own cursor.
    pub consumers: Vec<Consumer>,
}

impl Default for RelayServerConfig {
    fn default() -> Self {
        Self {
            retention_hours: 24,
            max_store_mb: 1024,
            cache_mb: 2,
            consumers: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consumer {
    /// Names its cursor (`inbox`, `standby`).
    pub name: String,
    /// Its bearer token.
    pub token: Secret,
}

/// Whether `url` may carry a bearer token: https anywhere, plain http only to this machine.
pub fn safe_url(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host
        .rsplit_once(':')
        .filter(|(h, port)| !h.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(h, _)| h);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::safe_url;

    #[test]
    fn only_https_or_this_machine() {
        assert!(safe_url("https://relay.example.com"));
        assert!(safe_url("http://127.0.0.1:8790"));
        assert!(safe_url("http://localhost/relay"));
        assert!(safe_url("http://[::1]:80"));
        assert!(!safe_url("http://relay.example.com"));
        assert!(!safe_url("http://127.0.0.1.example.com"));
        assert!(!safe_url("ftp://127.0.0.1"));
    }
}
