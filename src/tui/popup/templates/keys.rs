//! What keys do in the template manager, its form and the `#` merge-field picker.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{FormField, TemplateForm};
use crate::{
    domain::{
        permission::Permission,
        template::{Template, TemplateKind, TemplateStatus},
    },
    tui::{
        action::Action,
        app::{App, Command},
        keymap::Mode,
        popup::Popup,
    },
};

impl App {
    pub(in crate::tui) fn is_admin(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|(_, role)| role.allows(Permission::Administer))
    }

    pub(in crate::tui) fn open_manager(&mut self, out: &mut Vec<Command>) {
        self.popup = Some(Popup::Templates(Box::default()));
        out.push(Command::LoadTemplates);
    }

    /// The manager's actions, in its list, its form and its merge-field picker.
    pub(in crate::tui::popup) fn manager_act(
        &mut self,
        mode: Mode,
        action: Action,
        out: &mut Vec<Command>,
    ) {
        let admin = self.is_admin();
        let language = self.default_language.clone();
        let Some(m) = self.manager_mut() else {
            return;
        };
        match (mode, action) {
            (Mode::Templates, Action::Back) => self.close_popup(),
            (Mode::Templates, Action::Down) => m.move_by(1),
            (Mode::Templates, Action::Up) => m.move_by(-1),
            (Mode::Templates, Action::New | Action::Delete | Action::Edit) if !admin => {
                self.error("Only admins manage templates; you can send them (t in a chat).".into());
            }
            (Mode::Templates, Action::New) => m.form = Some(TemplateForm::new(&language)),
            (Mode::Templates, Action::Edit) => {
                m.form = m.selected_template().map(TemplateForm::editing);
            }
            (Mode::Templates, Action::Delete) => m.confirm_delete = m.selected_template().is_some(),
            (Mode::Templates, Action::Confirm) => {
                if std::mem::take(&mut m.confirm_delete)
                    && let Some(t) = m.selected_template()
                {
                    out.push(Command::DeleteTemplate {
                        name: t.name.clone(),
                        language: t.language.clone(),
                    });
                }
            }
            (Mode::TemplateForm, Action::Back) => m.form = None,
            (Mode::TemplateForm, Action::Editor) => {
                self.ask_editor(crate::tui::app::EditTarget::TemplateBody);
            }
            (Mode::TemplateForm, Action::NextField | Action::PrevField) => {
                if let Some(f) = m.form.as_mut() {
                    f.next_field(action == Action::NextField);
                }
            }
            (Mode::TemplateForm, Action::Save) => {
                let existing = m.templates.len();
                if let Some(f) = m.form.as_mut().filter(|f| !f.saving) {
                    f.error = f.problem(existing);
                    if f.error.is_none() {
                        f.saving = true;
                        out.push(if f.editing {
                            Command::EditTemplate {
                                name: f.name.clone(),
                                language: Some(f.language.clone()).filter(|l| !l.is_empty()),
                                body: f.body.lines().join("\n"),
                            }
                        } else {
                            Command::CreateTemplate {
                                template: f.input(),
                            }
                        });
                    }
                }
            }
            (Mode::MergeFields, _) => {
                if let Some(f) = m.form.as_mut() {
                    match action {
                        Action::Down => f.fields_move(0, 1),
                        Action::Up => f.fields_move(0, -1),
                        Action::TabRight => f.fields_move(1, 0),
                        Action::TabLeft => f.fields_move(-1, 0),
                        Action::Insert => f.fields_close(true),
                        Action::Back => f.fields_close(false),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// Keys of the form that are not in the keymap: text, and ←/→/Space on choice fields.
    pub(in crate::tui::popup) fn form_key(&mut self, key: KeyEvent) {
        let Some(f) = self.manager_mut().and_then(|m| m.form.as_mut()) else {
            return;
        };
        f.error = None;
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match (f.field, key.code) {
            (FormField::Body, KeyCode::Char('#')) if plain => f.fields_popup = Some((0, 0)),
            (FormField::Body, _) => {
                f.body.input(key);
            }
            (field, KeyCode::Left) if field.is_choice() => f.cycle(false),
            (field, KeyCode::Right | KeyCode::Char(' ')) if field.is_choice() => f.cycle(true),
            (_, KeyCode::Enter) => f.next_field(true),
            (_, KeyCode::Backspace) => f.backspace(),
            (_, KeyCode::Char(c)) if plain => f.type_char(c),
            _ => {}
        }
    }

    /// The new template was taken: back to the list, with where it stands.
    pub(in crate::tui) fn template_saved(&mut self, t: &Template, out: &mut Vec<Command>) {
        if let Some(m) = self.manager_mut() {
            m.form = None;
        }
        let text = match (t.kind, t.status) {
            (TemplateKind::Whatsapp, TemplateStatus::Pending) => format!(
                "{} went to WhatsApp for review: it can be sent once approved.",
                t.name
            ),
            _ => format!("{} saved.", t.name),
        };
        self.info(&text);
        out.push(Command::LoadTemplates);
    }
}
