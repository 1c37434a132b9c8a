//! Workflow rules against the simulator over real HTTP: a rule "candidate created → template
//! after a moment" fires for an import (each once, none for the one who opted out, a logged
//! skip for one without a mobile), a field rule fires only when its field becomes its value,
//! only approved templates may be chosen, and viewers may not manage rules.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use common::{Harness, admin, eventually};
use hirechat::{
    domain::{
        record::{RecordInput, RecordKind},
        rule::Outcome,
    },
    engine::{EngineError, Request, Response, import::ImportRow},
};

const WELCOME: &str = r#"
name = "welcome"

[when]
event = "record_created"
module = "candidates"

[[actions]]
send_template = "welcome"
after = "1s"
"#;

async fn approved(h: &Harness, name: &str) {
    common::approved(
        h,
        name,
        "Hello ${Candidates.First Name}, thank you for applying.",
    )
    .await;
}

async fn save_rule(h: &Harness, toml: &str) -> Result<Response, EngineError> {
    h.engine
        .handle(
            &admin(),
            Request::SaveRule {
                toml: toml.into(),
                replace: false,
            },
        )
        .await
}

fn candidate(name: &str, mobile: Option<&str>, opted_out: bool) -> RecordInput {
    RecordInput {
        kind: RecordKind::Candidate,
        name: name.into(),
        mobile: mobile.map(Into::into),
        opted_out: Some(opted_out),
        ..RecordInput::default()
    }
}

/// The templates WhatsApp was asked to send, by recipient.
/// A candidate with a "Candidate Status" column.
fn with_status(name: &str, mobile: &str, status: &str) -> RecordInput {
    let mut r = candidate(name, Some(mobile), false);
    r.custom.insert("Candidate Status".into(), status.into());
    r
}

fn sent_to(h: &Harness) -> Vec<String> {
    let mut to: Vec<String> = h
        .sim
        .requests()
        .iter()
        .filter(|r| r["type"] == "template")
        .map(|r| r["to"].as_str().unwrap_or_default().to_owned())
        .collect();
    to.sort();
    to
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creation_rule_sends_each_new_candidate_the_template_once() {
    let h = Harness::start().await;
    // Only an approved template may be chosen.
    let err = save_rule(&h, WELCOME).await.unwrap_err();
    assert!(err.to_string().contains("no such template"), "{err}");
    approved(&h, "welcome").await;
    save_rule(&h, WELCOME).await.unwrap();
    let err = save_rule(&h, WELCOME).await.unwrap_err();
    assert!(err.to_string().contains("exists"), "{err}");
    let viewer = hirechat::domain::permission::Actor {
        login: "vic".into(),
        name: "Vic".into(),
        role: hirechat::domain::permission::Role::Viewer,
    };
    let refused = h
        .engine
        .handle(
            &viewer,
            Request::DeleteRule {
                name: "welcome".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, EngineError::Forbidden(_)), "{refused}");

    let rows = [
        candidate("Haruto Sato", Some("+819012340001"), false),
        candidate("Yui Tanaka", Some("+819012340002"), false),
        candidate("Ken Mori", Some("+819012340003"), true),
        RecordInput {
            email: Some("mika@example.jp".into()),
            ..candidate("Mika Ito", None, false)
        },
        candidate("Emily Clarke", Some("+447400123456"), false),
    ]
    .into_iter()
    .zip(2..)
    .map(|(record, line)| ImportRow { line, record })
    .collect();
    let rows: Vec<ImportRow> = rows;
    h.engine
        .handle(&admin(), Request::ImportRecords { rows: rows.clone() })
        .await
        .unwrap();
    assert!(sent_to(&h).is_empty(), "not before the delay");
    eventually("the three sends", || sent_to(&h).len() == 3).await;
    assert_eq!(
        sent_to(&h),
        ["+447400123456", "+819012340001", "+819012340002"]
    );
    // The same import again updates the records: a creation rule does not fire again.
    h.engine
        .handle(&admin(), Request::ImportRecords { rows })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(sent_to(&h).len(), 3, "each once");
    let Response::RuleLog { entries } = h
        .engine
        .handle(
            &admin(),
            Request::RuleLog {
                name: Some("welcome".into()),
                limit: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    let count = |f: fn(&Outcome) -> bool| entries.iter().filter(|e| f(&e.outcome)).count();
    assert_eq!(count(|o| matches!(o, Outcome::Scheduled { .. })), 4);
    assert_eq!(count(|o| matches!(o, Outcome::Sent { .. })), 3);
    assert_eq!(
        count(|o| matches!(o, Outcome::NotSent { reason, .. } if reason.contains("opted out"))),
        1
    );
    assert_eq!(
        count(|o| matches!(o, Outcome::Skipped { reason } if reason.contains("no mobile"))),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_rule_fires_only_when_its_field_becomes_its_value_and_not_when_disabled() {
    let h = Harness::start().await;
    approved(&h, "pick_a_slot").await;
    save_rule(
        &h,
        r#"
name = "schedule-interview"
[when]
event = "field_updated"
module = "candidates"
field = "Candidate Status"
becomes = "Interview-to-be-scheduled"
[[actions]]
send_template = "pick_a_slot"
"#,
    )
    .await
    .unwrap();
    let status = |s: &str| with_status("Haruto Sato", "+819012340001", s);
    let id = h.save_record(None, status("Screening")).await.unwrap();
    h.save_record(Some(id), status("Screening")).await.unwrap();
    h.save_record(Some(id), status("Offer")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(sent_to(&h).is_empty(), "another field value fires nothing");
    h.save_record(Some(id), status("Interview-to-be-scheduled"))
        .await
        .unwrap();
    eventually("the send", || sent_to(&h).len() == 1).await;
    // Saved again with the same status: nothing more.
    h.save_record(Some(id), status("Interview-to-be-scheduled"))
        .await
        .unwrap();
    // Disabled: nothing even when it changes to the value again.
    h.engine
        .handle(
            &admin(),
            Request::EnableRule {
                name: "schedule-interview".into(),
                enabled: false,
            },
        )
        .await
        .unwrap();
    h.save_record(Some(id), status("Screening")).await.unwrap();
    h.save_record(Some(id), status("Interview-to-be-scheduled"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sent_to(&h).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_rule_that_fires_and_a_message_waiting_to_go() {
    let dir = common::TempDir::new("rules-demo");
    let d = hirechat::demo::start(dir.path(), 0.02).await.unwrap();
    let rules = d.engine.store().rules().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].author, d.actor.login);
    let waiting = d.engine.store().scheduled_all().unwrap();
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].waiting() && waiting[0].to == "+817022220103");

    // A candidate created in the demo is sent the rule's template after its delay.
    d.engine
        .handle(
            &d.actor,
            Request::SaveRecord {
                record_id: None,
                record: candidate("Yui Mori", Some("+819077770111"), false),
            },
        )
        .await
        .unwrap();
    let log = d.engine.store().rule_log(Some(rules[0].id), 10).unwrap();
    assert!(
        matches!(&log[0].outcome, Outcome::Scheduled { template, .. } if template == "interview_invitation"),
        "{log:?}"
    );
}

/// Haruto and Yui in screening, each with a follow-up `after` from now from a rule for those
/// who have not withdrawn; Haruto's record id.
async fn follow_ups_for_haruto_and_yui(h: &Harness, after: &str) -> u64 {
    approved(h, "pick_a_slot").await;
    let rule = format!(
        r#"
name = "follow-up"
[when]
event = "record_created"
module = "candidates"
[which]
criteria = [{{ field = "Candidate Status", op = "is_not", value = "Withdrawn" }}]
[[actions]]
send_template = "pick_a_slot"
after = "{after}"
"#
    );
    save_rule(h, &rule).await.unwrap();
    let id = h.save_record(None, haruto("Screening")).await.unwrap();
    h.save_record(None, with_status("Yui Mori", "+819012340002", "Screening"))
        .await
        .unwrap();
    id
}

fn haruto(status: &str) -> RecordInput {
    with_status("Haruto Sato", "+819012340001", status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_action_is_skipped_when_its_record_no_longer_fits_the_rule() {
    let h = Harness::start().await;
    let id = follow_ups_for_haruto_and_yui(&h, "1s").await;
    // Haruto withdraws before his follow-up is due; Yui does not.
    h.save_record(Some(id), haruto("Withdrawn")).await.unwrap();
    eventually("Yui's follow-up", || sent_to(&h).len() == 1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sent_to(&h), ["+819012340002"]);
    let rules = h.engine.store().rules().unwrap();
    let log = h.engine.store().rule_log(Some(rules[0].id), 10).unwrap();
    assert!(
        log.iter().any(|e| matches!(&e.outcome,
            Outcome::NotSent { reason, .. } if reason == "Haruto Sato no longer fits the rule follow-up")),
        "{log:?}"
    );
}

/// Who waits for what, and why, as `scheduled list` shows it.
async fn waiting_list(h: &Harness) -> Vec<(String, Option<String>)> {
    let request = Request::Scheduled {
        with: None,
        conversation_id: None,
        all: false,
    };
    let Response::ScheduledList { scheduled } = h.engine.handle(&admin(), request).await.unwrap()
    else {
        panic!("not a list")
    };
    scheduled.into_iter().map(|s| (s.to, s.will_skip)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_says_which_waiting_actions_will_be_skipped() {
    let h = Harness::start().await;
    let id = follow_ups_for_haruto_and_yui(&h, "1d").await;
    h.save_record(Some(id), haruto("Withdrawn")).await.unwrap();
    let fits_not = Some("Haruto Sato no longer fits the rule follow-up".to_owned());
    assert_eq!(
        waiting_list(&h).await,
        [
            ("+819012340001".to_owned(), fits_not),
            ("+819012340002".to_owned(), None)
        ]
    );
    // Back in the process: his goes again, as it will when due.
    h.save_record(Some(id), haruto("Screening")).await.unwrap();
    assert!(
        waiting_list(&h)
            .await
            .iter()
            .all(|(_, skip)| skip.is_none())
    );
    let off = Request::EnableRule {
        name: "follow-up".into(),
        enabled: false,
    };
    h.engine.handle(&admin(), off).await.unwrap();
    let turned_off = Some("the rule follow-up is turned off".to_owned());
    assert!(
        waiting_list(&h)
            .await
            .iter()
            .all(|(_, skip)| *skip == turned_off),
        "{:?}",
        waiting_list(&h).await
    );
}
