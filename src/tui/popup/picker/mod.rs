//! The template picker: the templates that can be sent now, filtered as the recruiter types,
//! and the preview of the selected one filled in for this contact (`keys.rs` what keys do,
//! `view.rs` how it is drawn).

mod keys;
pub mod view;

use crate::domain::{
    language,
    merge::Filled,
    merge_source::{Choice, Picks},
    record::RecordKind,
    template::{Template, TemplateKind, TemplateStatus},
    template_rules,
};

/// The selected template filled in for this contact.
#[derive(Debug, Clone)]
pub struct Preview {
    pub template_id: u64,
    pub filled: Filled,
    /// Modules with several values (two interviews): one must be picked before sending.
    pub choices: Vec<Choice>,
    /// Why it cannot go now, if it cannot.
    pub refusal: Option<String>,
    /// What it costs, or why it is free (with a rate card).
    pub price: Option<String>,
    /// The picks it was filled with: an answer to an older request (before a pick) is stale.
    pub picks: Picks,
}

#[derive(Debug, Default)]
pub struct Picker {
    /// What can be sent in this conversation now.
    pub templates: Vec<Template>,
    pub query: String,
    /// Index into `shown()`.
    pub selected: usize,
    pub preview: Option<Preview>,
    /// The values picked where a module has several (module → id).
    pub picks: Picks,
    /// Picking a value: (index into the preview's choices, the highlighted option).
    pub choosing: Option<(usize, usize)>,
    /// Enter was pressed once: the filled message is shown for a last look before it goes.
    pub confirming: bool,
    pub loaded: bool,
}

impl Picker {
    /// Keeps what can be sent now: approved WhatsApp templates always; custom ones only while
    /// the window is open; only those for the contact's kind of record (a candidate's or a
    /// client contact's) when it is known. Those in the contact's language (`hint`) come first.
    pub fn sendable(
        all: Vec<Template>,
        window_open: bool,
        hint: Option<&str>,
        kind: Option<RecordKind>,
    ) -> Vec<Template> {
        let mut t: Vec<Template> = all
            .into_iter()
            .filter(|t| match t.kind {
                TemplateKind::Whatsapp => t.status == TemplateStatus::Approved,
                TemplateKind::Custom => window_open,
            })
            .filter(|t| kind.is_none_or(|k| template_rules::fits(t.module, k)))
            .collect();
        let other = |t: &Template| hint.is_some_and(|h| !language::matches(&t.language, h));
        t.sort_by(|a, b| {
            (
                other(a),
                a.kind == TemplateKind::Custom,
                &a.name,
                &a.language,
            )
                .cmp(&(
                    other(b),
                    b.kind == TemplateKind::Custom,
                    &b.name,
                    &b.language,
                ))
        });
        t
    }

    /// The templates matching every word of the query in their name, body or language (any
    /// case).
    pub fn shown(&self) -> Vec<&Template> {
        let q = self.query.to_lowercase();
        self.templates
            .iter()
            .filter(|t| {
                let all = format!("{} {} {}", t.name, t.body, t.language).to_lowercase();
                q.split_whitespace().all(|w| all.contains(w))
            })
            .collect()
    }

    /// The templates again (one was reviewed, edited or removed meanwhile), the cursor kept on
    /// the template it was on. When that one changed or can no longer be sent, what was shown
    /// of it goes (its preview, a pick under way, the last look before sending), so that
    /// Enter can never send another message than the one looked at; returns its name when
    /// that last look was under way.
    pub fn reload(&mut self, templates: Vec<Template>) -> Option<String> {
        let was = self.selected_template().cloned();
        self.templates = templates;
        self.loaded = true;
        let Some(was) = was else {
            self.selected = 0;
            return None;
        };
        let at = self.shown().iter().position(|t| t.id == was.id);
        self.selected = at.unwrap_or(0);
        if self.selected_template() == Some(&was) {
            return None;
        }
        self.preview = None;
        self.choosing = None;
        let looked = std::mem::take(&mut self.confirming);
        looked.then_some(was.name)
    }

    pub fn selected_template(&self) -> Option<&Template> {
        self.shown().get(self.selected).copied()
    }

    /// The preview, if it is the selected template's.
    pub fn current_preview(&self) -> Option<&Preview> {
        let id = self.selected_template()?.id;
        self.preview.as_ref().filter(|p| p.template_id == id)
    }

    /// The first choice of the current preview still waiting for a pick.
    pub fn unpicked(&self) -> Option<usize> {
        self.current_preview()?
            .choices
            .iter()
            .position(|c| c.picked.is_none())
    }

    /// The choice being made and its highlighted option.
    pub fn choice(&self) -> Option<(&Choice, usize)> {
        let (i, at) = self.choosing?;
        Some((self.preview.as_ref()?.choices.get(i)?, at))
    }

    pub fn choose_move(&mut self, delta: isize) {
        let n = self.choice().map_or(0, |(c, _)| c.options.len());
        if let Some((_, at)) = self.choosing.as_mut() {
            *at = super::moved(*at, delta, n);
        }
    }

    /// Takes the highlighted option; the preview is then asked for again with it.
    pub fn choose(&mut self) {
        if let Some((c, at)) = self.choice()
            && let Some(o) = c.options.get(at)
        {
            let (module, id) = (c.module.clone(), o.id);
            self.picks.insert(module, id);
            self.preview = None;
        }
        self.choosing = None;
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.shown().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = self.selected.saturating_add_signed(delta).min(n - 1);
    }

    pub fn type_char(&mut self, c: char) {
        self.query.push(c);
        self.selected = 0;
        self.confirming = false;
    }

    pub fn backspace(&mut self) {
        self.query.pop();
        self.selected = 0;
        self.confirming = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::template::{Category, Module};

    fn t(name: &str, kind: TemplateKind, status: TemplateStatus) -> Template {
        Template {
            id: name.len() as u64,
            kind,
            module: Module::Candidates,
            name: name.into(),
            language: "en_US".into(),
            category: Some(Category::Utility),
            body: format!("body of {name}"),
            status,
            reason: None,
            whatsapp_id: None,
            created_by: "aiko".into(),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_reload_keeps_the_template_looked_at_and_forgets_it_when_it_changed() {
        let mut p = Picker::default();
        let a = t(
            "a_reminder",
            TemplateKind::Whatsapp,
            TemplateStatus::Approved,
        );
        let mut b = t("bb_offer", TemplateKind::Whatsapp, TemplateStatus::Approved);
        p.reload(vec![a.clone(), b.clone()]);
        p.move_by(1);
        p.confirming = true;
        // Another template reviewed meanwhile (one more, before it): the cursor stays on it.
        let c = t("c", TemplateKind::Whatsapp, TemplateStatus::Approved);
        assert_eq!(p.reload(vec![c.clone(), a.clone(), b.clone()]), None);
        assert_eq!(
            p.selected_template().map(|t| t.name.as_str()),
            Some("bb_offer")
        );
        assert!(p.confirming, "still the message looked at");
        // It was edited: what was looked at is no longer what Enter would send.
        b.body = "a new body".into();
        assert_eq!(
            p.reload(vec![c.clone(), a.clone(), b]),
            Some("bb_offer".to_owned())
        );
        assert!(!p.confirming && p.preview.is_none());
        // Gone (paused by WhatsApp): the cursor goes to the first.
        p.confirming = true;
        assert_eq!(p.reload(vec![c, a]), Some("bb_offer".to_owned()));
        assert_eq!(p.selected, 0);
        assert!(!p.confirming);
    }

    #[test]
    fn only_what_can_go_now_is_offered() {
        let all = vec![
            t("reminder", TemplateKind::Whatsapp, TemplateStatus::Approved),
            t(
                "pending_one",
                TemplateKind::Whatsapp,
                TemplateStatus::Pending,
            ),
            t("thanks", TemplateKind::Custom, TemplateStatus::Active),
        ];
        let closed: Vec<String> = Picker::sendable(all.clone(), false, None, None)
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(closed, ["reminder"]);
        let open: Vec<String> = Picker::sendable(all, true, None, None)
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(open, ["reminder", "thanks"]);
    }

    #[test]
    fn the_contacts_language_comes_first_and_words_filter_by_language_too() {
        let mut ja = t(
            "a_welcome",
            TemplateKind::Whatsapp,
            TemplateStatus::Approved,
        );
        ja.language = "ja".into();
        let en = t(
            "b_welcome",
            TemplateKind::Whatsapp,
            TemplateStatus::Approved,
        );
        let order = |hint| -> Vec<String> {
            Picker::sendable(vec![ja.clone(), en.clone()], true, hint, None)
                .into_iter()
                .map(|t| t.language)
                .collect()
        };
        assert_eq!(order(Some("en")), ["en_US", "ja"]);
        assert_eq!(order(Some("ja")), ["ja", "en_US"]);
        // A client contact is not offered candidates' templates.
        let for_contact = Picker::sendable(vec![en.clone()], true, None, Some(RecordKind::Contact));
        assert!(for_contact.is_empty());
        let mut p = Picker {
            templates: vec![ja.clone(), en.clone()],
            ..Picker::default()
        };
        for c in "welcome ja".chars() {
            p.type_char(c);
        }
        assert_eq!(p.shown().len(), 1);
        assert_eq!(p.shown()[0].language, "ja");
    }

    #[test]
    fn typing_filters() {
        let mut p = Picker {
            templates: vec![
                t(
                    "interview_reminder",
                    TemplateKind::Whatsapp,
                    TemplateStatus::Approved,
                ),
                t("offer", TemplateKind::Whatsapp, TemplateStatus::Approved),
            ],
            ..Picker::default()
        };
        p.move_by(1);
        assert_eq!(p.selected_template().unwrap().name, "offer");
        for c in "INTER".chars() {
            p.type_char(c);
        }
        assert_eq!(p.shown().len(), 1);
        assert_eq!(p.selected_template().unwrap().name, "interview_reminder");
        p.backspace();
        assert_eq!(p.query, "INTE");
    }
}
