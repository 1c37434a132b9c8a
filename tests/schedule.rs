//! Sends for later against the simulator over real HTTP: a message goes once at its time, a
//! cancelled one never reaches the API, a template goes after the window closed, free text is
//! refused for a time the window will not cover, and one missed too long ago is skipped.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{Harness, admin, eventually, wait_for};
use hirechat::{
    domain::{
        event::Event,
        merge_source::Picks,
        schedule::{ScheduleState, ScheduledSend, ScheduledWhat},
        template::TemplateStatus,
    },
    engine::{EngineError, Request, Response},
    sim::Inbound,
    store::Change,
};

const KEN: &str = "+819012345678";

async fn ken_writes(h: &Harness) {
    let mut events = h.engine.subscribe();
    h.sim
        .inbound(Inbound {
            from: Some(KEN.into()),
            name: Some("Ken Sato".into()),
            text: Some("Is the interview still on?".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    wait_for(&mut events, |e| {
        matches!(e, Event::MessageReceived { .. }).then_some(())
    })
    .await;
}

fn text(t: &str) -> ScheduledWhat {
    ScheduledWhat::Text { text: t.into() }
}

async fn schedule(
    h: &Harness,
    what: ScheduledWhat,
    in_ms: i64,
) -> Result<ScheduledSend, EngineError> {
    let request = Request::Schedule {
        to: KEN.into(),
        what,
        at: Some(Utc::now() + chrono::Duration::milliseconds(in_ms)),
        when: None,
    };
    match h.engine.handle(&admin(), request).await? {
        Response::Scheduled { scheduled } => Ok(*scheduled),
        other => panic!("{other:?}"),
    }
}

/// The texts WhatsApp was asked to send.
fn sent_texts(h: &Harness) -> Vec<String> {
    sent_texts_of(&h.sim)
}

fn state(h: &Harness, id: u64) -> ScheduleState {
    h.engine.store().scheduled(id).unwrap().unwrap().state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_later_goes_once_at_its_time_and_a_cancelled_one_never() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let later = schedule(&h, text("See you on Tuesday"), 1500)
        .await
        .unwrap();
    let never = schedule(&h, text("Never mind"), 1500).await.unwrap();
    assert!(later.waiting() && later.conversation_id.is_some());
    let Response::ScheduledList { scheduled } = h
        .engine
        .handle(
            &admin(),
            Request::Scheduled {
                with: Some(KEN.into()),
                conversation_id: None,
                all: false,
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(scheduled.len(), 2);
    assert!(sent_texts(&h).is_empty(), "nothing before its time");
    let cancel = |id| Request::CancelScheduled { scheduled_id: id };
    h.engine.handle(&admin(), cancel(never.id)).await.unwrap();
    assert!(matches!(
        state(&h, never.id),
        ScheduleState::Cancelled { ref cancelled_by, .. } if cancelled_by == "aiko"
    ));
    eventually("the send at its time", || {
        matches!(state(&h, later.id), ScheduleState::Sent { .. })
    })
    .await;
    let ScheduleState::Sent { at, message_id } = state(&h, later.id) else {
        unreachable!()
    };
    assert!(at >= later.due_at, "not before its time");
    eventually("WhatsApp took it", || {
        sent_texts(&h) == ["See you on Tuesday"]
    })
    .await;
    let conv = h
        .engine
        .store()
        .conversation(later.conversation_id.unwrap());
    let messages = h
        .engine
        .store()
        .messages(&conv.unwrap().unwrap(), 10)
        .unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m.id == message_id && m.sent_by.as_deref() == Some("aiko"))
    );
    // Once: a second look at the schedule sends nothing more, and a gone send stays gone.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sent_texts(&h), ["See you on Tuesday"]);
    let err = h
        .engine
        .handle(&admin(), cancel(later.id))
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Refused(_)), "{err}");
    let again = vec![Change::ScheduleEnd {
        id: later.id,
        state: ScheduleState::Cancelled {
            at: Utc::now(),
            cancelled_by: "aiko".into(),
        },
    }];
    assert!(h.engine.apply_history(again).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_decides_what_may_wait_and_a_template_goes_after_it() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    // Free text for a time the 24-hour window will not cover is refused now.
    let err = schedule(&h, text("Tomorrow then"), 25 * 3600 * 1000)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("approved template"), "{err}");
    let err = schedule(&h, text("Too late"), -1000).await.unwrap_err();
    assert!(err.to_string().contains("has passed"), "{err}");
    // An approved template may wait past it.
    let mut events = h.engine.subscribe();
    let input = serde_json::from_value(serde_json::json!({"kind": "whatsapp",
        "module": "candidates", "name": "still_interested", "language": "en",
        "category": "utility", "body": "Are you still interested in the role?"}))
    .unwrap();
    h.engine
        .handle(&admin(), Request::CreateTemplate { template: input })
        .await
        .unwrap();
    wait_for(&mut events, |e| match e {
        Event::TemplateChanged { template } if template.status == TemplateStatus::Approved => {
            Some(())
        }
        _ => None,
    })
    .await;
    let template = ScheduledWhat::Template {
        name: "still_interested".into(),
        language: None,
        picks: Picks::default(),
    };
    let far = schedule(&h, template.clone(), 25 * 3600 * 1000)
        .await
        .unwrap();
    assert!(far.waiting());
    let soon = schedule(&h, template, 300).await.unwrap();
    eventually("the template sent", || {
        h.sim
            .requests()
            .iter()
            .any(|r| r["template"]["name"] == "still_interested")
    })
    .await;
    assert!(matches!(state(&h, soon.id), ScheduleState::Sent { .. }));
    assert!(state(&h, far.id) == ScheduleState::Waiting);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_missed_too_long_ago_is_skipped_and_one_that_may_not_go_says_why() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    // As if the machine had been off for two hours at its time.
    let missed = ScheduledSend {
        id: 0,
        to: KEN.into(),
        conversation_id: None,
        what: text("Good morning"),
        due_at: Utc::now() - chrono::Duration::hours(2),
        by: "aiko".into(),
        created_at: Utc::now() - chrono::Duration::hours(3),
        held: None,
        rule: None,
        batch: None,
        will_skip: None,
        state: ScheduleState::Waiting,
    };
    let events = h
        .engine
        .apply_history(vec![Change::Schedule { send: missed }])
        .await
        .unwrap();
    let Some(Event::Scheduled { scheduled: missed }) = events.into_iter().next() else {
        panic!()
    };
    // Ken opts out before the next one's time: it fails, and says why.
    let opted = schedule(&h, text("One more thing"), 800).await.unwrap();
    let record = serde_json::from_value(serde_json::json!({"name": "Ken Sato",
        "mobile": KEN, "opted_out": true}))
    .unwrap();
    h.engine
        .handle(
            &admin(),
            Request::SaveRecord {
                record_id: None,
                record,
            },
        )
        .await
        .unwrap();
    eventually("both ended", || {
        !state(&h, missed.id).eq(&ScheduleState::Waiting)
            && !state(&h, opted.id).eq(&ScheduleState::Waiting)
    })
    .await;
    match state(&h, missed.id) {
        ScheduleState::Skipped { reason, .. } => {
            assert!(reason.contains("120 minutes ago"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    match state(&h, opted.id) {
        ScheduleState::Failed { reason, .. } => assert!(reason.contains("opted out"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(sent_texts(&h).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_later_from_the_shell_goes_once_across_a_kill_9_and_a_cancelled_one_never() {
    use common::{
        TempDir,
        daemon::{Daemon, free_port, run, sim_for, text as out_text, write_config},
    };
    let dir = TempDir::new("schedule-daemon");
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(dir.path(), &sim.api_base(), port, "");
    let mut daemon = Daemon::start(dir.path());
    sim.inbound(Inbound {
        from: Some(KEN.into()),
        text: Some("Is the interview still on?".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let at = |secs: i64| (Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339();
    let scheduled = |text: &str| {
        let args = ["send", "--to", KEN, "--text", text, "--at", &at(3)];
        let out = run(dir.path(), &args);
        assert!(out.status.success(), "{}", out_text(&out.stderr));
        let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(s["state"], "waiting", "{s}");
        s["id"].as_u64().unwrap().to_string()
    };
    let go = scheduled("See you at 10");
    let cancel = scheduled("Cancel me");
    let out = run(dir.path(), &["scheduled", "cancel", &cancel]);
    assert!(
        out_text(&out.stdout).contains("cancelled by"),
        "{}",
        out_text(&out.stderr)
    );
    let listed = out_text(&run(dir.path(), &["scheduled", "list"]).stdout);
    assert!(
        listed.contains("See you at 10") && !listed.contains("Cancel me"),
        "{listed}"
    );
    // The daemon dies before the time, and comes back after it (within the grace).
    daemon.0.kill().unwrap();
    daemon.0.wait().unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(sent_texts_of(&sim).is_empty());
    let _daemon = Daemon::start(dir.path());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while sent_texts_of(&sim).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the late send went");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        sent_texts_of(&sim),
        ["See you at 10"],
        "once, and never the cancelled one"
    );
    let out = run(dir.path(), &["scheduled", "list", "--all", "--json"]);
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let state_of = |id: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"].as_u64().map(|n| n.to_string()).as_deref() == Some(id))
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state_of(&go), "sent");
    assert_eq!(state_of(&cancel), "cancelled");
    let out = run(
        dir.path(),
        &["scheduled", "edit", &go, "--text", "too late"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", out_text(&out.stderr));
}

fn sent_texts_of(sim: &hirechat::sim::Sim) -> Vec<String> {
    sim.requests()
        .iter()
        .filter_map(|r| r["text"]["body"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_where_the_contact_is_hold_a_send_until_they_end() {
    // Quiet hours around this very moment in Tokyo, where Ken's number is.
    let tokyo = Utc::now().with_timezone(&chrono_tz::Asia::Tokyo);
    let quiet = format!(
        "{}-{}",
        (tokyo - chrono::Duration::hours(1)).format("%H:%M"),
        (tokyo + chrono::Duration::hours(1)).format("%H:%M")
    );
    let h = Harness::start_in(common::TempDir::new("quiet"), |c| {
        c.outreach.quiet_hours =
            Some(hirechat::domain::quiet_hours::QuietHours::parse(&quiet).unwrap());
    })
    .await;
    ken_writes(&h).await;
    // Scheduled into them: it waits for their end, and says so.
    let held = schedule(&h, text("Good night"), 1000).await.unwrap();
    assert!(
        held.due_at > Utc::now() + chrono::Duration::minutes(50),
        "{held:?}"
    );
    let why = held.held.clone().unwrap();
    assert!(
        why.contains(&format!("quiet hours ({quiet}) in Asia/Tokyo")),
        "{why}"
    );
    // One already due when the quiet hours began is held when its time comes.
    let due = ScheduledSend {
        id: 0,
        to: KEN.into(),
        conversation_id: None,
        what: text("Are you there?"),
        due_at: Utc::now(),
        by: "aiko".into(),
        created_at: Utc::now(),
        held: None,
        rule: None,
        batch: None,
        will_skip: None,
        state: ScheduleState::Waiting,
    };
    let events = h
        .engine
        .apply_history(vec![Change::Schedule { send: due }])
        .await
        .unwrap();
    let Some(Event::Scheduled { scheduled: due }) = events.into_iter().next() else {
        panic!()
    };
    // Any new send wakes the scheduler.
    schedule(&h, text("Wake up"), 500).await.unwrap();
    eventually("the due send held", || {
        h.engine
            .store()
            .scheduled(due.id)
            .unwrap()
            .unwrap()
            .held
            .is_some()
    })
    .await;
    let now = h.engine.store().scheduled(due.id).unwrap().unwrap();
    assert!(now.waiting() && now.due_at > Utc::now() + chrono::Duration::minutes(50));
    assert!(sent_texts(&h).is_empty(), "nothing went in the night");
}
