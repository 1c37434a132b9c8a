//! Filters and the built-in views through the engine (what `conversations --filter` and
//! `--view` print), against conversations made by real webhooks and sends.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use chrono::{Duration, Utc};
use common::{Harness, admin};
use hirechat::{
    domain::record::{RecordInput, RecordKind},
    engine::{EngineError, Request, Response},
};

fn inbound(from: &str, name: &str, minutes_ago: i64, id: &str) -> Vec<u8> {
    inbound_text(from, name, minutes_ago, id, "hello")
}

fn inbound_text(from: &str, name: &str, minutes_ago: i64, id: &str, text: &str) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"contacts":[{{"profile":{{"name":"{name}"}},"wa_id":"{from}"}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{}","type":"text","text":{{"body":"{text}"}}}}]}}}}]}}]}}"#,
        (Utc::now() - Duration::minutes(minutes_ago)).timestamp()
    )
    .into_bytes()
}

/// What `who` is listed for `filter` (every conversation for none), with the total.
async fn listed(
    h: &Harness,
    who: &hirechat::domain::permission::Actor,
    filter: Option<&str>,
) -> Result<(Vec<hirechat::engine::ConversationView>, u64), EngineError> {
    let request = Request::Conversations {
        offset: 0,
        limit: None,
        filter: filter.map(Into::into),
    };
    let Response::Conversations {
        conversations,
        total,
        ..
    } = h.engine.handle(who, request).await?
    else {
        panic!()
    };
    Ok((conversations, total))
}

async fn names(h: &Harness, filter: &str) -> Result<Vec<String>, EngineError> {
    let (conversations, total) = listed(h, &admin(), Some(filter)).await?;
    assert_eq!(usize::try_from(total).unwrap(), conversations.len());
    let mut n: Vec<String> = conversations.into_iter().map(|c| c.name).collect();
    n.sort();
    Ok(n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_views_select_the_right_conversations() {
    let h = Harness::start().await;
    // Aiko owns Haruto's record.
    let record = RecordInput {
        kind: RecordKind::Candidate,
        name: "Haruto Sato".into(),
        mobile: Some("+819012340001".into()),
        owner: Some("aiko".into()),
        ..RecordInput::default()
    };
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
    assert_eq!(
        h.post(&inbound("819012340001", "Haruto", 5 * 24 * 60, "wamid.F1"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound("819012340002", "Emily", 60, "wamid.F2"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound("819012340003", "Liam", 30, "wamid.F3"))
            .await,
        200
    );
    // The recruiter answers Liam.
    h.engine
        .handle(
            &admin(),
            Request::SendText {
                to: "+819012340003".into(),
                text: "hi".into(),
            },
        )
        .await
        .unwrap();

    assert_eq!(
        names(&h, "unreplied").await.unwrap(),
        ["Emily", "Haruto Sato"]
    );
    assert_eq!(names(&h, "unreplied>3d").await.unwrap(), ["Haruto Sato"]);
    assert_eq!(
        names(&h, "unreplied owner:me").await.unwrap(),
        ["Haruto Sato"]
    );
    assert_eq!(
        names(&h, "replied<1d repliedby:aiko").await.unwrap(),
        ["Liam"]
    );
    assert_eq!(names(&h, "window:open").await.unwrap(), ["Emily", "Liam"]);
    assert_eq!(names(&h, "window:closed").await.unwrap(), ["Haruto Sato"]);
    assert_eq!(
        names(&h, "last<2h unread").await.unwrap(),
        ["Emily", "Liam"]
    );
    // The built-in views, by name.
    assert_eq!(
        names(&h, "unreplied").await.unwrap(),
        names(&h, "all-unreplied").await.unwrap()
    );
    assert_eq!(names(&h, "sent-today").await.unwrap(), ["Liam"]);
    // A bad word is pointed at.
    let err = names(&h, "unreplied>3d ownr:me").await.unwrap_err();
    assert!(err.to_string().contains("\"ownr:me\" (word 2"), "{err}");
}

/// The index (a filter of `unreplied` terms alone) and the facts (with another term) agree:
/// waiting counts from the first message not answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_counts_from_the_first_message_not_answered_in_every_view() {
    let h = Harness::start().await;
    for (from, name, minutes_ago, id) in [
        ("819012340001", "Haruto", 30 * 60, "wamid.W1"),
        ("819012340002", "Emily", 10 * 60, "wamid.W2"),
        ("819012340001", "Haruto", 60, "wamid.W3"),
    ] {
        assert_eq!(h.post(&inbound(from, name, minutes_ago, id)).await, 200);
    }
    for filter in [
        "unreplied>20h",
        "unreplied>20h unread",
        "unreplied>20h window:open",
    ] {
        assert_eq!(names(&h, filter).await.unwrap(), ["Haruto"], "{filter}");
    }
    for filter in ["unreplied<20h", "unreplied<20h unread"] {
        assert_eq!(names(&h, filter).await.unwrap(), ["Emily"], "{filter}");
    }
    // What scripts read: since when, beside the last message.
    let (conversations, _) = listed(&h, &admin(), Some("unreplied>20h")).await.unwrap();
    let json = serde_json::to_value(&conversations[0]).unwrap();
    let at = |k: &str| {
        json[k]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .unwrap()
    };
    assert_eq!(
        (at("last_inbound_at") - at("waiting_since")).num_hours(),
        29
    );
    // An answer ends the wait: out of every unreplied view.
    h.engine
        .handle(
            &admin(),
            Request::SendText {
                to: "+819012340001".into(),
                text: "Sorry for the wait".into(),
            },
        )
        .await
        .unwrap();
    assert!(names(&h, "unreplied>20h").await.unwrap().is_empty());
    assert!(names(&h, "unreplied>20h unread").await.unwrap().is_empty());
}

async fn search(h: &Harness, query: &str) -> Vec<(String, Option<String>)> {
    let Response::Found { hits } = h
        .engine
        .handle(
            &admin(),
            Request::Search {
                query: query.into(),
                limit: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    hits.into_iter()
        .map(|h| (h.conversation.name, h.message.map(|m| m.text)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_words_and_japanese_across_every_conversation_newest_first() {
    let h = Harness::start().await;
    for (from, name, ago, id, text) in [
        (
            "819012340001",
            "Haruto",
            600,
            "wamid.S1",
            "Is there parking near the office?",
        ),
        (
            "819012340002",
            "Emily",
            300,
            "wamid.S2",
            "I will come by train, no parking needed",
        ),
        (
            "819012340003",
            "田中 美咲",
            60,
            "wamid.S3",
            "面接は火曜日の10時でお願いします",
        ),
        (
            "819012340002",
            "Emily",
            30,
            "wamid.S4",
            "See you on Tuesday",
        ),
    ] {
        assert_eq!(h.post(&inbound_text(from, name, ago, id, text)).await, 200);
    }
    assert_eq!(
        search(&h, "PARKING").await,
        [
            (
                "Emily".to_owned(),
                Some("I will come by train, no parking needed".to_owned())
            ),
            (
                "Haruto".to_owned(),
                Some("Is there parking near the office?".to_owned())
            ),
        ]
    );
    // Every word must be there; a word matches the words it begins.
    assert_eq!(search(&h, "park offi").await.len(), 1);
    assert_eq!(search(&h, "火曜").await.len(), 1);
    assert_eq!(search(&h, "面接 10時").await.len(), 1);
    assert!(search(&h, "水曜").await.is_empty());
    // Names are found too, before messages.
    assert_eq!(search(&h, "emily").await, [("Emily".to_owned(), None)]);
    assert_eq!(search(&h, "美咲").await, [("田中 美咲".to_owned(), None)]);
    // A message is found with its conversation's name: Emily's Tuesday, not Misaki's.
    assert_eq!(
        search(&h, "emily tues").await,
        [("Emily".to_owned(), Some("See you on Tuesday".to_owned()))]
    );
    assert!(search(&h, "haruto tuesday").await.is_empty());
    assert!(
        search(&h, "haruto train").await.is_empty(),
        "each word is in some conversation, but not both in Haruto's"
    );
}

fn actor(
    login: &str,
    role: hirechat::domain::permission::Role,
) -> hirechat::domain::permission::Actor {
    hirechat::domain::permission::Actor {
        login: login.into(),
        name: login.into(),
        role,
    }
}

async fn save_view(
    h: &Harness,
    who: &hirechat::domain::permission::Actor,
    name: &str,
    query: &str,
    sort: hirechat::domain::view::Sort,
    shared: bool,
) -> Result<Vec<hirechat::engine::api::ViewCount>, EngineError> {
    let view = hirechat::domain::view::ViewInput {
        name: name.into(),
        query: query.into(),
        sort,
        shared,
    };
    match h.engine.handle(who, Request::SaveView { view }).await? {
        Response::Views { views } => Ok(views),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_views_personal_and_shared_with_counts_and_order() {
    use hirechat::domain::{permission::Role, view::Sort};
    let h = Harness::start().await;
    for (from, name, ago, id) in [
        ("819012340001", "Haruto", 50 * 60, "wamid.V1"),
        ("819012340002", "Emily", 60, "wamid.V2"),
        ("819012340003", "Liam", 30, "wamid.V3"),
    ] {
        assert_eq!(h.post(&inbound(from, name, ago, id)).await, 200);
    }
    let aiko = admin();
    let ken = actor("ken", Role::Recruiter);
    let vic = actor("vic", Role::Viewer);
    // An admin shares a view; the order is the longest waiting first.
    let views = save_view(
        &h,
        &aiko,
        "Waiting longest",
        "unreplied",
        Sort::Oldest,
        true,
    )
    .await
    .unwrap();
    let shared = views.iter().find(|v| v.name == "Waiting longest").unwrap();
    assert_eq!(shared.count, Some(3));
    // A recruiter keeps one of their own, and may not share.
    save_view(&h, &ken, "Open windows", "window:open", Sort::Newest, false)
        .await
        .unwrap();
    let err = save_view(&h, &ken, "Everyone's", "unread", Sort::Newest, true)
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
    let err = save_view(&h, &ken, "Broken", "unreplied>3x", Sort::Newest, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("3x"), "{err}");
    // Each sees the shared view and their own.
    let names = |views: Vec<hirechat::engine::api::ViewCount>| -> Vec<String> {
        views
            .into_iter()
            .filter(|v| v.saved.is_some())
            .map(|v| v.name)
            .collect()
    };
    let Response::Views { views } = h.engine.handle(&vic, Request::Views).await.unwrap() else {
        panic!()
    };
    assert_eq!(names(views), ["Waiting longest"]);
    let Response::Views { views } = h.engine.handle(&ken, Request::Views).await.unwrap() else {
        panic!()
    };
    let open = views.iter().find(|v| v.name == "Open windows").unwrap();
    assert_eq!(open.count, Some(2));
    assert_eq!(names(views), ["Waiting longest", "Open windows"]);
    // A view's name is a filter; the shared one lists the longest waiting first.
    let (conversations, _) = listed(&h, &ken, Some("Waiting longest")).await.unwrap();
    let order: Vec<&str> = conversations.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(order, ["Haruto", "Emily", "Liam"]);
    // Only an admin deletes a shared view; anyone their own.
    let delete = |name: &str| Request::DeleteView { name: name.into() };
    let err = h
        .engine
        .handle(&ken, delete("Waiting longest"))
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
    h.engine.handle(&ken, delete("Open windows")).await.unwrap();
    h.engine
        .handle(&aiko, delete("Waiting longest"))
        .await
        .unwrap();
    assert!(h.engine.store().views().unwrap().is_empty());
}

fn user(login: &str, role: hirechat::domain::permission::Role) -> hirechat::config::UserConfig {
    hirechat::config::UserConfig {
        name: login.into(),
        login: login.into(),
        role,
        email: None,
        phone: None,
        time_zone: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_senders_become_candidates_assigned_in_turn_and_only_admins_change_it() {
    use hirechat::domain::{
        permission::Role,
        record::RecordKind,
        routing::{Group, Routing, UnknownSenders},
    };
    let h = Harness::start_in(common::TempDir::new("routing"), |c| {
        c.users = vec![
            user("aiko", Role::Admin),
            user("ken", Role::Recruiter),
            user("mika", Role::Recruiter),
        ];
        c.groups = vec![Group {
            name: "tokyo".into(),
            members: vec!["ken".into(), "mika".into()],
        }];
        c.routing = Routing {
            unknown_senders: UnknownSenders::Candidate,
            assign_to: "group:tokyo".into(),
        };
    })
    .await;
    for (from, name, id) in [
        ("819012340001", "Haruto", "wamid.R1"),
        ("819012340002", "Emily", "wamid.R2"),
        ("819012340003", "Liam", "wamid.R3"),
    ] {
        assert_eq!(h.post(&inbound(from, name, 5, id)).await, 200);
    }
    let store = h.engine.store();
    let owner_of = |n: &str| {
        let phone = hirechat::domain::phone::PhoneNumber::parse(n).unwrap();
        let c = store.conversation_by_phone(&phone).unwrap().unwrap();
        let r = store.record(c.record_id.unwrap()).unwrap().unwrap();
        assert_eq!(r.kind, RecordKind::Candidate);
        assert_eq!(r.owner, c.owner);
        (r.name, c.owner.unwrap())
    };
    assert_eq!(
        owner_of("+819012340001"),
        ("Haruto".to_owned(), "ken".to_owned())
    );
    assert_eq!(
        owner_of("+819012340002"),
        ("Emily".to_owned(), "mika".to_owned())
    );
    assert_eq!(
        owner_of("+819012340003"),
        ("Liam".to_owned(), "ken".to_owned())
    );
    // Ken's unreplied view holds his two.
    let ken = actor("ken", Role::Recruiter);
    let (_, total) = listed(&h, &ken, Some("my-unreplied")).await.unwrap();
    assert_eq!(total, 2);
    // Settings: a recruiter is refused; an admin's mistake is named; an admin's change holds.
    let set = |assign_to: &str| Request::SetRouting {
        routing: Routing {
            unknown_senders: UnknownSenders::None,
            assign_to: assign_to.into(),
        },
    };
    let err = h.engine.handle(&ken, set("user:ken")).await.unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
    let err = h
        .engine
        .handle(&admin(), set("user:nobody"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no such user"), "{err}");
    let Response::Settings { pool, source, .. } =
        h.engine.handle(&admin(), set("user:aiko")).await.unwrap()
    else {
        panic!()
    };
    assert_eq!((pool, source.as_str()), (vec!["aiko".to_owned()], "admin"));
    assert_eq!(
        h.post(&inbound("819012340004", "Sophie", 1, "wamid.R4"))
            .await,
        200
    );
    let phone = hirechat::domain::phone::PhoneNumber::parse("+819012340004").unwrap();
    let c = store.conversation_by_phone(&phone).unwrap().unwrap();
    assert_eq!((c.owner.as_deref(), c.record_id), (Some("aiko"), None));
}

async fn unreplied_after_reading(until: hirechat::domain::filter::UnrepliedUntil) -> Vec<String> {
    let h = Harness::start_in(common::TempDir::new("triage"), |c| {
        c.triage.unreplied_until = until;
    })
    .await;
    assert_eq!(
        h.post(&inbound("819012340001", "Haruto", 60, "wamid.T1"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound("819012340002", "Emily", 30, "wamid.T2"))
            .await,
        200
    );
    let phone = hirechat::domain::phone::PhoneNumber::parse("+819012340001").unwrap();
    let haruto = h
        .engine
        .store()
        .conversation_by_phone(&phone)
        .unwrap()
        .unwrap();
    h.engine
        .handle(
            &admin(),
            Request::MarkRead {
                conversation_id: haruto.id,
            },
        )
        .await
        .unwrap();
    names(&h, "all-unreplied").await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_is_not_answering_unless_the_team_says_so() {
    use hirechat::domain::filter::UnrepliedUntil;
    assert_eq!(
        unreplied_after_reading(UnrepliedUntil::Answered).await,
        ["Emily", "Haruto"]
    );
    assert_eq!(
        unreplied_after_reading(UnrepliedUntil::Read).await,
        ["Emily"]
    );
}

async fn set_state(
    h: &Harness,
    with: &str,
    change: hirechat::domain::conversation_state::StateChange,
) -> Result<Response, EngineError> {
    h.engine
        .handle(
            &admin(),
            Request::SetState {
                with: Some(with.into()),
                conversation_id: None,
                change,
            },
        )
        .await
}

async fn trail(h: &Harness, with: &str) -> Vec<hirechat::domain::conversation_state::Happened> {
    let Response::Messages { events, .. } = h
        .engine
        .handle(
            &admin(),
            Request::Messages {
                with: with.into(),
                limit: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    events.into_iter().map(|e| e.what).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolved_and_snoozed_leave_the_unreplied_views_and_come_back_when_the_contact_writes_or_the_time_comes()
 {
    use hirechat::domain::conversation_state::{ConversationStatus as S, Happened, StateChange};
    let h = Harness::start().await;
    assert_eq!(
        h.post(&inbound("819012345678", "Haruto", 30, "wamid.A"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound("447700900123", "Emily", 20, "wamid.B"))
            .await,
        200
    );
    assert_eq!(names(&h, "unreplied").await.unwrap(), ["Emily", "Haruto"]);

    let Response::Conversation { conversation } =
        set_state(&h, "+819012345678", StateChange::Resolved)
            .await
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(conversation.status, S::Resolved);
    assert_eq!(names(&h, "unreplied").await.unwrap(), ["Emily"]);
    assert_eq!(names(&h, "status:resolved").await.unwrap(), ["Haruto"]);
    assert_eq!(names(&h, "status:open").await.unwrap(), ["Emily"]);
    // The built-in view, answered from the index, agrees.
    let views = h.engine.handle(&admin(), Request::Views).await.unwrap();
    let Response::Views { views } = views else {
        panic!()
    };
    let unreplied = views.iter().find(|v| v.name == "all-unreplied").unwrap();
    assert_eq!(unreplied.count, Some(1));

    // Haruto writes again: open, unreplied, and the trail says why.
    assert_eq!(
        h.post(&inbound("819012345678", "Haruto", 1, "wamid.C"))
            .await,
        200
    );
    assert_eq!(names(&h, "unreplied").await.unwrap(), ["Emily", "Haruto"]);
    assert_eq!(
        trail(&h, "+819012345678").await,
        [
            Happened::Status {
                from: S::Open,
                to: S::Resolved
            },
            Happened::ReopenedByContact
        ]
    );

    // Emily snoozed for a moment: gone, then back as unread when the time comes.
    let past = set_state(
        &h,
        "+447700900123",
        StateChange::Snooze {
            until: Utc::now() - Duration::minutes(1),
        },
    )
    .await;
    assert!(matches!(past, Err(EngineError::BadInput(m)) if m.contains("in the future")));
    h.engine
        .handle(
            &admin(),
            Request::MarkRead {
                conversation_id: names_to_id(&h, "Emily").await,
            },
        )
        .await
        .unwrap();
    let mut events = h.engine.subscribe();
    set_state(
        &h,
        "+447700900123",
        StateChange::Snooze {
            until: Utc::now() + Duration::milliseconds(800),
        },
    )
    .await
    .unwrap();
    assert_eq!(names(&h, "unreplied").await.unwrap(), ["Haruto"]);
    assert_eq!(names(&h, "snoozed").await.unwrap(), ["Emily"]);
    common::wait_for(&mut events, |e| match e {
        hirechat::domain::event::Event::Trail { entry } => {
            (entry.what == Happened::SnoozeEnded).then_some(())
        }
        _ => None,
    })
    .await;
    assert_eq!(
        names(&h, "unreplied unread").await.unwrap(),
        ["Emily", "Haruto"]
    );
    assert!(names(&h, "snoozed").await.unwrap().is_empty());
    assert!(
        trail(&h, "+447700900123")
            .await
            .ends_with(&[Happened::SnoozeEnded])
    );
    // Pending: waiting on the contact, out of the unreplied views.
    set_state(&h, "+447700900123", StateChange::Pending)
        .await
        .unwrap();
    assert_eq!(names(&h, "status:pending").await.unwrap(), ["Emily"]);
    assert_eq!(names(&h, "unreplied").await.unwrap(), ["Haruto"]);
}

async fn names_to_id(h: &Harness, name: &str) -> u64 {
    let (conversations, _) = listed(h, &admin(), None).await.unwrap();
    conversations.iter().find(|c| c.name == name).unwrap().id
}

async fn assign_as(
    h: &Harness,
    who: &hirechat::domain::permission::Actor,
    with: &str,
    to: &str,
) -> Result<Response, EngineError> {
    h.engine
        .handle(
            who,
            Request::Assign {
                with: Some(with.into()),
                conversation_id: None,
                to: to.into(),
            },
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_are_handed_to_users_and_groups_in_turn_by_those_who_may() {
    use hirechat::domain::{conversation_state::Happened, permission::Role, routing::Group};
    let h = Harness::start_in(common::TempDir::new("assign"), |c| {
        c.users = vec![
            user("aiko", Role::Admin),
            user("ken", Role::Recruiter),
            user("mika", Role::Recruiter),
            user("vera", Role::Viewer),
        ];
        c.groups = vec![Group {
            name: "tokyo".into(),
            members: vec!["ken".into(), "mika".into()],
        }];
    })
    .await;
    let (haruto, emily) = ("+819012340001", "+819012340002");
    assert_eq!(
        h.post(&inbound(&haruto[1..], "Haruto", 5, "wamid.S1"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound(&emily[1..], "Emily", 4, "wamid.S2")).await,
        200
    );
    let (aiko, ken) = (actor("aiko", Role::Admin), actor("ken", Role::Recruiter));
    assert_eq!(
        names(&h, "assignee:none").await.unwrap(),
        ["Emily", "Haruto"]
    );

    // A group: its members in turn.
    assign_as(&h, &aiko, haruto, "group:tokyo").await.unwrap();
    assign_as(&h, &aiko, emily, "group:tokyo").await.unwrap();
    assert_eq!(names(&h, "assignee:ken").await.unwrap(), ["Haruto"]);
    assert_eq!(names(&h, "assignee:mika").await.unwrap(), ["Emily"]);
    assert!(names(&h, "assignee:none").await.unwrap().is_empty());

    // Ken may not give Mika's away, may take it, and may hand over his own.
    let refused = assign_as(&h, &ken, emily, "aiko").await;
    assert!(matches!(refused, Err(EngineError::Forbidden(m)) if m.contains("hand over their own")));
    assign_as(&h, &ken, emily, "ken").await.unwrap();
    assign_as(&h, &ken, haruto, "mika").await.unwrap();
    assert_eq!(names(&h, "assignee:ken").await.unwrap(), ["Emily"]);
    assert_eq!(names(&h, "owner:mika unreplied").await.unwrap(), ["Haruto"]);
    // Nobody who cannot answer, nobody who does not exist.
    let viewer = assign_as(&h, &aiko, haruto, "vera").await;
    assert!(
        matches!(viewer, Err(EngineError::BadInput(m)) if m.contains("nobody in it can answer"))
    );
    let stranger = assign_as(&h, &aiko, haruto, "nosuch").await;
    assert!(matches!(stranger, Err(EngineError::BadInput(m)) if m.contains("no such user")));
    assign_as(&h, &aiko, emily, "none").await.unwrap();
    assert_eq!(names(&h, "assignee:none").await.unwrap(), ["Emily"]);

    let assigned: Vec<(Option<String>, Option<String>)> = trail(&h, haruto)
        .await
        .into_iter()
        .filter_map(|w| match w {
            Happened::Assigned { from, to } => Some((from, to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        assigned,
        [
            (None, Some("ken".to_owned())),
            (Some("ken".to_owned()), Some("mika".to_owned()))
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_define_labels_recruiters_put_them_on_and_filters_read_them() {
    use hirechat::domain::{conversation_state::Happened, permission::Role};
    let h = Harness::start_in(common::TempDir::new("labels"), |c| {
        c.users = vec![user("aiko", Role::Admin), user("ken", Role::Recruiter)];
    })
    .await;
    let haruto = "+819012340001";
    assert_eq!(
        h.post(&inbound(&haruto[1..], "Haruto", 5, "wamid.L1"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound("819012340002", "Emily", 4, "wamid.L2"))
            .await,
        200
    );
    let (aiko, ken) = (actor("aiko", Role::Admin), actor("ken", Role::Recruiter));
    let define = |name: &str, colour: &str| Request::SaveLabel {
        name: name.into(),
        colour: colour.into(),
    };
    let refused = h.engine.handle(&ken, define("visa", "red")).await;
    assert!(matches!(refused, Err(EngineError::Forbidden(_))));
    let bad = h.engine.handle(&aiko, define("on hold", "red")).await;
    assert!(matches!(bad, Err(EngineError::BadInput(m)) if m.contains("one word")));
    h.engine.handle(&aiko, define("Visa", "red")).await.unwrap();
    h.engine
        .handle(&aiko, define("shortlisted", "green"))
        .await
        .unwrap();
    let label = |add: &[&str], remove: &[&str]| Request::Label {
        with: Some(haruto.into()),
        conversation_id: None,
        add: add.iter().map(|s| (*s).to_owned()).collect(),
        remove: remove.iter().map(|s| (*s).to_owned()).collect(),
    };
    let unknown = h.engine.handle(&ken, label(&["urgent"], &[])).await;
    assert!(matches!(unknown, Err(EngineError::BadInput(m)) if m.contains("visa")));
    h.engine
        .handle(&ken, label(&["visa", "shortlisted"], &[]))
        .await
        .unwrap();
    assert_eq!(names(&h, "label:visa").await.unwrap(), ["Haruto"]);
    assert_eq!(names(&h, "label:visa unreplied").await.unwrap(), ["Haruto"]);
    let in_use = h
        .engine
        .handle(
            &aiko,
            Request::DeleteLabel {
                name: "visa".into(),
            },
        )
        .await;
    assert!(matches!(in_use, Err(EngineError::Refused(m)) if m.contains("take it off")));
    h.engine.handle(&ken, label(&[], &["visa"])).await.unwrap();
    assert!(names(&h, "label:visa").await.unwrap().is_empty());
    assert_eq!(names(&h, "label:shortlisted").await.unwrap(), ["Haruto"]);
    h.engine
        .handle(
            &aiko,
            Request::DeleteLabel {
                name: "visa".into(),
            },
        )
        .await
        .unwrap();
    let Response::Labels { labels } = h.engine.handle(&ken, Request::Labels).await.unwrap() else {
        panic!()
    };
    assert_eq!(labels.len(), 1);
    assert_eq!(
        trail(&h, haruto)
            .await
            .into_iter()
            .filter(|w| matches!(w, Happened::Labelled { .. }))
            .count(),
        2
    );
}
