//! The top line: the channel, the connection, who is signed in.

use std::fmt::Write as _;

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::Paragraph,
};

use crate::{
    domain::relay_link::{LinkState, RelayLink},
    tui::{
        app::{App, Connection},
        format::fit,
        theme,
    },
};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let connection = match &app.connection {
        Connection::InProcess => "● local".to_owned(),
        Connection::Daemon => "● connected to the daemon".to_owned(),
        Connection::Demo => "● demo: simulated WhatsApp".to_owned(),
        Connection::Reconnecting(why) => format!("◌ reconnecting: {why}"),
    };
    let mut left = if app.channel.is_empty() || app.channel == "hirechat" {
        format!(" hirechat │ {connection}")
    } else {
        format!(" hirechat │ {} │ {connection}", fit(&app.channel, 40))
    };
    if let Some(at) = app.disconnected_at {
        let _ = write!(
            left,
            " │ ⊘ disconnected {}: history only, nothing is sent",
            at.with_timezone(&app.tz).format("%Y-%m-%d")
        );
    }
    if let Some(link) = &app.relay {
        left.push_str(" │ ");
        left.push_str(&relay(link, app.tz));
    }
    if let Some(low) = &app.credits.low {
        left.push_str(" │ ");
        left.push_str(low);
    }
    let who = app
        .me
        .as_ref()
        .map(|(login, role)| format!("{} ({role}) ", fit(login, 20)))
        .unwrap_or_default();
    // The bell: conversations with news not yet seen (n opens them).
    let right = match app.notifications.unseen() {
        0 => format!("🔔  {who}"),
        n => format!("🔔 {n}  {who}"),
    };
    // On a narrow terminal the left side gives way: the bell and who is signed in stay whole.
    let room = usize::from(area.width).saturating_sub(crate::tui::format::width(&right) + 1);
    let left = fit(&left, room);
    let gap = usize::from(area.width)
        .saturating_sub(crate::tui::format::width(&left) + crate::tui::format::width(&right));
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(gap)),
        Span::raw(right),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme::header()), area);
}

/// The relay link: connected (with what waits there), or failing since when and why.
fn relay(link: &RelayLink, tz: chrono::FixedOffset) -> String {
    let mut text = match &link.state {
        LinkState::Connecting => "◌ relay: connecting".to_owned(),
        LinkState::Connected { .. } if link.backlog > 0 => {
            format!("● relay: {} waiting", link.backlog)
        }
        LinkState::Connected { .. } => "● relay connected".to_owned(),
        LinkState::Reconnecting { since, why } => format!(
            "◌ relay: reconnecting since {} ({why})",
            since.with_timezone(&tz).format("%H:%M")
        ),
    };
    if link.refused > 0 {
        let _ = write!(text, " · {} refused: altered", link.refused);
    }
    text
}
