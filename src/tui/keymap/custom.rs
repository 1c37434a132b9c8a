//! The user's own keys (`[keys]` in the config): an action, named as in the config
//! (`open_link`) or as help says it (`open its link (copied over SSH)` is long: the name is
//! easier), takes the keys given in place of its own, in every place it has keys. A key given
//! to an action leaves whatever else it did there. Help and the hints are made from the
//! result, so they show the user's keys.

use std::{collections::BTreeMap, sync::RwLock};

use crossterm::event::{KeyCode, KeyModifiers};

use super::{Key, Mode};
use crate::{config::KeyList, tui::action::Action};

/// Actions and the keys the user gave them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(Vec<(Action, Vec<Key>)>);

static OVERRIDES: RwLock<Option<Overrides>> = RwLock::new(None);

/// Makes `overrides` the keys of this process's inbox.
pub fn set(overrides: Overrides) {
    if let Ok(mut o) = OVERRIDES.write() {
        *o = Some(overrides);
    }
}

/// Applies the user's keys to a mode's `bindings`.
pub(super) fn apply(bindings: Vec<(Key, Action)>) -> Vec<(Key, Action)> {
    match OVERRIDES.read() {
        Ok(o) => match o.as_ref() {
            Some(o) => o.apply(bindings),
            None => bindings,
        },
        Err(_) => bindings,
    }
}

impl Overrides {
    pub fn apply(&self, mut bindings: Vec<(Key, Action)>) -> Vec<(Key, Action)> {
        for (action, keys) in &self.0 {
            let Some(at) = bindings.iter().position(|(_, a)| a == action) else {
                continue;
            };
            bindings.retain(|(k, a)| a != action && !keys.contains(k));
            let at = at.min(bindings.len());
            for (i, k) in keys.iter().enumerate() {
                bindings.insert(at + i, (*k, *action));
            }
        }
        bindings
    }
}

/// The action a config name stands for: its name (`open_link`) or its help words (`reply`).
fn action_named(name: &str) -> Option<Action> {
    let wanted = name.trim().to_lowercase().replace([' ', '-'], "_");
    ALL.iter().copied().find(|a| {
        serde_json::to_value(a)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .is_some_and(|n| n == wanted)
            || a.label().replace([' ', '-'], "_") == wanted
    })
}

/// Every action, for names and errors.
const ALL: &[Action] = &[
    Action::Quit,
    Action::Help,
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::Top,
    Action::GoTo,
    Action::View,
    Action::Bottom,
    Action::Open,
    Action::Reply,
    Action::Back,
    Action::SwitchPane,
    Action::Templates,
    Action::Notifications,
    Action::ClearSeen,
    Action::MarkUnread,
    Action::Filter,
    Action::Send,
    Action::NewLine,
    Action::Editor,
    Action::Copy,
    Action::OpenLink,
    Action::Pick,
    Action::Records,
    Action::Search,
    Action::ManageTemplates,
    Action::New,
    Action::Edit,
    Action::Delete,
    Action::Confirm,
    Action::Save,
    Action::NextField,
    Action::PrevField,
    Action::TabLeft,
    Action::TabRight,
    Action::Insert,
    Action::ToggleShared,
    Action::Attachments,
    Action::Attach,
    Action::Unattach,
    Action::Settings,
    Action::UnknownSenders,
    Action::AssignTo,
    Action::Disconnect,
    Action::Connect,
    Action::TakeOver,
    Action::Resolve,
    Action::Pending,
    Action::Snooze,
    Action::Retry,
    Action::Assign,
    Action::Labels,
    Action::Mark,
    Action::MarkAll,
    Action::Bulk,
    Action::Undo,
    Action::Rules,
    Action::Toggle,
    Action::Credits,
];

/// A key as help writes it: `a`, `G`, `Ctrl-o`, `Alt-Enter`, `Shift-Tab`, `PgDn`, `↓` or
/// `Down`, `Space`, `F2`.
pub fn parse_key(text: &str) -> Option<Key> {
    let (modifiers, base) = if let Some(rest) = text.strip_prefix("Ctrl-") {
        (KeyModifiers::CONTROL, rest)
    } else if let Some(rest) = text.strip_prefix("Alt-") {
        (KeyModifiers::ALT, rest)
    } else {
        (KeyModifiers::NONE, text)
    };
    let code = match base {
        "Enter" | "Return" => KeyCode::Enter,
        "Esc" | "Escape" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Shift-Tab" | "BackTab" => KeyCode::BackTab,
        "Space" => KeyCode::Char(' '),
        "Backspace" => KeyCode::Backspace,
        "↑" | "Up" => KeyCode::Up,
        "↓" | "Down" => KeyCode::Down,
        "←" | "Left" => KeyCode::Left,
        "→" | "Right" => KeyCode::Right,
        "PgUp" | "PageUp" => KeyCode::PageUp,
        "PgDn" | "PageDown" => KeyCode::PageDown,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        f if f.len() > 1 && f.starts_with('F') => KeyCode::F(f[1..].parse().ok()?),
        c => {
            let mut chars = c.chars();
            let one = chars.next()?;
            if chars.next().is_some() {
                return None;
            }
            // Control combinations are written lowercase, as terminals send them.
            let one = if modifiers == KeyModifiers::CONTROL {
                one.to_ascii_lowercase()
            } else {
                one
            };
            KeyCode::Char(one)
        }
    };
    Some(Key { code, modifiers })
}

/// The config's `[keys]`, checked: an unknown action or key is an error naming it.
pub fn parse(keys: &BTreeMap<String, KeyList>) -> Result<Overrides, String> {
    let mut out = Vec::new();
    for (name, list) in keys {
        let action = action_named(name).ok_or_else(|| {
            let names: Vec<String> = ALL
                .iter()
                .filter_map(|a| serde_json::to_value(a).ok()?.as_str().map(str::to_owned))
                .collect();
            format!(
                "keys.{name}: not an action; the actions are {}",
                names.join(", ")
            )
        })?;
        let mut parsed = Vec::new();
        for k in list.keys() {
            parsed.push(parse_key(k).ok_or_else(|| {
                format!("keys.{name}: {k:?} is not a key; write them as help does: a, G, Ctrl-o, Alt-Enter, PgDn, Down, Space, F2")
            })?);
        }
        if parsed.is_empty() {
            return Err(format!("keys.{name}: give at least one key"));
        }
        out.push((action, parsed));
    }
    Ok(Overrides(out))
}

/// Where a mode's keys come from, for tests of the whole table.
pub fn bindings_with(mode: Mode, overrides: &Overrides) -> Vec<(Key, Action)> {
    overrides.apply(super::table::bindings_of(mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, &[&str])]) -> BTreeMap<String, KeyList> {
        pairs
            .iter()
            .map(|(n, ks)| {
                (
                    (*n).to_owned(),
                    KeyList::Many(ks.iter().map(|k| (*k).to_owned()).collect()),
                )
            })
            .collect()
    }

    #[test]
    fn keys_are_written_as_help_writes_them() {
        for label in [
            "a",
            "G",
            "Ctrl-o",
            "Alt-Enter",
            "Shift-Tab",
            "PgDn",
            "↓",
            "Space",
            "F2",
        ] {
            let key = parse_key(label).unwrap();
            assert_eq!(key.label(), label, "{label}");
        }
        assert_eq!(parse_key("Down"), parse_key("↓"));
        assert_eq!(parse_key("Ctrl-O"), parse_key("Ctrl-o"));
        assert!(parse_key("Hyper-x").is_none());
    }

    #[test]
    fn an_action_takes_the_users_keys_everywhere_it_has_keys() {
        let o = parse(&keys(&[("reply", &["a"]), ("mark unread", &["U"])])).unwrap();
        let list = bindings_with(Mode::List, &o);
        let reply: Vec<String> = list
            .iter()
            .filter(|(_, a)| *a == Action::Reply)
            .map(|(k, _)| k.label())
            .collect();
        assert_eq!(reply, ["a"]);
        assert!(
            list.iter()
                .any(|(k, a)| k.label() == "U" && *a == Action::MarkUnread)
        );
        let chat = bindings_with(Mode::Chat, &o);
        assert!(
            chat.iter()
                .any(|(k, a)| k.label() == "a" && *a == Action::Reply)
        );
        assert!(!chat.iter().any(|(k, _)| k.label() == "r"));
        // A key taken from another action leaves it there.
        let o = parse(&keys(&[("quit", &["j"])])).unwrap();
        let list = bindings_with(Mode::List, &o);
        assert_eq!(
            list.iter().find(|(k, _)| k.label() == "j").map(|(_, a)| *a),
            Some(Action::Quit)
        );
    }

    #[test]
    fn unknown_actions_and_keys_are_named() {
        let err = parse(&keys(&[("fly", &["f"])])).unwrap_err();
        assert!(
            err.contains("keys.fly") && err.contains("open_link"),
            "{err}"
        );
        let err = parse(&keys(&[("reply", &["Ctrl-"])])).unwrap_err();
        assert!(
            err.contains("keys.reply") && err.contains("not a key"),
            "{err}"
        );
    }
}
