//! A bulk send from the inbox: `Space` marks conversations in the list, `*` marks the whole
//! view (every conversation its filter selects, not only those loaded), `B` opens this popup:
//! an approved template to choose, then the preflight (how many receive it, who is skipped
//! and why), `Enter` to confirm; then the batch's progress, `u` taking it back during its
//! undo period (or stopping what has not gone), and the summary at the end. `Esc` closes the
//! popup while the batch goes on; `B` brings it back.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

mod view;

pub use view::render;

use super::{Popup, moved};
use crate::{
    domain::{
        bulk::{Batch, Outcome, Preflight, Progress, Recipients},
        safe_text::neutralise,
        template::{Template, TemplateKind, TemplateStatus},
    },
    tui::{
        action::Action,
        app::{App, Command},
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
