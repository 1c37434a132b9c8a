//! `T`: the template manager. The list shows every template with its kind, language and
//! WhatsApp status (with the reason of a rejection); `a` opens the form, whose body opens the
//! merge-field picker on `#`.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::Style,
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph, Wrap},
};

use super::{FormField, TemplateForm, TemplateManager};
use crate::{
    domain::{
        merge::MODULES,
        safe_text::neutralise,
        template::{Category, Module, Template, TemplateKind, TemplateStatus},
    },
    tui::{
        format::{fit, width},
        theme,
    },
};

pub fn render(m: &TemplateManager, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(6).min(120);
    let h = area.height.saturating_sub(2);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
    crate::tui::view::clear(frame, popup);
    match &m.form {
        Some(f) => form(f, m.templates.len(), frame, popup),
        None => list(m, frame, popup),
    }
}

fn status_style(t: &Template) -> Style {
    match t.status {
        TemplateStatus::Approved | TemplateStatus::Active => theme::good(),
        TemplateStatus::Pending => theme::key(),
        _ => theme::failed(),
    }
}

fn list(m: &TemplateManager, frame: &mut Frame, popup: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(format!(
            " Templates ({} of at most 100) ",
            m.templates.len()
        ))
        .title_bottom(" a new · e edit · d delete · ↑/↓ choose · Esc close ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [rows_area, detail] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(7)]).areas(inner);
    if !m.loaded {
        frame.render_widget(Paragraph::new("Loading…").style(theme::dim()), rows_area);
        return;
    }
    if m.templates.is_empty() {
        frame.render_widget(
            Paragraph::new("No templates yet: a creates one.").style(theme::dim()),
            rows_area,
        );
        return;
    }
    let room = usize::from(rows_area.width);
    let visible = usize::from(rows_area.height);
    let top = m.selected.saturating_sub(visible.saturating_sub(1));
    let lines: Vec<Line> = m
        .templates
        .iter()
        .enumerate()
        .skip(top)
        .take(visible)
        .map(|(i, t)| row(t, i == m.selected, room))
        .collect();
    frame.render_widget(Paragraph::new(lines), rows_area);
    if let Some(t) = m.selected_template() {
        let mut lines = vec![Line::raw(neutralise(&t.body, false).into_owned())];
        if let Some(r) = &t.reason {
            lines.push(Line::styled(
                format!("WhatsApp: {}", neutralise(r, false)),
                theme::failed(),
            ));
        }
        if m.confirm_delete {
            let where_ = if t.kind == TemplateKind::Whatsapp {
                " here and on WhatsApp"
            } else {
                ""
            };
            lines.push(Line::styled(
                format!(
                    "Delete {}{where_}? y deletes, any other key keeps it.",
                    neutralise(&t.name, false)
                ),
                theme::error_toast(),
            ));
        }
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme::border());
        let text = block.inner(detail);
        frame.render_widget(block, detail);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    }
}

fn row(t: &Template, selected: bool, room: usize) -> Line<'static> {
    let base = if selected {
        theme::selected()
    } else {
        Style::new()
    };
    let kind = match t.kind {
        TemplateKind::Whatsapp => {
            let category = t.category.map(|c| match c {
                Category::Utility => "utility",
                Category::Marketing => "marketing",
                Category::Authentication => "authentication",
            });
            [Some("approved-type"), Some(t.language.as_str()), category]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ")
        }
        TemplateKind::Custom => "custom".to_owned(),
    };
    let module = match t.module {
        Module::Candidates => "candidates",
        Module::Contacts => "contacts",
    };
    let status = t.status.as_str();
    let right = format!("{kind} · {module}  ");
    let name = fit(
        &neutralise(&t.name, false),
        room.saturating_sub(width(&right) + width(status) + 2),
    );
    let gap = room.saturating_sub(1 + width(&name) + width(&right) + width(status));
    Line::from(vec![
        Span::styled(format!(" {name}{}", " ".repeat(gap)), base),
        Span::styled(right, base.patch(theme::dim())),
        Span::styled(status.to_owned(), base.patch(status_style(t))),
    ])
}

fn form(f: &TemplateForm, existing: usize, frame: &mut Frame, popup: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(if f.editing {
            " Edit the template's body "
        } else {
            " New template "
        })
        .title_bottom(" Tab next field · ←/→ change · # merge field · Ctrl-s save · Esc cancel ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [fields, body, problem] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(inner);
    let whatsapp = f.kind == TemplateKind::Whatsapp;
    let value = |field: FormField| -> String {
        match field {
            FormField::Kind => if whatsapp {
                "approved by WhatsApp (opens conversations; reviewed first)"
            } else {
                "custom (inside the 24-hour window only; no review)"
            }
            .to_owned(),
            FormField::Module => match f.module {
                Module::Candidates => "Candidates".to_owned(),
                Module::Contacts => "Contacts".to_owned(),
            },
            FormField::Name => f.name.clone(),
            FormField::Language => f.language.clone(),
            FormField::Category => f.category.wire().to_lowercase(),
            FormField::Body => String::new(),
        }
    };
    let mut lines = Vec::new();
    for field in [
        FormField::Kind,
        FormField::Module,
        FormField::Name,
        FormField::Language,
        FormField::Category,
    ] {
        if !whatsapp && matches!(field, FormField::Language | FormField::Category) {
            continue;
        }
        let here = f.field == field;
        let label = Span::styled(
            format!("{:>9}: ", field.label()),
            if here { theme::key() } else { theme::dim() },
        );
        let mut text = neutralise(&value(field), false).into_owned();
        if here && field.is_choice() {
            text = format!("‹ {text} ›");
        }
        let cursor = if here && !field.is_choice() {
            "▏"
        } else {
            ""
        };
        lines.push(Line::from(vec![
            label,
            Span::raw(text),
            Span::styled(cursor, theme::key()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), fields);
    let body_block = Block::default()
        .borders(Borders::TOP)
        .border_style(if f.field == FormField::Body {
            theme::focused_border()
        } else {
            theme::border()
        })
        .title(" Body: # inserts a merge field ");
    let body_inner = body_block.inner(body);
    frame.render_widget(body_block, body);
    frame.render_widget(&f.body, body_inner);
    let (text, style) = match (&f.error, f.problem(existing)) {
        (Some(e), _) => (e.clone(), theme::failed()),
        (None, Some(p)) => (p, theme::dim()),
        (None, None) if f.saving => ("Saving…".to_owned(), theme::dim()),
        (None, None) => ("Ready: Ctrl-s saves.".to_owned(), theme::good()),
    };
    frame.render_widget(
        Paragraph::new(neutralise(&text, false).into_owned())
            .style(style)
            .wrap(Wrap { trim: true }),
        problem,
    );
    if let Some((module, field)) = f.fields_popup {
        fields_popup(module, field, frame, body);
    }
}

/// `#`: the merge fields, one tab per module.
fn fields_popup(module: usize, field: usize, frame: &mut Frame, over: Rect) {
    let (_, names) = MODULES[module];
    let h = u16::try_from(names.len() + 5)
        .unwrap_or(u16::MAX)
        .min(over.height);
    let area = Rect::new(over.x + 2, over.y, over.width.saturating_sub(4), h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Merge fields ")
        .title_bottom(" ←/→ module · ↑/↓ field · Enter insert · Esc a plain # ");
    let inner = block.inner(area);
    crate::tui::view::clear(frame, area);
    frame.render_widget(block, area);
    let tabs: Vec<Span> = MODULES
        .iter()
        .enumerate()
        .flat_map(|(i, (m, _))| {
            let style = if i == module {
                theme::selected()
            } else {
                theme::dim()
            };
            [Span::styled(format!(" {m} "), style), Span::raw(" ")]
        })
        .collect();
    let mut lines = vec![Line::from(tabs), Line::raw("")];
    for (i, name) in names.iter().enumerate() {
        let text = format!(" ${{{}.{name}}}", MODULES[module].0);
        lines.push(if i == field {
            Line::styled(text, theme::selected())
        } else {
            Line::raw(text)
        });
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
