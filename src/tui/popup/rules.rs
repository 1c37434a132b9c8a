//! `W`: the workflow rules (what fires each, what it does, on or off) and the last runs of
//! the one under the cursor; an admin turns one on or off with Space. Rules are written in
//! TOML with `hirechat rules create --file F`.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph},
};

use super::{Popup, moved};
use crate::{
    domain::{
        rule::{LogEntry, Rule},
        safe_text::neutralise,
    },
    tui::{
        action::Action,
        app::{App, Command, Input},
        format::fit,
        theme,
    },
};

/// Runs shown for the rule under the cursor.
pub const LAST_RUNS: usize = 8;

#[derive(Debug, Default)]
pub struct RulesPanel {
    pub cursor: usize,
    /// None until they arrive.
    pub rules: Option<Vec<Rule>>,
    /// The last runs of the rule named, newest first.
    pub log: Option<(String, Vec<LogEntry>)>,
}

impl RulesPanel {
    fn selected(&self) -> Option<&Rule> {
        self.rules.as_ref()?.get(self.cursor)
    }
}

impl App {
    pub(in crate::tui) fn open_rules(&mut self, out: &mut Vec<Command>) {
        self.popup = Some(Popup::Rules(RulesPanel::default()));
        out.push(Command::LoadRules);
    }

    fn rules_mut(&mut self) -> Option<&mut RulesPanel> {
        match self.popup.as_mut() {
            Some(Popup::Rules(p)) => Some(p),
            _ => None,
        }
    }

    pub(in crate::tui) fn rules_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let admin = self.is_admin();
        let Some(panel) = self.rules_mut() else {
            return;
        };
        let len = panel.rules.as_ref().map_or(0, Vec::len);
        match action {
            Action::Down | Action::Up => {
                let delta = if action == Action::Down { 1 } else { -1 };
                panel.cursor = moved(panel.cursor, delta, len);
                if let Some(r) = panel.selected() {
                    out.push(Command::RuleLog {
                        name: r.rule.name.clone(),
                    });
                }
            }
            Action::Toggle => {
                let Some(r) = panel.selected() else {
                    return;
                };
                let (name, enabled) = (r.rule.name.clone(), !r.rule.enabled);
                if admin {
                    out.push(Command::EnableRule { name, enabled });
                } else {
                    self.error("Rules are for admins: ask one to turn it on or off.".into());
                }
            }
            Action::Back => self.close_popup(),
            _ => {}
        }
    }

    /// The rules, a rule turned on or off, or a rule's last runs, for the open panel.
    pub(in crate::tui) fn rules_input(&mut self, input: Input, out: &mut Vec<Command>) {
        let Some(panel) = self.rules_mut() else {
            return;
        };
        match input {
            Input::Rules(rules) => {
                panel.cursor = panel.cursor.min(rules.len().saturating_sub(1));
                panel.rules = Some(rules);
                if let Some(r) = panel.selected() {
                    out.push(Command::RuleLog {
                        name: r.rule.name.clone(),
                    });
                }
            }
            Input::RuleChanged(rule) => {
                let on = if rule.rule.enabled { "on" } else { "off" };
                let name = rule.rule.name.clone();
                if let Some(r) = panel.rules.iter_mut().flatten().find(|r| r.id == rule.id) {
                    *r = *rule;
                }
                self.info(format!("Rule {} is {on}", neutralise(&name, false)));
            }
            Input::RuleLog { name, entries } => panel.log = Some((name, entries)),
            _ => {}
        }
    }
}

pub fn render(app: &App, panel: &RulesPanel, frame: &mut Frame, area: Rect) {
    let width = 120.min(area.width.saturating_sub(4));
    let room = usize::from(width).saturating_sub(4);
    let mut lines: Vec<Line> = Vec::new();
    match &panel.rules {
        None => lines.push(Line::styled("Loading…", theme::dim())),
        Some(rules) if rules.is_empty() => lines.push(Line::styled(
            "No rules yet: write one in TOML and load it with `hirechat rules create --file RULE.toml`.",
            theme::dim(),
        )),
        Some(rules) => {
            for (i, r) in rules.iter().enumerate() {
                let on = if r.rule.enabled { "on " } else { "off" };
                let text = format!(
                    "{:<26} {on}  {}  (by {})",
                    r.rule.name,
                    r.rule.summary(),
                    r.author
                );
                let text = fit(&neutralise(&text, false), room.saturating_sub(2));
                lines.push(if i == panel.cursor {
                    Line::styled(format!("> {text}"), theme::selected())
                } else if r.rule.enabled {
                    Line::raw(format!("  {text}"))
                } else {
                    Line::styled(format!("  {text}"), theme::dim())
                });
            }
        }
    }
    let selected = panel.selected().map(|r| r.rule.name.as_str());
    if let Some(name) = selected {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            format!("Last runs of {}", neutralise(name, false)),
            theme::header(),
        )));
        match &panel.log {
            Some((of, entries)) if of == name && entries.is_empty() => {
                lines.push(Line::styled("  Nothing yet.", theme::dim()));
            }
            Some((of, entries)) if of == name => {
                for e in entries.iter().take(LAST_RUNS) {
                    let text = entry_line(app, e);
                    lines.push(Line::raw(format!(
                        "  {}",
                        fit(&text, room.saturating_sub(2))
                    )));
                }
            }
            _ => lines.push(Line::styled("  Loading…", theme::dim())),
        }
    }
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let height = (rows + 2).clamp(3, area.height.saturating_sub(2).max(3));
    let popup = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Workflow rules ")
        .title_bottom(" ↑↓ choose · Space turn on/off (admins) · Esc close ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// A run: when (in the user's zone), the record, what happened.
fn entry_line(app: &App, e: &LogEntry) -> String {
    let when = e.at.with_timezone(&app.tz).format("%a %-d %b %H:%M");
    let sentence = e.sentence();
    // The sentence starts with the time in UTC: the user's own is shown instead.
    let what = sentence
        .split_once(" UTC ")
        .map_or(sentence.as_str(), |(_, w)| w);
    neutralise(&format!("{when}  {what}"), false).into_owned()
}
