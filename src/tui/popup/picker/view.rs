//! `t`: the templates that can be sent now, filtered as the recruiter types, with the selected
//! one filled in for this contact; fields without a value are shown in red.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph, Wrap},
};

use super::Picker;
use crate::{
    domain::{merge_source::Choice, safe_text::neutralise, template::TemplateKind},
    tui::{app::App, format::fit, theme},
};

pub fn render(app: &App, picker: &Picker, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(8).min(100);
    let height = area.height.saturating_sub(4).min(24);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let window = if app.window_open() {
        Span::styled("window open: approved and custom templates", theme::good())
    } else {
        Span::styled("window closed: approved templates only", theme::bad())
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(Line::from(vec![
            Span::raw(" Templates · "),
            window,
            Span::raw(" "),
        ]))
        .title_bottom(if picker.confirming {
            Line::styled(
                format!(
                    " Send this to {}? Enter send · Esc not yet ",
                    fit(
                        &neutralise(
                            &app.chat
                                .as_ref()
                                .map_or_else(String::new, |c| c.conversation.name.clone()),
                            false
                        ),
                        30
                    )
                ),
                theme::key(),
            )
        } else {
            Line::raw(" type to filter · ↑/↓ choose · Enter look, then send · Esc close ")
        });
    let inner = block.inner(popup);
    crate::tui::view::clear(frame, popup);
    frame.render_widget(block, popup);
    let [query, list, preview] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(7),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Filter: ", theme::dim()),
            Span::raw(fit(
                &picker.query,
                usize::from(query.width).saturating_sub(9),
            )),
            Span::styled("▏", theme::key()),
        ])),
        query,
    );
    if !picker.loaded {
        frame.render_widget(Paragraph::new("Loading…").style(theme::dim()), list);
        return;
    }
    let shown = picker.shown();
    if shown.is_empty() {
        let text = if picker.templates.is_empty() {
            "No template can be sent here now. An admin creates them with `hirechat templates create`; approved ones can be sent at any time."
        } else {
            "No template matches the filter."
        };
        crate::tui::view::note(frame, list, text);
        return;
    }
    list_rows(picker, &shown, frame, list);
    preview_pane(picker, frame, preview);
    if let Some((choice, at)) = picker.choice() {
        choose_popup(choice, at, frame, popup);
    }
}

/// Which of several values to use: two interviews, two job openings….
fn choose_popup(choice: &Choice, at: usize, frame: &mut Frame, over: Rect) {
    let rows = u16::try_from(choice.options.len()).unwrap_or(u16::MAX);
    let width = over.width.saturating_sub(6);
    let height = rows.saturating_add(2).min(over.height.saturating_sub(2));
    let area = Rect::new(
        over.x + (over.width - width) / 2,
        over.y + (over.height - height) / 2,
        width,
        height,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(format!(" Which of the {}? ", choice.module))
        .title_bottom(" ↑/↓ choose · Enter use · Esc back ");
    let inner = block.inner(area);
    crate::tui::view::clear(frame, area);
    frame.render_widget(block, area);
    let visible = usize::from(inner.height).max(1);
    let top = at.saturating_sub(visible - 1);
    let w = usize::from(inner.width).saturating_sub(1);
    let lines: Vec<Line> = choice
        .options
        .iter()
        .enumerate()
        .skip(top)
        .take(visible)
        .map(|(i, o)| {
            let text = format!(" {}", fit(&neutralise(&o.label, false), w));
            if i == at {
                Line::styled(text, theme::selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn list_rows(
    picker: &Picker,
    shown: &[&crate::domain::template::Template],
    frame: &mut Frame,
    list: Rect,
) {
    let rows = usize::from(list.height);
    let top = picker.selected.saturating_sub(rows.saturating_sub(1));
    let w = usize::from(list.width);
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, t)| {
            let kind = match t.kind {
                TemplateKind::Whatsapp => format!("approved · {}", t.language),
                TemplateKind::Custom => "custom".to_owned(),
            };
            let style = if i == picker.selected {
                theme::selected()
            } else {
                ratatui::style::Style::new()
            };
            let name = fit(&t.name, w.saturating_sub(kind.len() + 3));
            let gap = w.saturating_sub(
                crate::tui::format::width(&name) + crate::tui::format::width(&kind) + 1,
            );
            Line::from(vec![
                Span::styled(format!(" {name}{}", " ".repeat(gap)), style),
                Span::styled(kind, style.patch(theme::dim())),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

fn preview_pane(picker: &Picker, frame: &mut Frame, preview: Rect) {
    let preview_block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme::border())
        .title(" Preview ");
    let preview_inner = preview_block.inner(preview);
    frame.render_widget(preview_block, preview);
    let Some(shown) = picker.current_preview() else {
        frame.render_widget(Paragraph::new("…").style(theme::dim()), preview_inner);
        return;
    };
    let (filled, refusal) = (&shown.filled, &shown.refusal);
    let mut lines = vec![Line::raw(
        crate::domain::safe_text::neutralise(&filled.text, false).into_owned(),
    )];
    let open: Vec<String> = shown
        .choices
        .iter()
        .filter(|c| c.picked.is_none())
        .map(|c| format!("{} ({})", c.module, c.options.len()))
        .collect();
    if !open.is_empty() {
        lines.push(Line::styled(
            format!(
                "Several values for {}: Enter to choose which one.",
                open.join(", ")
            ),
            theme::key(),
        ));
    } else if !filled.missing.is_empty() {
        let names: Vec<String> = filled.missing.iter().map(ToString::to_string).collect();
        lines.push(Line::styled(
            format!(
                "No value for {}: it cannot be sent until they are filled in.",
                names.join(", ")
            ),
            theme::failed(),
        ));
    }
    if let Some(why) = refusal {
        lines.push(Line::styled(why.clone(), theme::failed()));
    }
    if let Some(price) = &shown.price {
        lines.push(Line::styled(format!("Cost: {price}"), theme::dim()));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        preview_inner,
    );
}
