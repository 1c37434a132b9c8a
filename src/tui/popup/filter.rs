//! `f`: the filter prompt in the status bar (Enter applies, Ctrl-s saves it as a view, Ctrl-d
//! deletes the saved view it names), and naming a view to save.

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::Paragraph,
};

use super::Popup;
use crate::domain::{
    filter::built_in_view,
    permission::Permission,
    view::{Sort, ViewInput},
};
use crate::tui::{
    action::Action,
    app::{App, Command},
    format::fit,
    line_input::LineInput,
    theme,
};

/// Saving the filter as a view.
#[derive(Debug, Default)]
pub struct SaveView {
    pub query: String,
    /// The name being typed.
    pub name: LineInput,
    /// Shared with everyone (admins only), or the recruiter's own.
    pub shared: bool,
}

impl App {
    /// Opens the prompt on what the list shows: the filter, or the query of the view shown
    /// (so typing adds to what it selects; Ctrl-u starts afresh).
    pub(in crate::tui) fn open_filter(&mut self) {
        let text = match &self.filter {
            None => String::new(),
            Some(f) => self
                .views
                .iter()
                .find(|v| v.name == *f)
                .and_then(|v| match &v.saved {
                    Some(saved) => Some(saved.query.clone()),
                    None => built_in_view(&v.name).map(str::to_owned),
                })
                .unwrap_or_else(|| f.clone()),
        };
        let text = if text.is_empty() { text } else { text + " " };
        self.popup = Some(Popup::Filter(LineInput::new(&text)));
    }

    /// Keys edit the filter, or the view's name (readline keys).
    pub(super) fn prompt_key(&mut self, key: KeyEvent) {
        match self.popup.as_mut() {
            Some(Popup::Filter(input)) => input.key(key),
            Some(Popup::SaveView(s)) => s.name.key(key),
            _ => return,
        };
    }

    pub(super) fn filter_act(&mut self, action: Action, out: &mut Vec<Command>) {
        match (self.popup.take(), action) {
            (Some(Popup::Filter(_) | Popup::SaveView(_)), Action::Back) => {}
            (Some(Popup::Filter(query)), Action::Save) => {
                self.popup = Some(Popup::SaveView(SaveView {
                    query: query.text().trim().to_owned(),
                    ..SaveView::default()
                }));
            }
            (Some(Popup::Filter(text)), Action::Delete) => self.delete_view(text, out),
            (Some(Popup::Filter(query)), Action::Send) => self.apply_filter(query.text(), out),
            (Some(Popup::SaveView(mut s)), Action::ToggleShared) => {
                let admin = self
                    .me
                    .as_ref()
                    .is_some_and(|(_, r)| r.allows(Permission::Administer));
                if admin {
                    s.shared = !s.shared;
                } else {
                    self.error("Only admins share views; this one will be yours.".into());
                }
                self.popup = Some(Popup::SaveView(s));
            }
            (Some(Popup::SaveView(s)), Action::Save) => {
                let name = s.name.text().trim().to_owned();
                self.select_view_named = Some(name.clone());
                out.push(Command::SaveView {
                    view: ViewInput {
                        name,
                        query: s.query,
                        sort: Sort::Newest,
                        shared: s.shared,
                    },
                });
            }
            (other, _) => self.popup = other,
        }
    }

    /// The prompt holds a saved view's name, or is the shown saved view's query unchanged:
    /// delete that view (else say so, the prompt staying open).
    fn delete_view(&mut self, text: LineInput, out: &mut Vec<Command>) {
        let typed = text.text().trim();
        let shown = self
            .active_view
            .and_then(|i| self.views.get(i))
            .filter(|v| v.saved.as_ref().is_some_and(|s| s.query.trim() == typed));
        let name = shown.map_or(typed, |v| v.name.as_str()).to_owned();
        if self
            .views
            .iter()
            .any(|v| v.saved.is_some() && v.name == name)
        {
            self.filter = None;
            self.active_view = Some(0);
            self.reload_list(out);
            out.push(Command::DeleteView { name });
        } else {
            self.error(format!(
                "{name:?} is not a saved view; Ctrl-d deletes one by its name."
            ));
            self.popup = Some(Popup::Filter(text));
        }
    }

    fn apply_filter(&mut self, query: &str, out: &mut Vec<Command>) {
        self.filter = Some(query.trim().to_owned()).filter(|q| !q.is_empty());
        self.active_view = match &self.filter {
            None => Some(0),
            Some(f) => self.views.iter().position(|v| v.name == *f),
        };
        self.list.selected = 0;
        self.list.selected_id = None;
        self.list.offset = 0;
        self.reload_list(out);
    }
}

/// The input with its cursor (the character under it reversed) in `room` columns.
pub(super) fn input_spans(input: &LineInput, room: usize) -> Vec<Span<'static>> {
    let (shown, at) = input.visible(room);
    let mut before = String::new();
    let mut used = 0;
    let mut rest = shown.chars();
    for c in rest.by_ref() {
        if used >= at {
            let after: String = rest.collect();
            return vec![
                Span::raw(before),
                Span::styled(c.to_string(), theme::cursor()),
                Span::raw(after),
            ];
        }
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        before.push(c);
    }
    vec![Span::raw(before), Span::styled(" ", theme::cursor())]
}

/// The prompt, drawn in the status bar; false when neither prompt is open. An error (a view
/// that does not exist) shows in place of the hints, so it is seen while typing.
pub fn render(app: &App, frame: &mut Frame, area: Rect) -> bool {
    let width = usize::from(area.width);
    let error = app
        .toast
        .as_ref()
        .filter(|t| t.error)
        .map(|t| t.text.as_str());
    let hint = |text: String| match error {
        Some(e) => Span::styled(format!("  {e}"), theme::failed()),
        None => Span::styled(text, theme::dim()),
    };
    let mut spans = match &app.popup {
        Some(Popup::Filter(input)) => {
            let mut spans = vec![Span::styled(" Filter: ", theme::header()), Span::raw(" ")];
            spans.extend(input_spans(input, width.saturating_sub(50).max(20)));
            spans.push(hint(
                "  Enter apply · Ctrl-s save as a view · Ctrl-d delete that view · Esc cancel · e.g. unreplied>3d owner:me".into(),
            ));
            spans
        }
        Some(Popup::SaveView(s)) => {
            let whom = if s.shared {
                "shared with everyone"
            } else {
                "yours alone"
            };
            let mut spans = vec![
                Span::styled(" Save view: ", theme::header()),
                Span::raw(" "),
            ];
            spans.extend(input_spans(&s.name, 30));
            spans.push(hint(format!(
                "  {whom} (Tab) · Enter save · Esc cancel · query: {}",
                fit(&s.query, width.saturating_sub(90))
            )));
            spans
        }
        _ => return false,
    };
    spans.retain(|s| !s.content.is_empty());
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    true
}
