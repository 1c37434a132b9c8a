//! Writing the reply, or a template's body, in the user's own editor (`$VISUAL`, else
//! `$EDITOR`): the app asks, the run loop hands the terminal over and back
//! (`tui::editor`), and the text comes back as `Input::Edited`.

use super::{App, compose_box};

/// What the editor's text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditTarget {
    Reply,
    TemplateBody,
    /// The file chooser (`[attachments] picker_command`): its text is the chosen paths.
    Attach,
}

/// Text to open in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRequest {
    pub target: EditTarget,
    pub text: String,
}

impl App {
    /// Asks the run loop for the editor on what `target` holds now.
    pub(in crate::tui) fn ask_editor(&mut self, target: EditTarget) {
        let text = match target {
            EditTarget::Reply => self.reply_text(),
            EditTarget::TemplateBody => match self.manager().and_then(|m| m.form.as_ref()) {
                Some(f) => f.body.lines().join("\n"),
                None => return,
            },
            EditTarget::Attach => String::new(),
        };
        self.edit_request = Some(EditRequest { target, text });
    }

    /// The editor the app asked for, once: the run loop takes it.
    pub fn take_edit_request(&mut self) -> Option<EditRequest> {
        self.edit_request.take()
    }

    /// The editor is done: its text replaces what was there (a failure leaves it as it was).
    pub(super) fn edited(&mut self, target: EditTarget, text: Result<String, String>) {
        let text = match text {
            Ok(t) => t.strip_suffix('\n').map(str::to_owned).unwrap_or(t),
            Err(e) => {
                self.error(e);
                return;
            }
        };
        match target {
            EditTarget::Attach => {
                for path in text.lines().filter(|l| !l.trim().is_empty()) {
                    self.attach_path(path);
                }
            }
            EditTarget::Reply => self.compose = compose_box(&text),
            EditTarget::TemplateBody => {
                if let Some(f) = self.manager_mut().and_then(|m| m.form.as_mut()) {
                    f.body = compose_box(&text);
                }
            }
        }
    }
}
