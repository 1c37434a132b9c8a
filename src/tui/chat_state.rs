//! The open conversation as the app holds it: its newest messages and the message cursor.

use crate::{domain::message::Message, engine::ConversationView};

#[derive(Debug)]
pub struct Chat {
    pub conversation: ConversationView,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// The selected message; `None` follows the newest.
    pub selected: Option<usize>,
    pub loaded: bool,
    /// Older messages may exist that are not loaded yet (until a load before the oldest
    /// brings nothing new).
    pub has_older: bool,
    /// A load of older messages is on its way.
    pub loading_older: bool,
    /// The Attachments section, when it is the one shown.
    pub files: Option<crate::tui::files::FilesSection>,
    /// Files attached to the reply being written.
    pub pending: Vec<crate::tui::files::PendingFile>,
    /// What happened to the conversation (resolved, snoozed…), oldest first: quiet lines
    /// among the messages.
    pub trail: Vec<crate::domain::conversation_state::TrailEntry>,
    /// Its sends waiting for their time, soonest first: shown under the newest message.
    pub scheduled: Vec<crate::domain::schedule::ScheduledSend>,
}

impl Chat {
    pub fn new(conversation: ConversationView) -> Self {
        Self {
            conversation,
            messages: Vec::new(),
            selected: None,
            loaded: false,
            has_older: true,
            loading_older: false,
            files: None,
            pending: Vec::new(),
            trail: Vec::new(),
            scheduled: Vec::new(),
        }
    }

    /// Whether the cursor is on the oldest loaded message while older ones may exist and none
    /// are on their way: the time to load them. Returns the time to load before.
    pub fn wants_older(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let at_top = self.anchor() == Some(0);
        (self.loaded && self.has_older && !self.loading_older && at_top)
            .then(|| self.messages.first().map(|m| m.at))
            .flatten()
    }

    /// Older messages arrived: merged in, the cursor kept on the same message.
    pub fn older_loaded(&mut self, messages: Vec<Message>) {
        self.loading_older = false;
        let new: Vec<Message> = messages
            .into_iter()
            .filter(|m| !self.messages.iter().any(|x| x.id == m.id))
            .collect();
        if new.is_empty() {
            self.has_older = false;
        }
        for m in new {
            self.upsert(m);
        }
    }

    /// Adds or replaces a message, keeping time order.
    pub fn upsert(&mut self, message: Message) {
        if let Some(slot) = self.messages.iter_mut().find(|m| m.id == message.id) {
            *slot = message;
            return;
        }
        let at = self
            .messages
            .iter()
            .rposition(|m| (m.at, m.id) <= (message.at, message.id))
            .map_or(0, |i| i + 1);
        if let Some(sel) = self.selected.as_mut()
            && *sel >= at
        {
            *sel += 1;
        }
        self.messages.insert(at, message);
    }

    /// The message the view is anchored on: the selected one, else the newest.
    pub fn anchor(&self) -> Option<usize> {
        self.selected.or_else(|| self.messages.len().checked_sub(1))
    }

    pub fn move_by(&mut self, delta: isize) {
        let Some(last) = self.messages.len().checked_sub(1) else {
            return;
        };
        let from = self.anchor().unwrap_or(last);
        let to = from.saturating_add_signed(delta).min(last);
        // Reaching the newest goes back to following new messages.
        self.selected = (to != last).then_some(to);
    }

    /// Selects the message with this id (a search hit), if loaded.
    pub fn select_id(&mut self, id: u64) {
        if let Some(i) = self.messages.iter().position(|m| m.id == id) {
            let last = self.messages.len() - 1;
            self.selected = (i != last).then_some(i);
        }
    }

    pub fn to_top(&mut self) {
        if !self.messages.is_empty() {
            self.selected = Some(0);
        }
        if self.messages.len() == 1 {
            self.selected = None;
        }
    }

    pub fn to_bottom(&mut self) {
        self.selected = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::{Direction, Status};
    use chrono::{DateTime, Duration, Utc};

    fn msg(id: u64, minutes: i64) -> Message {
        let t0 = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .to_utc();
        Message {
            id,
            conversation_id: 1,
            wamid: None,
            direction: Direction::In,
            kind: "text".into(),
            text: format!("m{id}"),
            status: Status::Delivered,
            error: None,
            error_code: None,
            at: t0 + Duration::minutes(minutes),
            media: None,
            reply_to: None,
            reaction: None,
            edited: false,
            deleted: false,
            sent_by: None,
            outbox_id: None,
            pricing: None,
            payload: None,
        }
    }

    fn chat() -> Chat {
        Chat::new(crate::engine::ConversationView::new(
            &crate::domain::conversation::Conversation::new(1, None, None),
            Utc::now(),
        ))
    }

    #[test]
    fn upsert_keeps_time_order_and_the_cursor() {
        let mut c = chat();
        c.upsert(msg(1, 0));
        c.upsert(msg(3, 10));
        c.move_by(-1);
        assert_eq!(c.selected, Some(0));
        c.upsert(msg(2, -5));
        let ids: Vec<u64> = c.messages.iter().map(|m| m.id).collect();
        assert_eq!(ids, [2, 1, 3]);
        assert_eq!(c.selected, Some(1), "still on message 1");
        let mut changed = msg(1, 0);
        changed.text = "edited".into();
        c.upsert(changed);
        assert_eq!(c.messages.len(), 3);
        assert_eq!(c.messages[1].text, "edited");
    }

    #[test]
    fn moving_to_the_newest_follows_new_messages() {
        let mut c = chat();
        for i in 0..5 {
            c.upsert(msg(i, i64::try_from(i).unwrap()));
        }
        c.move_by(-2);
        assert_eq!(c.anchor(), Some(2));
        c.move_by(5);
        assert_eq!(c.selected, None);
        assert_eq!(c.anchor(), Some(4));
        c.to_top();
        assert_eq!(c.anchor(), Some(0));
    }
}
