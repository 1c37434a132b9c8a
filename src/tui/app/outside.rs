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
    /// The selected message, else the newest (the chat follows the newest until the cursor
    /// moves up).
    fn selected_message(&self) -> Option<&crate::domain::message::Message> {
        let chat = self.chat.as_ref()?;
        let at = chat.selected.or(chat.messages.len().checked_sub(1))?;
        chat.messages.get(at)
    }

    /// `y`: the selected message onto the clipboard.
    pub(in crate::tui) fn copy_selected(&mut self) {
        let Some(text) = self
            .selected_message()
            .map(|m| m.text.clone())
            .filter(|t| !t.is_empty())
        else {
            self.info("Select a message with text first (j/k in the chat).");
            return;
        };
        self.outside = Some(Outside::Copy(text));
        self.info("Copied the message (through your terminal's clipboard, OSC 52).");
    }

    /// `o`: the selected message's link opened on the desktop, or, where there is no desktop
    /// (over SSH), copied and shown. Pressed again on the same message, the next of its links
    /// (a message with a form and a calendar link has two).
    pub(in crate::tui) fn open_link(&mut self) {
        let Some((id, links)) = self
            .selected_message()
            .map(|m| (m.id, crate::domain::links::find(&m.text)))
        else {
            self.info("No link in this message.");
            return;
        };
        let turn = match self.link_turn {
            Some((m, last)) if m == id => (last + 1) % links.len().max(1),
            _ => 0,
        };
        let Some(link) = links.get(turn).cloned() else {
            self.info("No link in this message.");
            return;
        };
        self.link_turn = Some((id, turn));
        let more = match links.len() {
            1 => String::new(),
            n => format!(" (link {} of {n}; again for the next)", turn + 1),
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
