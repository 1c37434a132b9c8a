//! How the bulk send's popup is drawn: the templates to choose from, the preflight, the
//! batch's progress and its summary.

use ratatui::{
    Frame,
    layout::Rect,
    text::Line,
    widgets::{Block, Borders, Paragraph},
};

use super::BulkPanel;
use crate::{
    domain::{
        bulk::{Preflight, Stage},
        safe_text::neutralise,
        template::Template,
    },
    tui::{app::App, format::fit, theme},
};

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
