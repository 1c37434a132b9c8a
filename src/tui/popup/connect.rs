//! `c` in the settings (admins): connecting a number from the TUI, as `hirechat connect` does
//! in a shell. The admin types the token, the business account, the app secret, the nickname
//! and (for a relay or a public address) the callback; Enter has the engine read the account's
//! numbers with that token, the admin picks one, and the engine checks the rest, subscribes
//! the app, keeps the connection and switches to it: every client's header follows. Secrets
//! are shown as dots; an empty one keeps the secret in use.

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph, Wrap},
};

use super::{Popup, moved};
use crate::{
    config::SecretInput,
    domain::safe_text::neutralise,
    engine::{ConnectForm, Connected},
    tui::{
        action::Action,
        app::{App, Command, Input},
        keymap::Mode,
        line_input::LineInput,
        theme,
    },
    whatsapp::account::PhoneNumberInfo,
};

/// The form's fields, in order.
const FIELDS: [(&str, bool); 5] = [
    ("Access token", true),
    ("Business account ID", false),
    ("App secret", true),
    ("Nickname", false),
    ("Callback URL", false),
];
const TOKEN: usize = 0;
const ACCOUNT: usize = 1;
const SECRET: usize = 2;
const NICKNAME: usize = 3;
const CALLBACK: usize = 4;

/// Where connecting stands.
#[derive(Debug)]
pub enum Stage {
    /// Typing the values.
    Form,
    /// The engine is reading the account's numbers.
    Listing,
    /// Choosing one of them.
    Choosing {
        numbers: Vec<PhoneNumberInfo>,
        cursor: usize,
    },
    /// The engine is checking the rest and connecting.
    Connecting,
    Done(Box<Connected>),
}

#[derive(Debug)]
pub struct ConnectPanel {
    pub fields: [LineInput; 5],
    pub focus: usize,
    /// Connect although another app takes the account's webhooks.
    pub take_over: bool,
    pub stage: Stage,
    /// Why the last step was refused, in the engine's words.
    pub error: Option<String>,
    /// A connection is in use: an empty secret keeps its own.
    pub keeps_secrets: bool,
}

impl ConnectPanel {
    /// The form, with what is in use filled in (never a secret).
    pub fn new(business_account_id: &str, nickname: &str, callback: Option<&str>) -> Self {
        let mut fields: [LineInput; 5] = Default::default();
        fields[ACCOUNT] = LineInput::new(business_account_id);
        fields[NICKNAME] = LineInput::new(nickname);
        fields[CALLBACK] = LineInput::new(callback.unwrap_or_default());
        Self {
            fields,
            focus: TOKEN,
            take_over: false,
            stage: Stage::Form,
            error: None,
            keeps_secrets: !business_account_id.is_empty(),
        }
    }

    pub fn mode(&self) -> Mode {
        match self.stage {
            Stage::Choosing { .. } => Mode::ConnectNumber,
            _ => Mode::Connect,
        }
    }

    fn text(&self, field: usize) -> String {
        self.fields[field].text().trim().to_owned()
    }

    fn form(&self, phone_number_id: String) -> ConnectForm {
        let callback = self.text(CALLBACK);
        ConnectForm {
            access_token: SecretInput::new(self.text(TOKEN)),
            business_account_id: self.text(ACCOUNT),
            app_secret: SecretInput::new(self.text(SECRET)),
            verify_token: SecretInput::default(),
            nickname: self.text(NICKNAME),
            phone_number_id,
            callback: (!callback.is_empty()).then_some(callback),
            take_over: self.take_over,
        }
    }
}

impl App {
    pub(in crate::tui) fn open_connect(&mut self) {
        let (account, callback) = match self.popup.as_ref() {
            Some(Popup::Settings(p)) => p.health.as_ref().map_or((String::new(), None), |h| {
                let c = &h.connection;
                (c.business_account_id.clone(), c.callback.clone())
            }),
            _ => (String::new(), None),
        };
        let nickname = self.channel.clone();
        self.popup = Some(Popup::Connect(Box::new(ConnectPanel::new(
            &account,
            &nickname,
            callback.as_deref(),
        ))));
    }

    fn connect_mut(&mut self) -> Option<&mut ConnectPanel> {
        match self.popup.as_mut() {
            Some(Popup::Connect(p)) => Some(p),
            _ => None,
        }
    }

    /// The engine's answers: the numbers, the connection, or why not.
    pub(in crate::tui) fn connect_input(&mut self, input: Input) {
        let Some(p) = self.connect_mut() else {
            return;
        };
        match input {
            Input::Numbers(numbers) => {
                // The first number that can be used is under the cursor.
                let cursor = numbers
                    .iter()
                    .position(|n| n.unusable().is_none())
                    .unwrap_or(0);
                p.stage = Stage::Choosing { numbers, cursor };
            }
            Input::Connected(connected) => {
                p.error = None;
                p.stage = Stage::Done(connected);
            }
            Input::ConnectRefused(why) => {
                p.stage = Stage::Form;
                p.error = Some(why);
            }
            _ => {}
        }
    }

    /// Typing into the field with the cursor.
    pub(super) fn connect_key(&mut self, key: KeyEvent) {
        if let Some(p) = self.connect_mut()
            && matches!(p.stage, Stage::Form)
        {
            let focus = p.focus;
            p.fields[focus].key(key);
        }
    }

    pub(super) fn connect_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(p) = self.connect_mut() else {
            return;
        };
        match (&mut p.stage, action) {
            (Stage::Form, Action::NextField) => p.focus = (p.focus + 1) % FIELDS.len(),
            (Stage::Form, Action::PrevField) => {
                p.focus = (p.focus + FIELDS.len() - 1) % FIELDS.len();
            }
            (Stage::Form, Action::TakeOver) => p.take_over = !p.take_over,
            (Stage::Form, Action::Send) => {
                p.error = None;
                p.stage = Stage::Listing;
                out.push(Command::AccountNumbers {
                    access_token: SecretInput::new(p.text(TOKEN)),
                    business_account_id: p.text(ACCOUNT),
                });
            }
            (Stage::Choosing { numbers, cursor }, Action::Down) => {
                *cursor = moved(*cursor, 1, numbers.len());
            }
            (Stage::Choosing { numbers, cursor }, Action::Up) => {
                *cursor = moved(*cursor, -1, numbers.len());
            }
            (Stage::Choosing { numbers, cursor }, Action::Pick) => {
                let Some(number) = numbers.get(*cursor) else {
                    return;
                };
                if let Some(why) = number.unusable() {
                    p.error = Some(format!(
                        "{} cannot be used: {why}",
                        number.display_phone_number
                    ));
                    return;
                }
                let id = number.id.clone();
                let form = p.form(id);
                p.error = None;
                p.stage = Stage::Connecting;
                out.push(Command::Connect(Box::new(form)));
            }
            (Stage::Choosing { .. }, Action::Back) => p.stage = Stage::Form,
            (Stage::Done(_), Action::Send | Action::Back) => self.open_settings(out),
            // Waiting for the engine: Esc leaves (what it does still happens, and is told).
            (Stage::Form | Stage::Listing | Stage::Connecting, Action::Back) => {
                self.open_settings(out);
            }
            _ => {}
        }
    }
}

fn form_lines(p: &ConnectPanel) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, ((label, secret), input)) in FIELDS.iter().zip(&p.fields).enumerate() {
        let value = if *secret {
            "•".repeat(input.text().chars().count())
        } else {
            neutralise(input.text(), false).into_owned()
        };
        let empty = match i {
            TOKEN | SECRET if p.keeps_secrets => "(empty: keep the one in use)",
            CALLBACK => "(empty: the app's callback URL; a relay: https://…/webhook)",
            _ => "",
        };
        let typing = i == p.focus && matches!(p.stage, Stage::Form);
        let cursor = if typing { "▏" } else { "" };
        let style = if i == p.focus {
            theme::selected()
        } else {
            ratatui::style::Style::default()
        };
        // What an empty field means stays in sight, beside the cursor too.
        let hint = if value.is_empty() { empty } else { "" };
        lines.push(Line::from(vec![
            Span::styled(format!("  {label:<20} {value}{cursor}"), style),
            Span::styled(hint.to_owned(), theme::dim()),
        ]));
    }
    lines.push(Line::raw(format!(
        "  [{}] take over from another app that receives this account's webhooks",
        if p.take_over { "x" } else { " " }
    )));
    lines
}

fn number_line(n: &PhoneNumberInfo) -> String {
    let show = |s: &str| neutralise(s, false).into_owned();
    let mut line = format!(
        "{} {} · quality {} · {}",
        show(&n.display_phone_number),
        show(&n.verified_name),
        show(n.quality_rating.as_deref().unwrap_or("not rated yet")),
        show(n.status.as_deref().unwrap_or("status unknown"))
    );
    if let Some(why) = n.unusable() {
        line.push_str(" — cannot be used: ");
        line.push_str(&why);
    }
    line
}

fn done_lines(c: &Connected) -> Vec<Line<'static>> {
    let show = |s: &str| neutralise(s, false).into_owned();
    let n = &c.number;
    let mut lines = vec![Line::styled(
        format!(
            "✓ Connected {} ({}) as {:?}: sending and receiving for it now.",
            show(&n.display_phone_number),
            show(&n.verified_name),
            show(&c.connection.nickname)
        ),
        theme::good(),
    )];
    lines.push(Line::raw(match &c.connection.callback {
        Some(cb) => format!("Meta sends this account's webhooks to {}.", show(cb)),
        None => "Meta sends this account's webhooks to the app's callback URL (App Dashboard → WhatsApp → Configuration).".into(),
    }));
    if let Some(v) = &c.made_up_verify_token {
        lines.push(Line::raw(format!(
            "The verify token Meta's verification must carry (shown once): {v}"
        )));
    }
    for note in &c.notes {
        lines.push(Line::styled(format!("({})", show(note)), theme::dim()));
    }
    lines
}

pub fn render(panel: &ConnectPanel, frame: &mut Frame, area: Rect) {
    let width = 100.min(area.width.saturating_sub(4));
    let height = 18.min(area.height.saturating_sub(2));
    let popup = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, popup);
    let mut lines = Vec::new();
    let hints = match &panel.stage {
        Stage::Form | Stage::Listing | Stage::Connecting => {
            lines.extend(form_lines(panel));
            lines.push(Line::raw(""));
            lines.push(match panel.stage {
                Stage::Listing => Line::styled("Reading the account's numbers…", theme::dim()),
                Stage::Connecting => Line::styled(
                    "Checking the app secret, subscribing the app, connecting…",
                    theme::dim(),
                ),
                _ => Line::styled(
                    "Enter reads the account's numbers with this token, to choose one.",
                    theme::dim(),
                ),
            });
            " Tab next · Shift-Tab previous · Ctrl-t take over · Enter check · Esc back "
        }
        Stage::Choosing { numbers, cursor } => {
            lines.push(Line::raw(
                "Which number does this inbox send and receive for?",
            ));
            for (i, n) in numbers.iter().enumerate() {
                let (mark, style) = if i == *cursor {
                    ("> ", theme::selected())
                } else {
                    ("  ", ratatui::style::Style::default())
                };
                lines.push(Line::styled(format!("{mark}{}", number_line(n)), style));
            }
            " ↑↓ choose · Enter connect this number · Esc back to the form "
        }
        Stage::Done(c) => {
            lines.extend(done_lines(c));
            " Enter or Esc: back to the settings "
        }
    };
    if let Some(e) = &panel.error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            neutralise(e, false).into_owned(),
            theme::bad(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Connect a number ")
        .title_bottom(hints);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
