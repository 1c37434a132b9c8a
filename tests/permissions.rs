//! Every request with every role: the engine refuses exactly what the role may not do, and a
//! new request cannot be left out (`index` has no catch-all: it does not compile until the
//! new variant has a sample here, as `Request::permission` does not until it is named).
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::Harness;
use hirechat::{
    domain::{
        permission::{Actor, Permission, Role},
        related::RelatedKind,
    },
    engine::{EngineError, Request},
};

/// Each variant's place in `samples`.
fn index(r: &Request) -> usize {
    match r {
        Request::SendText { .. } => 0,
        Request::Conversations { .. } => 1,
        Request::Messages { .. } => 2,
        Request::Settle { .. } => 3,
        Request::SaveRecord { .. } => 4,
        Request::Records { .. } => 5,
        Request::OpenRecord { .. } => 6,
        Request::Thread { .. } => 7,
        Request::Search { .. } => 8,
        Request::ImportRecords { .. } => 9,
        Request::ImportRelated { .. } => 10,
        Request::Views => 11,
        Request::SaveView { .. } => 12,
        Request::DeleteView { .. } => 13,
        Request::Settings => 14,
        Request::SetRouting { .. } => 15,
        Request::Templates => 16,
        Request::CreateTemplate { .. } => 17,
        Request::SyncTemplates => 18,
        Request::DeleteTemplate { .. } => 19,
        Request::PreviewTemplate { .. } => 20,
        Request::SendTemplate { .. } => 21,
        Request::MarkRead { .. } => 22,
        Request::Answering { .. } => 23,
        Request::MarkUnread { .. } => 24,
        Request::Subscribe => 25,
        Request::Whoami => 26,
        Request::Doctor => 27,
        Request::EditTemplate { .. } => 28,
        Request::SendFiles { .. } => 29,
        Request::Attachments { .. } => 30,
        Request::ReadAttachment { .. } => 31,
        Request::Disconnect { .. } => 32,
        Request::AccountNumbers { .. } => 33,
        Request::Connect { .. } => 34,
        Request::SetState { .. } => 35,
        Request::Outbox => 36,
        Request::Retry { .. } => 37,
        Request::Assign { .. } => 38,
        Request::Team => 39,
        Request::Labels => 40,
        Request::SaveLabel { .. } => 41,
        Request::DeleteLabel { .. } => 42,
        Request::Label { .. } => 43,
        Request::RecordCard { .. } => 44,
        Request::Schedule { .. } => 45,
        Request::Scheduled { .. } => 46,
        Request::CancelScheduled { .. } => 47,
        Request::EditScheduled { .. } => 48,
        Request::Rules => 49,
        Request::SaveRule { .. } => 50,
        Request::EnableRule { .. } => 51,
        Request::DeleteRule { .. } => 52,
        Request::RuleLog { .. } => 53,
        Request::BulkPreflight { .. } => 54,
        Request::BulkSend { .. } => 55,
        Request::Batches => 56,
        Request::Batch { .. } => 57,
        Request::CancelBatch { .. } => 58,
        Request::Rates => 59,
        Request::ImportRates { .. } => 60,
        Request::Credits { .. } => 61,
        Request::AddCredits { .. } => 62,
        Request::Usage { .. } => 63,
    }
}

const VARIANTS: usize = 64;

/// One request of each kind, harmless or refused for other reasons than the role.
#[allow(clippy::too_many_lines, reason = "one sample per request, in one list")]
fn samples() -> Vec<Request> {
    let ken = "+819012345678".to_owned();
    let json = |v: serde_json::Value| serde_json::from_value::<Request>(v).unwrap();
    vec![
        Request::SendText {
            to: ken.clone(),
            text: "hi".into(),
        },
        Request::Conversations {
            offset: 0,
            limit: None,
            filter: None,
        },
        Request::Messages {
            with: ken.clone(),
            limit: None,
        },
        json(
            serde_json::json!({"cmd": "settle", "timeout_ms": 0, "message": {
            "id": 1, "conversation_id": 1, "wamid": null, "direction": "out", "type": "text",
            "text": "hi", "status": "queued", "error": null, "at": "2026-11-30T00:00:00Z"}}),
        ),
        json(
            serde_json::json!({"cmd": "save_record", "record_id": null, "record": {"name": "Ken Sato"}}),
        ),
        Request::Records {
            query: String::new(),
            offset: 0,
            limit: None,
        },
        Request::OpenRecord { record_id: 999 },
        Request::Thread {
            conversation_id: 999,
            limit: None,
            since: None,
            before: None,
        },
        Request::Search {
            query: "interview".into(),
            limit: None,
        },
        Request::ImportRecords { rows: vec![] },
        Request::ImportRelated {
            kind: RelatedKind::JobOpening,
            rows: vec![],
        },
        Request::Views,
        json(serde_json::json!({"cmd": "save_view", "view": {"name": "mine", "query": "unread"}})),
        Request::DeleteView {
            name: "nothing".into(),
        },
        Request::Settings,
        json(serde_json::json!({"cmd": "set_routing", "routing": {}})),
        Request::Templates,
        json(
            serde_json::json!({"cmd": "create_template", "template": {"kind": "custom",
            "module": "candidates", "name": "hello", "language": "en", "category": null, "body": "Hello"}}),
        ),
        Request::SyncTemplates,
        Request::EditTemplate {
            name: "nothing".into(),
            language: None,
            body: "Hello there.".into(),
        },
        Request::DeleteTemplate {
            name: "nothing".into(),
            language: None,
        },
        Request::PreviewTemplate {
            to: ken.clone(),
            name: "nothing".into(),
            language: None,
            picks: std::collections::BTreeMap::default(),
        },
        Request::SendTemplate {
            to: ken,
            name: "nothing".into(),
            language: None,
            picks: std::collections::BTreeMap::default(),
        },
        Request::MarkRead {
            conversation_id: 999,
        },
        Request::Answering {
            conversation_id: 999,
        },
        Request::MarkUnread {
            conversation_id: 999,
        },
        Request::Subscribe,
        Request::Whoami,
        Request::Doctor,
        json(serde_json::json!({"cmd": "send_files", "to": "+819012345678", "files": []})),
        json(serde_json::json!({"cmd": "attachments", "with": "+819012345678"})),
        Request::ReadAttachment {
            attachment: 1,
            offset: 0,
            preview: false,
        },
        json(
            serde_json::json!({"cmd": "set_state", "conversation_id": 999, "change": {"to": "resolved"}}),
        ),
        Request::Outbox,
        Request::Retry { message_id: 999 },
        json(serde_json::json!({"cmd": "assign", "conversation_id": 999, "to": "none"})),
        Request::Team,
        Request::Labels,
        Request::SaveLabel {
            name: "bad name".into(),
            colour: "red".into(),
        },
        Request::DeleteLabel {
            name: "nothing".into(),
        },
        json(serde_json::json!({"cmd": "label", "conversation_id": 999, "add": []})),
        json(serde_json::json!({"cmd": "record_card", "record_id": 999})),
        json(serde_json::json!({"cmd": "schedule", "to": "+819012345678",
            "what": {"kind": "text", "text": "later"}, "at": "2020-01-01T00:00:00Z"})),
        json(serde_json::json!({"cmd": "scheduled"})),
        json(serde_json::json!({"cmd": "cancel_scheduled", "scheduled_id": 999})),
        json(serde_json::json!({"cmd": "edit_scheduled", "scheduled_id": 999, "text": "x"})),
        Request::Rules,
        Request::SaveRule {
            toml: "not a rule".into(),
            replace: false,
        },
        Request::EnableRule {
            name: "nothing".into(),
            enabled: true,
        },
        Request::DeleteRule {
            name: "nothing".into(),
        },
        Request::RuleLog {
            name: None,
            limit: None,
        },
        // Refused for the template, the batch, when the role may.
        json(
            serde_json::json!({"cmd": "bulk_preflight", "template": "none",
            "recipients": {"by": "numbers", "numbers": ["+819012345678"]}}),
        ),
        json(serde_json::json!({"cmd": "bulk_send", "template": "none",
            "recipients": {"by": "filter", "query": "unreplied"}})),
        Request::Batches,
        Request::Batch { batch_id: 404 },
        Request::CancelBatch { batch_id: 404 },
        Request::Rates,
        // Refused for its values (no Market column) when the role may.
        json(
            serde_json::json!({"cmd": "import_rates", "csv": "nothing", "effective": "2026-07-01"}),
        ),
        json(serde_json::json!({"cmd": "credits"})),
        // Refused for its amount when the role may.
        json(serde_json::json!({"cmd": "add_credits", "amount": 0})),
        json(serde_json::json!({"cmd": "usage", "by": "category"})),
        // Refused for their values (no account id, no nickname) when the role may.
        json(serde_json::json!({"cmd": "account_numbers", "business_account_id": ""})),
        json(
            serde_json::json!({"cmd": "connect", "form": {"business_account_id": "", "nickname": "", "phone_number_id": ""}}),
        ),
        // Last: an admin's takes effect (the sends above are then refused by the rule).
        Request::Disconnect {
            at: chrono::Utc::now(),
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_with_every_role_is_refused_exactly_when_the_role_may_not() {
    let samples = samples();
    let mut seen = [false; VARIANTS];
    for r in &samples {
        seen[index(r)] = true;
    }
    assert!(seen.iter().all(|s| *s), "a sample for every request");
    // Each goes over the socket with a request id beside its own fields.
    for request in &samples {
        let line = hirechat::engine::api::RequestLine {
            id: Some(7),
            request: request.clone(),
        };
        let wire = serde_json::to_string(&line).unwrap();
        let back: hirechat::engine::api::RequestLine = serde_json::from_str(&wire)
            .unwrap_or_else(|e| panic!("{wire} does not come back: {e}"));
        assert_eq!(back, line);
    }
    let h = Harness::start().await;
    for role in [Role::Viewer, Role::Recruiter, Role::Admin] {
        let actor = Actor {
            login: format!("{role}-user"),
            name: "Someone".into(),
            role,
        };
        for request in &samples {
            let needed = request.permission();
            let answer = h.engine.handle(&actor, request.clone()).await;
            let refused_for_role = matches!(
                &answer,
                Err(EngineError::Forbidden(m)) if m.contains("ask an admin for that role")
            );
            assert_eq!(
                refused_for_role,
                !role.allows(needed),
                "{role} and {request:?}: {answer:?}"
            );
        }
    }
    // What a viewer may do is reading, and nothing else.
    let reading: Vec<usize> = samples
        .iter()
        .filter(|r| r.permission() == Permission::Read)
        .map(index)
        .collect();
    assert_eq!(
        reading,
        [
            1, 2, 3, 5, 6, 7, 8, 11, 12, 13, 14, 16, 20, 25, 26, 30, 31, 36, 39, 40, 44, 46, 49,
            53, 56, 57, 59
        ]
    );
}
