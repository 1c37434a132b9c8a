//! `App::update`: inputs in, state and commands out — no terminal, no runtime.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use chrono::Duration;
use common::tui::{app_with, code, conversation, inbox, key, message, now};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hirechat::{
    domain::{
        conversation::Conversation,
        event::Event,
        message::{Direction, Status},
        phone::PhoneNumber,
    },
    tui::{
        app::{App, Command, Connection, Focus, Input},
        list_state::PAGE,
        popup::Popup,
    },
};

fn engine_conversation(id: u64, unread: u32, last_inbound_min: i64) -> Conversation {
    let mut c = Conversation::new(
        id,
        Some(PhoneNumber::parse(&format!("+8190{id:08}")).unwrap()),
        None,
    );
    c.name = format!("Person {id}");
    c.unread = unread;
    c.last_inbound_at = Some(now() - Duration::minutes(last_inbound_min));
    c.last_message_at = c.last_inbound_at;
    c
}

#[test]
fn starts_by_asking_who_and_what() {
    let mut app = App::new(now(), Connection::InProcess, 80, 24);
    assert_eq!(
        app.start(),
        vec![
            Command::Whoami,
            Command::LoadViews,
            Command::LoadConversations {
                offset: 0,
                limit: PAGE,
                filter: None
            }
        ]
    );
}

#[test]
fn opening_a_conversation_loads_it_and_marks_it_read() {
    let mut app = app_with(inbox(), 80, 24);
    let out = app.update(code(KeyCode::Enter));
    assert_eq!(
        out,
        vec![
            Command::LoadThread { conversation_id: 1 },
            Command::MarkRead { conversation_id: 1 }
        ]
    );
    assert_eq!(app.focus, Focus::Chat);
    // Opening one that is read asks only for its messages.
    app.update(code(KeyCode::Esc));
    app.update(key('j'));
    app.update(key('j'));
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::LoadThread { conversation_id: 3 }]
    );
}

#[test]
fn replying_sends_what_was_typed_and_clears_the_box() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    assert_eq!(app.focus, Focus::Compose);
    for c in "On my way q".chars() {
        assert!(app.update(key(c)).is_empty());
    }
    assert!(!app.quit, "q is text while composing");
    app.update(Input::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)));
    for c in "Aiko".chars() {
        app.update(key(c));
    }
    let out = app.update(code(KeyCode::Enter));
    assert_eq!(
        out,
        vec![Command::SendText {
            to: "+819000000001".into(),
            text: "On my way q\nAiko".into()
        }]
    );
    assert!(app.compose.is_empty());
    // An empty box sends nothing.
    assert!(app.update(code(KeyCode::Enter)).is_empty());
}

#[test]
fn a_pasted_summary_is_one_message_with_its_line_breaks() {
    let mut app = app_with(inbox(), 80, 24);
    // Pasted where nothing is typed, letters are not shortcuts: q does not quit.
    assert!(app.update(Input::Paste("q\n".into())).is_empty());
    assert!(!app.quit);
    app.update(key('r'));
    let out = app.update(Input::Paste(
        "Interview summary:\r\n- strong SQL\n- starts in March".into(),
    ));
    assert!(
        !out.iter().any(|c| matches!(c, Command::SendText { .. })),
        "nothing is sent before Enter: {out:?}"
    );
    assert_eq!(app.compose.lines().len(), 3);
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::SendText {
            to: "+819000000001".into(),
            text: "Interview summary:\n- strong SQL\n- starts in March".into()
        }]
    );
    // In a one-line prompt, line breaks become spaces.
    app.update(code(KeyCode::Esc));
    app.update(code(KeyCode::Esc));
    app.update(key('f'));
    app.update(Input::Paste("unread\nowner:me".into()));
    assert!(matches!(&app.popup, Some(Popup::Filter(f)) if f.text() == "unread owner:me"));
}

#[test]
fn a_reply_too_long_for_whatsapp_stays_in_the_box_with_a_reason() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    app.update(Input::Paste("x".repeat(4097)));
    assert!(app.update(code(KeyCode::Enter)).is_empty(), "nothing sent");
    assert_eq!(
        app.compose.lines()[0].chars().count(),
        4097,
        "the text stays"
    );
    let toast = app.toast.as_ref().unwrap();
    assert!(
        toast.error && toast.text.contains("4097 characters"),
        "{toast:?}"
    );
}

#[test]
fn a_filter_that_does_not_read_leaves_the_list_free_to_load_again() {
    let mut app = app_with(inbox(), 80, 24);
    let apply = |app: &mut App, query: &str| {
        app.update(key('f'));
        for _ in 0..20 {
            app.update(code(KeyCode::Backspace));
        }
        for c in query.chars() {
            app.update(key(c));
        }
        app.update(code(KeyCode::Enter))
    };
    let out = apply(&mut app, "foo");
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::LoadConversations { filter: Some(f), .. } if f == "foo")),
        "{out:?}"
    );
    app.update(Input::ListFailed(
        "filter: \"foo\" is not a filter word".into(),
    ));
    assert!(app.toast.as_ref().unwrap().text.contains("foo"));
    // The next filter loads: the failed answer does not hold it back.
    let out = apply(&mut app, "unread");
    assert!(
        out.iter().any(
            |c| matches!(c, Command::LoadConversations { filter: Some(f), .. } if f == "unread")
        ),
        "{out:?}"
    );
}

#[test]
fn scrolling_up_past_the_oldest_loaded_loads_the_ones_before() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(code(KeyCode::Enter));
    let conversation = app.list.selected_row().unwrap().clone();
    let id = conversation.id;
    let thread = |minutes: &[i64]| {
        minutes
            .iter()
            .enumerate()
            .map(|(i, &m)| {
                message(
                    100 + u64::try_from(m).unwrap(),
                    id,
                    Direction::In,
                    &format!("at {i}"),
                    m,
                    Status::Read,
                )
            })
            .collect::<Vec<_>>()
    };
    app.update(Input::Thread {
        conversation,
        messages: thread(&[30, 20, 10]),
        trail: vec![],
        scheduled: vec![],
    });
    let mut asked = Vec::new();
    for _ in 0..3 {
        asked.extend(app.update(key('k')));
    }
    let oldest = app.chat.as_ref().unwrap().messages[0].at;
    assert_eq!(
        asked,
        vec![Command::LoadOlder {
            conversation_id: id,
            before: oldest
        }],
        "asked once, at the top"
    );
    let selected = app.chat.as_ref().unwrap().selected.unwrap();
    let on = app.chat.as_ref().unwrap().messages[selected].id;
    app.update(Input::Older {
        conversation_id: id,
        messages: thread(&[50, 40, 30]),
    });
    let chat = app.chat.as_ref().unwrap();
    assert_eq!(chat.messages.len(), 5);
    assert_eq!(
        chat.messages[chat.selected.unwrap()].id,
        on,
        "the cursor stays"
    );
    // A load that fails is said, and scrolling up asks again.
    app.update(key('g'));
    let out = app.update(key('g'));
    assert!(matches!(&out[..], [Command::LoadOlder { .. }]), "{out:?}");
    app.update(Input::OlderFailed {
        conversation_id: id,
        error: "the daemon closed the connection".into(),
    });
    assert!(app.toast.as_ref().unwrap().text.contains("Older messages"));
    let out = app.update(key('k'));
    assert!(matches!(&out[..], [Command::LoadOlder { .. }]), "{out:?}");
    // At the very start: nothing new comes back, and nothing more is asked.
    app.update(Input::Older {
        conversation_id: id,
        messages: thread(&[50]),
    });
    assert!(!app.chat.as_ref().unwrap().has_older);
    assert!(app.update(key('k')).is_empty());
}

#[test]
fn a_closed_window_does_not_take_typing() {
    let mut app = app_with(inbox(), 80, 24);
    for _ in 0..4 {
        app.update(key('j'));
    }
    app.update(key('r'));
    assert_eq!(app.chat.as_ref().unwrap().conversation.name, "Emily Clarke");
    assert!(app.toast.as_ref().unwrap().text.contains("24-hour window"));
    app.update(key('w'));
    assert!(app.compose.is_empty());
    assert!(
        !app.update(code(KeyCode::Enter))
            .iter()
            .any(|c| matches!(c, Command::SendText { .. }))
    );
    // Keys do what they do in the chat: t, which the box points to, opens the templates.
    app.update(key('r'));
    assert_eq!(app.update(key('t')), vec![Command::LoadTemplates]);
    assert!(app.picker().is_some());
}

#[test]
fn a_refused_send_gives_the_text_back() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    app.update(Input::SendRefused {
        text: "hello there".into(),
        files: vec![],
        error: "Ken Sato last wrote 30 hours ago".into(),
    });
    assert_eq!(app.compose.lines(), ["hello there"]);
    let toast = app.toast.clone().unwrap();
    assert!(toast.error && toast.text.contains("30 hours"));
    // It fades with time.
    app.update(Input::Tick(now() + Duration::seconds(10)));
    assert!(app.toast.is_none());
}

#[test]
fn live_events_update_the_open_chat_and_the_list() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(code(KeyCode::Enter));
    let row = app.list.selected_row().unwrap().clone();
    app.update(Input::Thread {
        conversation: row,
        messages: vec![message(1, 1, Direction::In, "hello", 20, Status::Delivered)],
        trail: vec![],
        scheduled: vec![],
    });
    // A new message in the open conversation: shown, and read since the recruiter is looking.
    let mut conv = engine_conversation(1, 1, 0);
    let mut m = message(2, 1, Direction::In, "are you there?", 0, Status::Delivered);
    m.at = now();
    conv.last_message_at = Some(m.at);
    let out = app.update(Input::Event(Box::new(Event::MessageReceived {
        conversation: conv.clone(),
        message: m.clone(),
    })));
    assert!(out.contains(&Command::MarkRead { conversation_id: 1 }));
    assert!(
        out.contains(&Command::LoadConversations {
            offset: 0,
            limit: PAGE,
            filter: None
        }),
        "the list order may have changed"
    );
    assert_eq!(app.chat.as_ref().unwrap().messages.len(), 2);
    // Its receipt moves the same message, not a new one.
    let mut read = message(3, 1, Direction::Out, "yes", 0, Status::Sent);
    app.update(Input::Event(Box::new(Event::MessageQueued {
        conversation: conv.clone(),
        message: read.clone(),
    })));
    read.status = Status::Read;
    app.update(Input::Event(Box::new(Event::MessageChanged {
        conversation: conv,
        message: read,
    })));
    let chat = app.chat.as_ref().unwrap();
    assert_eq!(chat.messages.len(), 3);
    assert_eq!(
        chat.messages.iter().find(|m| m.id == 3).unwrap().status,
        Status::Read
    );
}

#[test]
fn list_reloads_are_coalesced_while_one_is_on_its_way() {
    let mut app = app_with(inbox(), 80, 24);
    let event = |id| {
        Input::Event(Box::new(Event::ConversationChanged {
            conversation: engine_conversation(id, 1, 1),
        }))
    };
    // Conversation 99 is not loaded: the list must be reloaded, once.
    assert_eq!(app.update(event(99)).len(), 1);
    assert!(app.update(event(98)).is_empty(), "one load at a time");
    // When the load arrives, the change that came meanwhile triggers one more (the views'
    // counts asked for by the first page are still on their way: not asked again).
    let out = app.update(Input::Conversations {
        total: 6,
        offset: 0,
        rows: inbox(),
    });
    assert_eq!(
        out,
        vec![Command::LoadConversations {
            offset: 0,
            limit: PAGE,
            filter: None
        }]
    );
}

#[test]
fn the_views_counts_load_one_at_a_time() {
    // The first page asked for the counts; they have not come back yet.
    let mut app = app_with(inbox(), 80, 24);
    let page = || Input::Conversations {
        total: 6,
        offset: 0,
        rows: inbox(),
    };
    let counts = || Input::Views(app_with(inbox(), 80, 24).views);
    for _ in 0..3 {
        assert!(
            !app.update(page()).contains(&Command::LoadViews),
            "asked while a load is on its way"
        );
    }
    // They come: the list moved meanwhile, so once more (not three times).
    assert_eq!(app.update(counts()), vec![Command::LoadViews]);
    assert!(app.update(counts()).is_empty(), "nothing moved since");
    assert_eq!(
        app.update(page()),
        vec![Command::LoadViews],
        "the next change asks again"
    );
    // A failed load is told, and does not stop later ones.
    app.update(page());
    assert_eq!(
        app.update(Input::ViewsFailed("the daemon is busy".into())),
        vec![Command::LoadViews]
    );
    assert!(app.toast.as_ref().is_some_and(|t| t.text.contains("busy")));
    app.update(counts());
    assert_eq!(app.update(page()), vec![Command::LoadViews]);
}

#[test]
fn moving_far_loads_the_window_around_the_selection() {
    let mut app = App::new(now(), Connection::Daemon, 80, 24);
    app.start();
    let rows: Vec<_> = (0..PAGE as u64)
        .map(|i| conversation(i, &format!("P{i}"), 0, "", Some(5)))
        .collect();
    app.update(Input::Conversations {
        total: 100_000,
        offset: 0,
        rows,
    });
    assert!(app.update(key('j')).is_empty());
    let out = app.update(key('G'));
    assert_eq!(
        out,
        vec![Command::LoadConversations {
            offset: 99_999 - PAGE / 2,
            limit: PAGE,
            filter: None
        }]
    );
    assert_eq!(app.list.selected, 99_999);
    assert_eq!(app.list.top, 99_999 + 1 - app.list_rows_visible());
}

/// `Home` pressed while a page was on its way (a reload after an event): when that page
/// arrives, the window at the top is asked for, not forgotten (the inbox waited for ever).
#[test]
fn a_jump_during_a_load_loads_its_window_when_the_load_answers() {
    let mut app = App::new(now(), Connection::Daemon, 80, 24);
    app.start();
    let page = |from: u64| -> Vec<_> {
        (from..from + PAGE as u64)
            .map(|i| conversation(i + 1, &format!("P{i}"), 0, "", Some(5)))
            .collect()
    };
    app.update(Input::Conversations {
        total: 100_000,
        offset: 0,
        rows: page(0),
    });
    app.update(key('G'));
    let end = 99_999 - PAGE / 2;
    app.update(Input::Conversations {
        total: 100_000,
        offset: end,
        rows: page(end as u64),
    });
    // A reload is on its way (events were missed) when Home is pressed.
    app.update(Input::Resync);
    assert!(app.list.loading);
    let out = app.update(code(KeyCode::Home));
    assert!(
        out.is_empty(),
        "nothing more while a load is on its way: {out:?}"
    );
    // The reload answers with the window it asked for; the top's window is asked for next.
    let out = app.update(Input::Conversations {
        total: 100_000,
        offset: end,
        rows: page(end as u64),
    });
    assert!(
        out.contains(&Command::LoadConversations {
            offset: 0,
            limit: PAGE,
            filter: None
        }),
        "{out:?}"
    );
    app.update(Input::Conversations {
        total: 100_000,
        offset: 0,
        rows: page(0),
    });
    assert_eq!(app.list.offset, 0);
    assert!(app.list.selected_row().is_some() && !app.list.loading);
}

#[test]
fn help_opens_and_closes_and_q_quits() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('?'));
    assert!(matches!(&app.popup, Some(Popup::Help(h)) if h.scroll == 0));
    app.update(key('j'));
    assert!(matches!(&app.popup, Some(Popup::Help(h)) if h.scroll == 1));
    app.update(code(KeyCode::Esc));
    assert!(app.popup.is_none());
    assert!(!app.quit);
    // F1 while typing a search opens help at the search's keys, over it; closing it goes back.
    app.update(key('/'));
    app.update(key('?'));
    assert!(matches!(&app.popup, Some(Popup::Search(s)) if s.query == "?"));
    app.update(code(KeyCode::F(1)));
    let Some(Popup::Help(h)) = &app.popup else {
        panic!("help is not open");
    };
    assert!(h.scroll > 0, "opened at the search's section");
    let screen = common::tui::draw(&app).backend().to_string();
    assert!(
        screen.contains("│Search "),
        "the section's title on top: {screen}"
    );
    app.update(code(KeyCode::Esc));
    assert!(matches!(&app.popup, Some(Popup::Search(s)) if s.query == "?"));
    app.update(code(KeyCode::Esc));
    // A pending g shows what the next key does.
    app.update(key('g'));
    let screen = common::tui::draw(&app).backend().to_string();
    assert!(screen.contains("After g"), "{screen}");
    app.update(key('g'));
    app.update(key('q'));
    assert!(app.quit);
}

#[test]
fn resizing_changes_how_many_rows_fit() {
    let mut app = app_with(inbox(), 80, 24);
    let small = app.list_rows_visible();
    app.update(Input::Resize {
        width: 160,
        height: 45,
    });
    assert!(app.list_rows_visible() > small);
}

#[test]
fn the_template_picker_offers_what_can_go_and_sends_the_choice() {
    use common::tui::templates;
    use hirechat::domain::merge_source::Picks;
    let mut app = app_with(inbox(), 80, 24);
    for _ in 0..4 {
        app.update(key('j'));
    }
    app.update(code(KeyCode::Enter));
    // Emily's window is closed: `t` asks for the templates…
    assert_eq!(app.update(key('t')), vec![Command::LoadTemplates]);
    // …and only approved ones are offered; the first is previewed.
    let out = app.update(Input::Templates(templates()));
    let names: Vec<&str> = app
        .picker()
        .unwrap()
        .shown()
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["interview_invitation", "job_details"]);
    assert_eq!(
        out,
        vec![Command::PreviewTemplate {
            template_id: 1,
            to: "+819000000005".into(),
            name: "interview_invitation".into(),
            language: "en_US".into(),
            picks: Picks::new(),
        }]
    );
    // Typing filters (letters are not shortcuts here) and previews the new choice.
    let out = app.update(key('j'));
    assert_eq!(app.picker().unwrap().query, "j");
    assert!(matches!(
        &out[..],
        [Command::PreviewTemplate { template_id: 2, .. }]
    ));
    app.update(Input::Preview(common::tui::preview_missing_a_title()));
    app.update(code(KeyCode::Backspace));
    app.update(code(KeyCode::Down));
    // Enter shows the filled message for a last look; Enter again sends it.
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    assert_eq!(app.mode(), hirechat::tui::keymap::Mode::ConfirmSend);
    let out = app.update(code(KeyCode::Enter));
    assert_eq!(
        out,
        vec![Command::SendTemplate {
            to: "+819000000005".into(),
            name: "job_details".into(),
            language: "en_US".into(),
            picks: Picks::new(),
        }]
    );
    assert!(app.picker().is_none());
    // Esc closes it without sending.
    app.update(key('t'));
    assert!(app.update(code(KeyCode::Esc)).is_empty());
    assert!(app.picker().is_none());
}

#[test]
fn u_marks_unread_and_f_filters_the_list() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('j'));
    app.update(key('j'));
    assert_eq!(
        app.update(key('u')),
        vec![Command::MarkUnread { conversation_id: 3 }]
    );
    // f opens the prompt; letters are the query, not shortcuts.
    app.update(key('f'));
    for c in "unreplied>3d".chars() {
        assert!(app.update(key(c)).is_empty());
    }
    assert!(!app.quit);
    let out = app.update(code(KeyCode::Enter));
    assert_eq!(
        out,
        vec![Command::LoadConversations {
            offset: 0,
            limit: PAGE,
            filter: Some("unreplied>3d".into())
        }]
    );
    assert_eq!(app.filter.as_deref(), Some("unreplied>3d"));
    assert!(app.popup.is_none());
    // Later loads keep the filter; an empty one clears it.
    app.update(Input::Conversations {
        total: 1,
        offset: 0,
        rows: vec![inbox().remove(4)],
    });
    app.update(key('f'));
    for _ in 0..20 {
        app.update(code(KeyCode::Backspace));
    }
    let out = app.update(code(KeyCode::Enter));
    assert_eq!(
        out,
        vec![Command::LoadConversations {
            offset: 0,
            limit: PAGE,
            filter: None
        }]
    );
}

#[test]
fn g_then_a_digit_shows_a_view_and_g_g_goes_to_the_top() {
    use hirechat::engine::api::ViewCount;
    let mut app = app_with(inbox(), 80, 24);
    let view = |name: &str, count| ViewCount {
        name: name.into(),
        title: name.into(),
        count,
        saved: None,
    };
    app.update(Input::Views(vec![
        view("", Some(6)),
        view("my-unreplied", Some(1)),
        view("all-unreplied", Some(4)),
        view("sent-today", None),
    ]));
    app.update(key('j'));
    app.update(key('j'));
    assert!(app.update(key('g')).is_empty());
    let out = app.update(key('3'));
    assert_eq!(
        out,
        vec![Command::LoadConversations {
            offset: 0,
            limit: PAGE,
            filter: Some("all-unreplied".into())
        }]
    );
    assert_eq!((app.active_view, app.list.selected), (Some(2), 0));
    app.update(Input::Conversations {
        total: 6,
        offset: 0,
        rows: inbox(),
    });
    app.update(key('j'));
    app.update(key('g'));
    app.update(key('g'));
    assert_eq!(app.list.selected, 0);
    // g then 1: all conversations again.
    app.update(key('g'));
    let out = app.update(key('1'));
    assert!(matches!(
        &out[..],
        [Command::LoadConversations { filter: None, .. }]
    ));
    // A view that does not exist says so.
    app.update(key('g'));
    assert!(app.update(key('9')).is_empty());
    assert!(app.toast.as_ref().unwrap().text.contains("no view 9"));
    // f on a view starts from its query, not its name; readline keys edit it.
    app.update(key('g'));
    app.update(key('3'));
    app.update(key('f'));
    for c in "failed".chars() {
        app.update(key(c));
    }
    let typed = |app: &App| match &app.popup {
        Some(Popup::Filter(input)) => input.text().to_owned(),
        _ => panic!("the prompt is closed"),
    };
    assert_eq!(typed(&app), "unreplied failed");
    app.update(Input::Key(KeyEvent::new(
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
    )));
    app.update(code(KeyCode::Home));
    app.update(key('x'));
    assert_eq!(typed(&app), "xunreplied ");
    // An error shows in the prompt line while it is open.
    app.update(Input::Key(KeyEvent::new(
        KeyCode::Char('d'),
        KeyModifiers::CONTROL,
    )));
    let screen = common::tui::draw(&app).backend().to_string();
    assert!(screen.contains("is not a saved view"), "{screen}");
    assert!(screen.contains("Filter:"), "{screen}");
}

#[test]
fn new_messages_notify_and_n_jumps_into_the_reply_box() {
    let mut app = app_with(inbox(), 80, 24);
    let mut conv = engine_conversation(7, 1, 0);
    conv.name = "Haruto Sato".into();
    for (id, text) in [(70, "first"), (71, "second")] {
        let mut m = message(id, 7, Direction::In, text, 0, Status::Delivered);
        m.at = now();
        app.update(Input::Event(Box::new(Event::MessageReceived {
            conversation: conv.clone(),
            message: m,
        })));
    }
    // Someone else's candidate does not notify this recruiter.
    let mut theirs = engine_conversation(8, 1, 0);
    theirs.owner = Some("ken".into());
    app.update(Input::Event(Box::new(Event::MessageReceived {
        conversation: theirs,
        message: message(80, 8, Direction::In, "x", 0, Status::Delivered),
    })));
    assert_eq!(app.notifications.unseen(), 1);
    assert_eq!(
        (
            app.notifications.items[0].name.as_str(),
            app.notifications.items[0].count
        ),
        ("Haruto Sato", 2)
    );
    app.update(key('n'));
    let out = app.update(code(KeyCode::Enter));
    assert_eq!(
        out,
        vec![
            Command::LoadThread { conversation_id: 7 },
            Command::MarkRead { conversation_id: 7 }
        ]
    );
    assert_eq!(app.focus, Focus::Compose);
    assert_eq!(app.notifications.unseen(), 0);
    assert!(app.popup.is_none());
    // Seen ones can be cleared.
    app.update(code(KeyCode::Esc));
    app.update(code(KeyCode::Esc));
    app.update(key('n'));
    app.update(key('c'));
    assert!(app.notifications.items.is_empty());
}

#[test]
fn who_is_answering_is_told_and_shown() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(code(KeyCode::Enter));
    // Starting a reply tells the others, once per 20 s however much is typed.
    let out = app.update(key('r'));
    assert_eq!(out, vec![Command::Answering { conversation_id: 1 }]);
    assert!(app.update(key('h')).is_empty());
    // Someone else answering is remembered for 30 s; my own echo is not.
    let answering = |login: &str| {
        Input::Event(Box::new(Event::Answering {
            conversation_id: 1,
            login: login.into(),
            name: format!("{login}-name"),
        }))
    };
    app.update(answering("aiko"));
    assert!(app.answering.is_empty());
    app.update(answering("ken"));
    assert_eq!(
        app.answering.get(&1).map(|(n, _)| n.as_str()),
        Some("ken-name")
    );
    app.update(Input::Tick(now() + Duration::seconds(31)));
    assert!(app.answering.is_empty());
}

#[test]
fn alerts_cannot_be_hijacked_by_a_name() {
    use hirechat::{config::NotificationsConfig, tui::alert_sequence};
    let none = NotificationsConfig::default();
    assert_eq!(alert_sequence(none, "x"), "");
    let both = NotificationsConfig {
        bell: true,
        desktop: true,
    };
    let s = alert_sequence(both, "Evil\u{7}\u{1b}]0;pwned\u{7};name · 2 new");
    assert!(s.starts_with('\u{7}'));
    // Exactly the framing escapes and bells: two OSCs, each ended by BEL, plus the bell.
    assert_eq!(s.matches('\u{1b}').count(), 2, "{s:?}");
    assert_eq!(s.matches('\u{7}').count(), 3, "{s:?}");
    assert!(s.contains("Evil␇␛]0pwned␇name · 2 new"), "{s:?}");
}

#[test]
fn several_values_are_picked_in_a_popup_before_the_send() {
    use common::tui::templates;
    use hirechat::{
        domain::{
            merge::Filled,
            merge_source::{Choice, ChoiceOption, Picks},
        },
        tui::{keymap::Mode, popup::picker::Preview},
    };
    let mut app = app_with(inbox(), 80, 24);
    app.update(code(KeyCode::Enter));
    app.update(key('t'));
    app.update(Input::Templates(templates()));
    let id = app.picker().unwrap().selected_template().unwrap().id;
    let interviews = Choice {
        module: "Interviews".into(),
        options: vec![
            ChoiceOption {
                id: 10,
                label: "Data Engineer · Tue 1 Dec 2026 10:00 JST".into(),
            },
            ChoiceOption {
                id: 11,
                label: "SRE · Thu 3 Dec 2026 15:30 JST".into(),
            },
        ],
        picked: None,
    };
    let filled = Filled {
        text: "See you on ${Interviews.From}".into(),
        values: vec![String::new()],
        missing: vec![],
    };
    app.update(Input::Preview(Preview {
        template_id: id,
        filled: filled.clone(),
        choices: vec![interviews.clone()],
        refusal: None,
        price: None,
        picks: Picks::new(),
    }));
    // Enter opens the choice instead of sending; j and Enter take the second interview…
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    assert_eq!(app.mode(), Mode::Choose);
    app.update(key('j'));
    let out = app.update(code(KeyCode::Enter));
    let picks = Picks::from([("Interviews".to_owned(), 11)]);
    assert!(
        matches!(&out[..], [Command::PreviewTemplate { picks: p, .. }] if *p == picks),
        "{out:?}"
    );
    assert_eq!(app.mode(), Mode::Picker);
    // An answer to the request made before the pick is stale: it is dropped.
    app.update(Input::Preview(Preview {
        template_id: id,
        filled: filled.clone(),
        choices: vec![interviews.clone()],
        refusal: None,
        price: None,
        picks: Picks::new(),
    }));
    assert!(app.picker().unwrap().current_preview().is_none());
    // …the preview comes back filled, and Enter sends with the pick.
    app.update(Input::Preview(Preview {
        template_id: id,
        filled: Filled {
            text: "See you on Thu 3 Dec 2026 15:30 JST".into(),
            ..filled
        },
        choices: vec![Choice {
            picked: Some(11),
            ..interviews
        }],
        refusal: None,
        price: None,
        picks: picks.clone(),
    }));
    assert!(
        app.update(code(KeyCode::Enter)).is_empty(),
        "a last look first"
    );
    let out = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&out[..], [Command::SendTemplate { picks: p, .. }] if *p == picks),
        "{out:?}"
    );
}

#[test]
fn c_searches_records_and_enter_opens_the_conversation() {
    use hirechat::{
        domain::record::RecordInput,
        tui::{app::Focus, keymap::Mode},
    };
    let mut app = app_with(inbox(), 80, 24);
    assert_eq!(
        app.update(key('c')),
        vec![Command::LoadRecords {
            query: String::new()
        }]
    );
    assert_eq!(app.mode(), Mode::Records);
    // Letters search; each keystroke asks again.
    app.update(key('k'));
    let out = app.update(key('e'));
    assert_eq!(out, vec![Command::LoadRecords { query: "ke".into() }]);
    let ken = RecordInput {
        name: "Ken Sato".into(),
        mobile: Some("+819012345678".into()),
        ..RecordInput::default()
    }
    .validate(42)
    .unwrap();
    app.update(Input::Records {
        query: "ke".into(),
        total: 1,
        records: vec![ken],
    });
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::OpenRecord { record_id: 42 }]
    );
    let conversation = common::tui::conversation(99, "Ken Sato", 0, "", None);
    let out = app.update(Input::Opened {
        conversation,
        messages: vec![],
        trail: vec![],
        scheduled: vec![],
    });
    assert_eq!(
        out,
        vec![Command::MarkRead {
            conversation_id: 99
        }]
    );
    assert!(app.records().is_none());
    assert_eq!(app.focus, Focus::Chat);
    assert_eq!(app.chat.as_ref().unwrap().conversation.id, 99);
    // Esc closes the pane without opening anything.
    app.update(key('c'));
    assert!(app.update(code(KeyCode::Esc)).is_empty());
    assert!(app.records().is_none());
}

#[test]
fn the_template_manager_writes_a_template_with_merge_fields_from_hash() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use hirechat::{
        domain::template::{Category, Module, TemplateInput, TemplateKind},
        tui::keymap::Mode,
    };
    let mut app = app_with(inbox(), 80, 24);
    assert_eq!(app.update(key('T')), vec![Command::LoadTemplates]);
    app.update(Input::Templates(common::tui::templates()));
    assert_eq!(app.mode(), Mode::Templates);
    app.update(key('a'));
    assert_eq!(app.mode(), Mode::TemplateForm);
    for c in "offer_call".chars() {
        app.update(key(c));
    }
    // Name → Language (preselected) → Category → Body.
    for _ in 0..3 {
        app.update(code(KeyCode::Tab));
    }
    for c in "Hi ".chars() {
        app.update(key(c));
    }
    app.update(key('#'));
    assert_eq!(app.mode(), Mode::MergeFields);
    app.update(code(KeyCode::Down));
    app.update(code(KeyCode::Enter));
    for c in ", ".chars() {
        app.update(key(c));
    }
    // Three modules right: Organization; its first field is Name.
    app.update(key('#'));
    for _ in 0..3 {
        app.update(code(KeyCode::Right));
    }
    app.update(code(KeyCode::Enter));
    // Esc in the picker types a plain #.
    app.update(key('#'));
    app.update(code(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::TemplateForm);
    let save = Input::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let out = app.update(save);
    assert_eq!(
        out,
        vec![Command::CreateTemplate {
            template: TemplateInput {
                kind: TemplateKind::Whatsapp,
                module: Module::Candidates,
                name: "offer_call".into(),
                language: Some("en_US".into()),
                category: Some(Category::Utility),
                body: "Hi ${Candidates.First Name}, ${Organization.Name}#".into(),
            }
        }]
    );
    // A refusal stays in the form; success goes back to the list.
    app.update(Input::TemplateRefused("WhatsApp did not take it".into()));
    let form = app.manager().unwrap().form.as_ref().unwrap();
    assert_eq!(form.error.as_deref(), Some("WhatsApp did not take it"));
    let saved = common::tui::template(
        9,
        "offer_call",
        TemplateKind::Whatsapp,
        hirechat::domain::template::TemplateStatus::Pending,
        "Hi",
    );
    assert_eq!(
        app.update(Input::TemplateSaved(saved)),
        vec![Command::LoadTemplates]
    );
    assert_eq!(app.mode(), Mode::Templates);
    // d asks, y deletes.
    app.update(key('j'));
    assert!(app.update(key('d')).is_empty());
    assert_eq!(
        app.update(key('y')),
        vec![Command::DeleteTemplate {
            name: "interview_invitation".into(),
            language: "en_US".into()
        }]
    );
    // Not an admin: the list, but no form.
    app.update(code(KeyCode::Esc));
    app.update(Input::Me {
        login: "ken".into(),
        role: hirechat::domain::permission::Role::Recruiter,
        channel: String::new(),
        language: String::new(),
        relay: None,
        disconnected_at: None,
    });
    app.update(key('T'));
    app.update(key('a'));
    assert_eq!(app.mode(), Mode::Templates);
    assert!(app.toast.as_ref().is_some_and(|t| t.error));
}

#[test]
fn a_late_preview_of_another_template_does_not_replace_the_selected_ones() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(code(KeyCode::Enter));
    app.update(key('t'));
    app.update(Input::Templates(common::tui::templates()));
    let preview = |template_id| {
        Input::Preview(common::tui::plain_preview(
            template_id,
            &format!("preview of {template_id}"),
        ))
    };
    // "job" selects template 2; the answer for template 1 comes back last.
    for c in "job".chars() {
        app.update(key(c));
    }
    app.update(preview(2));
    app.update(preview(1));
    let p = app.picker().unwrap();
    assert_eq!(p.current_preview().unwrap().filled.text, "preview of 2");
}

#[test]
fn slash_searches_everything_and_enter_jumps_to_the_message() {
    use hirechat::{
        domain::message::{Direction, Status},
        engine::api::SearchHit,
        tui::{app::Focus, keymap::Mode},
    };
    let mut app = app_with(inbox(), 80, 24);
    assert!(app.update(key('/')).is_empty());
    assert_eq!(app.mode(), Mode::Search);
    app.update(key('p'));
    let out = app.update(key('a'));
    assert_eq!(out, vec![Command::Search { query: "pa".into() }]);
    let hit_message = common::tui::message(
        77,
        3,
        Direction::In,
        "Is there parking near the office?",
        600,
        Status::Read,
    );
    let at = hit_message.at;
    app.update(Input::Found {
        query: "pa".into(),
        hits: vec![SearchHit {
            conversation: common::tui::conversation(3, "Emily Clarke", 0, "", Some(600)),
            message: Some(hit_message.clone()),
        }],
    });
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::LoadThreadFrom {
            conversation_id: 3,
            since: at
        }]
    );
    assert!(app.search().is_none());
    assert_eq!(app.focus, Focus::Chat);
    let later = common::tui::message(
        78,
        3,
        Direction::Out,
        "Yes, under the building.",
        590,
        Status::Read,
    );
    app.update(Input::Thread {
        conversation: common::tui::conversation(3, "Emily Clarke", 0, "", Some(600)),
        messages: vec![hit_message, later],
        trail: vec![],
        scheduled: vec![],
    });
    assert_eq!(app.chat.as_ref().unwrap().selected, Some(0));
}

#[test]
fn a_filter_is_saved_as_a_view_and_shown() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use hirechat::{
        domain::view::{Sort, ViewInput},
        tui::keymap::Mode,
    };
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('f'));
    for c in "unreplied>3d".chars() {
        app.update(key(c));
    }
    let ctrl_s = Input::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    app.update(ctrl_s);
    assert_eq!(app.mode(), Mode::SaveView);
    for c in "Waiting".chars() {
        app.update(key(c));
    }
    app.update(code(KeyCode::Tab));
    let out = app.update(code(KeyCode::Enter));
    assert_eq!(
        out,
        vec![Command::SaveView {
            view: ViewInput {
                name: "Waiting".into(),
                query: "unreplied>3d".into(),
                sort: Sort::Newest,
                shared: true,
            }
        }]
    );
    let mut views = app.views.clone();
    views.push(hirechat::engine::api::ViewCount {
        name: "Waiting".into(),
        title: "Waiting".into(),
        count: Some(2),
        saved: Some(hirechat::domain::view::SavedView {
            id: 7,
            name: "Waiting".into(),
            query: "unreplied>3d".into(),
            sort: Sort::Newest,
            owner: None,
            created_by: "aiko".into(),
        }),
    });
    let out = app.update(Input::Views(views));
    assert!(
        out.iter().any(
            |c| matches!(c, Command::LoadConversations { filter: Some(f), .. } if f == "Waiting")
        ),
        "{out:?}"
    );
    assert_eq!(app.filter.as_deref(), Some("Waiting"));
    // f shows the view's name; Ctrl-d deletes it and the list shows everything again.
    app.update(key('f'));
    let ctrl_d = Input::Key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL));
    let out = app.update(ctrl_d);
    assert!(
        out.contains(&Command::DeleteView {
            name: "Waiting".into()
        }),
        "{out:?}"
    );
    assert_eq!(app.filter, None);
}

#[test]
fn notifications_come_back_from_the_unread_conversations_at_start() {
    let mut app = app_with(inbox(), 80, 24);
    let mut mine = common::tui::conversation(1, "Haruto Sato", 3, "Are you there?", Some(30));
    mine.owner = Some("aiko".into());
    let mut kens = common::tui::conversation(2, "Emily Clarke", 1, "Hello", Some(20));
    kens.owner = Some("ken".into());
    let nobodys = common::tui::conversation(3, "Liam Chen", 2, "Hi", Some(10));
    let read = common::tui::conversation(4, "Sophie Martin", 0, "Thanks", Some(5));
    app.update(Input::Unread(vec![mine, kens, nobodys, read]));
    let n = &app.notifications;
    let got: Vec<(&str, u32)> = n.items.iter().map(|i| (i.name.as_str(), i.count)).collect();
    assert_eq!(got, [("Liam Chen", 2), ("Haruto Sato", 3)]);
    assert_eq!(n.unseen(), 2);
}

#[test]
fn a_reply_being_written_waits_as_a_draft_while_another_conversation_is_open() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    for c in "Dear Haruto".chars() {
        app.update(key(c));
    }
    app.update(code(KeyCode::Esc));
    app.update(code(KeyCode::Esc));
    app.update(key('j'));
    app.update(key('j'));
    app.update(key('r'));
    assert_eq!(app.reply_text(), "", "another conversation, another box");
    app.update(key('x'));
    let first = app.list.rows[0].id;
    let third = app.list.rows[2].id;
    assert_eq!(
        app.drafts(),
        std::collections::BTreeMap::from([(first, "Dear Haruto".into()), (third, "x".into())])
    );
    app.update(code(KeyCode::Esc));
    app.update(code(KeyCode::Esc));
    app.update(key('k'));
    app.update(key('k'));
    app.update(key('r'));
    assert_eq!(app.reply_text(), "Dear Haruto", "the draft comes back");
    // Sending it ends the draft.
    app.update(code(KeyCode::Enter));
    assert!(!app.drafts().contains_key(&first));
    // A saved set comes back at start.
    let mut later = app_with(inbox(), 80, 24);
    later.restore_drafts(app.drafts());
    later.update(key('j'));
    later.update(key('j'));
    later.update(key('r'));
    assert_eq!(later.reply_text(), "x");
}

#[test]
fn files_attached_to_a_reply_wait_with_its_draft_and_quitting_over_them_asks() {
    let dir = common::TempDir::new("draft-files");
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    let cv = common::tui::attach_new_file(&mut app, dir.path(), "cv.pdf");
    assert_eq!(app.chat.as_ref().unwrap().pending.len(), 1, "attached");
    let first = app.chat.as_ref().unwrap().conversation.id;
    app.update(code(KeyCode::Esc));
    app.update(code(KeyCode::Esc));
    app.update(key('j'));
    app.update(key('r'));
    assert_ne!(app.chat.as_ref().unwrap().conversation.id, first);
    assert!(
        app.chat.as_ref().unwrap().pending.is_empty(),
        "another conversation, no files"
    );
    assert_eq!(app.attached_files(), 1, "the first reply's file waits");
    // Files do not outlive the session: quitting asks, though no text is written.
    app.update(Input::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(matches!(app.popup, Some(Popup::Quit)), "{:?}", app.popup);
    app.update(key('n'));
    app.update(code(KeyCode::Esc));
    app.update(code(KeyCode::Esc));
    app.update(key('k'));
    app.update(key('r'));
    let chat = app.chat.as_ref().unwrap();
    assert_eq!(chat.conversation.id, first);
    assert_eq!(
        chat.pending
            .iter()
            .map(|f| f.path.clone())
            .collect::<Vec<_>>(),
        [cv.to_string_lossy().into_owned()],
        "the file comes back with its conversation"
    );
}

#[test]
fn quitting_over_an_unsent_reply_asks_and_a_hangup_does_not() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    app.update(key('h'));
    app.update(Input::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(!app.quit);
    assert!(matches!(app.popup, Some(Popup::Quit)));
    app.update(key('n'));
    assert!(app.popup.is_none() && !app.quit);
    app.update(Input::Hangup);
    assert!(app.quit, "a closed terminal cannot be asked");
}

#[test]
fn ctrl_o_hands_the_reply_to_the_editor_and_takes_back_what_it_wrote() {
    use hirechat::tui::app::{EditRequest, EditTarget};
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('r'));
    app.update(key('H'));
    app.update(Input::Key(KeyEvent::new(
        KeyCode::Char('o'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(
        app.take_edit_request(),
        Some(EditRequest {
            target: EditTarget::Reply,
            text: "H".into()
        })
    );
    assert_eq!(app.take_edit_request(), None, "asked once");
    app.update(Input::Edited {
        target: EditTarget::Reply,
        text: Ok("Hello Haruto,\nsee you Tuesday.\n".into()),
    });
    assert_eq!(app.reply_text(), "Hello Haruto,\nsee you Tuesday.");
    // An editor that fails leaves the text as it was, and says why.
    app.update(Input::Edited {
        target: EditTarget::Reply,
        text: Err("vi exited with exit status: 1: the text is as it was".into()),
    });
    assert_eq!(app.reply_text(), "Hello Haruto,\nsee you Tuesday.");
    assert!(app.toast.as_ref().unwrap().text.contains("exited"));
}

#[test]
fn y_copies_the_selected_message_and_o_opens_its_link_or_copies_it_over_ssh() {
    use hirechat::tui::app::Outside;
    let mut app = app_with(inbox(), 80, 24);
    let id = app.list.rows[0].id;
    common::tui::open_selected(
        &mut app,
        vec![message(
            1,
            id,
            Direction::In,
            "Book a slot: https://cal.example.com/aiko/30min. Thanks!",
            5,
            Status::Read,
        )],
    );
    app.update(key('k'));
    app.update(key('y'));
    assert_eq!(
        app.take_outside(),
        Some(Outside::Copy(
            "Book a slot: https://cal.example.com/aiko/30min. Thanks!".into()
        ))
    );
    app.update(key('o'));
    assert_eq!(
        app.take_outside(),
        Some(Outside::Copy("https://cal.example.com/aiko/30min".into())),
        "no desktop: the link is copied"
    );
    assert!(app.toast.as_ref().unwrap().text.contains("copied"));
    app.desktop = true;
    app.update(key('o'));
    assert_eq!(
        app.take_outside(),
        Some(Outside::Open("https://cal.example.com/aiko/30min".into())),
        "its only link, again"
    );
}

#[test]
fn o_goes_through_a_messages_links_one_press_at_a_time() {
    use hirechat::tui::app::Outside;
    let mut app = app_with(inbox(), 80, 24);
    app.desktop = true;
    let id = app.list.rows[0].id;
    common::tui::open_selected(
        &mut app,
        vec![
            message(
                1,
                id,
                Direction::In,
                "Form: https://forms.example.com/apply and slots: https://cal.example.com/aiko",
                6,
                Status::Read,
            ),
            message(
                2,
                id,
                Direction::In,
                "See https://example.com/map",
                5,
                Status::Read,
            ),
        ],
    );
    let mut opened = || {
        app.update(key('o'));
        match app.take_outside() {
            Some(Outside::Open(link)) => link,
            other => panic!("a link to open: {other:?}"),
        }
    };
    assert_eq!(opened(), "https://example.com/map", "the newest message's");
    assert_eq!(opened(), "https://example.com/map", "its only one");
    app.update(key('k'));
    assert_eq!(app.take_outside(), None);
    let mut opened = || {
        app.update(key('o'));
        let toast = app.toast.as_ref().unwrap().text.clone();
        match app.take_outside() {
            Some(Outside::Open(link)) => (link, toast),
            other => panic!("a link to open: {other:?}"),
        }
    };
    let (first, toast) = opened();
    assert_eq!(first, "https://forms.example.com/apply");
    assert!(toast.contains("link 1 of 2"), "{toast}");
    let (second, toast) = opened();
    assert_eq!(second, "https://cal.example.com/aiko");
    assert!(toast.contains("link 2 of 2"), "{toast}");
    assert_eq!(opened().0, "https://forms.example.com/apply", "round again");
}

#[test]
fn a_click_opens_a_conversation_and_the_wheel_scrolls_what_is_under_it() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut app = app_with(inbox(), 80, 24);
    common::tui::draw(&app);
    let hits = app.hits.get();
    let at = |kind, column, row| {
        Input::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // The third conversation: two lines a row.
    let third = app.list.rows[2].id;
    let out = app.update(at(
        MouseEventKind::Down(MouseButton::Left),
        hits.list_rows.x + 3,
        hits.list_rows.y + 4,
    ));
    assert!(
        out.contains(&Command::LoadThread {
            conversation_id: third
        }),
        "{out:?}"
    );
    assert_eq!(app.focus, Focus::Chat);
    // The wheel over the list moves its selection.
    app.update(at(
        MouseEventKind::ScrollDown,
        hits.list_rows.x + 3,
        hits.list_rows.y,
    ));
    assert_eq!(app.list.selected, 3);
    // A click on the reply box starts a reply.
    common::tui::draw(&app);
    let compose = app.hits.get().compose;
    app.update(at(
        MouseEventKind::Down(MouseButton::Left),
        compose.x + 2,
        compose.y + 1,
    ));
    assert!(matches!(app.focus, Focus::Compose | Focus::Chat));
}

#[test]
fn e_in_the_template_manager_edits_the_selected_templates_body() {
    use hirechat::tui::keymap::Mode;
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('T'));
    app.update(Input::Templates(common::tui::templates()));
    let first = app.manager().unwrap().selected_template().unwrap().clone();
    app.update(key('e'));
    assert_eq!(app.mode(), Mode::TemplateForm);
    let form = app.manager().unwrap().form.as_ref().unwrap();
    assert!(form.editing);
    assert_eq!(form.body.lines().join("\n"), first.body);
    // Tab does not leave the body: only the body changes.
    app.update(code(KeyCode::Tab));
    for c in " Thanks.".chars() {
        app.update(key(c));
    }
    let out = app.update(Input::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(
        out,
        vec![Command::EditTemplate {
            name: first.name.clone(),
            language: Some(first.language.clone()).filter(|l| !l.is_empty()),
            body: format!("{} Thanks.", first.body),
        }]
    );
}

#[test]
fn a_rules_note_about_a_record_without_a_conversation_waits_in_the_notifications() {
    let mut app = app_with(inbox(), 80, 24);
    let notice = |record_id: Option<u64>, name: &str, note: &str| {
        Input::Event(Box::new(Event::Notice {
            users: Vec::new(),
            conversation_id: None,
            record_id,
            name: name.into(),
            note: note.into(),
            at: now(),
        }))
    };
    app.update(notice(
        Some(42),
        "Yui Tanaka",
        "rule offer: Status became Offer",
    ));
    app.update(notice(None, "Credits", "the balance is under the minimum"));
    assert_eq!(app.notifications.unseen(), 2);
    app.update(key('n'));
    // The newest first: the credits' note opens nothing, and is seen.
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    assert_eq!(app.notifications.unseen(), 1);
    assert!(app.popup.is_some(), "still open, for the next");
    app.update(key('j'));
    let out = app.update(code(KeyCode::Enter));
    assert!(
        out.contains(&Command::OpenRecord { record_id: 42 }),
        "the record's conversation opened (started): {out:?}"
    );
    assert_eq!(app.notifications.unseen(), 0);
    assert!(app.popup.is_none());
}

#[test]
fn a_template_changed_during_the_last_look_is_not_sent_unseen() {
    use common::tui::{plain_preview, templates};
    use hirechat::tui::keymap::Mode;
    let mut app = app_with(inbox(), 80, 24);
    app.update(code(KeyCode::Enter));
    app.update(key('t'));
    app.update(Input::Templates(templates()));
    app.update(code(KeyCode::Down));
    let looked = app.picker().unwrap().selected_template().unwrap().clone();
    assert_eq!(looked.name, "job_details", "the second");
    let preview = |template_id| plain_preview(template_id, "Hi Emily");
    app.update(Input::Preview(preview(looked.id)));
    assert!(app.update(code(KeyCode::Enter)).is_empty(), "a last look");
    assert_eq!(app.mode(), Mode::ConfirmSend);
    // Another template reviewed meanwhile: the list comes again, the cursor stays.
    let mut again = templates();
    again[2].status = hirechat::domain::template::TemplateStatus::Approved;
    app.update(Input::Templates(again.clone()));
    assert_eq!(app.picker().unwrap().selected_template(), Some(&looked));
    assert_eq!(app.mode(), Mode::ConfirmSend);
    // The one looked at edited meanwhile: Enter sends nothing until it is looked at again.
    let at = again.iter().position(|t| t.id == looked.id).unwrap();
    again[at].body = "Hello, a new text".into();
    let out = app.update(Input::Templates(again));
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::PreviewTemplate { .. })),
        "{out:?}"
    );
    assert_eq!(app.mode(), Mode::Picker);
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("look at it again")
    );
    app.update(Input::Preview(preview(looked.id)));
    let out = app.update(code(KeyCode::Enter));
    assert!(
        !out.iter()
            .any(|c| matches!(c, Command::SendTemplate { .. })),
        "a last look again first: {out:?}"
    );
}
