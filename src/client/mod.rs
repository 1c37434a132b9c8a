//! The one way to the engine for the TUI and the CLI: the daemon's socket when a daemon runs
//! (one connection for the whole session, requests and events on it, made again when the
//! daemon restarts), else an engine started in this process. Both answer the same requests
//! with the same typed errors.

mod daemon;
pub mod error;
pub mod save;

use std::path::Path;

use tokio::sync::{broadcast::error::RecvError, mpsc};

use crate::{
    config::{Config, ConfigError, Need},
    domain::{event::Event, permission::Actor},
    engine::{Engine, EngineError, Request, Response},
    paths,
    server::peer,
};
pub use daemon::DaemonClient;
pub use error::ClientError;

/// What the event stream carries besides the events: the connection's ups and downs, and a
/// request to load again what is shown after events were missed.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    Event(Box<Event>),
    /// Events were missed: what is on screen may be stale.
    Resync,
    /// The daemon went away; calls fail until it is back.
    Reconnecting(String),
    /// The daemon is back (and streams events again): load again what is shown.
    Reconnected,
}

#[derive(Clone)]
pub enum Client {
    Local { engine: Engine, actor: Actor },
    Daemon(DaemonClient),
}

/// Whether the engine started in this process (when no daemon runs) sends messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// Not needed (reading, importing, settings).
    No,
    /// Needed: the command fails without a configured Cloud API.
    Required(Need),
    /// The TUI: sends when the Cloud API is configured (or once an admin connects a number in
    /// it), reads otherwise.
    IfConfigured,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The caller is not a hirechat user.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl Client {
    /// The daemon's socket in `data_dir` when a daemon answers, else an engine in this
    /// process for the user running it.
    pub async fn open(
        config: &Config,
        data_dir: &Path,
        sending: Sending,
    ) -> Result<Self, OpenError> {
        if let Some(daemon) = DaemonClient::connect(&paths::socket_file(data_dir)).await {
            return Ok(Self::Daemon(daemon));
        }
        let sends = match sending {
            Sending::No => false,
            Sending::Required(need) => {
                config.require(need)?;
                true
            }
            Sending::IfConfigured => config.require(Need::Send).is_ok(),
        };
        let own = peer::current_uid();
        let actor =
            peer::actor_for(config, own.unwrap_or(u32::MAX), own).map_err(OpenError::Refused)?;
        let engine = Engine::start(config, data_dir, sends).await?;
        if sending == Sending::IfConfigured {
            engine.run_workers_once_connected();
        }
        Ok(Self::Local { engine, actor })
    }

    pub fn is_daemon(&self) -> bool {
        matches!(self, Self::Daemon(_))
    }

    /// Carries out one request; a refusal or failure comes back as the error.
    pub async fn call(&self, request: Request) -> Result<Response, ClientError> {
        let response = match self {
            Self::Local { engine, actor } => engine.handle(actor, request).await?,
            Self::Daemon(daemon) => daemon.call(request).await?,
        };
        match response {
            Response::Error { error } => Err(error.into()),
            other => Ok(other),
        }
    }

    /// Every engine event from now on, with the connection's ups and downs.
    pub fn events(&self) -> mpsc::UnboundedReceiver<Feed> {
        match self {
            Self::Daemon(daemon) => daemon.subscribe(),
            Self::Local { engine, .. } => {
                let (tx, rx) = mpsc::unbounded_channel();
                let mut events = engine.subscribe();
                tokio::spawn(async move {
                    loop {
                        let feed = match events.recv().await {
                            Ok(e) => Feed::Event(Box::new(std::sync::Arc::unwrap_or_clone(e))),
                            Err(RecvError::Lagged(_)) => Feed::Resync,
                            Err(RecvError::Closed) => return,
                        };
                        if tx.send(feed).is_err() {
                            return;
                        }
                    }
                });
                rx
            }
        }
    }
}
