//! Unsent replies, one per conversation: the one being written is kept when another
//! conversation is opened and comes back with it, and the run loop saves them all (see
//! `tui::drafts_file`) so they outlive the session. Files attached to a draft wait with it
//! for the session only.

use std::collections::BTreeMap;

use ratatui_textarea::{TextArea, WrapMode};

use super::App;
use crate::tui::chat_state::Chat;

/// An empty reply box, or one holding `text`; long lines wrap at words.
pub fn compose_box(text: &str) -> TextArea<'static> {
    let mut area = if text.is_empty() {
        TextArea::default()
    } else {
        TextArea::from(text.split('\n').map(str::to_owned).collect::<Vec<_>>())
    };
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    if !text.is_empty() {
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
    }
    area
}

impl App {
    /// The text in the reply box.
    pub fn reply_text(&self) -> String {
        self.compose.lines().join("\n")
    }

    /// Makes `chat` the open conversation: the reply being written, with the files attached
    /// to it, stays as the draft of the conversation it was for, and the new conversation's
    /// draft comes back into the box.
    pub(in crate::tui) fn switch_chat(&mut self, mut chat: Chat) {
        self.stash_draft();
        let id = chat.conversation.id;
        let text = self.drafts.get(&id).cloned().unwrap_or_default();
        chat.pending = self.draft_files.remove(&id).unwrap_or_default();
        self.chat = Some(chat);
        self.compose = compose_box(&text);
    }

    /// Keeps the box's text as the open conversation's draft (none when it is empty), and the
    /// files attached to it.
    fn stash_draft(&mut self) {
        let Some(chat) = self.chat.as_mut() else {
            return;
        };
        let id = chat.conversation.id;
        let files = std::mem::take(&mut chat.pending);
        if !files.is_empty() {
            self.draft_files.insert(id, files);
        }
        let text = self.reply_text();
        if text.trim().is_empty() {
            self.drafts.remove(&id);
        } else {
            self.drafts.insert(id, text);
        }
    }

    /// The reply was sent: its draft is gone and the box is empty.
    pub(in crate::tui) fn clear_reply(&mut self) {
        if let Some(id) = self.chat.as_ref().map(|c| c.conversation.id) {
            self.drafts.remove(&id);
        }
        self.compose = compose_box("");
    }

    /// Every draft, the one being written included: what the run loop saves.
    pub fn drafts(&self) -> BTreeMap<u64, String> {
        let mut all = self.drafts.clone();
        if let Some(id) = self.chat.as_ref().map(|c| c.conversation.id) {
            let text = self.reply_text();
            if text.trim().is_empty() {
                all.remove(&id);
            } else {
                all.insert(id, text);
            }
        }
        all
    }

    /// Files attached to replies not sent, the open one's and the drafts': they last only as
    /// long as the session.
    pub fn attached_files(&self) -> usize {
        let open = self.chat.as_ref().map_or(0, |c| c.pending.len());
        open + self.draft_files.values().map(Vec::len).sum::<usize>()
    }

    /// Drafts saved by an earlier session.
    pub fn restore_drafts(&mut self, drafts: BTreeMap<u64, String>) {
        self.drafts = drafts;
    }
}
