//! Workflow rules fired by what is not a record's save, against the simulator over real HTTP:
//! a message with a keyword (a template, once per message), a conversation unanswered too
//! long (a notification and an assignment, once per wait), and an interview near (a reminder
//! the day before at 09:00 where the candidate is, merged from that interview).
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use chrono::{Datelike, Timelike, Utc};
use common::{Harness, admin, eventually, wait_for};
use hirechat::{
    domain::{
        event::Event,
        record::{RecordInput, RecordKind},
        related::RelatedKind,
        rule::Outcome,
        schedule::{ScheduleState, ScheduledWhat},
    },
    engine::{Request, Response},
    sim::Inbound,
};

async fn save_rule(h: &Harness, toml: &str) {
    h.engine
        .handle(
            &admin(),
            Request::SaveRule {
                toml: toml.into(),
                replace: false,
            },
        )
        .await
        .unwrap();
}

async fn candidate(h: &Harness, name: &str, mobile: &str, owner: Option<&str>) -> u64 {
    let record = RecordInput {
        kind: RecordKind::Candidate,
        name: name.into(),
        mobile: Some(mobile.into()),
        owner: owner.map(Into::into),
        ..RecordInput::default()
    };
    h.save_record(None, record).await.unwrap()
}

async fn message(h: &Harness, from: &str, text: &str) {
    h.sim
        .inbound(Inbound {
            from: Some(from.into()),
            text: Some(text.into()),
            ..Default::default()
        })
        .await
        .unwrap();
}

fn templates_to(h: &Harness, to: &str) -> usize {
    h.sim
        .requests()
        .iter()
        .filter(|r| r["type"] == "template" && r["to"] == to)
        .count()
}

async fn log(h: &Harness, rule: &str) -> Vec<hirechat::domain::rule::LogEntry> {
    let Response::RuleLog { entries } = h
        .engine
        .handle(
            &admin(),
            Request::RuleLog {
                name: Some(rule.into()),
                limit: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!("a log")
    };
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyword_in_a_message_sends_the_template_once_per_message() {
    let h = Harness::start().await;
    common::approved(&h, "reschedule_help", "We can move your interview.").await;
    save_rule(
        &h,
        r#"
name = "reschedule"
[when]
event = "message_received"
module = "candidates"
keyword = "reschedule"
[[actions]]
send_template = "reschedule_help"
"#,
    )
    .await;
    candidate(&h, "Haruto Sato", "+819012340001", None).await;
    message(&h, "+819012340001", "Hello!").await;
    message(&h, "+819012340001", "Could I RESCHEDULE, please?").await;
    eventually("the template", || templates_to(&h, "+819012340001") == 1).await;
    // A number without a record fires nothing; the same keyword again is another message.
    message(&h, "+819012349999", "reschedule").await;
    message(&h, "+819012340001", "reschedule to Friday?").await;
    eventually("the second", || templates_to(&h, "+819012340001") == 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(templates_to(&h, "+819012349999"), 0);
    let sent = log(&h, "reschedule").await;
    assert_eq!(
        sent.iter()
            .filter(|e| matches!(e.outcome, Outcome::Sent { .. }))
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_conversation_notifies_the_owner_and_is_handed_on_once() {
    let h = Harness::with_recruiters("rules-unreplied", &["maria", "kenji"]).await;
    save_rule(
        &h,
        r#"
name = "chase"
[when]
event = "unreplied"
module = "candidates"
for = "1m"
[[actions]]
notify = ["owner"]
note = "waiting for an answer"
[[actions]]
assign = "kenji"
"#,
    )
    .await;
    // A login that does not exist is refused.
    let bad = h
        .engine
        .handle(
            &admin(),
            Request::SaveRule {
                toml: "name = \"x\"\n[when]\nevent = \"record_created\"\nmodule = \"candidates\"\n[[actions]]\nnotify = [\"nobody\"]\n".into(),
                replace: false,
            },
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("no such user"), "{bad}");

    candidate(&h, "Haruto Sato", "+819012340001", Some("maria")).await;
    let mut events = h.engine.subscribe();
    // The contact wrote 70 s ago (WhatsApp's timestamp): the wait crossed a minute.
    let ago = Utc::now().timestamp() - 70;
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"contacts":[{{"profile":{{"name":"Haruto"}},"wa_id":"819012340001"}}],"messages":[{{"from":"819012340001","id":"wamid.CHASE1","timestamp":"{ago}","type":"text","text":{{"body":"Any news?"}}}}]}}}}]}}]}}"#
    );
    assert_eq!(h.post(body.as_bytes()).await, 200);
    let (users, note) = wait_for(&mut events, |e| match e {
        Event::Notice { users, note, .. } => Some((users.clone(), note.clone())),
        _ => None,
    })
    .await;
    assert_eq!(users, ["maria"]);
    assert_eq!(note, "waiting for an answer");
    let owner = wait_for(&mut events, |e| match e {
        Event::ConversationChanged { conversation } if conversation.owner.is_some() => {
            conversation.owner.clone()
        }
        _ => None,
    })
    .await;
    assert_eq!(owner, "kenji");
    // Once per wait: the clock looking again fires nothing more.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let entries = log(&h, "chase").await;
    let done: Vec<String> = entries
        .iter()
        .filter_map(|e| match &e.outcome {
            Outcome::Done { what, .. } => Some(what.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(done.len(), 2, "{entries:?}");
    assert!(done.iter().any(|d| d == "notified maria"), "{done:?}");
    assert!(done.iter().any(|d| d == "assigned to kenji"), "{done:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_without_a_conversation_is_assigned_as_its_owner() {
    let h = Harness::with_recruiters("rules-assign-record", &["kenji"]).await;
    save_rule(
        &h,
        r#"
name = "desk"
[when]
event = "record_created"
module = "candidates"
[[actions]]
assign = "kenji"
"#,
    )
    .await;
    let mut events = h.engine.subscribe();
    let id = candidate(&h, "Yui Tanaka", "+819012340002", None).await;
    let owner = wait_for(&mut events, |e| match e {
        Event::RecordSaved { record } if record.id == id => record.owner.clone(),
        _ => None,
    })
    .await;
    assert_eq!(owner, "kenji");
    let stored = h.engine.store().record(id).unwrap().unwrap();
    assert_eq!(stored.owner.as_deref(), Some("kenji"));
    // Her first message starts a conversation that is already Kenji's.
    message(&h, "819012340002", "Hello, I applied yesterday").await;
    let conversation = wait_for(&mut events, |e| match e {
        Event::MessageReceived { conversation, .. } => Some(conversation.clone()),
        _ => None,
    })
    .await;
    assert_eq!(conversation.owner.as_deref(), Some("kenji"));
    let done: Vec<String> = log(&h, "desk")
        .await
        .into_iter()
        .filter_map(|e| match e.outcome {
            Outcome::Done { what, .. } => Some(what),
            _ => None,
        })
        .collect();
    assert_eq!(done, ["record given to kenji (no conversation yet)"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interview_brings_a_reminder_the_day_before_at_nine_where_the_candidate_is() {
    let h = Harness::start().await;
    common::approved(
        &h,
        "interview_reminder",
        "See you at ${Interviews.From}, ${Candidates.First Name}.",
    )
    .await;
    let id = candidate(&h, "Haruto Sato", "+819012340001", None).await;
    let tokyo = chrono_tz::Asia::Tokyo;
    let day = |days: i64| {
        (Utc::now() + chrono::Duration::days(days))
            .with_timezone(&tokyo)
            .format("%Y-%m-%d 14:00")
            .to_string()
    };
    // An interview stored before the rule is found when the rule is written.
    h.import_related(
        RelatedKind::Interview,
        "Candidate,Job Opening,From,Time Zone",
        &[&format!("+819012340001,SRE,{},Asia/Tokyo", day(5))],
    )
    .await;
    save_rule(
        &h,
        r#"
name = "interview-reminder"
[when]
event = "date_near"
module = "candidates"
field = "Interviews.From"
before = "1d"
at = "09:00"
[[actions]]
send_template = "interview_reminder"
"#,
    )
    .await;
    // One imported after it is found as it is stored.
    h.import_related(
        RelatedKind::Interview,
        "Candidate,Job Opening,From,Time Zone",
        &[&format!("+819012340001,QA Lead,{},Asia/Tokyo", day(8))],
    )
    .await;
    let mut waiting: Vec<_> = h
        .engine
        .store()
        .scheduled_all()
        .unwrap()
        .into_iter()
        .filter(|s| s.state == ScheduleState::Waiting)
        .collect();
    waiting.sort_by_key(|s| s.due_at);
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    for (s, days) in waiting.iter().zip([4, 7]) {
        let local = s.due_at.with_timezone(&tokyo);
        assert_eq!((local.hour(), local.minute()), (9, 0), "09:00 in Tokyo");
        let expected = (Utc::now() + chrono::Duration::days(days)).with_timezone(&tokyo);
        assert_eq!(local.day(), expected.day(), "the day before");
        let ScheduledWhat::Template { picks, .. } = &s.what else {
            panic!("a template")
        };
        assert!(
            picks.contains_key("Interviews"),
            "merged from that interview"
        );
        assert_eq!(s.rule.as_ref().unwrap().record_id, id);
    }
    // Written again, the rule finds the same dates: nothing twice.
    h.engine
        .handle(
            &admin(),
            Request::EnableRule {
                name: "interview-reminder".into(),
                enabled: true,
            },
        )
        .await
        .unwrap();
    let scheduled = h.engine.store().scheduled_all().unwrap().len();
    assert_eq!(scheduled, 2);

    // Haruto moves to London: both reminders go at 09:00 there, moved, not doubled.
    let london = chrono_tz::Europe::London;
    let moved = RecordInput {
        kind: RecordKind::Candidate,
        name: "Haruto Sato".into(),
        mobile: Some("+819012340001".into()),
        time_zone: Some("Europe/London".into()),
        ..RecordInput::default()
    };
    h.save_record(Some(id), moved).await.unwrap();
    let all = h.engine.store().scheduled_all().unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    for s in &all {
        assert_eq!(s.state, ScheduleState::Waiting);
        let local = s.due_at.with_timezone(&london);
        assert_eq!((local.hour(), local.minute()), (9, 0), "09:00 in London");
    }
}
