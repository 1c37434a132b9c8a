//! The CLI's errors, and where a command runs: `client::Client` (the daemon through its
//! socket when one runs, else an engine in this process).

use std::path::Path;

use crate::{
    client::{Client, ClientError, OpenError, Sending},
    config::{Config, ConfigError},
    engine::{Request, Response, api::ErrorKind},
};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    BadInput(String),
    /// The engine (or the daemon) answered: its kind says the exit code.
    #[error(transparent)]
    Client(ClientError),
    /// A message was (or may have been) queued but whether it went is not known.
    #[error("{0}")]
    Unconfirmed(String),
    /// Refused by WhatsApp or a rule, outside the engine (`connect`'s checks).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Other(String),
}

impl CliError {
    /// 2: the input was wrong; 3: refused by a rule; 4: not found; 5: a message queued, or
    /// possibly sent, but not confirmed (do not send it again); 1: anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::BadInput(_) | Self::Config(_) => 2,
            Self::Client(e) => e.exit_code(),
            Self::Unconfirmed(_) => 5,
            Self::Refused(_) => 3,
            Self::Other(_) => 1,
        }
    }

    /// Whether the daemon's connection broke before it answered.
    pub fn lost(&self) -> Option<&str> {
        match self {
            Self::Client(ClientError::Lost(why)) => Some(why),
            _ => None,
        }
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> Self {
        Self::Client(e)
    }
}

impl From<OpenError> for CliError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Config(e) => Self::Config(e),
            OpenError::Refused(message) => Self::Client(ClientError::Engine {
                kind: ErrorKind::Forbidden,
                message,
            }),
            OpenError::Engine(e) => Self::Client(e.into()),
        }
    }
}

/// A command's way to the engine.
pub struct Backend(Client);

impl Backend {
    pub async fn connect(
        config: &Config,
        data_dir: &Path,
        need: Option<crate::config::Need>,
    ) -> Result<Self, CliError> {
        let sending = need.map_or(Sending::No, Sending::Required);
        Ok(Self(Client::open(config, data_dir, sending).await?))
    }

    pub async fn call(&mut self, request: Request) -> Result<Response, CliError> {
        Ok(self.0.call(request).await?)
    }

    pub fn client(&self) -> &Client {
        &self.0
    }
}
