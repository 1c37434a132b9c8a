//! Filters and the built-in views through the engine (what `conversations --filter` and
//! `--view` print), against conversations made by real webhooks and sends.

mod common;

use chrono::{Duration, Utc};
use common::{Harness, admin};
use hirechat::{
    domain::record::{RecordInput, RecordKind},
    engine::{EngineError, Request, Response},
};

fn inbound(from: &str, name: &str, minutes_ago: i64, id: &str) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"contacts":[{{"profile":{{"name":"{name}"}},"wa_id":"{from}"}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{}","type":"text","text":{{"body":"hello"}}}}]}}}}]}}]}}"#,
        (Utc::now() - Duration::minutes(minutes_ago)).timestamp()
    )
    .into_bytes()
}

async fn names(h: &Harness, filter: &str) -> Result<Vec<String>, EngineError> {
    let r = h
        .engine
        .handle(
            &admin(),
            Request::Conversations {
                offset: 0,
                limit: None,
                filter: Some(filter.into()),
            },
        )
        .await?;
    let Response::Conversations {
        conversations,
        total,
        ..
    } = r
    else {
        panic!()
    };
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
        .handle(&admin(), Request::SaveRecord { id: None, record })
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
