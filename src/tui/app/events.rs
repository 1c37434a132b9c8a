//! The engine's events: a message in or out, a status, someone answering, a template
//! reviewed. The list, the open chat and the notifications follow them.

use chrono::Duration;

use super::{App, Command, Focus};
use crate::{
    domain::{conversation::Conversation, event::Event, message::Message},
    engine::ConversationView,
    tui::notifications::Notifications,
};

/// How long "… is answering" shows without news from the one answering.
const ANSWERING_SECONDS: i64 = 30;

impl App {
    /// What is not about one conversation: someone answering, a template reviewed, the relay
    /// link, the number disconnected or connected.
    fn news(&mut self, event: Event, out: &mut Vec<Command>) {
        match event {
            Event::Answering {
                conversation_id,
                login,
                name,
            } => {
                if self.me.as_ref().is_none_or(|(me, _)| *me != login) {
                    let until = self.now + Duration::seconds(ANSWERING_SECONDS);
                    self.answering.insert(conversation_id, (name, until));
                }
            }
            Event::RelayLink { link } => self.relay = Some(link),
            Event::Trail { entry } => self.trail_arrived(entry),
            Event::Disconnected { at } => self.disconnected_at = Some(at),
            Event::Connected { nickname } => {
                self.disconnected_at = None;
                self.channel = nickname;
            }
            Event::TemplateChanged { .. } | Event::TemplateDeleted { .. } => {
                // An open picker or manager follows reviews: approved now, sendable now.
                if self.picker().is_some() || self.manager().is_some() {
                    out.push(Command::LoadTemplates);
                }
            }
            Event::RecordSaved { record } => {
                self.record_card_follow(None, Some(&record));
                self.record_may_skip(record.id, out);
            }
            Event::Scheduled { scheduled } => self.scheduled_changed(&scheduled),
            Event::Notice {
                users,
                conversation_id,
                record_id,
                name,
                note,
                at,
            } => {
                use crate::tui::notifications::About;
                // For the users it names; for everyone when it names none.
                let me = self.me.as_ref().map(|(login, _)| login.as_str());
                if users.is_empty() || me.is_none_or(|me| users.iter().any(|u| u == me)) {
                    let about = match (conversation_id, record_id) {
                        (Some(id), _) => About::Conversation(id),
                        (None, Some(id)) => About::Record(id),
                        (None, None) => About::Nothing,
                    };
                    self.notifications.add_about(about, &name, &note, at);
                }
            }
            Event::Balance { .. } => self.balance_moved(),
            Event::MessageReceived { .. }
            | Event::Batch { .. }
            | Event::MessageQueued { .. }
            | Event::MessageChanged { .. }
            | Event::SendFailed { .. }
            | Event::ConversationChanged { .. } => {}
        }
    }

    /// A line for the open conversation's trail; a conversation someone handed to me, said.
    fn trail_arrived(&mut self, entry: crate::domain::conversation_state::TrailEntry) {
        use crate::domain::conversation_state::Happened;
        let me = self.me.as_ref().map(|(login, _)| login.as_str());
        if let Happened::Assigned { to: Some(to), .. } = &entry.what
            && Some(to.as_str()) == me
            && entry.by.as_deref() != me
        {
            let name = self
                .list
                .rows
                .iter()
                .chain(self.chat.as_ref().map(|c| &c.conversation))
                .find(|c| c.id == entry.conversation_id)
                .map_or_else(|| "a conversation".to_owned(), |c| c.name.clone());
            let by = entry
                .by_name
                .as_deref()
                .or(entry.by.as_deref())
                .unwrap_or("Someone");
            self.info(format!("{by} assigned {name} to you"));
        }
        if let Some(chat) = self
            .chat
            .as_mut()
            .filter(|c| c.conversation.id == entry.conversation_id)
            && !chat.trail.contains(&entry)
        {
            chat.trail.push(entry);
        }
    }

    pub(super) fn event(&mut self, event: Event, out: &mut Vec<Command>) {
        let (conversation, message): (Conversation, Option<Message>) = match event {
            Event::MessageReceived {
                conversation,
                message,
            }
            | Event::MessageQueued {
                conversation,
                message,
            }
            | Event::MessageChanged {
                conversation,
                message,
            }
            | Event::SendFailed {
                conversation,
                message,
            } => (conversation, Some(message)),
            Event::ConversationChanged { conversation } => (conversation, None),
            other => {
                self.news(other, out);
                return;
            }
        };
        if let Some(m) = message
            .as_ref()
            .filter(|m| m.direction == crate::domain::message::Direction::Out)
        {
            let theirs = self
                .me
                .as_ref()
                .is_none_or(|(me, _)| m.sent_by.as_deref() != Some(me.as_str()));
            if theirs {
                self.answering.remove(&conversation.id);
            }
        }
        let view = ConversationView::new(&conversation, self.now);
        self.record_card_follow(Some(&view), None);
        if let Some(m) = message
            .as_ref()
            .filter(|m| m.direction == crate::domain::message::Direction::In)
        {
            let looking = self.focus != Focus::List
                && self
                    .chat
                    .as_ref()
                    .is_some_and(|c| c.conversation.id == conversation.id);
            let me = self.me.as_ref().map(|(login, _)| login.as_str());
            if !looking && Notifications::is_for(conversation.owner.as_deref(), me) {
                self.notifications
                    .add(conversation.id, &view.name, &m.text, m.at);
            }
        }
        let moved = message
            .as_ref()
            .is_some_and(|m| Some(m.at) == conversation.last_message_at);
        let known = self.list.update(view.clone());
        if moved || !known {
            // Its place in the list may have changed, or it is new: reload what is shown.
            self.reload_list(out);
        }
        let Some(chat) = self
            .chat
            .as_mut()
            .filter(|c| c.conversation.id == conversation.id)
        else {
            return;
        };
        chat.conversation = view;
        if message.as_ref().is_some_and(|m| m.media.is_some()) {
            self.files_touched(conversation.id, out);
        }
        let Some(chat) = self.chat.as_mut() else {
            return;
        };
        if let Some(m) = message {
            let inbound = m.direction == crate::domain::message::Direction::In;
            chat.upsert(m);
            // The recruiter is looking at it: it is read.
            if inbound && self.focus != Focus::List && conversation.unread > 0 {
                out.push(Command::MarkRead {
                    conversation_id: conversation.id,
                });
            }
        }
    }
}
