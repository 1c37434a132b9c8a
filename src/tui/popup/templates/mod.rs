//! The template manager (`T`): every template with its kind and WhatsApp status; admins create
//! (a form whose body opens a merge-field picker on `#`) and delete them. `keys.rs` says what
//! keys do, `view.rs` how it is drawn.

mod keys;
pub mod view;

use ratatui_textarea::TextArea;

use crate::domain::{
    merge::MODULES,
    template::{Category, Module, Template, TemplateInput, TemplateKind},
};
use crate::tui::keymap::Mode;

#[derive(Debug, Default)]
pub struct TemplateManager {
    pub templates: Vec<Template>,
    pub loaded: bool,
    pub selected: usize,
    /// Asking "delete this one?" about the selected template.
    pub confirm_delete: bool,
    /// A new template being written.
    pub form: Option<TemplateForm>,
}

impl TemplateManager {
    /// Where the keyboard is: the list, the form, or the form's merge-field picker.
    pub fn mode(&self) -> Mode {
        match &self.form {
            Some(f) if f.fields_popup.is_some() => Mode::MergeFields,
            Some(_) => Mode::TemplateForm,
            None => Mode::Templates,
        }
    }

    pub fn selected_template(&self) -> Option<&Template> {
        self.templates.get(self.selected)
    }

    pub fn move_by(&mut self, delta: isize) {
        self.confirm_delete = false;
        self.selected = super::moved(self.selected, delta, self.templates.len());
    }

    pub fn loaded(&mut self, mut all: Vec<Template>) {
        // The list may have moved under a pending "delete?": it is asked again.
        self.confirm_delete = false;
        all.sort_by(|a, b| (&a.name, &a.language).cmp(&(&b.name, &b.language)));
        self.templates = all;
        self.loaded = true;
        self.selected = self.selected.min(self.templates.len().saturating_sub(1));
    }
}

/// The fields of the form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Kind,
    Module,
    Name,
    Language,
    Category,
    Body,
}

impl FormField {
    const ORDER: [Self; 6] = [
        Self::Kind,
        Self::Module,
        Self::Name,
        Self::Language,
        Self::Category,
        Self::Body,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Kind => "Kind",
            Self::Module => "Module",
            Self::Name => "Name",
            Self::Language => "Language",
            Self::Category => "Category",
            Self::Body => "Body",
        }
    }

    /// Chosen among a few values with ←/→ or Space rather than typed.
    pub fn is_choice(self) -> bool {
        matches!(self, Self::Kind | Self::Module | Self::Category)
    }
}

#[derive(Debug)]
pub struct TemplateForm {
    pub kind: TemplateKind,
    pub module: Module,
    pub name: String,
    pub language: String,
    pub category: Category,
    pub body: TextArea<'static>,
    pub field: FormField,
    /// `#` in the body: (module tab, field) of the merge-field picker.
    pub fields_popup: Option<(usize, usize)>,
    /// Waiting for WhatsApp (or the engine) to take it.
    pub saving: bool,
    /// What the engine said when it refused it.
    pub error: Option<String>,
    /// Editing an existing template: only its body changes.
    pub editing: bool,
}

impl TemplateForm {
    /// A new approved-type template for candidates in `language` (the organization's).
    pub fn new(language: &str) -> Self {
        Self {
            kind: TemplateKind::Whatsapp,
            module: Module::Candidates,
            name: String::new(),
            language: language.to_owned(),
            category: Category::Utility,
            body: crate::tui::app::compose_box(""),
            field: FormField::Name,
            fields_popup: None,
            saving: false,
            error: None,
            editing: false,
        }
    }

    /// The form on `t`, to give it a new body (the rest stays as it is).
    pub fn editing(t: &Template) -> Self {
        Self {
            kind: t.kind,
            module: t.module,
            name: t.name.clone(),
            language: t.language.clone(),
            category: t.category.unwrap_or(Category::Utility),
            body: crate::tui::app::compose_box(&t.body),
            field: FormField::Body,
            fields_popup: None,
            saving: false,
            error: None,
            editing: true,
        }
    }

    pub fn next_field(&mut self, forward: bool) {
        if self.editing {
            // Only the body changes.
            return;
        }
        let order = FormField::ORDER;
        let i = order.iter().position(|f| *f == self.field).unwrap_or(0);
        let n = order.len();
        let mut j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        // A custom template has neither language nor category.
        while self.kind == TemplateKind::Custom
            && matches!(order[j], FormField::Language | FormField::Category)
        {
            j = if forward {
                (j + 1) % n
            } else {
                (j + n - 1) % n
            };
        }
        self.field = order[j];
    }

    /// ←/→/Space on a choice field.
    pub fn cycle(&mut self, forward: bool) {
        match self.field {
            FormField::Kind => {
                self.kind = match self.kind {
                    TemplateKind::Whatsapp => TemplateKind::Custom,
                    TemplateKind::Custom => TemplateKind::Whatsapp,
                };
            }
            FormField::Module => {
                self.module = match self.module {
                    Module::Candidates => Module::Contacts,
                    Module::Contacts => Module::Candidates,
                };
            }
            FormField::Category => {
                let all = [
                    Category::Utility,
                    Category::Marketing,
                    Category::Authentication,
                ];
                let i = all.iter().position(|c| *c == self.category).unwrap_or(0);
                let j = if forward { (i + 1) % 3 } else { (i + 2) % 3 };
                self.category = all[j];
            }
            _ => {}
        }
    }

    /// A typed character in a one-line field.
    pub fn type_char(&mut self, c: char) {
        match self.field {
            FormField::Name => self.name.push(c),
            FormField::Language => self.language.push(c),
            _ => {}
        }
    }

    pub fn backspace(&mut self) {
        match self.field {
            FormField::Name => {
                self.name.pop();
            }
            FormField::Language => {
                self.language.pop();
            }
            _ => {}
        }
    }

    pub fn input(&self) -> TemplateInput {
        let whatsapp = self.kind == TemplateKind::Whatsapp;
        TemplateInput {
            kind: self.kind,
            module: self.module,
            name: self.name.trim().to_owned(),
            language: whatsapp.then(|| self.language.trim().to_owned()),
            category: whatsapp.then_some(self.category),
            body: self.body.lines().join("\n"),
        }
    }

    /// The first rule the form breaks now, to show before it is sent.
    pub fn problem(&self, existing: usize) -> Option<String> {
        // An edit adds no template.
        let existing = if self.editing { 0 } else { existing };
        self.input().validate(existing).err().map(|e| e.to_string())
    }

    /// Moves within the merge-field picker: `tab` across modules, `row` down their fields.
    pub fn fields_move(&mut self, tab: isize, row: isize) {
        if let Some((m, f)) = self.fields_popup.as_mut() {
            let modules = MODULES.len();
            if tab != 0 {
                *m = (*m).saturating_add_signed(tab).min(modules - 1);
                *f = 0;
            }
            let fields = MODULES[*m].1.len();
            *f = (*f).saturating_add_signed(row).min(fields - 1);
        }
    }

    /// Inserts the highlighted field as `${Module.Field}` (or, with `None`, a plain `#`).
    pub fn fields_close(&mut self, insert: bool) {
        let Some((m, f)) = self.fields_popup.take() else {
            return;
        };
        if insert {
            let (module, fields) = MODULES[m];
            self.body.insert_str(format!("${{{module}.{}}}", fields[f]));
        } else {
            self.body.insert_char('#');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_inserts_a_merge_field_and_esc_a_plain_hash() {
        let mut form = TemplateForm::new("en_US");
        form.field = FormField::Body;
        form.body.insert_str("Hi ");
        form.fields_popup = Some((0, 0));
        form.fields_move(0, 1);
        form.fields_close(true);
        form.body.insert_str(" ");
        form.fields_popup = Some((0, 0));
        form.fields_move(1, 0);
        form.fields_close(false);
        assert_eq!(form.input().body, "Hi ${Candidates.First Name} #");
        form.fields_popup = Some((0, 0));
        form.fields_move(99, 99);
        assert_eq!(
            form.fields_popup,
            Some((MODULES.len() - 1, MODULES.last().unwrap().1.len() - 1))
        );
    }

    #[test]
    fn custom_templates_skip_language_and_category() {
        let mut form = TemplateForm::new("ja");
        form.field = FormField::Kind;
        form.cycle(true);
        assert_eq!(form.kind, TemplateKind::Custom);
        form.field = FormField::Name;
        form.next_field(true);
        assert_eq!(form.field, FormField::Body);
        form.next_field(false);
        assert_eq!(form.field, FormField::Name);
        let input = form.input();
        assert_eq!((input.language, input.category), (None, None));
        // The rules show before anything is sent.
        form.name = "面接".into();
        form.body.insert_str("Hello");
        form.kind = TemplateKind::Whatsapp;
        assert!(form.problem(0).unwrap().contains("lowercase"));
    }
}
