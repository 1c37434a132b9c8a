//! `R` in the chat: the message under the cursor, if it failed, sent again (the engine checks
//! the window and the contact's opt-out as for a new send). One that failed for a reason a
//! retry will not change says so instead.

use super::{App, Command};
use crate::domain::{message::Status, retry};

impl App {
    pub(super) fn retry_selected(&mut self, out: &mut Vec<Command>) {
        let Some(message) = self
            .chat
            .as_ref()
            .and_then(|c| c.anchor().and_then(|i| c.messages.get(i)))
            .cloned()
        else {
            return;
        };
        if message.status != Status::Failed {
            self.info("R sends a failed message again: move to one marked ✗ first.");
            return;
        }
        match retry::refusal(&message) {
            Some(why) => self.error(format!("Not sent again: {why}.")),
            None => out.push(Command::Retry {
                message_id: message.id,
            }),
        }
    }
}
