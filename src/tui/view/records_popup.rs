//! `c`: candidates and contacts, searched as the recruiter types; `Enter` opens the selected
//! one's conversation. Names and fields come from imports: they are shown neutralised.

use ratatui::{
    Frame,
    layout::Rect,
    style::Style,
    text::{Line, Span},
    widgets::Paragraph,
};

use crate::{
    domain::{
        record::{Record, RecordKind},
        safe_text::neutralise,
    },
    tui::{
        format::{fit, width},
        records_state::RecordsPanel,
        theme,
    },
};

pub fn render(panel: &RecordsPanel, frame: &mut Frame, area: Rect) {
    let count = if panel.loading {
        "…".to_owned()
    } else {
        panel.total.to_string()
    };
    let list = super::query_popup(
        frame,
        area,
        &format!(" Candidates and contacts ({count}) "),
        " type to search · ↑/↓ choose · Enter open the conversation · Esc close ",
        Span::styled("Search: ", theme::dim()),
        &panel.query,
    );
    if panel.records.is_empty() {
        let text = if panel.loading {
            "Searching…"
        } else if panel.query.is_empty() {
            "No candidates or contacts yet: `hirechat import candidates FILE.csv` brings them in."
        } else {
            "Nobody matches: search by name, email, mobile or owner."
        };
        super::note(frame, list, text);
        return;
    }
    let rows = usize::from(list.height);
    let top = panel.selected.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = panel
        .records
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, r)| row(r, i == panel.selected, usize::from(list.width)))
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

/// Name, then kind · mobile · email · owner, and a red mark for an opt-out.
fn row(r: &Record, selected: bool, room: usize) -> Line<'static> {
    let base = if selected {
        theme::selected()
    } else {
        Style::new()
    };
    let kind = match r.kind {
        RecordKind::Candidate => "candidate",
        RecordKind::Contact => "contact",
    };
    let details: Vec<String> = [
        Some(kind.to_owned()),
        Some(
            r.mobile
                .as_ref()
                .map_or_else(|| "no mobile".to_owned(), ToString::to_string),
        ),
        r.email.clone(),
        r.owner.as_ref().map(|o| format!("owner {o}")),
    ]
    .into_iter()
    .flatten()
    .map(|d| neutralise(&d, false).into_owned())
    .collect();
    // Who recorded the opt-out, and when: the answer to "can we write to them?".
    let opt_out = match (r.opted_out, r.consent.last()) {
        (false, _) => String::new(),
        (true, None) => " opted out".to_owned(),
        (true, Some(c)) => format!(
            " opted out {} by {}",
            c.at.format("%Y-%m-%d"),
            neutralise(&c.by, false)
        ),
    };
    let name_room = (room / 3).max(12);
    let name = fit(&neutralise(&r.name, false), name_room);
    let pad = name_room.saturating_sub(width(&name));
    let rest = fit(
        &details.join(" · "),
        room.saturating_sub(name_room + 3 + width(&opt_out)),
    );
    let gap = room.saturating_sub(1 + name_room + 2 + width(&rest) + width(&opt_out));
    Line::from(vec![
        Span::styled(
            format!(" {name}{}  ", " ".repeat(pad)),
            base.patch(theme::unread()),
        ),
        Span::styled(rest, base.patch(theme::dim())),
        Span::styled(" ".repeat(gap), base),
        Span::styled(opt_out, base.patch(theme::failed())),
    ])
}
