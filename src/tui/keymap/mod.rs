//! The keymap is data: (mode, key) → action. The help overlay and the status-bar hints are
//! generated from this table (`table.rs`), so they cannot drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

pub mod custom;
mod table;

/// Where the keyboard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The conversation list has focus.
    List,
    /// The open conversation has focus.
    Chat,
    /// The open conversation's Attachments section has focus.
    Attachments,
    /// Typing a reply.
    Compose,
    /// The help overlay is open.
    Help,
    /// Picking a template; letters filter the list.
    Picker,
    /// Picking one of several values for a merge field (two interviews).
    Choose,
    /// Typing a filter for the list.
    Filter,
    /// The notifications panel is open.
    Notifications,
    /// The records pane: letters search.
    Records,
    /// Searching all messages: letters are the query.
    Search,
    /// Naming the filter to save it as a view.
    SaveView,
    /// The template manager's list.
    Templates,
    /// Writing a new template: letters are text.
    TemplateForm,
    /// `#` in a template's body: picking a merge field.
    MergeFields,
    /// `g` was pressed in the list or the chat: the next key says where to go.
    GoTo,
    /// Quitting over an unsent reply: asking first.
    ConfirmQuit,
    /// Typing the path of a file to attach.
    AttachPath,
    /// A template filled in, for a last look before it is sent.
    ConfirmSend,
    /// The settings panel (admins).
    Settings,
    /// Typing in the settings panel: who new conversations go to, or the nickname.
    SettingsInput,
    /// Choosing whom to hand a conversation to.
    Assign,
    /// Putting labels on a conversation.
    Labels,
    /// Typing until when to snooze a conversation.
    SnoozeUntil,
    /// Connecting a number: letters are the form's values.
    Connect,
    /// Connecting a number: choosing which of the account's numbers.
    ConnectNumber,
    /// The record beside the chat.
    Record,
    /// Editing the record: letters are its values.
    RecordForm,
    /// Typing when to send the reply.
    SendAt,
    /// The chat's sends waiting for their time.
    Scheduled,
    /// A bulk send: the template, who gets it, its progress.
    Bulk,
    /// The workflow rules and their last runs.
    Rules,
    /// The credits: balance, spend, ledger (admins).
    Credits,
}

impl Mode {
    pub fn title(self) -> &'static str {
        match self {
            Self::List => "Conversation list",
            Self::Chat => "Chat",
            Self::Attachments => "Attachments",
            Self::Compose => "Compose",
            Self::Help => "Help",
            Self::Picker => "Template picker",
            Self::Choose => "Choose a value",
            Self::Filter => "Filter",
            Self::Notifications => "Notifications",
            Self::Records => "Candidates and contacts",
            Self::Search => "Search",
            Self::SaveView => "Save the filter as a view",
            Self::Templates => "Template manager",
            Self::TemplateForm => "New template",
            Self::MergeFields => "Merge fields",
            Self::GoTo => "After g",
            Self::ConfirmQuit => "Quit over an unsent reply",
            Self::AttachPath => "Attach a file",
            Self::ConfirmSend => "Send this template?",
            Self::Settings => "Settings",
            Self::SettingsInput => "Settings: typing",
            Self::Connect => "Connect a number",
            Self::SnoozeUntil => "Snooze until",
            Self::Assign => "Assign to",
            Self::Labels => "Labels",
            Self::ConnectNumber => "Connect a number: which one",
            Self::Record => "The record",
            Self::RecordForm => "Editing the record",
            Self::SendAt => "Send at",
            Self::Scheduled => "Scheduled messages",
            Self::Bulk => "Bulk send",
            Self::Rules => "Workflow rules",
            Self::Credits => "Credits",
        }
    }
}

pub use table::{Key, bindings};

/// The action bound to `event` in `mode`, if any.
pub fn action_for(mode: Mode, event: KeyEvent) -> Option<Action> {
    // Shift is part of the character for letters ('G'), so it is not compared for them.
    let held = match event.code {
        KeyCode::Char(_) => event.modifiers - KeyModifiers::SHIFT,
        _ => event.modifiers,
    };
    bindings(mode)
        .into_iter()
        .find(|(k, _)| k.code == event.code && k.modifiers == held)
        .map(|(_, a)| a)
}

/// What an action does in `mode`, where that is more than its name says: the same key does
/// different things in different places, and help must say what it does there.
pub fn label(mode: Mode, action: Action) -> &'static str {
    match (mode, action) {
        (Mode::Filter, Action::Send) => "apply the filter",
        (Mode::Filter, Action::Save) => "save it as a view",
        (Mode::Filter, Action::Delete) => "delete the saved view it names",
        (Mode::TemplateForm, Action::Editor) => "write the body in $EDITOR",
        (Mode::ConfirmQuit, Action::Confirm) => "quit (the reply stays as a draft)",
        (Mode::ConfirmQuit, Action::Back) => "stay",
        (Mode::ConfirmSend, Action::Confirm) => "send it",
        (Mode::ConfirmSend, Action::Back) => "not yet: back to the templates",
        (Mode::Attachments, Action::Open) => "open the file (the desktop's opener)",
        (Mode::Attachments, Action::Save) => "save it ([attachments] save_dir, else ~/Downloads)",
        (Mode::Attachments, Action::Back) => "back to the messages",
        (Mode::AttachPath, Action::NextField) => "complete the path",
        (Mode::AttachPath, Action::Send) => "attach the file",
        (Mode::Picker, Action::Send) => "look, then send",
        (Mode::SettingsInput, Action::Send) => "confirm",
        (Mode::SettingsInput | Mode::SendAt, Action::Back) => "never mind",
        (Mode::SnoozeUntil, Action::Send) => "snooze",
        (Mode::SendAt, Action::Send) => "schedule it",
        (Mode::Scheduled, Action::Edit) => "change it: back to the reply box",
        (Mode::Scheduled, Action::Delete) => "cancel it",
        (Mode::Bulk, Action::Send) => "next: see who gets it, then send it",
        (Mode::Bulk, Action::Undo) => "take the bulk send back (or stop what has not gone)",
        (Mode::Bulk, Action::Back) => "back; while it goes, close (it goes on)",
        (Mode::Assign, Action::Pick) => "hand it to them",
        (Mode::Labels, Action::Pick) => "put it on / take it off",
        (Mode::Labels, Action::Back) => "done",
        (Mode::Connect, Action::Send) => "read the account's numbers with this token",
        (Mode::Connect, Action::Back) => "back to the settings",
        (Mode::ConnectNumber, Action::Pick) => "connect this number",
        (Mode::ConnectNumber, Action::Back) => "back to the form",
        (Mode::Record, Action::Edit) => "edit the record (or create one for this number)",
        (Mode::Record | Mode::Scheduled | Mode::Rules | Mode::Credits, Action::Back) => "close",
        (Mode::RecordForm, Action::Save) => "save the record",
        (Mode::RecordForm, Action::Back) => "cancel",
        _ => action.label(),
    }
}

/// One help line per action: its keys and what it does, in table order.
pub fn help_lines(mode: Mode) -> Vec<(String, &'static str)> {
    let mut out: Vec<(Action, Vec<String>)> = Vec::new();
    for (k, a) in bindings(mode) {
        match out.iter_mut().find(|(x, _)| *x == a) {
            Some((_, keys)) => keys.push(k.label()),
            None => out.push((a, vec![k.label()])),
        }
    }
    out.into_iter()
        .map(|(a, keys)| (keys.join(" "), label(mode, a)))
        .collect()
}

/// The short hints in the status bar: the first key of the actions that matter most.
pub fn hints(mode: Mode) -> Vec<(String, &'static str)> {
    let wanted: &[Action] = match mode {
        Mode::List => &[
            Action::Open,
            Action::Reply,
            Action::Down,
            Action::Help,
            Action::Quit,
        ],
        Mode::Chat => &[
            Action::Reply,
            Action::Templates,
            Action::Back,
            Action::Help,
            Action::Quit,
        ],
        Mode::Attachments => &[
            Action::Open,
            Action::Save,
            Action::Attachments,
            Action::Back,
            Action::Help,
        ],
        Mode::Compose => &[
            Action::Send,
            Action::NewLine,
            Action::Editor,
            Action::Back,
            Action::Attach,
        ],
        Mode::Picker => &[Action::Send, Action::Down, Action::Back],
        Mode::Choose | Mode::ConnectNumber | Mode::Assign | Mode::Labels => {
            &[Action::Pick, Action::Down, Action::Back]
        }
        Mode::Records | Mode::Search => &[Action::Open, Action::Down, Action::Back],
        Mode::Templates => &[Action::New, Action::Delete, Action::Back],
        Mode::TemplateForm | Mode::RecordForm => &[Action::NextField, Action::Save, Action::Back],
        Mode::MergeFields => &[Action::Insert, Action::TabRight, Action::Back],
        Mode::Filter => &[Action::Send, Action::Save, Action::Back],
        Mode::SaveView => &[Action::Save, Action::ToggleShared, Action::Back],
        Mode::Notifications => &[Action::Open, Action::ClearSeen, Action::Back],
        Mode::Help | Mode::Credits => &[Action::Back],
        Mode::AttachPath | Mode::Connect => &[Action::NextField, Action::Send, Action::Back],
        Mode::GoTo => &[Action::Top, Action::View],
        Mode::ConfirmQuit | Mode::ConfirmSend => &[Action::Confirm, Action::Back],
        Mode::Settings => &[
            Action::UnknownSenders,
            Action::AssignTo,
            Action::Connect,
            Action::Disconnect,
            Action::Back,
        ],
        Mode::SettingsInput | Mode::SnoozeUntil | Mode::SendAt => &[Action::Send, Action::Back],
        Mode::Scheduled => &[Action::Edit, Action::Delete, Action::Back],
        Mode::Bulk => &[Action::Send, Action::Undo, Action::Back],
        Mode::Rules => &[Action::Toggle, Action::Down, Action::Back],
        Mode::Record => &[Action::Edit, Action::Down, Action::Back],
    };
    let table = bindings(mode);
    wanted
        .iter()
        .filter_map(|a| {
            table
                .iter()
                .find(|(_, x)| x == a)
                .map(|(k, _)| (k.label(), label(mode, *a)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn arrows_work_wherever_j_and_k_do() {
        for mode in [Mode::List, Mode::Chat, Mode::Help] {
            assert_eq!(
                action_for(mode, press(KeyCode::Char('j'), KeyModifiers::NONE)),
                Some(Action::Down)
            );
            assert_eq!(
                action_for(mode, press(KeyCode::Down, KeyModifiers::NONE)),
                Some(Action::Down)
            );
            assert_eq!(
                action_for(mode, press(KeyCode::Up, KeyModifiers::NONE)),
                Some(Action::Up)
            );
        }
    }

    #[test]
    fn compose_keeps_letters_as_text() {
        assert_eq!(
            action_for(Mode::Compose, press(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            action_for(Mode::Compose, press(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Send)
        );
        assert_eq!(
            action_for(Mode::Compose, press(KeyCode::Enter, KeyModifiers::ALT)),
            Some(Action::NewLine)
        );
        assert_eq!(
            action_for(
                Mode::Compose,
                press(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn shifted_letters_match() {
        assert_eq!(
            action_for(Mode::List, press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            action_for(Mode::List, press(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
    }

    #[test]
    fn help_says_what_a_key_does_in_its_mode() {
        let filter = help_lines(Mode::Filter);
        assert!(
            filter.contains(&("Enter".to_owned(), "apply the filter")),
            "{filter:?}"
        );
        assert!(
            filter.contains(&("Ctrl-d".to_owned(), "delete the saved view it names")),
            "{filter:?}"
        );
        let after_g = help_lines(Mode::GoTo);
        assert_eq!(after_g[0], ("g".to_owned(), "first"));
        assert!(after_g[1].0.starts_with("1 2 3"), "{after_g:?}");
        assert_eq!(
            action_for(Mode::GoTo, press(KeyCode::Char('4'), KeyModifiers::NONE)),
            Some(Action::View)
        );
    }

    #[test]
    fn help_groups_keys_by_action() {
        let lines = help_lines(Mode::List);
        assert!(lines.contains(&("j ↓".to_owned(), "down")), "{lines:?}");
        assert!(
            lines.contains(&("q".to_owned(), "quit"))
                || lines
                    .iter()
                    .any(|(k, a)| *a == "quit" && k.starts_with('q'))
        );
    }
}
