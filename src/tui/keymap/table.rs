//! The keys of every mode, in the order help shows them.

use crossterm::event::{KeyCode, KeyModifiers};

use super::Mode;
use crate::tui::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::ALT,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

impl Key {
    /// How the key is written in help: `j`, `↓`, `Enter`, `Alt-Enter`, `Ctrl-c`.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else if self.modifiers.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }
}

/// Writing a reply: everything else is typing.
const COMPOSE_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Send),
    (alt(KeyCode::Enter), Action::NewLine),
    (ctrl('o'), Action::Editor),
    (alt(KeyCode::Char('e')), Action::Editor),
    (alt(KeyCode::Char('a')), Action::Attach),
    (alt(KeyCode::Char('s')), Action::SendLater),
    (ctrl('x'), Action::Unattach),
    (key(KeyCode::Esc), Action::Back),
    (key(KeyCode::Tab), Action::SwitchPane),
];

/// The notifications panel.
const NOTIFICATIONS_KEYS: &[(Key, Action)] = &[
    (ch('j'), Action::Down),
    (key(KeyCode::Down), Action::Down),
    (ch('k'), Action::Up),
    (key(KeyCode::Up), Action::Up),
    (key(KeyCode::Enter), Action::Open),
    (ch('c'), Action::ClearSeen),
    (key(KeyCode::Esc), Action::Back),
    (ch('n'), Action::Back),
    (ch('?'), Action::Help),
];

/// The chat's Attachments section, besides moving.
const ATTACHMENTS_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Open),
    (ch('o'), Action::Open),
    (ch('s'), Action::Save),
    (ch('a'), Action::Attachments),
    (ch('r'), Action::Reply),
    (key(KeyCode::Esc), Action::Back),
    (ch('h'), Action::Back),
    (key(KeyCode::Left), Action::Back),
    (key(KeyCode::Tab), Action::SwitchPane),
    (ch('?'), Action::Help),
    (ch('q'), Action::Quit),
];

/// The attach prompt.
const ATTACH_PATH_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Tab), Action::NextField),
    (key(KeyCode::Enter), Action::Send),
    (key(KeyCode::Esc), Action::Back),
];

/// Keys that work in every mode but Compose (where letters are text).
const NAVIGATION: &[(Key, Action)] = &[
    (ch('j'), Action::Down),
    (key(KeyCode::Down), Action::Down),
    (ch('k'), Action::Up),
    (key(KeyCode::Up), Action::Up),
    (key(KeyCode::PageDown), Action::PageDown),
    (ctrl('d'), Action::PageDown),
    (key(KeyCode::PageUp), Action::PageUp),
    (ctrl('u'), Action::PageUp),
    (ch('g'), Action::GoTo),
    (key(KeyCode::Home), Action::Top),
    (ch('G'), Action::Bottom),
    (key(KeyCode::End), Action::Bottom),
];

/// The template manager's list.
const TEMPLATES_KEYS: &[(Key, Action)] = &[
    (ch('j'), Action::Down),
    (key(KeyCode::Down), Action::Down),
    (ch('k'), Action::Up),
    (key(KeyCode::Up), Action::Up),
    (ch('a'), Action::New),
    (ch('e'), Action::Edit),
    (ch('d'), Action::Delete),
    (ch('y'), Action::Confirm),
    (key(KeyCode::Esc), Action::Back),
    (ch('q'), Action::Back),
    (ch('?'), Action::Help),
];

/// The new-template form (other keys are text; ←/→/Space change a choice).
const TEMPLATE_FORM_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Tab), Action::NextField),
    (key(KeyCode::BackTab), Action::PrevField),
    (ctrl('s'), Action::Save),
    (ctrl('o'), Action::Editor),
    (key(KeyCode::Esc), Action::Back),
];

/// The `#` merge-field picker.
const MERGE_FIELDS_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Insert),
    (key(KeyCode::Down), Action::Down),
    (key(KeyCode::Up), Action::Up),
    (key(KeyCode::Left), Action::TabLeft),
    (key(KeyCode::Right), Action::TabRight),
    (key(KeyCode::Tab), Action::TabRight),
    (key(KeyCode::BackTab), Action::TabLeft),
    (key(KeyCode::Esc), Action::Back),
];

/// The records pane and the search (other keys are the query).
const RECORDS_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Open),
    (key(KeyCode::Down), Action::Down),
    (key(KeyCode::Up), Action::Up),
    (key(KeyCode::PageDown), Action::PageDown),
    (key(KeyCode::PageUp), Action::PageUp),
    (key(KeyCode::Esc), Action::Back),
];

/// After `g`.
const GO_TO_KEYS: &[(Key, Action)] = &[
    (ch('g'), Action::Top),
    (ch('1'), Action::View),
    (ch('2'), Action::View),
    (ch('3'), Action::View),
    (ch('4'), Action::View),
    (ch('5'), Action::View),
    (ch('6'), Action::View),
    (ch('7'), Action::View),
    (ch('8'), Action::View),
    (ch('9'), Action::View),
];

/// Picking one of several values.
const CHOOSE_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Pick),
    (ch('j'), Action::Down),
    (key(KeyCode::Down), Action::Down),
    (ch('k'), Action::Up),
    (key(KeyCode::Up), Action::Up),
    (key(KeyCode::Esc), Action::Back),
    (ch('?'), Action::Help),
];

/// The open conversation, after the navigation keys.
const CHAT_KEYS: &[(Key, Action)] = &[
    (ch('r'), Action::Reply),
    (key(KeyCode::Enter), Action::Reply),
    (ch('y'), Action::Copy),
    (ch('o'), Action::OpenLink),
    (ch('a'), Action::Attachments),
    (ch('R'), Action::Retry),
    (ch('s'), Action::ScheduledList),
    (ch('A'), Action::Assign),
    (ch('L'), Action::Labels),
    (ch('i'), Action::RecordCard),
    (ch('x'), Action::Resolve),
    (ch('p'), Action::Pending),
    (ch('z'), Action::Snooze),
    (ch('t'), Action::Templates),
    (ch('n'), Action::Notifications),
    (ch('/'), Action::Search),
    (ch('c'), Action::Records),
    (ch('T'), Action::ManageTemplates),
    (ch('S'), Action::Settings),
    (key(KeyCode::Esc), Action::Back),
    (ch('h'), Action::Back),
    (key(KeyCode::Left), Action::Back),
    (key(KeyCode::Tab), Action::SwitchPane),
    (ch('?'), Action::Help),
    (ch('q'), Action::Quit),
];

/// The settings panel (admins).
const SETTINGS_KEYS: &[(Key, Action)] = &[
    (ch('u'), Action::UnknownSenders),
    (ch('a'), Action::AssignTo),
    (ch('c'), Action::Connect),
    (ch('d'), Action::Disconnect),
    (key(KeyCode::Esc), Action::Back),
    (ch('?'), Action::Help),
];

/// Connecting a number: letters are the values, so no letter acts (help is F1).
const CONNECT_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Tab), Action::NextField),
    (key(KeyCode::Down), Action::NextField),
    (key(KeyCode::BackTab), Action::PrevField),
    (key(KeyCode::Up), Action::PrevField),
    (ctrl('t'), Action::TakeOver),
    (key(KeyCode::Enter), Action::Send),
    (key(KeyCode::Esc), Action::Back),
];

/// The record beside the chat.
const RECORD_KEYS: &[(Key, Action)] = &[
    (ch('e'), Action::Edit),
    (ch('j'), Action::Down),
    (key(KeyCode::Down), Action::Down),
    (ch('k'), Action::Up),
    (key(KeyCode::Up), Action::Up),
    (key(KeyCode::PageDown), Action::PageDown),
    (key(KeyCode::PageUp), Action::PageUp),
    (key(KeyCode::Esc), Action::Back),
    (ch('i'), Action::Back),
    (ch('?'), Action::Help),
];

/// Editing the record: letters are its values; Space turns a choice.
const RECORD_FORM_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Tab), Action::NextField),
    (key(KeyCode::Down), Action::NextField),
    (key(KeyCode::BackTab), Action::PrevField),
    (key(KeyCode::Up), Action::PrevField),
    (key(KeyCode::Enter), Action::Save),
    (ctrl('s'), Action::Save),
    (key(KeyCode::Esc), Action::Back),
];

/// A question before something that cannot be undone (sending, quitting over a draft).
const CONFIRM_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Confirm),
    (ch('y'), Action::Confirm),
    (key(KeyCode::Esc), Action::Back),
    (ch('n'), Action::Back),
];

/// The conversation list, after the navigation keys.
const LIST_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Open),
    (ch('l'), Action::Open),
    (key(KeyCode::Right), Action::Open),
    (ch('r'), Action::Reply),
    (ch('t'), Action::Templates),
    (ch(' '), Action::Mark),
    (ch('*'), Action::MarkAll),
    (ch('B'), Action::Bulk),
    (ch('u'), Action::MarkUnread),
    (ch('A'), Action::Assign),
    (ch('L'), Action::Labels),
    (ch('i'), Action::RecordCard),
    (ch('x'), Action::Resolve),
    (ch('p'), Action::Pending),
    (ch('z'), Action::Snooze),
    (ch('f'), Action::Filter),
    (ch('n'), Action::Notifications),
    (ch('/'), Action::Search),
    (ch('c'), Action::Records),
    (ch('T'), Action::ManageTemplates),
    (ch('S'), Action::Settings),
    (ch('W'), Action::Rules),
    (ch('$'), Action::Credits),
    (key(KeyCode::Tab), Action::SwitchPane),
    (ch('?'), Action::Help),
    (ch('q'), Action::Quit),
];

/// A bulk send: the template, who gets it, its progress.
const BULK_KEYS: &[(Key, Action)] = &[
    (key(KeyCode::Enter), Action::Send),
    (ch('u'), Action::Undo),
    (ch('j'), Action::Down),
    (key(KeyCode::Down), Action::Down),
    (ch('k'), Action::Up),
    (key(KeyCode::Up), Action::Up),
    (key(KeyCode::Esc), Action::Back),
    (ch('?'), Action::Help),
];

/// The bindings of one mode, in the order help shows them, with the user's own keys.
pub fn bindings(mode: Mode) -> Vec<(Key, Action)> {
    super::custom::apply(bindings_of(mode))
}

/// The bindings of one mode as hirechat ships them.
pub(super) fn bindings_of(mode: Mode) -> Vec<(Key, Action)> {
    let mut b: Vec<(Key, Action)> = Vec::new();
    match mode {
        Mode::List => {
            b.extend_from_slice(NAVIGATION);
            b.extend_from_slice(LIST_KEYS);
        }
        Mode::Chat => {
            b.extend_from_slice(NAVIGATION);
            b.extend_from_slice(CHAT_KEYS);
        }
        Mode::Attachments => {
            b.extend_from_slice(NAVIGATION);
            b.extend_from_slice(ATTACHMENTS_KEYS);
        }
        Mode::AttachPath => b.extend_from_slice(ATTACH_PATH_KEYS),
        Mode::Compose => b.extend_from_slice(COMPOSE_KEYS),
        Mode::Picker => b.extend_from_slice(&[
            (key(KeyCode::Enter), Action::Send),
            (alt(KeyCode::Char('s')), Action::SendLater),
            (key(KeyCode::Esc), Action::Back),
            (key(KeyCode::Down), Action::Down),
            (key(KeyCode::Up), Action::Up),
        ]),
        Mode::Records | Mode::Search => b.extend_from_slice(RECORDS_KEYS),
        Mode::Templates => b.extend_from_slice(TEMPLATES_KEYS),
        Mode::TemplateForm => b.extend_from_slice(TEMPLATE_FORM_KEYS),
        Mode::MergeFields => b.extend_from_slice(MERGE_FIELDS_KEYS),
        Mode::Choose | Mode::ConnectNumber | Mode::Assign | Mode::Labels => {
            b.extend_from_slice(CHOOSE_KEYS);
        }
        // Any other key after `g` does what it does without it.
        Mode::GoTo => return GO_TO_KEYS.to_vec(),
        Mode::Notifications => b.extend_from_slice(NOTIFICATIONS_KEYS),
        Mode::Filter => b.extend_from_slice(&[
            (key(KeyCode::Enter), Action::Send),
            (ctrl('s'), Action::Save),
            (ctrl('d'), Action::Delete),
            (key(KeyCode::Esc), Action::Back),
        ]),
        Mode::SaveView => b.extend_from_slice(&[
            (key(KeyCode::Enter), Action::Save),
            (key(KeyCode::Tab), Action::ToggleShared),
            (key(KeyCode::Esc), Action::Back),
        ]),
        Mode::ConfirmSend => {
            b.extend_from_slice(CONFIRM_KEYS);
            b.push((alt(KeyCode::Char('s')), Action::SendLater));
        }
        Mode::ConfirmQuit => b.extend_from_slice(CONFIRM_KEYS),
        Mode::Settings => b.extend_from_slice(SETTINGS_KEYS),
        Mode::Scheduled => b.extend_from_slice(&[
            (ch('e'), Action::Edit),
            (ch('d'), Action::Delete),
            (ch('j'), Action::Down),
            (key(KeyCode::Down), Action::Down),
            (ch('k'), Action::Up),
            (key(KeyCode::Up), Action::Up),
            (key(KeyCode::Esc), Action::Back),
            (ch('?'), Action::Help),
        ]),
        Mode::Bulk => b.extend_from_slice(BULK_KEYS),
        Mode::Rules => b.extend_from_slice(&[
            (ch(' '), Action::Toggle),
            (ch('j'), Action::Down),
            (key(KeyCode::Down), Action::Down),
            (ch('k'), Action::Up),
            (key(KeyCode::Up), Action::Up),
            (key(KeyCode::Esc), Action::Back),
            (ch('W'), Action::Back),
            (ch('?'), Action::Help),
        ]),
        Mode::Credits => b.extend_from_slice(&[
            (key(KeyCode::Esc), Action::Back),
            (ch('$'), Action::Back),
            (ch('q'), Action::Back),
            (ch('?'), Action::Help),
        ]),
        Mode::SettingsInput | Mode::SnoozeUntil | Mode::SendAt => b.extend_from_slice(&[
            (key(KeyCode::Enter), Action::Send),
            (key(KeyCode::Esc), Action::Back),
        ]),
        Mode::Connect => b.extend_from_slice(CONNECT_KEYS),
        Mode::Record => b.extend_from_slice(RECORD_KEYS),
        Mode::RecordForm => b.extend_from_slice(RECORD_FORM_KEYS),
        Mode::Help => b.extend_from_slice(&[
            (key(KeyCode::Esc), Action::Back),
            (ch('?'), Action::Back),
            (ch('q'), Action::Back),
            (ch('j'), Action::Down),
            (key(KeyCode::Down), Action::Down),
            (ch('k'), Action::Up),
            (key(KeyCode::Up), Action::Up),
        ]),
    }
    // Help from anywhere, even while typing (where ? is a letter); Ctrl-C leaves.
    b.push((key(KeyCode::F(1)), Action::Help));
    b.push((ctrl('c'), Action::Quit));
    b
}
