//! The whole app against the demo (real engine, simulator and webhooks on 127.0.0.1), driven
//! through the real keymap; and two apps attached to one daemon socket seeing each other.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use common::{TempDir, tui::code};
use crossterm::event::KeyCode;
use hirechat::{
    config::Config,
    demo,
    domain::message::{Direction, Status},
    server::socket,
    tui::{
        Session,
        app::{App, Connection, Input},
        link::Link,
    },
};
use ratatui::{Terminal, backend::TestBackend};

/// Steps the session until `done` holds (at most 10 s).
async fn until(session: &mut Session, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&session.app) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}; the screen:\n{}",
            screen(&session.app)
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), session.step()).await;
    }
}

fn typed(session: &Session, text: &str) {
    for c in text.chars() {
        session.sender().send(common::tui::key(c)).unwrap();
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    t.draw(|f| hirechat::tui::view::render(app, f)).unwrap();
    t.backend().to_string()
}

/// The demo at a fast pace, and a TUI session on it showing the seeded inbox.
async fn demo_session(dir: &TempDir) -> (demo::Demo, Session) {
    let d = demo::start(dir.path(), 0.02).await.unwrap();
    let link = Link::local(d.engine.clone(), d.actor.clone());
    let mut s = Session::start(App::new(Utc::now(), Connection::Demo, 160, 45), link);
    until(&mut s, "the seeded inbox", |a| a.list.total >= 12).await;
    (d, s)
}

/// `c`, then `query`, until the records pane shows exactly one record.
async fn find_one_record(s: &mut Session, query: &str) {
    s.sender().send(common::tui::key('c')).unwrap();
    typed(s, query);
    until(s, "the search", |a| {
        a.records()
            .is_some_and(|p| !p.loading && p.records.len() == 1)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_receipts_and_an_answer_in_the_demo() {
    let dir = TempDir::new("tui-demo");
    let d = demo::start(dir.path(), 0.02).await.unwrap();
    let link = Link::local(d.engine.clone(), d.actor.clone());
    let mut s = Session::start(App::new(Utc::now(), Connection::Demo, 160, 45), link);
    until(&mut s, "the seeded inbox", |a| {
        a.list.total >= 12 && !a.list.rows.is_empty()
    })
    .await;
    assert_eq!(s.app.list.rows[0].name, "Haruto Sato");
    assert!(s.app.list.rows[0].unread > 0);

    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the chat", |a| {
        a.chat.as_ref().is_some_and(|c| c.loaded)
    })
    .await;
    until(&mut s, "it to be read", |a| {
        a.list
            .rows
            .iter()
            .find(|r| r.name == "Haruto Sato")
            .is_some_and(|r| r.unread == 0)
    })
    .await;

    s.sender().send(common::tui::key('r')).unwrap();
    typed(&s, "Online is fine, I'll send a Meet link.");
    s.sender().send(code(KeyCode::Enter)).unwrap();
    let mine = |a: &App| {
        a.chat.as_ref().and_then(|c| {
            c.messages
                .iter()
                .find(|m| m.text == "Online is fine, I'll send a Meet link.")
                .cloned()
        })
    };
    until(&mut s, "the reply on screen", |a| mine(a).is_some()).await;
    until(&mut s, "the read receipt", |a| {
        mine(a).is_some_and(|m| m.status == Status::Read)
    })
    .await;
    until(&mut s, "the candidate's answer", |a| {
        a.chat.as_ref().is_some_and(|c| {
            let last = c.messages.last().unwrap();
            last.direction == Direction::In && last.at >= mine(a).unwrap().at
        })
    })
    .await;
    let text = screen(&s.app);
    assert!(
        text.contains("Online is fine, I'll send a Meet link."),
        "{text}"
    );
    assert!(text.contains("✓✓"), "{text}");

    // In the compose box q is a letter: Esc first, then q leaves.
    s.sender().send(code(KeyCode::Esc)).unwrap();
    s.sender().send(common::tui::key('q')).unwrap();
    assert!(!s.step().await);
    assert!(s.app.quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_apps_on_one_daemon_see_each_others_replies() {
    let dir = TempDir::new("tui-two");
    let d = demo::start(dir.path(), 0.02).await.unwrap();
    let path = dir.path().join("hirechat.sock");
    let listener = socket::bind(&path).await.unwrap();
    tokio::spawn(socket::serve(
        listener,
        d.engine.clone(),
        Arc::new(Config::default()),
    ));
    let daemon = hirechat::client::DaemonClient::connect(&path)
        .await
        .unwrap();
    let session = |w, h| {
        Session::start(
            App::new(Utc::now(), Connection::Daemon, w, h),
            Link::new(hirechat::client::Client::Daemon(daemon.clone())),
        )
    };
    // A colleague works in the engine's process; this user through the daemon's socket.
    let colleague = hirechat::domain::permission::Actor {
        login: "ken".into(),
        name: "Ken Mori".into(),
        role: hirechat::domain::permission::Role::Recruiter,
    };
    let mut a = Session::start(
        App::new(Utc::now(), Connection::InProcess, 160, 45),
        Link::local(d.engine.clone(), colleague),
    );
    let mut b = session(80, 24);
    for s in [&mut a, &mut b] {
        until(s, "the inbox and who I am", |app| {
            !app.list.rows.is_empty() && app.me.is_some()
        })
        .await;
        s.sender().send(code(KeyCode::Enter)).unwrap();
        until(s, "the chat", |app| {
            app.chat.as_ref().is_some_and(|c| c.loaded)
        })
        .await;
    }
    assert_eq!(
        b.app.me.as_ref().unwrap().1,
        hirechat::domain::permission::Role::Admin
    );
    a.sender().send(common::tui::key('r')).unwrap();
    // The other terminal is told someone is answering this candidate.
    let opened = b.app.chat.as_ref().unwrap().conversation.id;
    until(&mut a, "the first terminal in its reply box", |app| {
        app.focus == hirechat::tui::app::Focus::Compose
    })
    .await;
    until(&mut b, "word that someone is answering", |app| {
        app.answering
            .get(&opened)
            .is_some_and(|(name, _)| name == "Ken Mori")
    })
    .await;
    typed(&a, "Sent from the first terminal");
    a.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut a, "the reply in the first terminal", |app| {
        app.chat.as_ref().is_some_and(|c| {
            c.messages
                .iter()
                .any(|m| m.text == "Sent from the first terminal")
        })
    })
    .await;
    until(&mut b, "the other terminal's reply", |app| {
        app.chat.as_ref().is_some_and(|c| {
            c.messages
                .iter()
                .any(|m| m.text == "Sent from the first terminal")
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_a_record_to_a_template_with_a_chosen_interview() {
    let dir = TempDir::new("tui-records");
    let (d, mut s) = demo_session(&dir).await;
    let listed = s.app.list.total;

    // Priya has a record but has never written: her conversation starts empty, unlisted.
    find_one_record(&mut s, "priya").await;
    assert!(screen(&s.app).contains("Priya Raman (Northwind Logistics)"));
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "Priya's conversation", |a| {
        a.chat
            .as_ref()
            .is_some_and(|c| c.conversation.name.starts_with("Priya"))
    })
    .await;
    assert!(s.app.records().is_none() && !s.app.window_open());
    assert_eq!(d.engine.store().conversation_count().unwrap(), listed);

    // Haruto has two interviews: the reminder asks which one, then sends it.
    find_one_record(&mut s, "haruto").await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "Haruto's chat", |a| {
        a.chat
            .as_ref()
            .is_some_and(|c| c.conversation.name == "Haruto Sato" && c.loaded)
    })
    .await;
    // The demo's templates pass the simulated review a few seconds after the start.
    let store = d.engine.store().clone();
    let approved = || {
        store.templates().unwrap().iter().any(|t| {
            t.name == "interview_reminder"
                && t.status == hirechat::domain::template::TemplateStatus::Approved
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !approved() {
        assert!(
            std::time::Instant::now() < deadline,
            "the reminder approved"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    s.sender().send(common::tui::key('t')).unwrap();
    typed(&s, "interview_rem");
    until(&mut s, "the preview with a choice", |a| {
        a.picker()
            .and_then(|p| p.current_preview())
            .is_some_and(|p| p.choices.len() == 1)
    })
    .await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    s.sender().send(code(KeyCode::Down)).unwrap();
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the filled preview", |a| {
        a.picker()
            .and_then(|p| p.current_preview())
            .is_some_and(|p| p.choices[0].picked.is_some())
    })
    .await;
    let text = screen(&s.app);
    assert!(text.contains("Backend Engineer (Rust)"), "{text}");
    // Enter for a last look at the filled message, Enter again to send it.
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the last look", |a| {
        a.picker().is_some_and(|p| p.confirming)
    })
    .await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the reminder in the chat", |a| {
        a.chat.as_ref().is_some_and(|c| {
            c.messages.iter().any(|m| {
                m.kind == "template"
                    && m.text.contains("Backend Engineer (Rust) interview on")
                    && m.text.contains("https://cal.example.com/aiko/30min")
            })
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_writes_a_template_in_the_manager_and_watches_it_approved() {
    let dir = TempDir::new("tui-manager");
    let (d, mut s) = demo_session(&dir).await;
    s.sender().send(common::tui::key('T')).unwrap();
    until(&mut s, "the templates", |a| {
        a.manager().is_some_and(|m| m.loaded)
    })
    .await;
    s.sender().send(common::tui::key('a')).unwrap();
    typed(&s, "welcome_note");
    for _ in 0..3 {
        s.sender().send(code(KeyCode::Tab)).unwrap();
    }
    typed(&s, "Welcome, ");
    // `#`, then the first module's second field: ${Candidates.First Name}.
    typed(&s, "#");
    s.sender().send(code(KeyCode::Down)).unwrap();
    s.sender().send(code(KeyCode::Enter)).unwrap();
    typed(&s, "!");
    s.sender()
        .send(Input::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('s'),
            crossterm::event::KeyModifiers::CONTROL,
        )))
        .unwrap();
    until(&mut s, "the new template approved in the list", |a| {
        a.manager().is_some_and(|m| {
            m.form.is_none()
                && m.templates.iter().any(|t| {
                    t.name == "welcome_note"
                        && t.status == hirechat::domain::template::TemplateStatus::Approved
                })
        })
    })
    .await;
    let stored = d.engine.store().templates().unwrap();
    let t = stored.iter().find(|t| t.name == "welcome_note").unwrap();
    assert_eq!(t.body, "Welcome, ${Candidates.First Name}!");
    assert_eq!(t.language, "en_US");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tui_on_the_daemon_keeps_one_connection_and_comes_back_after_a_restart() {
    use common::daemon::{Daemon, free_port, write_config_full, writes};
    let dir = TempDir::new("tui-restart");
    let port = free_port();
    write_config_full(dir.path(), "http://127.0.0.1:9", port, "", "");
    let start = || {
        Daemon::start_with(dir.path(), |c| {
            c.env("HIRECHAT_LOG", "debug");
        })
    };
    let daemon = start();
    writes(port, "819012340001", "wamid.R1", "about the interview").await;
    let socket = dir.path().join("data/hirechat.sock");
    let client = hirechat::client::DaemonClient::connect(&socket)
        .await
        .unwrap();
    let mut s = Session::start(
        App::new(Utc::now(), Connection::Daemon, 160, 45),
        Link::new(hirechat::client::Client::Daemon(client)),
    );
    until(&mut s, "the inbox", |app| app.list.rows.len() == 1).await;
    // A session of searching: every keystroke searches, all on the one connection.
    s.sender().send(common::tui::key('/')).unwrap();
    typed(&s, "interview");
    until(&mut s, "the search's hits", |app| {
        app.search().is_some_and(|q| !q.hits.is_empty())
    })
    .await;
    s.sender().send(code(KeyCode::Esc)).unwrap();
    let log = || std::fs::read_to_string(dir.path().join("data/hirechat.log")).unwrap();
    // The daemon's log is written by a background writer: wait for the line to land.
    for _ in 0..100 {
        if log().contains("socket session opened") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        log().matches("socket session opened").count(),
        1,
        "one connection for the whole session"
    );
    // The daemon restarts under the open TUI.
    daemon.terminate();
    until(&mut s, "reconnecting shown", |app| {
        matches!(app.connection, Connection::Reconnecting(_))
    })
    .await;
    assert!(screen(&s.app).contains("reconnecting"));
    let _daemon = start();
    writes(port, "819012340002", "wamid.R2", "are you there?").await;
    until(&mut s, "back, with what came meanwhile", |app| {
        app.connection == Connection::Daemon && app.list.rows.len() == 2
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haruto_s_cv_saved_his_photo_previewed_and_a_file_sent_from_the_reply_box() {
    let dir = TempDir::new("tui-files");
    let d = demo::start(dir.path(), 0.02).await.unwrap();
    let link = Link::local(d.engine.clone(), d.actor.clone())
        .with_previews(ratatui_image::picker::Picker::halfblocks());
    let mut app = App::new(Utc::now(), Connection::Demo, 160, 45);
    let downloads = TempDir::new("tui-files-downloads");
    app.file_setup.save_dir = downloads.path().to_owned();
    app.file_setup.previews = link.previews();
    let mut s = Session::start(app, link);
    until(&mut s, "the seeded inbox", |a| a.list.total >= 12).await;
    find_one_record(&mut s, "haruto").await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "Haruto's chat", |a| {
        a.chat.as_ref().is_some_and(|c| c.loaded)
    })
    .await;
    // Opened from the records pane, the chat has the keyboard.
    s.sender().send(common::tui::key('a')).unwrap();
    until(&mut s, "his files, both kept", |a| {
        a.files()
            .and_then(|f| f.list.as_ref())
            .is_some_and(|l| l.len() == 2 && l.iter().all(|f| f.state == "ready"))
    })
    .await;
    // The photo (newest) is previewed, from its thumbnail.
    until(&mut s, "the photo's preview", |a| {
        a.files()
            .and_then(|f| f.selected())
            .is_some_and(|f| matches!(a.preview_of(f.id), Some(Ok(_))))
    })
    .await;
    assert!(screen(&s.app).contains("─ preview ─"));
    // The CV saved into the folder.
    s.sender().send(common::tui::key('j')).unwrap();
    s.sender().send(common::tui::key('s')).unwrap();
    let saved = downloads.path().join("haruto_sato_cv.pdf");
    until(&mut s, "the CV saved", |_| saved.exists()).await;
    assert!(std::fs::read(&saved).unwrap().starts_with(b"%PDF-"));

    // A file attached in the reply box goes up and out with the reply as its caption.
    let offer = downloads.path().join("offer.pdf");
    std::fs::write(&offer, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap();
    s.sender().send(common::tui::key('r')).unwrap();
    s.sender()
        .send(Input::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('a'),
            crossterm::event::KeyModifiers::ALT,
        )))
        .unwrap();
    typed(&s, offer.to_str().unwrap());
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the file under the reply", |a| {
        a.chat.as_ref().is_some_and(|c| c.pending.len() == 1)
    })
    .await;
    typed(&s, "Your offer");
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the document sent", |_| {
        d.sim
            .requests()
            .iter()
            .any(|r| r["type"] == "document" && r["document"]["caption"] == "Your offer")
    })
    .await;
    assert_eq!(d.sim.uploads().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_connects_a_new_token_from_the_settings_and_sends_with_it_at_once() {
    use hirechat::{
        config::Secret,
        domain::message::Status,
        engine::{Request, Response},
        sim::Inbound,
    };
    // The token in use went bad (the simulated API takes only the right one).
    let h = common::Harness::start_in(TempDir::new("tui-connect"), |c| {
        c.whatsapp.access_token = Secret::new("a-revoked-token");
        c.whatsapp.nickname = "Old desk".into();
    })
    .await;
    let link = Link::local(h.engine.clone(), common::admin());
    let mut s = Session::start(App::new(Utc::now(), Connection::InProcess, 160, 45), link);
    until(&mut s, "who I am", |a| a.channel == "Old desk").await;
    s.sender().send(common::tui::key('S')).unwrap();
    until(&mut s, "the settings", |a| {
        screen(a).contains("business account 102290129340398")
    })
    .await;
    s.sender().send(common::tui::key('c')).unwrap();
    // The new token pasted; the account is filled in; the app secret kept; a new nickname.
    s.sender().send(Input::Paste(common::TOKEN.into())).unwrap();
    for _ in 0..3 {
        s.sender().send(code(KeyCode::Tab)).unwrap();
    }
    for _ in 0.."Old desk".len() {
        s.sender().send(code(KeyCode::Backspace)).unwrap();
    }
    typed(&s, "Tokyo desk");
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the account's numbers", |a| {
        screen(a).contains("Which number does this inbox send and receive for?")
    })
    .await;
    assert!(screen(&s.app).contains("Sakura Talent Osaka"));
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "connected", |a| {
        screen(a).contains("✓ Connected +81 3-1234-5678 (Sakura Talent)")
            && a.channel == "Tokyo desk"
    })
    .await;
    assert!(!screen(&s.app).contains(common::TOKEN));
    // Webhooks are checked and sends made with what was connected, without a restart.
    h.sim
        .inbound(Inbound {
            from: Some("+819012345678".into()),
            text: Some("Is the role still open?".into()),
            ..Inbound::default()
        })
        .await
        .unwrap();
    let sent = h
        .engine
        .handle(
            &common::admin(),
            Request::SendText {
                to: "+819012345678".into(),
                text: "It is: shall we talk tomorrow?".into(),
            },
        )
        .await
        .unwrap();
    let Response::Message { message } = sent else {
        panic!("{sent:?}")
    };
    let settled = h
        .engine
        .settle(&message, Duration::from_secs(10))
        .await
        .unwrap();
    assert_ne!(settled.status, Status::Queued);
    assert_ne!(settled.status, Status::Failed, "{settled:?}");
    let kept = std::fs::read_to_string(h.dir.path().join("connection.toml")).unwrap();
    assert!(kept.contains("Tokyo desk") && kept.contains(common::TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_beside_the_chat_is_edited_and_its_opt_out_recorded() {
    use hirechat::tui::popup::Popup;
    let card_of = |a: &App| match a.popup.as_ref() {
        Some(Popup::Record(p)) => p.card.as_ref().and_then(|c| c.record.clone()),
        _ => None,
    };
    let dir = TempDir::new("tui-record-card");
    let (d, mut s) = demo_session(&dir).await;
    find_one_record(&mut s, "haruto").await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "Haruto's chat", |a| {
        a.chat.as_ref().is_some_and(|c| c.loaded)
    })
    .await;
    s.sender().send(common::tui::key('i')).unwrap();
    until(&mut s, "Haruto's card", |a| card_of(a).is_some()).await;
    let interviews = match s.app.popup.as_ref() {
        Some(Popup::Record(p)) => p.card.as_ref().map_or(0, |c| c.interviews.len()),
        _ => 0,
    };
    assert_eq!(interviews, 2, "Haruto's two interviews are to come");
    assert!(screen(&s.app).contains("Upcoming interviews (Asia/Tokyo)"));
    // e, down to "Opted out" (after the eight text fields), Space, Enter.
    s.sender().send(common::tui::key('e')).unwrap();
    for _ in 0..8 {
        s.sender().send(code(KeyCode::Tab)).unwrap();
    }
    s.sender().send(common::tui::key(' ')).unwrap();
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the saved record on the card", |a| {
        card_of(a).is_some_and(|r| r.opted_out)
    })
    .await;
    let record = card_of(&s.app).unwrap();
    let stored = d.engine.store().record(record.id).unwrap().unwrap();
    let change = stored.consent.last().unwrap();
    assert!(stored.opted_out);
    assert_eq!(
        (change.by.as_str(), change.via.as_str()),
        (d.actor.login.as_str(), "edited")
    );
    assert!(screen(&s.app).contains("nothing is sent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_scheduled_from_the_reply_box_waits_in_the_chat_and_is_cancelled() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let dir = TempDir::new("tui-send-later");
    let (d, mut s) = demo_session(&dir).await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the first chat", |a| {
        a.chat.as_ref().is_some_and(|c| c.loaded)
    })
    .await;
    assert!(
        s.app.window_open(),
        "the demo's first conversation can take text"
    );
    s.sender().send(common::tui::key('r')).unwrap();
    typed(&s, "I will call you in two hours.");
    s.sender()
        .send(Input::Key(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::ALT,
        )))
        .unwrap();
    typed(&s, "2h");
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the scheduled line in the chat", |a| {
        a.chat.as_ref().is_some_and(|c| c.scheduled.len() == 1)
    })
    .await;
    assert!(screen(&s.app).contains("🕒 scheduled for"));
    let id = s.app.chat.as_ref().unwrap().scheduled[0].id;
    assert!(d.engine.store().scheduled(id).unwrap().unwrap().waiting());
    s.sender().send(common::tui::key('s')).unwrap();
    s.sender().send(common::tui::key('d')).unwrap();
    until(&mut s, "gone from the chat", |a| {
        a.chat.as_ref().is_some_and(|c| c.scheduled.is_empty())
    })
    .await;
    let gone = d.engine.store().scheduled(id).unwrap().unwrap();
    assert!(matches!(
        gone.state,
        hirechat::domain::schedule::ScheduleState::Cancelled { .. }
    ));
}
