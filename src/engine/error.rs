//! What the engine answers when it refuses or fails: the kind (from which the CLI's exit code
//! and the TUI's handling follow) and a sentence for a person.

use serde::{Deserialize, Serialize};

/// What kind of refusal or failure an error is: the CLI's exit code and the TUI's handling
/// follow from it, never from its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Forbidden,
    WindowClosed,
    BadInput,
    NotFound,
    Refused,
    Unavailable,
    Store,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorView {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    WindowClosed(String),
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    NotFound(String),
    /// A product rule says no (a template's state, the template limit, WhatsApp's refusal).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl EngineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Forbidden(_) => ErrorKind::Forbidden,
            Self::WindowClosed(_) => ErrorKind::WindowClosed,
            Self::BadInput(_) => ErrorKind::BadInput,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Refused(_) => ErrorKind::Refused,
            Self::Unavailable(_) => ErrorKind::Unavailable,
            Self::Store(_) => ErrorKind::Store,
        }
    }

    pub fn view(&self) -> ErrorView {
        ErrorView {
            kind: self.kind(),
            message: self.to_string(),
        }
    }
}

impl From<crate::engine::writer::WriteError> for EngineError {
    fn from(e: crate::engine::writer::WriteError) -> Self {
        if let crate::engine::writer::WriteError::Store(s) = &e
            && let crate::store::StoreError::Refused(why) = s.as_ref()
        {
            return Self::Refused(why.clone());
        }
        Self::Unavailable(e.to_string())
    }
}
