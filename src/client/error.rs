//! What a call through the client can end in: the engine's answer that it refused or failed
//! (typed, as it crossed the socket), or a connection to the daemon that broke.

use crate::engine::{
    EngineError,
    api::{ErrorKind, ErrorView},
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("{message}")]
    Engine { kind: ErrorKind, message: String },
    /// The daemon's connection broke before it answered (or it is being made again).
    #[error("the daemon: {0}")]
    Lost(String),
}

impl ClientError {
    /// The command line's exit code: 2 bad input, 3 refused by a rule, 4 not found, 1 else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Engine { kind, .. } => match kind {
                ErrorKind::BadInput => 2,
                ErrorKind::Forbidden | ErrorKind::WindowClosed | ErrorKind::Refused => 3,
                ErrorKind::NotFound => 4,
                ErrorKind::Unavailable | ErrorKind::Store => 1,
            },
            Self::Lost(_) => 1,
        }
    }
}

impl From<ErrorView> for ClientError {
    fn from(e: ErrorView) -> Self {
        Self::Engine {
            kind: e.kind,
            message: e.message,
        }
    }
}

impl From<EngineError> for ClientError {
    fn from(e: EngineError) -> Self {
        e.view().into()
    }
}
