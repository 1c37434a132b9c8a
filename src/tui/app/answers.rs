//! The engine's answers to the app's commands, and the link's news (reconnecting, missed
//! events).

use super::{App, Command, Connection, Input};
use crate::tui::{notifications::Notifications, popup::picker::Picker};

impl App {
    /// Answers for the records pane, the search and the notifications.
    pub(super) fn pane_input(&mut self, input: Input, out: &mut Vec<Command>) {
        match input {
            input @ Input::Team { .. } => self.team_input(input),
            input @ Input::Labels(_) => self.labels_input(input),
            Input::Thread {
                conversation,
                messages,
                trail,
                scheduled,
            } => {
                if let Some(chat) = self
                    .chat
                    .as_mut()
                    .filter(|c| c.conversation.id == conversation.id)
                {
                    chat.conversation = conversation;
                    chat.trail = trail;
                    chat.scheduled = scheduled;
                    for m in messages {
                        chat.upsert(m);
                    }
                    chat.loaded = true;
                    if let Some(id) = self.jump_to.take() {
                        chat.select_id(id);
                    }
                }
            }

            Input::Unread(rows) => {
                let me = self.me.as_ref().map(|(l, _)| l.as_str());
                for r in rows.into_iter().filter(|r| r.unread > 0) {
                    if Notifications::is_for(r.owner.as_deref(), me) {
                        let at = r.last_message_at.unwrap_or(self.now);
                        self.notifications
                            .restore(r.id, &r.name, &r.last_text, r.unread, at);
                    }
                }
            }
            Input::Records {
                query,
                total,
                records,
            } => {
                if let Some(p) = self.records_mut() {
                    p.answered(&query, total, records);
                }
            }
            Input::Opened {
                conversation,
                messages,
                trail,
                scheduled,
            } => self.opened(conversation, messages, (trail, scheduled), out),
            Input::Found { query, hits } => {
                if let Some(p) = self.search_mut() {
                    p.answered(&query, hits);
                }
            }
            _ => {}
        }
    }

    /// Templates arrived (for the picker and the manager), or the manager's save was answered.
    pub(super) fn templates_input(&mut self, input: Input, out: &mut Vec<Command>) {
        match input {
            Input::TemplateSaved(t) => self.template_saved(&t, out),
            Input::TemplateRefused(why) => {
                if let Some(f) = self.manager_mut().and_then(|m| m.form.as_mut()) {
                    f.saving = false;
                    f.error = Some(why);
                } else {
                    self.error(why);
                }
            }
            Input::Templates(all) => {
                self.bulk_templates(&all);
                if let Some(m) = self.manager_mut() {
                    m.loaded(all.clone());
                }
                let open = self.window_open();
                let hint = self.contact_language();
                let kind = self.chat.as_ref().and_then(|c| c.conversation.record_kind);
                let changed = self
                    .picker_mut()
                    .and_then(|p| p.reload(Picker::sendable(all, open, hint, kind)));
                if let Some(name) = changed {
                    self.info(format!(
                        "{} changed or can no longer be sent: look at it again before sending",
                        crate::domain::safe_text::neutralise(&name, false)
                    ));
                }
                self.preview_selected(out);
            }
            _ => {}
        }
    }

    /// The daemon went away or came back, or events were missed.
    pub(super) fn connection_changed(&mut self, input: Input, out: &mut Vec<Command>) {
        match input {
            Input::Reconnecting(why) => self.connection = Connection::Reconnecting(why),
            Input::Reconnected => {
                self.connection = Connection::Daemon;
                self.info("Connected to the daemon again");
                self.resync(out);
            }
            _ => self.resync(out),
        }
    }

    /// A send was refused before it was queued: the text goes back into an empty box.
    pub(super) fn send_refused(&mut self, text: &str, files: &[String], error: String) {
        if self.compose.is_empty() {
            self.compose = super::compose_box(text);
        }
        if let Some(chat) = self.chat.as_mut().filter(|c| c.pending.is_empty()) {
            chat.pending = files
                .iter()
                .map(|path| crate::tui::files::PendingFile {
                    name: crate::domain::attachment::display_name(path),
                    size: std::fs::metadata(path).map_or(0, |m| m.len()),
                    path: path.clone(),
                })
                .collect();
        }
        self.error(error);
    }

    /// Older messages of the open conversation arrived, or could not be loaded (said, and the
    /// chat stops waiting, so scrolling up asks again).
    pub(super) fn older(&mut self, input: Input) {
        let (conversation_id, messages) = match input {
            Input::Older {
                conversation_id,
                messages,
            } => (conversation_id, Some(messages)),
            Input::OlderFailed {
                conversation_id,
                error,
            } => {
                self.error(format!("Older messages could not be loaded: {error}"));
                (conversation_id, None)
            }
            _ => return,
        };
        let Some(chat) = self
            .chat
            .as_mut()
            .filter(|c| c.conversation.id == conversation_id)
        else {
            return;
        };
        match messages {
            Some(m) => chat.older_loaded(m),
            None => chat.loading_older = false,
        }
    }

    /// Loading the list failed: the answer that never came must not hold every later load back.
    pub(super) fn list_failed(&mut self, error: String, out: &mut Vec<Command>) {
        self.list.loading = false;
        self.error(error);
        if std::mem::take(&mut self.list.stale) {
            self.reload_list(out);
        }
    }

    /// Loads again everything on screen: the list, the views and the open conversation
    /// (after missed events, or once the daemon is back).
    pub(super) fn resync(&mut self, out: &mut Vec<Command>) {
        // An answer in flight when the connection broke never comes.
        self.list.loading = false;
        self.views_load = super::views::Load::Idle;
        self.reload_list(out);
        self.load_views(out);
        if let Some(chat) = &self.chat {
            out.push(Command::LoadThread {
                conversation_id: chat.conversation.id,
            });
        }
    }
}
