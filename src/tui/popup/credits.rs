//! `$`: the credits (admins) — the balance, this month's spend by day as a small chart and by
//! category, the newest ledger entries. The header warns an admin while the balance is below
//! `[credits] low_balance`; it follows the balance as it moves (at most every few seconds).

use chrono::{DateTime, Datelike, Duration, Utc};
use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::Line,
    widgets::{Block, Borders, Paragraph, Sparkline},
};

use super::Popup;
use crate::{
    domain::{credits::LedgerEntry, money::Money, safe_text::neutralise},
    engine::api::UsageRow,
    tui::{
        action::Action,
        app::{App, Command, Input},
        format::fit,
        theme,
    },
};

/// How often the header's balance is read again while it moves.
const FOLLOW_EVERY_SECS: i64 = 3;
/// Ledger entries the panel shows.
pub const ENTRIES: usize = 8;

/// The balance as the engine last said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditsView {
    pub balance: Money,
    pub currency: String,
    pub low: bool,
    pub recharged_this_month: Money,
    pub entries: Vec<LedgerEntry>,
}

/// A month's spend by one dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageView {
    pub month: String,
    pub by: crate::domain::credits::By,
    pub rows: Vec<UsageRow>,
    pub total: Money,
    pub messages: u64,
}

#[derive(Debug, Default)]
pub struct CreditsPanel {
    pub view: Option<CreditsView>,
    pub by_day: Option<UsageView>,
    pub by_category: Option<UsageView>,
}

/// What the header knows of the credits (admins).
#[derive(Debug, Default)]
pub struct CreditsWatch {
    /// "credits low: 3.20 EUR", while the balance is low.
    pub low: Option<String>,
    /// The balance moved since it was last read.
    stale: bool,
    read_at: Option<DateTime<Utc>>,
}

impl App {
    pub(in crate::tui) fn open_credits(&mut self, out: &mut Vec<Command>) {
        if !self.is_admin() {
            self.error("Credits are for admins: ask one about the balance.".into());
            return;
        }
        self.popup = Some(Popup::Credits(CreditsPanel::default()));
        out.push(Command::LoadCredits { limit: ENTRIES });
        for by in [
            crate::domain::credits::By::Day,
            crate::domain::credits::By::Category,
        ] {
            out.push(Command::LoadUsage { by });
        }
    }

    pub(in crate::tui) fn credits_act(&mut self, action: Action) {
        if action == Action::Back {
            self.close_popup();
        }
    }

    /// The balance moved (an admin's header follows it, a few seconds at most behind).
    pub(in crate::tui) fn balance_moved(&mut self) {
        self.credits.stale = true;
    }

    /// On the clock: the balance read again when it moved and a while passed.
    pub(in crate::tui) fn follow_balance(&mut self, out: &mut Vec<Command>) {
        let due = self
            .credits
            .read_at
            .is_none_or(|at| self.now - at >= Duration::seconds(FOLLOW_EVERY_SECS));
        if self.credits.stale && due && self.is_admin() {
            self.credits.stale = false;
            self.credits.read_at = Some(self.now);
            out.push(Command::LoadCredits { limit: 0 });
        }
    }

    pub(in crate::tui) fn credits_input(&mut self, input: Input) {
        match input {
            Input::Credits(view) => {
                self.credits.low = view
                    .low
                    .then(|| format!("⚠ credits low: {} {}", view.balance, view.currency));
                if let Some(Popup::Credits(p)) = self.popup.as_mut() {
                    // The header's reads carry no entries: the panel keeps its own.
                    if !view.entries.is_empty() || p.view.is_none() {
                        p.view = Some(*view);
                    } else if let Some(shown) = &mut p.view {
                        shown.balance = view.balance;
                        shown.low = view.low;
                    }
                }
            }
            Input::Usage(usage) => {
                if let Some(Popup::Credits(p)) = self.popup.as_mut() {
                    match usage.by {
                        crate::domain::credits::By::Day => p.by_day = Some(*usage),
                        _ => p.by_category = Some(*usage),
                    }
                }
            }
            _ => {}
        }
    }
}

pub fn render(app: &App, panel: &CreditsPanel, frame: &mut Frame, area: Rect) {
    let width = 100.min(area.width.saturating_sub(4));
    let height = 22.min(area.height.saturating_sub(2));
    let popup = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Credits ")
        .title_bottom(" Esc close · hirechat credits add AMOUNT · hirechat usage --by user ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let Some(view) = &panel.view else {
        frame.render_widget(Paragraph::new("Loading…").style(theme::dim()), inner);
        return;
    };
    let [top, chart, bottom] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(3),
        Constraint::Min(1),
    ])
    .areas(inner);
    let room = usize::from(inner.width);
    let cur = &view.currency;
    let mut lines = vec![Line::styled(
        format!(
            "Balance {} {cur}{}",
            view.balance,
            if view.low { "  ⚠ low" } else { "" }
        ),
        if view.low {
            theme::failed()
        } else {
            theme::key()
        },
    )];
    if view.recharged_this_month.is_positive() {
        lines.push(Line::raw(format!(
            "Auto-recharged this month: {} {cur}",
            view.recharged_this_month
        )));
    }
    if let Some(day) = &panel.by_day {
        lines.push(Line::raw(format!(
            "{}: {} {cur} on {} messages",
            day.month, day.total, day.messages
        )));
    }
    if let Some(cat) = &panel.by_category {
        let parts: Vec<String> = cat
            .rows
            .iter()
            .map(|r| format!("{} {} ({})", r.value, r.amount, r.messages))
            .collect();
        if !parts.is_empty() {
            lines.push(Line::raw(fit(
                &format!("By category: {}", parts.join(" · ")),
                room,
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines), top);
    let days = panel
        .by_day
        .as_ref()
        .map(|d| per_day(d, app.now))
        .unwrap_or_default();
    let spark = Sparkline::default()
        .block(Block::default().title("This month, by day"))
        .data(&days)
        .style(theme::key());
    frame.render_widget(spark, chart);
    let mut entries = vec![Line::styled("Last entries", theme::header())];
    for e in &view.entries {
        let when = e.at.with_timezone(&app.tz).format("%a %-d %b %H:%M");
        let text = format!("{when}  {}", neutralise(&e.entry.sentence(), false));
        entries.push(Line::raw(fit(&text, room)));
    }
    if view.entries.is_empty() {
        entries.push(Line::styled(
            "Nothing yet: `hirechat credits add AMOUNT`.",
            theme::dim(),
        ));
    }
    frame.render_widget(Paragraph::new(entries), bottom);
}

/// The month's spend for each day so far, in millionths (the chart's bars).
fn per_day(usage: &UsageView, now: DateTime<Utc>) -> Vec<u64> {
    let days = if usage.month == now.format("%Y-%m").to_string() {
        now.day()
    } else {
        31
    };
    (1..=days)
        .map(|d| {
            let key = format!("{}-{d:02}", usage.month);
            usage
                .rows
                .iter()
                .find(|r| r.value == key)
                .map_or(0, |r| r.amount.0.unsigned_abs())
        })
        .collect()
}
