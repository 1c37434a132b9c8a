//! Secrets in the configuration: never in a log line, `Debug` output or `--json`, and a
//! warning when the file that holds them can be read by other users.

use std::{fmt, path::Path};

use serde::Deserialize;

use super::Config;

/// A value that must never reach a log line, `Debug` output or `--json`.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<empty>"
        } else {
            "<redacted>"
        })
    }
}

/// A secret an admin types in a client, on its way to the engine (`connect`): carried on the
/// socket as it is, redacted in `Debug`, never in an answer. Empty means "keep the one in use".
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretInput(String);

impl SecretInput {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().trim().to_owned())
    }

    /// The secret typed, else the one in use.
    pub fn or(&self, current: &Secret) -> Secret {
        if self.0.is_empty() {
            current.clone()
        } else {
            Secret::new(self.0.clone())
        }
    }
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Secret(self.0.clone()).fmt(f)
    }
}

/// Which secrets a config file holds, when its mode lets the group or others read it.
pub(super) fn exposure(path: &Path, config: &Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    if mode & 0o044 == 0 {
        return None;
    }
    let mut held: Vec<&str> = config
        .secrets()
        .into_iter()
        .filter(|(secret, _)| !secret.is_empty())
        .map(|(_, name)| name)
        .collect();
    held.dedup();
    match held.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}
