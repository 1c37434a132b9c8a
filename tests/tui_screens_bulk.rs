//! The bulk send's screens on ratatui's `TestBackend`, with a fixed clock: marked rows in the
//! list, the template to choose, the preflight with who is skipped and why, and the progress
//! during the undo period and at the end.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::tui::{app_with, code, draw, inbox, key, now, templates};
use crossterm::event::KeyCode;
use hirechat::{
    domain::{
        bulk::{Batch, Cost, Outcome, Planned, Preflight, Progress, Skipped, Stage},
        message::Status,
        money::Money,
    },
    tui::{
        app::{App, Command, Input},
        popup::{Popup, bulk::BulkPanel},
    },
};

fn marked_two() -> App {
    let mut app = app_with(inbox(), 160, 45);
    app.update(key(' '));
    app.update(key(' '));
    app
}

fn batch(recipients: usize) -> Box<Batch> {
    Box::new(Batch {
        id: 7,
        template: "job_details".into(),
        language: Some("en_US".into()),
        by: "aiko".into(),
        created_at: now(),
        starts_at: now() + chrono::Duration::seconds(8),
        recipients,
        skipped: Vec::new(),
    })
}

fn outcome(to: &str, stage: Stage, reason: Option<&str>) -> Outcome {
    Outcome {
        to: to.into(),
        stage,
        status: Some(Status::Read),
        message_id: Some(1),
        reason: reason.map(Into::into),
    }
}

#[test]
fn marked_rows_and_the_template_to_choose() {
    let mut app = marked_two();
    assert_eq!(app.marked_count(), 2);
    let asked = app.update(key('B'));
    assert!(asked.contains(&Command::LoadTemplates));
    app.update(Input::Templates(templates()));
    insta::assert_snapshot!(draw(&app).backend());
    // Only WhatsApp-approved templates may be chosen.
    let Some(Popup::Bulk(BulkPanel::Choose {
        templates: Some(t), ..
    })) = &app.popup
    else {
        panic!("the template chooser")
    };
    assert!(
        t.iter()
            .all(|t| t.kind == hirechat::domain::template::TemplateKind::Whatsapp)
    );
}

#[test]
fn the_preflight_says_who_gets_it_and_who_is_skipped() {
    let mut app = marked_two();
    app.update(key('B'));
    app.update(Input::Templates(templates()));
    let asked = app.update(code(KeyCode::Enter));
    assert!(
        asked
            .iter()
            .any(|c| matches!(c, Command::BulkPreflight { .. })),
        "{asked:?}"
    );
    let Some(Popup::Bulk(BulkPanel::Preflight { template, .. })) = &app.popup else {
        panic!("the preflight")
    };
    let template = template.name.clone();
    app.update(Input::Preflight(Box::new(Preflight {
        template,
        language: None,
        send: vec![Planned {
            to: "+819012340001".into(),
            name: "Haruto Sato".into(),
            conversation_id: Some(1),
        }],
        skipped: vec![Skipped {
            to: "+447400123456".into(),
            name: "Emily Clarke".into(),
            reason: "Emily Clarke has opted out of messages: nothing is sent to them".into(),
        }],
        cost: Some(Cost {
            total: Money::parse("0.0732").unwrap(),
            currency: "EUR".into(),
            charged: 1,
            free: 0,
            balance: Money::parse("25").unwrap(),
        }),
    })));
    insta::assert_snapshot!(draw(&app).backend());
    let sent = app.update(code(KeyCode::Enter));
    assert!(sent.iter().any(|c| matches!(c, Command::BulkSend { .. })));
}

#[test]
fn the_progress_while_it_may_be_taken_back_and_at_the_end() {
    let mut app = marked_two();
    app.update(key('B'));
    app.update(Input::Templates(templates()));
    app.update(code(KeyCode::Enter));
    app.update(Input::Batch {
        batch: batch(3),
        progress: Progress {
            total: 3,
            waiting: 3,
            ..Progress::default()
        },
        outcomes: Vec::new(),
    });
    assert_eq!(app.marked_count(), 0, "the marks did their work");
    insta::assert_snapshot!("undo_period", draw(&app).backend());
    let undo = app.update(key('u'));
    assert!(undo.contains(&Command::CancelBatch { id: 7 }));
    app.update(Input::Batch {
        batch: batch(3),
        progress: Progress {
            total: 3,
            sent: 2,
            failed: 1,
            ..Progress::default()
        },
        outcomes: vec![
            outcome("+819012340001", Stage::Sent, None),
            outcome("+819012340002", Stage::Sent, None),
            outcome(
                "+819012340003",
                Stage::Failed,
                Some("The number is not on WhatsApp (error 131026)"),
            ),
        ],
    });
    insta::assert_snapshot!("done", draw(&app).backend());
    // Closed: the next B says what is marked, not the old batch.
    app.update(code(KeyCode::Esc));
    assert!(app.popup.is_none());
}
