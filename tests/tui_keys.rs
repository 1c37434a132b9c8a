//! The user's own keys (`[keys]`): they change what a key does and what help and the hints
//! say. In a process of its own, since the keymap is the process's.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::collections::BTreeMap;

use common::tui::{app_with, draw, inbox, key};
use hirechat::{
    config::KeyList,
    tui::{app::Focus, keymap},
};

#[test]
fn a_rebinding_changes_the_key_and_the_help() {
    let keys = BTreeMap::from([
        ("reply".to_owned(), KeyList::One("a".into())),
        (
            "help".to_owned(),
            KeyList::Many(vec!["F2".into(), "?".into()]),
        ),
    ]);
    keymap::custom::set(keymap::custom::parse(&keys).unwrap());
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    assert_eq!(
        app.focus,
        hirechat::tui::app::Focus::List,
        "r no longer replies"
    );
    app.update(key('a'));
    assert_eq!(app.focus, Focus::Compose);
    let list = keymap::help_lines(keymap::Mode::List);
    assert!(list.contains(&("a".to_owned(), "reply")), "{list:?}");
    assert!(list.contains(&("F2 ?".to_owned(), "help")), "{list:?}");
    app.update(common::tui::code(crossterm::event::KeyCode::Esc));
    app.update(common::tui::code(crossterm::event::KeyCode::Esc));
    let screen = draw(&app).backend().to_string();
    assert!(screen.contains("a reply"), "the hints follow: {screen}");
}
