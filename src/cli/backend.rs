//! Where a CLI command runs: in the daemon (through its socket) when one is running, else in
//! an engine started in this process.

use std::path::Path;

use crate::{
    config::{Config, ConfigError, Need},
    domain::permission::Actor,
    engine::{Engine, EngineError, Request, Response, api::ErrorView},
    paths,
    server::{peer, socket::Client},
    tui::{app::Connection, link::Link},
};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    NotFound(String),
    /// The daemon's connection broke before it answered.
    #[error("the daemon: {0}")]
    Lost(String),
    /// A message was (or may have been) queued but whether it went is not known.
    #[error("{0}")]
    Unconfirmed(String),
    #[error("{0}")]
    Other(String),
}

impl CliError {
    /// 2: the input was wrong; 3: refused by a rule; 4: not found; 5: a message queued, or
    /// possibly sent, but not confirmed (do not send it again); 1: anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::BadInput(_) | Self::Config(_) => 2,
            Self::Refused(_) => 3,
            Self::NotFound(_) => 4,
            Self::Unconfirmed(_) => 5,
            Self::Other(_) | Self::Lost(_) => 1,
        }
    }

    fn from_view(e: ErrorView) -> Self {
        match e.kind.as_str() {
            "bad_input" => Self::BadInput(e.message),
            "forbidden" | "window_closed" | "refused" => Self::Refused(e.message),
            "not_found" => Self::NotFound(e.message),
            _ => Self::Other(e.message),
        }
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        Self::from_view(e.view())
    }
}

pub enum Backend {
    Daemon(Client),
    Local { engine: Engine, actor: Actor },
}

impl Backend {
    pub async fn connect(
        config: &Config,
        data_dir: &Path,
        need: Option<Need>,
    ) -> Result<Self, CliError> {
        if let Some(client) = Client::connect(&paths::socket_file(data_dir)).await {
            return Ok(Self::Daemon(client));
        }
        if let Some(need) = need {
            config.require(need)?;
        }
        let own = peer::current_uid();
        let actor =
            peer::actor_for(config, own.unwrap_or(u32::MAX), own).map_err(CliError::Refused)?;
        let engine = Engine::start(config, data_dir, need.is_some()).await?;
        Ok(Self::Local { engine, actor })
    }

    /// The TUI's link: the daemon's socket when one answers, else an engine in this process
    /// (which sends only when the Cloud API is configured).
    pub async fn for_tui(config: &Config, data_dir: &Path) -> Result<(Link, Connection), CliError> {
        let socket = paths::socket_file(data_dir);
        if Client::connect(&socket).await.is_some() {
            return Ok((Link::Daemon { socket }, Connection::Daemon));
        }
        let own = peer::current_uid();
        let actor =
            peer::actor_for(config, own.unwrap_or(u32::MAX), own).map_err(CliError::Refused)?;
        let sends = config.require(Need::Send).is_ok();
        let engine = Engine::start(config, data_dir, sends).await?;
        Ok((Link::Local { engine, actor }, Connection::InProcess))
    }

    pub async fn call(&mut self, request: Request) -> Result<Response, CliError> {
        let response = match self {
            Self::Daemon(client) => client
                .call(&request)
                .await
                .map_err(|e| CliError::Lost(e.to_string()))?,
            Self::Local { engine, actor } => engine.handle(actor, request).await?,
        };
        match response {
            Response::Error { error } => Err(CliError::from_view(error)),
            other => Ok(other),
        }
    }
}
