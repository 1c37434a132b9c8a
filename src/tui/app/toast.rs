//! The status bar's toasts: what happened, a problem, or a warning that stays a while.

use chrono::{DateTime, Duration, Utc};

use super::App;

/// How long a toast stays in the status bar.
const TOAST_SECONDS: i64 = 6;
/// How long a warning at start stays.
const WARNING_SECONDS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

impl App {
    pub(in crate::tui) fn error(&mut self, text: String) {
        self.toast = Some(Toast {
            text,
            error: true,
            until: self.now + Duration::seconds(TOAST_SECONDS),
        });
    }

    /// A warning that stays a while (a config file others can read).
    pub fn warn(&mut self, text: String) {
        self.toast = Some(Toast {
            text,
            error: true,
            until: self.now + Duration::seconds(WARNING_SECONDS),
        });
    }

    pub(in crate::tui) fn info(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            error: false,
            until: self.now + Duration::seconds(TOAST_SECONDS),
        });
    }
}
