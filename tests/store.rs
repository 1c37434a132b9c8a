//! The store on a temporary sled database: paging, ordering, counters, schema, locking.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use chrono::{Duration, Utc};
use common::TempDir;
use hirechat::{
    domain::{
        message::{Effect, Summary},
        phone::PhoneNumber,
    },
    store::{Arrived, Change, ContactInfo, Queued, Store, StoreError},
};

fn inbound(contact: u64, n: u64, minutes: i64) -> Change {
    Change::Inbound(Arrived {
        contact: ContactInfo {
            phone: Some(PhoneNumber::parse(&format!("+8190{contact:08}")).unwrap()),
            name: Some(format!("Person {contact}")),
            ..ContactInfo::default()
        },
        wamid: format!("wamid.S{contact}-{n}"),
        at: Utc::now() - Duration::days(1) + Duration::minutes(minutes),
        reply_to: None,
        effect: Effect::New(Summary {
            kind: "text".into(),
            text: format!("m{n}"),
            media: None,
        }),
        error_code: None,
        payload: None,
    })
}

#[test]
fn pages_of_the_list_are_the_same_from_either_end() {
    let dir = TempDir::new("store-pages");
    let store = Store::open(dir.path(), 16).unwrap();
    // Conversation c's last activity is minute c: newest first means 49, 48, …
    let changes: Vec<Change> = (0..50)
        .map(|c| inbound(c, 0, i64::try_from(c).unwrap()))
        .collect();
    store.apply(&changes).unwrap();
    let all: Vec<String> = store
        .conversations(100)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(all.len(), 50);
    assert_eq!(all[0], "Person 49");
    for (offset, limit) in [(0, 10), (20, 10), (30, 15), (45, 10), (49, 1), (60, 5)] {
        let page: Vec<String> = store
            .conversations_page(offset, limit)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        let expected: Vec<String> = all.iter().skip(offset).take(limit).cloned().collect();
        assert_eq!(page, expected, "offset {offset} limit {limit}");
    }
}

#[test]
fn a_new_message_moves_its_conversation_to_the_top_and_counters_follow() {
    let dir = TempDir::new("store-order");
    let store = Store::open(dir.path(), 16).unwrap();
    store
        .apply(&[inbound(1, 0, 0), inbound(2, 0, 1), inbound(3, 0, 2)])
        .unwrap();
    store.apply(&[inbound(1, 1, 10)]).unwrap();
    let names: Vec<String> = store
        .conversations(10)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Person 1", "Person 3", "Person 2"]);
    assert_eq!(store.conversation_count().unwrap(), 3);
    assert_eq!(store.message_count().unwrap(), 4);
    // Messages come back oldest first, whatever order they arrived in.
    store.apply(&[inbound(1, 2, 5)]).unwrap();
    let conv = store
        .conversation_by_phone(&PhoneNumber::parse("+819000000001").unwrap())
        .unwrap()
        .unwrap();
    let texts: Vec<String> = store
        .messages(&conv, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, ["m0", "m2", "m1"]);
    // The newest page is the newest messages.
    let newest: Vec<String> = store
        .messages(&conv, 2)
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(newest, ["m2", "m1"]);
}

#[test]
fn data_survives_a_reopen_and_a_second_process_is_refused() {
    let dir = TempDir::new("store-reopen");
    {
        let store = Store::open(dir.path(), 16).unwrap();
        store.apply(&[inbound(7, 0, 0)]).unwrap();
        store.flush().unwrap();
        // While it is open, another open (as another process would) is refused clearly.
        match Store::open(dir.path(), 16) {
            Err(StoreError::Locked(_)) => {}
            Err(other) => panic!("expected Locked, got {other}"),
            Ok(_) => panic!("two opens of one database"),
        }
    }
    let store = Store::open(dir.path(), 16).unwrap();
    assert_eq!(store.message_count().unwrap(), 1);
    assert!(store.message_by_wamid("wamid.S7-0").unwrap().is_some());
}

#[test]
fn the_unreplied_index_follows_messages_replies_and_owners() {
    use hirechat::{
        domain::record::{RecordInput, RecordKind},
        store::Waited,
    };
    let dir = TempDir::new("store-unreplied");
    let store = Store::open(dir.path(), 16).unwrap();
    // Two contacts write: person 1 a day ago (minute 0), person 2 later (minute 600).
    store
        .apply(&[inbound(1, 0, 0), inbound(2, 0, 600)])
        .unwrap();
    let (total, page) = store.unreplied(None, Waited::Any, 0, 10).unwrap();
    assert_eq!(total, 2);
    assert_eq!(page[0].name, "Person 2", "newest first");
    // Waiting times select by range.
    let cutoff = Utc::now() - Duration::hours(20);
    let (older, _) = store
        .unreplied(None, Waited::LongerThan(cutoff), 0, 10)
        .unwrap();
    let (newer, _) = store.unreplied(None, Waited::Since(cutoff), 0, 10).unwrap();
    assert_eq!((older, newer), (1, 1));
    // A record gives person 1 an owner: it enters that owner's partition.
    let record = RecordInput {
        kind: RecordKind::Candidate,
        name: "Person One".into(),
        mobile: Some("+81 90 1234 5678".into()),
        owner: Some("aiko".into()),
        ..RecordInput::default()
    }
    .validate(0)
    .unwrap();
    store.apply(&[inbound(12_345_678, 0, 5)]).unwrap();
    store
        .apply(&[Change::SaveRecord { id: None, record }])
        .unwrap();
    let (mine, page) = store.unreplied(Some("aiko"), Waited::Any, 0, 10).unwrap();
    assert_eq!((mine, page[0].display_name().as_str()), (1, "Person One"));
    // Answering takes it out of both; the contact writing again puts it back.
    let contact = ContactInfo {
        phone: Some(PhoneNumber::parse("+819012345678").unwrap()),
        ..ContactInfo::default()
    };
    let reply = Change::Queue(Queued {
        contact,
        kind: "text".into(),
        text: "hi".into(),
        request: serde_json::json!({}),
        sent_by: "aiko".into(),
        at: Utc::now(),
        file: None,
        batch: None,
        hold: None,
    });
    store.apply(&[reply]).unwrap();
    assert_eq!(
        store.unreplied(Some("aiko"), Waited::Any, 0, 10).unwrap().0,
        0
    );
    assert_eq!(store.unreplied(None, Waited::Any, 0, 10).unwrap().0, 2);
    store
        .apply(&[Change::Inbound(Arrived {
            contact: ContactInfo {
                phone: Some(PhoneNumber::parse("+819012345678").unwrap()),
                ..ContactInfo::default()
            },
            wamid: "wamid.again".into(),
            at: Utc::now(),
            reply_to: None,
            effect: Effect::New(Summary {
                kind: "text".into(),
                text: "and?".into(),
                media: None,
            }),
            error_code: None,
            payload: None,
        })])
        .unwrap();
    assert_eq!(
        store.unreplied(Some("aiko"), Waited::Any, 0, 10).unwrap().0,
        1
    );
    assert_eq!(store.unreplied(None, Waited::Any, 0, 10).unwrap().0, 3);
}

#[test]
fn a_contact_who_writes_again_keeps_their_wait_and_place_among_the_unreplied() {
    use hirechat::store::Waited;
    let dir = TempDir::new("store-unreplied-again");
    let store = Store::open(dir.path(), 16).unwrap();
    // Person 1 writes at minute 0, person 2 at 600, person 1 again at 900.
    store
        .apply(&[inbound(1, 0, 0), inbound(2, 0, 600)])
        .unwrap();
    store.apply(&[inbound(1, 1, 900)]).unwrap();
    let (total, page) = store.unreplied(None, Waited::Any, 0, 10).unwrap();
    let names: Vec<_> = page.iter().map(|c| c.name.as_str()).collect();
    assert_eq!((total, names), (2, vec!["Person 2", "Person 1"]));
    // Waiting longer than 20 hours: person 1 (24 hours), though they wrote 9 hours ago.
    let cutoff = Utc::now() - Duration::hours(20);
    let (older, page) = store
        .unreplied(None, Waited::LongerThan(cutoff), 0, 10)
        .unwrap();
    assert_eq!((older, page[0].name.as_str()), (1, "Person 1"));
    let between = page[0].last_inbound_at.unwrap() - page[0].waiting_since().unwrap();
    assert_eq!(
        between.num_minutes(),
        900,
        "15 hours (and the test's own moments)"
    );
    // The list still has person 1 first: it is ordered by the last message.
    assert_eq!(store.conversations(1).unwrap()[0].name, "Person 1");
}

#[test]
fn older_messages_come_a_page_at_a_time_before_the_oldest_shown() {
    let dir = TempDir::new("store-older");
    let store = Store::open(dir.path(), 16).unwrap();
    let changes: Vec<Change> = (0..10)
        .map(|n| inbound(1, n, i64::try_from(n).unwrap()))
        .collect();
    store.apply(&changes).unwrap();
    let conv = &store.conversations(1).unwrap()[0];
    let newest = store.messages(conv, 3).unwrap();
    let texts = |m: &[hirechat::domain::message::Message]| {
        m.iter().map(|m| m.text.clone()).collect::<Vec<_>>()
    };
    assert_eq!(texts(&newest), ["m7", "m8", "m9"]);
    // Up to and with the oldest shown (merged by its id), the page before it.
    let older = store.messages_before(conv, newest[0].at, 4).unwrap();
    assert_eq!(texts(&older), ["m4", "m5", "m6", "m7"]);
    let first = store.messages_before(conv, older[0].at, 100).unwrap();
    assert_eq!(first.len(), 5, "m0 to m4, the start of the conversation");
}

#[test]
fn unreplied_counts_by_waiting_time_agree_with_the_index_across_days() {
    use hirechat::store::Waited;
    let dir = TempDir::new("store-unreplied-days");
    let store = Store::open(dir.path(), 16).unwrap();
    // Contact c wrote c × 7 hours before the base (a day ago): twelve days and more, spread
    // over hours of the day; contact 3 wrote again later, which does not shorten its wait.
    let changes: Vec<Change> = (0..40)
        .map(|c| inbound(c, 0, -i64::try_from(c).unwrap() * 7 * 60))
        .chain([inbound(3, 1, 30)])
        .collect();
    store.apply(&changes).unwrap();
    let waited_since: Vec<_> = (0..40)
        .map(|c| Utc::now() - Duration::days(1) - Duration::minutes(c * 7 * 60))
        .collect();
    for hours in [1, 23, 30, 49, 120, 121, 240, 300, 1000] {
        let cutoff = Utc::now() - Duration::hours(hours);
        let longer = waited_since.iter().filter(|s| **s < cutoff).count() as u64;
        let (older, page) = store
            .unreplied(None, Waited::LongerThan(cutoff), 0, 100)
            .unwrap();
        assert_eq!((older, page.len() as u64), (longer, longer), "{hours} h");
        let (newer, _) = store
            .unreplied(None, Waited::Since(cutoff), 0, 100)
            .unwrap();
        assert_eq!(newer, 40 - longer, "{hours} h");
    }
}

#[test]
fn a_checkpoint_on_the_way_out_waits_for_the_last_handle_to_let_go() {
    let dir = TempDir::new("store-checkpoint");
    let store = Store::open(dir.path(), 16).unwrap();
    store.apply(&[inbound(7, 0, 0)]).unwrap();
    store.flush().unwrap();
    // The engine's last handle goes a moment after the process decides to stop.
    let last = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(store);
    });
    Store::checkpoint_closed(dir.path()).unwrap();
    last.join().unwrap();
    let store = Store::open(dir.path(), 16).unwrap();
    assert_eq!(store.message_count().unwrap(), 1);
}
