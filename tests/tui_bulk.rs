//! A bulk send from the inbox against the simulator, through the real keymap: Space marks two
//! conversations, B chooses the approved template and shows the preflight, Enter sends it and
//! the popup follows its progress to the end; then the whole view (*) where two already had
//! it today, taken back with u before anything leaves.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{Harness, TempDir, admin, approved, tui::code};
use crossterm::event::KeyCode;
use hirechat::{
    domain::{
        message::{Effect, Summary},
        phone::PhoneNumber,
    },
    store::{Arrived, Change, ContactInfo},
    tui::{
        Session,
        app::{App, Connection},
        link::Link,
        popup::{Popup, bulk::BulkPanel},
    },
};
use ratatui::{Terminal, backend::TestBackend};

async fn until(session: &mut Session, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !done(&session.app) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}; the screen:\n{}",
            screen(&session.app)
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), session.step()).await;
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    t.draw(|f| hirechat::tui::view::render(app, f)).unwrap();
    t.backend().to_string()
}

fn press(s: &Session, c: char) {
    s.sender().send(common::tui::key(c)).unwrap();
}

async fn wrote(h: &Harness, i: usize) {
    let n = format!("+81901233{i:04}");
    h.engine
        .apply_history(vec![Change::Inbound(Arrived {
            contact: ContactInfo {
                phone: Some(PhoneNumber::parse(&n).unwrap()),
                name: Some(format!("Candidate {i}")),
                ..ContactInfo::default()
            },
            wamid: format!("wamid.TUIBULK{i}"),
            at: Utc::now() - chrono::Duration::days(2),
            reply_to: None,
            effect: Effect::New(Summary {
                kind: "text".into(),
                text: "I saw the post.".into(),
                media: None,
            }),
            error_code: None,
            payload: None,
        })])
        .await
        .unwrap();
}

fn preflight_arrived(a: &App) -> bool {
    matches!(
        &a.popup,
        Some(Popup::Bulk(BulkPanel::Preflight {
            preflight: Some(_),
            ..
        }))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marked_conversations_get_the_template_once_and_the_undo_takes_one_back() {
    let h = Harness::start_in(TempDir::new("tui-bulk"), |c| c.outreach.bulk_undo_secs = 2).await;
    approved(&h, "new_role", "A new role in Tokyo may suit you.").await;
    for i in 0..3 {
        wrote(&h, i).await;
    }
    let link = Link::local(h.engine.clone(), admin());
    let mut s = Session::start(App::new(Utc::now(), Connection::Daemon, 160, 45), link);
    until(&mut s, "the inbox", |a| {
        a.list.total == 3 && !a.list.rows.is_empty()
    })
    .await;

    press(&s, 'B');
    until(&mut s, "a hint to mark first", |a| {
        a.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("Space marks"))
    })
    .await;
    press(&s, ' ');
    press(&s, ' ');
    until(&mut s, "two marked", |a| a.marked_count() == 2).await;
    assert!(screen(&s.app).contains("2 marked"));
    press(&s, 'B');
    until(&mut s, "the approved templates", |a| {
        matches!(
            &a.popup,
            Some(Popup::Bulk(BulkPanel::Choose {
                templates: Some(t),
                ..
            })) if t.len() == 1
        )
    })
    .await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the preflight", preflight_arrived).await;
    assert!(screen(&s.app).contains("2 will receive it · 0 skipped"));
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the batch to end", |a| {
        a.bulk.as_ref().is_some_and(|w| w.progress.done())
    })
    .await;
    let w = s.app.bulk.clone().unwrap();
    assert_eq!((w.progress.sent, w.progress.failed), (2, 0));
    assert!(screen(&s.app).contains("2 sent"), "{}", screen(&s.app));
    assert_eq!(h.sim.taken().len(), 2);
    assert_eq!(s.app.marked_count(), 0, "sent: the marks are cleared");

    // The whole view: two had it today, the third is taken back in its undo period.
    s.sender().send(code(KeyCode::Esc)).unwrap();
    press(&s, '*');
    until(&mut s, "the view marked", |a| a.marked_count() == 3).await;
    press(&s, 'B');
    until(&mut s, "the templates", |a| {
        matches!(
            &a.popup,
            Some(Popup::Bulk(BulkPanel::Choose {
                templates: Some(_),
                ..
            }))
        )
    })
    .await;
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the preflight", preflight_arrived).await;
    let shown = screen(&s.app);
    assert!(shown.contains("1 will receive it · 2 skipped"), "{shown}");
    assert!(
        shown.contains("already sent this template today"),
        "{shown}"
    );
    s.sender().send(code(KeyCode::Enter)).unwrap();
    until(&mut s, "the second batch", |a| {
        a.bulk.as_ref().is_some_and(|w| w.batch.recipients == 1)
    })
    .await;
    assert!(screen(&s.app).contains("u takes it back"));
    press(&s, 'u');
    until(&mut s, "it taken back", |a| {
        a.bulk.as_ref().is_some_and(|w| w.progress.cancelled == 1)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(h.sim.taken().len(), 2, "nothing more left");
}
