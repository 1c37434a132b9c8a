//! A bulk send from the inbox: `Space` marks conversations in the list, `*` marks the whole
//! view (every conversation its filter selects, not only those loaded), `B` opens this popup:
//! an approved template to choose, then the preflight (how many receive it, who is skipped
//! and why), `Enter` to confirm; then the batch's progress, `u` taking it back during its
//! undo period (or stopping what has not gone), and the summary at the end. `Esc` closes the
//! popup while the batch goes on; `B` brings it back.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ratatui::{
    Frame,
    layout::Rect,
    text::Line,
    widgets::{Block, Borders, Paragraph},
};

use super::{Popup, moved};
use crate::{
    domain::{
        bulk::{Batch, Outcome, Preflight, Progress, Recipients, Stage},
        safe_text::neutralise,
        template::{Template, TemplateKind, TemplateStatus},
    },
    tui::{
        action::Action,
        app::{App, Command},
        format::fit,
        theme,
    },
};

/// What the list has marked for a bulk send.
#[derive(Debug, Default)]
pub struct Marks {
    pub ids: BTreeSet<u64>,
    /// The whole view: the filter it was marked under (`None`: every conversation).
    pub view: Option<Option<String>>,
}

impl Marks {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.view.is_none()
    }
}

/// A batch this inbox sent, followed until it ends.
#[derive(Debug, Clone)]
pub struct Watched {
    pub batch: Batch,
    pub progress: Progress,
    pub outcomes: Vec<Outcome>,
    /// When its progress was last asked for.
    pub asked_at: DateTime<Utc>,
}

#[derive(Debug)]
pub enum BulkPanel {
    /// Choosing the template: WhatsApp-approved ones only (none until they arrive).
    Choose {
        recipients: Recipients,
        marked: u64,
        templates: Option<Vec<Template>>,
        cursor: usize,
    },
    /// The preflight of the template chosen (none until it arrives).
    Preflight {
        recipients: Recipients,
        template: Template,
        preflight: Option<Box<Preflight>>,
    },
    /// Confirmed: the batch as `App::bulk` follows it.
    Sending,
}

/// How often a batch's progress is read while it goes.
const POLL_MS: i64 = 500;

impl App {
    /// `Space` in the list: marks the selected conversation (or unmarks it), and moves on.
    pub(in crate::tui) fn toggle_mark(&mut self, out: &mut Vec<Command>) {
        let Some(id) = self.list.selected_row().map(|c| c.id) else {
            return;
        };
        self.marks.view = None;
        if !self.marks.ids.remove(&id) {
            self.marks.ids.insert(id);
        }
        self.load_window_after(|l| l.move_by(1), out);
    }

    /// `*` in the list: marks every conversation of the view, or clears the marks.
    pub(in crate::tui) fn mark_view(&mut self) {
        if self.marks.is_empty() {
            self.marks.view = Some(self.filter.clone());
        } else {
            self.marks = Marks::default();
        }
    }

    /// Whether the list shows `id` as marked.
    pub fn marked(&self, id: u64) -> bool {
        self.marks.view.as_ref() == Some(&self.filter) || self.marks.ids.contains(&id)
    }

    /// How many are marked, as the list says it.
    pub fn marked_count(&self) -> u64 {
        match &self.marks.view {
            Some(f) if *f == self.filter => self.list.total,
            Some(_) => 0,
            None => self.marks.ids.len() as u64,
        }
    }

    /// `B` in the list: the batch being sent, else a bulk send of what is marked.
    pub(in crate::tui) fn open_bulk(&mut self, out: &mut Vec<Command>) {
        if self.bulk.as_ref().is_some_and(|w| !w.progress.done()) {
            self.popup = Some(Popup::Bulk(BulkPanel::Sending));
            return;
        }
        let recipients = match &self.marks.view {
            Some(filter) => Recipients::Filter {
                query: filter.clone().unwrap_or_default(),
            },
            None if !self.marks.ids.is_empty() => Recipients::Conversations {
                ids: self.marks.ids.iter().copied().collect(),
            },
            None => {
                self.info(
                    "Mark whom to send to first: Space marks a conversation, * the whole view.",
                );
                return;
            }
        };
        self.popup = Some(Popup::Bulk(BulkPanel::Choose {
            recipients,
            marked: self.marked_count(),
            templates: None,
            cursor: 0,
        }));
        out.push(Command::LoadTemplates);
    }

    /// The templates arrived: the approved WhatsApp ones may be chosen.
    pub(in crate::tui) fn bulk_templates(&mut self, all: &[Template]) {
        if let Some(Popup::Bulk(BulkPanel::Choose { templates, .. })) = self.popup.as_mut() {
            *templates = Some(
                all.iter()
                    .filter(|t| {
                        t.kind == TemplateKind::Whatsapp && t.status == TemplateStatus::Approved
                    })
                    .cloned()
                    .collect(),
            );
        }
    }

    pub(in crate::tui) fn bulk_preflight(&mut self, preflight: Box<Preflight>) {
        if let Some(Popup::Bulk(BulkPanel::Preflight {
            template,
            preflight: shown,
            ..
        })) = self.popup.as_mut()
            && template.name == preflight.template
        {
            *shown = Some(preflight);
        }
    }

    /// A batch's progress: followed until it ends, then summed up.
    pub(in crate::tui) fn bulk_progress(
        &mut self,
        batch: Batch,
        progress: Progress,
        outcomes: Vec<Outcome>,
    ) {
        let first = self.bulk.as_ref().is_none_or(|w| w.batch.id != batch.id);
        if first {
            // Sent: the marks did their work.
            self.marks = Marks::default();
            if let Some(Popup::Bulk(p)) = self.popup.as_mut() {
                *p = BulkPanel::Sending;
            }
        }
        let ended = progress.done() && self.bulk.as_ref().is_some_and(|w| !w.progress.done());
        if ended && !matches!(self.popup, Some(Popup::Bulk(_))) {
            self.info(format!(
                "Bulk send of {}: {}.",
                neutralise(&batch.template, false),
                progress.sentence()
            ));
        }
        self.bulk = Some(Watched {
            batch,
            progress,
            outcomes,
            asked_at: self.now,
        });
    }

    /// On each tick: the progress of a batch still going, every half second.
    pub(in crate::tui) fn poll_bulk(&mut self, out: &mut Vec<Command>) {
        if let Some(w) = self.bulk.as_mut()
            && !w.progress.done()
            && (self.now - w.asked_at).num_milliseconds() >= POLL_MS
        {
            w.asked_at = self.now;
            out.push(Command::LoadBatch { id: w.batch.id });
        }
    }

    pub(super) fn bulk_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(Popup::Bulk(panel)) = self.popup.take() else {
            return;
        };
        let panel = match (panel, action) {
            (BulkPanel::Choose { .. } | BulkPanel::Sending, Action::Back) => return,
            (
                BulkPanel::Choose {
                    recipients,
                    marked,
                    templates,
                    cursor,
                },
                Action::Down | Action::Up,
            ) => {
                let len = templates.as_ref().map_or(0, Vec::len);
                let delta = if action == Action::Down { 1 } else { -1 };
                BulkPanel::Choose {
                    recipients,
                    marked,
                    templates,
                    cursor: moved(cursor, delta, len),
                }
            }
            (
                BulkPanel::Choose {
                    recipients,
                    templates: Some(templates),
                    cursor,
                    ..
                },
                Action::Send,
            ) if cursor < templates.len() => {
                let template = templates[cursor].clone();
                out.push(Command::BulkPreflight {
                    template: template.name.clone(),
                    language: template.language.clone(),
                    recipients: recipients.clone(),
                });
                BulkPanel::Preflight {
                    recipients,
                    template,
                    preflight: None,
                }
            }
            (BulkPanel::Preflight { recipients, .. }, Action::Back) => {
                out.push(Command::LoadTemplates);
                BulkPanel::Choose {
                    marked: self.marked_count(),
                    recipients,
                    templates: None,
                    cursor: 0,
                }
            }
            (
                BulkPanel::Preflight {
                    recipients,
                    template,
                    preflight: Some(p),
                },
                Action::Send,
            ) if !p.send.is_empty() => {
                out.push(Command::BulkSend {
                    template: template.name,
                    language: template.language,
                    recipients,
                });
                BulkPanel::Sending
            }
            (BulkPanel::Sending, Action::Undo) => {
                if let Some(w) = self.bulk.as_ref().filter(|w| !w.progress.done()) {
                    out.push(Command::CancelBatch { id: w.batch.id });
                }
                BulkPanel::Sending
            }
            (panel, _) => panel,
        };
        self.popup = Some(Popup::Bulk(panel));
    }
}

pub fn render(app: &App, panel: &BulkPanel, frame: &mut Frame, area: Rect) {
    let width = 76.min(area.width.saturating_sub(4));
    let height = 20.min(area.height.saturating_sub(2)).max(8);
    let popup = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, popup);
    let room = usize::from(width).saturating_sub(4);
    let rows = usize::from(height).saturating_sub(4);
    let (title, lines, keys) = match panel {
        BulkPanel::Choose {
            marked,
            templates,
            cursor,
            ..
        } => choose_lines(*marked, templates.as_deref(), *cursor, room, rows),
        BulkPanel::Preflight {
            template,
            preflight,
            ..
        } => preflight_lines(template, preflight.as_deref(), room, rows),
        BulkPanel::Sending => sending_lines(app, room, rows),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(title)
        .title_bottom(keys);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

type Drawn = (String, Vec<Line<'static>>, &'static str);

fn choose_lines(
    marked: u64,
    templates: Option<&[Template]>,
    cursor: usize,
    room: usize,
    rows: usize,
) -> Drawn {
    let title = format!(" Bulk send to {marked} marked: which template? ");
    let mut lines = Vec::new();
    match templates {
        None => lines.push(Line::styled("Loading the templates…", theme::dim())),
        Some([]) => lines.push(Line::raw(
            "No template is approved by WhatsApp yet: a bulk send goes with approved ones only (T manages them).",
        )),
        Some(ts) => {
            let skip = cursor.saturating_sub(rows.saturating_sub(1));
            for (i, t) in ts.iter().enumerate().skip(skip).take(rows) {
                let mut parts = vec![neutralise(&t.name, false).into_owned(), t.language.clone()];
                parts.extend(t.category.map(|c| c.wire().to_lowercase()));
                parts.push(neutralise(&t.body, false).replace('\n', " "));
                let text = fit(&parts.join(" · "), room.saturating_sub(2));
                lines.push(if i == cursor {
                    Line::styled(format!("> {text}"), theme::selected())
                } else {
                    Line::raw(format!("  {text}"))
                });
            }
        }
    }
    (
        title,
        lines,
        " ↑↓ choose · Enter see who gets it · Esc cancel ",
    )
}

fn preflight_lines(
    template: &Template,
    preflight: Option<&Preflight>,
    room: usize,
    rows: usize,
) -> Drawn {
    let title = format!(
        " Bulk send of {} ",
        fit(&neutralise(&template.name, false), 40)
    );
    let Some(p) = preflight else {
        return (
            title,
            vec![Line::styled("Checking each recipient…", theme::dim())],
            " Esc back ",
        );
    };
    let mut lines = vec![
        Line::styled(
            format!(
                "{} will receive it · {} skipped",
                p.send.len(),
                p.skipped.len()
            ),
            theme::key(),
        ),
        Line::raw(""),
    ];
    for s in p.skipped.iter().take(rows.saturating_sub(4)) {
        let who = if s.name.is_empty() {
            neutralise(&s.to, false).into_owned()
        } else {
            neutralise(&s.name, false).into_owned()
        };
        lines.push(Line::styled(
            fit(
                &format!("skipped {who}: {}", neutralise(&s.reason, false)),
                room,
            ),
            theme::dim(),
        ));
    }
    if p.skipped.len() > rows.saturating_sub(4) {
        lines.push(Line::styled(
            format!(
                "and {} more skipped",
                p.skipped.len() - rows.saturating_sub(4)
            ),
            theme::dim(),
        ));
    }
    if p.send.is_empty() {
        lines.push(Line::raw("Nobody to send it to."));
        return (title, lines, " Esc back ");
    }
    lines.push(Line::raw(""));
    if let Some(cost) = &p.cost {
        let style = if cost.total > cost.balance {
            theme::failed()
        } else {
            theme::key()
        };
        lines.push(Line::styled(fit(&cost.sentence(), room), style));
    }
    lines.push(Line::raw(
        "Nothing leaves for a few seconds after you confirm: u takes it back.",
    ));
    (title, lines, " Enter send it · Esc back ")
}

fn sending_lines(app: &App, room: usize, rows: usize) -> Drawn {
    let Some(w) = app.bulk.as_ref() else {
        return (
            " Bulk send ".into(),
            vec![Line::styled("Storing the batch…", theme::dim())],
            " Esc close ",
        );
    };
    let p = &w.progress;
    let title = format!(
        " Bulk send {} of {} ",
        w.batch.id,
        fit(&neutralise(&w.batch.template, false), 40)
    );
    let (settled, total) = p.settled();
    let bar_width = room.saturating_sub(14).max(10);
    let filled = (settled * bar_width)
        .checked_div(total)
        .unwrap_or(bar_width);
    let mut lines = vec![
        Line::styled(
            format!(
                "[{}{}] {settled}/{total}",
                "█".repeat(filled),
                "░".repeat(bar_width - filled)
            ),
            theme::good(),
        ),
        Line::raw(p.sentence()),
        Line::raw(""),
    ];
    let starts_in = (w.batch.starts_at - app.now).num_seconds();
    let keys = if p.done() {
        lines.push(Line::styled("Done.", theme::key()));
        " Esc close "
    } else if starts_in > 0 && p.waiting > 0 {
        lines.push(Line::styled(
            format!("Starts in {starts_in} s: u takes it back, nothing sent."),
            theme::key(),
        ));
        " u undo · Esc close (it goes on) "
    } else {
        " u stop what has not gone · Esc close (it goes on) "
    };
    for o in w
        .outcomes
        .iter()
        .filter(|o| o.stage == Stage::Failed)
        .take(rows.saturating_sub(5))
    {
        lines.push(Line::styled(
            fit(
                &format!(
                    "failed {}: {}",
                    neutralise(&o.to, false),
                    neutralise(o.reason.as_deref().unwrap_or("no reason given"), false)
                ),
                room,
            ),
            theme::failed(),
        ));
    }
    (title, lines, keys)
}
