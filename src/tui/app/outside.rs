//! What the app asks of the world outside the terminal's screen: the clipboard (OSC 52, which
//! reaches the recruiter's own machine through SSH and tmux) and the desktop's opener for a
//! link. The run loop carries it out (`tui::outside`).

use super::App;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outside {
    /// Put this text on the clipboard.
    Copy(String),
    /// Open this link (http or https only) with the desktop's opener.
    Open(String),
    /// Run this opener (program, its arguments, the file's path last), without a shell.
    OpenFile(Vec<String>),
}

impl App {
    /// The selected message's text, else the newest's (the chat follows the newest until
    /// the cursor moves up).
    fn selected_text(&self) -> Option<String> {
        let chat = self.chat.as_ref()?;
        let at = chat.selected.or(chat.messages.len().checked_sub(1))?;
        Some(chat.messages.get(at)?.text.clone())
    }

    /// `y`: the selected message onto the clipboard.
    pub(in crate::tui) fn copy_selected(&mut self) {
        let Some(text) = self.selected_text().filter(|t| !t.is_empty()) else {
            self.info("Select a message with text first (j/k in the chat).");
            return;
        };
        self.outside = Some(Outside::Copy(text));
        self.info("Copied the message (through your terminal's clipboard, OSC 52).");
    }

    /// `o`: the selected message's first link opened on the desktop, or, where there is no
    /// desktop (over SSH), copied and shown.
    pub(in crate::tui) fn open_link(&mut self) {
        let links = self
            .selected_text()
            .map(|t| crate::domain::links::find(&t))
            .unwrap_or_default();
        let Some(link) = links.first().cloned() else {
            self.info("No link in this message.");
            return;
        };
        let more = match links.len() {
            1 => String::new(),
            n => format!(" (the first of {n})"),
        };
        if self.desktop {
            self.info(format!("Opening {link}{more}"));
            self.outside = Some(Outside::Open(link));
        } else {
            self.info(format!("No desktop here to open it: copied {link}{more}"));
            self.outside = Some(Outside::Copy(link));
        }
    }

    /// What the app asked of the outside, once: the run loop takes it.
    pub fn take_outside(&mut self) -> Option<Outside> {
        self.outside.take()
    }
}
