//! The chat's Attachments section and the files of the compose box: switching sections,
//! moving over the files, saving and opening one, attaching files to a reply and sending them.

use super::{App, Command, Focus, outside::Outside};
use crate::{
    domain::attachment::{MAX_PER_SEND, display_name, human_size},
    engine::api::AttachmentView,
    tui::files::{FilesSection, PendingFile},
};

impl App {
    /// `a` in the chat: Messages ⇄ Attachments.
    pub(in crate::tui) fn toggle_attachments(&mut self, out: &mut Vec<Command>) {
        let Some(chat) = self.chat.as_mut() else {
            return;
        };
        if chat.files.take().is_none() {
            chat.files = Some(FilesSection::default());
            out.push(Command::LoadAttachments {
                conversation_id: chat.conversation.id,
            });
        }
    }

    /// The Attachments section, if it is the one shown.
    pub fn files(&self) -> Option<&FilesSection> {
        self.chat.as_ref()?.files.as_ref()
    }

    pub(in crate::tui) fn files_move(&mut self, delta: isize, out: &mut Vec<Command>) {
        if let Some(files) = self.chat.as_mut().and_then(|c| c.files.as_mut()) {
            files.move_by(delta);
        }
        self.want_preview(out);
    }

    /// The selected file is an image that is here: its preview is asked for (once), sized to
    /// where the section last drew it.
    fn want_preview(&mut self, out: &mut Vec<Command>) {
        let Some(file) = self.files().and_then(FilesSection::selected) else {
            return;
        };
        let id = file.id;
        if !self.file_setup.previews
            || file.kind != "image"
            || file.state != "ready"
            || self.preview_wanted == Some(id)
        {
            return;
        }
        let listed = self
            .files()
            .and_then(|f| f.list.as_ref())
            .map_or(1, Vec::len);
        let area = crate::tui::view::preview_area(self.hits.get().chat, listed);
        let (cols, rows) = if area.is_empty() {
            (40, 12)
        } else {
            (area.width, area.height)
        };
        self.preview_wanted = Some(id);
        self.preview = None;
        out.push(Command::LoadPreview { id, cols, rows });
    }

    /// The preview of the selected file, when it is an image that is ready or failed.
    pub fn preview_of(&self, id: u64) -> Option<Result<&crate::tui::preview::PreviewImage, &str>> {
        match self.preview.as_ref()? {
            Ok(p) if p.id == id => Some(Ok(p)),
            Err((failed, why)) if *failed == id => Some(Err(why.as_str())),
            _ => None,
        }
    }

    /// The answers for the open chat: older messages, a list for the Attachments section, a
    /// file written.
    pub(super) fn chat_input(&mut self, input: super::Input, out: &mut Vec<Command>) {
        match input {
            input @ (super::Input::Older { .. } | super::Input::OlderFailed { .. }) => {
                self.older(input);
            }
            super::Input::Attachments {
                conversation_id,
                list,
            } => self.attachments_loaded(conversation_id, list, out),
            super::Input::FileSaved { path, open } => self.file_saved(&path, open),
            super::Input::ImagePreview { id, image } if self.preview_wanted == Some(id) => {
                self.preview = Some(image.map_err(|e| (id, e)));
            }
            _ => {}
        }
    }

    /// A conversation's files arrived (for the section, if still shown for it).
    fn attachments_loaded(
        &mut self,
        conversation_id: u64,
        list: Vec<AttachmentView>,
        out: &mut Vec<Command>,
    ) {
        if let Some(files) = self
            .chat
            .as_mut()
            .filter(|c| c.conversation.id == conversation_id)
            .and_then(|c| c.files.as_mut())
        {
            files.loaded(list);
            self.want_preview(out);
        }
    }

    /// A message of the open conversation changed or arrived with a file: the section, when
    /// shown, loads again (a download finished, a file came).
    pub(super) fn files_touched(&self, conversation_id: u64, out: &mut Vec<Command>) {
        if self
            .chat
            .as_ref()
            .is_some_and(|c| c.conversation.id == conversation_id && c.files.is_some())
        {
            out.push(Command::LoadAttachments { conversation_id });
        }
    }

    /// The selected file, when it is here to be saved or opened (else says why not).
    fn ready_file(&mut self) -> Option<AttachmentView> {
        let file = self.files()?.selected()?.clone();
        if file.state == "ready" {
            return Some(file);
        }
        let why = file.why.clone().unwrap_or_else(|| file.state.clone());
        self.info(format!("This file is not here: {why}."));
        None
    }

    /// `s`: the selected file into the save folder.
    pub(in crate::tui) fn save_file(&mut self, out: &mut Vec<Command>) {
        let Some(file) = self.ready_file() else {
            return;
        };
        let dir = self.file_setup.save_dir.clone();
        self.info(format!("Saving to {}…", dir.display()));
        out.push(Command::SaveAttachment {
            id: file.id,
            dir,
            open: false,
        });
    }

    /// `Enter`/`o`: the selected file opened with the desktop's opener (or the configured
    /// one); where there is none (SSH), `s` saves it.
    pub(in crate::tui) fn open_file(&mut self, out: &mut Vec<Command>) {
        if self.file_setup.opener.is_none() {
            self.info(format!(
                "No desktop here to open it: s saves it to {} ([attachments] open_command sets an opener).",
                self.file_setup.save_dir.display()
            ));
            return;
        }
        let Some(file) = self.ready_file() else {
            return;
        };
        out.push(Command::SaveAttachment {
            id: file.id,
            dir: self.file_setup.open_dir.clone(),
            open: true,
        });
    }

    /// A file was written: said, or handed to the opener.
    fn file_saved(&mut self, path: &std::path::Path, open: bool) {
        match (open, &self.file_setup.opener) {
            (true, Some(opener)) => {
                let mut argv = opener.clone();
                argv.push(path.to_string_lossy().into_owned());
                self.info(format!("Opening {}", display_name(&path.to_string_lossy())));
                self.outside = Some(Outside::OpenFile(argv));
            }
            _ => self.info(format!("Saved {}", path.display())),
        }
    }

    /// A path typed in the attach prompt: checked here for what can be known before sending
    /// (it is a file, how big), then listed under the reply.
    pub(in crate::tui) fn attach_path(&mut self, typed: &str) {
        let typed = typed.trim();
        if typed.is_empty() {
            return;
        }
        let path = expand_home(typed);
        let meta = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return self.error(format!("{typed} is not a file.")),
            Err(e) => return self.error(format!("{typed}: {e}")),
        };
        let Some(chat) = self.chat.as_mut() else {
            return;
        };
        if chat.pending.len() >= MAX_PER_SEND {
            return self.error(format!(
                "At most {MAX_PER_SEND} files go with one message: Ctrl-x removes the last."
            ));
        }
        let path = std::path::absolute(&path).unwrap_or(path);
        chat.pending.push(PendingFile {
            name: display_name(&path.to_string_lossy()),
            path: path.to_string_lossy().into_owned(),
            size: meta.len(),
        });
        let n = chat.pending.len();
        self.focus = Focus::Compose;
        let files = if n == 1 { "1 file" } else { "files" };
        let count = if n == 1 {
            String::new()
        } else {
            format!("{n} ")
        };
        self.info(format!(
            "{count}{files} attached (the last {}); Enter sends, Ctrl-x removes the last.",
            human_size(meta.len())
        ));
    }

    /// `Ctrl-x` in the compose box: the last file attached goes.
    pub(in crate::tui) fn unattach(&mut self) {
        if let Some(f) = self.chat.as_mut().and_then(|c| c.pending.pop()) {
            self.info(format!("Removed {}.", f.name));
        }
    }

    /// The files of the reply, if any: sent with its text as one send.
    pub(super) fn send_files(&mut self, to: String, text: String, out: &mut Vec<Command>) {
        let files = self
            .chat
            .as_mut()
            .map(|c| std::mem::take(&mut c.pending))
            .unwrap_or_default();
        out.push(Command::SendFiles {
            to,
            files: files.into_iter().map(|f| f.path).collect(),
            text,
        });
    }
}

/// `~/cv.pdf` → the home folder's.
fn expand_home(typed: &str) -> std::path::PathBuf {
    match (typed.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(typed),
    }
}
