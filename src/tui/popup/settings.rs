//! `S`, for admins: the connection (the number, its rating, where its webhooks go, the relay
//! link) and the routing of unknown senders and new conversations, with the actions `hirechat
//! settings routing` and `hirechat disconnect` offer: `u` what an unknown sender creates, `a`
//! who new conversations go to, `c` connect a number (`popup::connect`), `d` disconnect
//! (typing the nickname to confirm).

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    text::Line,
    widgets::{Block, Borders, Paragraph, Wrap},
};

use super::Popup;
use crate::{
    domain::{
        relay_link::LinkState,
        routing::{Routing, UnknownSenders},
        safe_text::neutralise,
    },
    engine::api::Health,
    tui::{
        action::Action,
        app::{App, Command, Input},
        keymap::Mode,
        line_input::LineInput,
        theme,
    },
};

/// What is being typed in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    AssignTo,
    Nickname,
}

#[derive(Debug, Default)]
pub struct SettingsPanel {
    pub health: Option<Box<Health>>,
    /// The routing in force, the logins it assigns in turn, and where it was set.
    pub routing: Option<(Routing, Vec<String>, String)>,
    pub typing: Option<(Typing, LineInput)>,
}

impl SettingsPanel {
    pub fn mode(&self) -> Mode {
        if self.typing.is_some() {
            Mode::SettingsInput
        } else {
            Mode::Settings
        }
    }
}

impl App {
    /// `S`: admins only (the engine refuses the others anyway).
    pub(in crate::tui) fn open_settings(&mut self, out: &mut Vec<Command>) {
        if !self.is_admin() {
            self.error(
                "Settings are for admins: ask one to change the routing or the connection.".into(),
            );
            return;
        }
        self.popup = Some(Popup::Settings(SettingsPanel::default()));
        out.push(Command::LoadHealth);
        out.push(Command::LoadRouting);
    }

    pub(in crate::tui) fn settings_mut(&mut self) -> Option<&mut SettingsPanel> {
        match self.popup.as_mut() {
            Some(Popup::Settings(p)) => Some(p),
            _ => None,
        }
    }

    /// The report or the routing arrived for the panel (dropped when it was closed).
    pub(in crate::tui) fn settings_input(&mut self, input: Input) {
        let Some(p) = self.settings_mut() else {
            return;
        };
        match input {
            Input::Health(health) => p.health = Some(health),
            Input::Routing {
                routing,
                pool,
                source,
            } => p.routing = Some((routing, pool, source)),
            _ => {}
        }
    }

    pub(super) fn settings_key(&mut self, key: KeyEvent) {
        if let Some((_, input)) = self.settings_mut().and_then(|p| p.typing.as_mut()) {
            input.key(key);
        }
    }

    pub(super) fn settings_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let nickname = self.channel.clone();
        let Some(panel) = self.settings_mut() else {
            return;
        };
        let routing = panel.routing.as_ref().map(|(r, _, _)| r.clone());
        match (panel.typing.take(), action) {
            (Some(_), Action::Back) => {}
            (Some((Typing::AssignTo, input)), Action::Send) => {
                if let Some(mut r) = routing {
                    input.text().trim().clone_into(&mut r.assign_to);
                    out.push(Command::SetRouting(r));
                }
            }
            (Some((Typing::Nickname, input)), Action::Send) => {
                if input.text().trim() == nickname.trim() {
                    out.push(Command::Disconnect { at: self.now });
                } else {
                    self.error("Not disconnected: that is not the nickname.".into());
                }
            }
            (Some(typing), _) => panel.typing = Some(typing),
            (None, Action::Back) => self.close_popup(),
            (None, Action::UnknownSenders) => {
                if let Some(mut r) = routing {
                    r.unknown_senders = match r.unknown_senders {
                        UnknownSenders::Candidate => UnknownSenders::Contact,
                        UnknownSenders::Contact => UnknownSenders::None,
                        UnknownSenders::None => UnknownSenders::Candidate,
                    };
                    out.push(Command::SetRouting(r));
                }
            }
            (None, Action::AssignTo) => {
                let now = routing.map(|r| r.assign_to).unwrap_or_default();
                panel.typing = Some((Typing::AssignTo, LineInput::new(&now)));
            }
            (None, Action::Connect) => self.open_connect(),
            (None, Action::Disconnect) => {
                if self.disconnected_at.is_some() {
                    self.info("The number is disconnected already: `c` connects it again.");
                } else if let Some(p) = self.settings_mut() {
                    p.typing = Some((Typing::Nickname, LineInput::new("")));
                }
            }
            (None, _) => {}
        }
    }
}

fn connection_lines(app: &App, h: &Health) -> Vec<Line<'static>> {
    let c = &h.connection;
    let show = |s: &str| neutralise(s, false).into_owned();
    let mut lines = vec![Line::styled("Connection", theme::key())];
    lines.push(Line::raw(format!(
        "  {} · number id {} · business account {}",
        show(&c.nickname),
        show(&c.phone_number_id),
        show(&c.business_account_id)
    )));
    if let (Some(at), Some(by)) = (c.connected_at, &c.connected_by) {
        lines.push(Line::raw(format!(
            "  connected {} by {}",
            at.with_timezone(&app.tz).format("%Y-%m-%d %H:%M"),
            show(by)
        )));
    }
    lines.push(Line::raw(format!(
        "  webhooks: {}",
        c.callback.as_deref().map_or_else(
            || "to the app's callback URL".to_owned(),
            |cb| format!("to {}", show(cb))
        )
    )));
    if let Some(at) = c.disconnected_at {
        lines.push(Line::styled(
            format!(
                "  ⊘ disconnected {}: nothing is sent; `c` connects it again",
                at.with_timezone(&app.tz).format("%Y-%m-%d %H:%M")
            ),
            theme::bad(),
        ));
    }
    if let Some(n) = &h.number {
        let s = &n.status;
        let field = |v: &Option<String>| v.as_deref().map_or("?".to_owned(), show);
        lines.push(Line::raw(format!(
            "  number: quality {}, messaging limit {}, {} (as of {})",
            field(&s.quality_rating),
            field(&s.messaging_limit_tier),
            field(&s.status),
            n.checked_at.with_timezone(&app.tz).format("%H:%M")
        )));
    }
    if let Some(link) = &h.relay {
        let state = match &link.state {
            LinkState::Connecting => "connecting".to_owned(),
            LinkState::Connected { .. } => format!("connected, {} waiting", link.backlog),
            LinkState::Reconnecting { why, .. } => format!("reconnecting ({why})"),
        };
        lines.push(Line::raw(format!("  relay: {state}")));
    }
    lines
}

fn routing_lines(routing: &(Routing, Vec<String>, String)) -> Vec<Line<'static>> {
    let (r, pool, source) = routing;
    let unknown = match r.unknown_senders {
        UnknownSenders::None => "nothing (just the conversation)",
        UnknownSenders::Candidate => "a candidate record",
        UnknownSenders::Contact => "a contact record",
    };
    let to = if pool.is_empty() {
        "nobody".to_owned()
    } else {
        format!("{} ({}, in turn)", r.assign_to, pool.join(", "))
    };
    vec![
        Line::styled(format!("Routing (set in the {source})"), theme::key()),
        Line::raw(format!(
            "  a message from an unknown number creates {unknown}"
        )),
        Line::raw(format!(
            "  new conversations without an owner go to {}",
            neutralise(&to, false)
        )),
    ]
}

pub fn render(app: &App, panel: &SettingsPanel, frame: &mut Frame, area: Rect) {
    let width = 96.min(area.width.saturating_sub(4));
    let height = 18.min(area.height.saturating_sub(2));
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    );
    crate::tui::view::clear(frame, popup);
    let mut lines = match &panel.health {
        Some(h) => connection_lines(app, h),
        None => vec![Line::styled("Loading…", theme::dim())],
    };
    lines.push(Line::raw(""));
    if let Some(r) = &panel.routing {
        lines.extend(routing_lines(r));
    }
    lines.push(Line::raw(""));
    match &panel.typing {
        Some((Typing::AssignTo, input)) => lines.push(Line::raw(format!(
            "New conversations go to (user:LOGIN, group:NAME, role:ROLE, empty for nobody): {}▏",
            input.text()
        ))),
        Some((Typing::Nickname, input)) => lines.push(Line::styled(
            format!(
                "This stops all sending from {:?}. Type the nickname to disconnect: {}▏",
                neutralise(&app.channel, false),
                input.text()
            ),
            theme::bad(),
        )),
        None => lines.push(Line::styled(
            "Another number or new secrets: `c` (or `hirechat connect` in a shell).",
            theme::dim(),
        )),
    }
    let hints = if panel.typing.is_some() {
        " Enter confirm · Esc back "
    } else {
        " u unknown senders · a assign to · c connect · d disconnect · Esc close "
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Settings ")
        .title_bottom(hints);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
