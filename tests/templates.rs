//! Templates against the simulator over real HTTP: creation on the wire, review by webhook,
//! sending with merge fields, the rules that refuse, sync and delete.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{Harness, admin, fixture, wait_for};
use hirechat::domain::{
    merge::Filled,
    merge_source::{Choice, Picks},
    related::RelatedKind,
};
use hirechat::{
    domain::{
        event::Event,
        message::Status,
        permission::{Actor, Role},
        record::{RecordInput, RecordKind},
        template::{Category, Module, Template, TemplateInput, TemplateKind, TemplateStatus},
    },
    engine::{EngineError, Request, Response},
};
use serde_json::json;

const KEN: &str = "+819012345678";

fn approved(name: &str, body: &str) -> TemplateInput {
    TemplateInput {
        kind: TemplateKind::Whatsapp,
        module: Module::Candidates,
        name: name.into(),
        language: Some("en_US".into()),
        category: Some(Category::Utility),
        body: body.into(),
    }
}

async fn create(h: &Harness, input: TemplateInput) -> Result<Template, EngineError> {
    match h
        .engine
        .handle(&admin(), Request::CreateTemplate { template: input })
        .await?
    {
        Response::Template { template } => Ok(template),
        other => panic!("{other:?}"),
    }
}

async fn approved_template(h: &Harness, name: &str, body: &str) -> Template {
    let mut events = h.engine.subscribe();
    let t = create(h, approved(name, body)).await.unwrap();
    assert_eq!(t.status, TemplateStatus::Pending);
    wait_for(&mut events, |e| match e {
        Event::TemplateChanged { template }
            if template.id == t.id && template.status != TemplateStatus::Pending =>
        {
            Some(template.clone())
        }
        _ => None,
    })
    .await
}

async fn ken_record(h: &Harness) {
    let record = RecordInput {
        kind: RecordKind::Candidate,
        name: "Ken Sato".into(),
        mobile: Some(KEN.into()),
        country: Some("JP".into()),
        owner: Some("aiko".into()),
        opted_out: Some(false),
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_template_goes_to_whatsapp_and_comes_back_approved() {
    let h = Harness::start().await;
    let t = approved_template(&h, "interview_reminder", "Hi ${Candidates.First Name}, this is ${Users.Name}. Is Tuesday fine, ${Candidates.First Name}?").await;
    assert_eq!(t.status, TemplateStatus::Approved);
    assert!(t.whatsapp_id.is_some());
    // What reached WhatsApp: positional parameters, one example each, in Meta's shape.
    assert_eq!(
        h.sim.requests()[0],
        json!({"name": "interview_reminder", "category": "UTILITY", "language": "en_US", "parameter_format": "positional",
               "components": [{"type": "BODY", "text": "Hi {{1}}, this is {{2}}. Is Tuesday fine, {{1}}?",
                               "example": {"body_text": [["Ken", "Aiko Tanaka"]]}}]})
    );
    let stored = h.engine.store().templates().unwrap();
    assert_eq!(
        stored[0].body,
        "Hi ${Candidates.First Name}, this is ${Users.Name}. Is Tuesday fine, ${Candidates.First Name}?"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_arrives_with_its_reason() {
    let h = Harness::start().await;
    let t = approved_template(&h, "bad_one", "Hi ${Candidates.First Name} [reject]").await;
    assert_eq!(t.status, TemplateStatus::Rejected);
    assert_eq!(t.reason.as_deref(), Some("INVALID_FORMAT"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_opens_a_closed_window_with_its_fields_filled() {
    let h = Harness::start().await;
    ken_record(&h).await;
    // Ken wrote in January: the window is long closed.
    assert_eq!(h.post(&fixture("text")).await, 200);
    approved_template(
        &h,
        "interview_reminder",
        "Hi ${Candidates.First Name}, ${Users.Name} here about your interview.",
    )
    .await;
    let (filled, _, refusal) = preview_for_ken(&h, "interview_reminder").await;
    assert_eq!(
        filled.text,
        "Hi Ken, Aiko Tanaka here about your interview."
    );
    assert_eq!(refusal, None);
    let sent = h
        .engine
        .handle(
            &admin(),
            Request::SendTemplate {
                to: KEN.into(),
                name: "interview_reminder".into(),
                language: Some("en_US".into()),
                picks: Picks::new(),
            },
        )
        .await
        .unwrap();
    let Response::Message { message } = sent else {
        panic!()
    };
    assert_eq!(
        (message.kind.as_str(), message.text.as_str()),
        ("template", "Hi Ken, Aiko Tanaka here about your interview.")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while h.engine.store().reload(&message).unwrap().unwrap().status != Status::Read {
        assert!(tokio::time::Instant::now() < deadline, "no read receipt");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let wire = h
        .sim
        .requests()
        .into_iter()
        .find(|r| r["type"] == "template")
        .unwrap();
    assert_eq!(
        wire,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": KEN, "type": "template",
               "template": {"name": "interview_reminder", "language": {"code": "en_US"},
                            "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ken"}, {"type": "text", "text": "Aiko Tanaka"}]}]},
               "biz_opaque_callback_data": hirechat::domain::outbox::callback_data(message.id)})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_say_why_and_send_nothing() {
    let h = Harness::start().await;
    ken_record(&h).await;
    assert_eq!(h.post(&fixture("text")).await, 200);
    let send = |name: &str| Request::SendTemplate {
        to: KEN.into(),
        name: name.into(),
        language: None,
        picks: Picks::new(),
    };
    // A missing value blocks an approved template.
    approved_template(
        &h,
        "job_intro",
        "Hi ${Candidates.First Name}, about ${Job Openings.Posting Title}.",
    )
    .await;
    let err = h
        .engine
        .handle(&admin(), send("job_intro"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("${Job Openings.Posting Title}"),
        "{err}"
    );
    // A pending template cannot go.
    let pending = create(
        &h,
        TemplateInput {
            body: "Hi".into(),
            ..approved("slow_review", "")
        },
    )
    .await
    .unwrap();
    assert_eq!(pending.status, TemplateStatus::Pending);
    let err = h
        .engine
        .handle(&admin(), send("slow_review"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("review") || err.to_string().contains("approved"),
        "{err}"
    );
    // A custom template only inside the window.
    let custom = TemplateInput {
        kind: TemplateKind::Custom,
        name: "面接のご案内".into(),
        language: None,
        category: None,
        body: "${Candidates.Name}様、面接のご案内です。".into(),
        module: Module::Candidates,
    };
    create(&h, custom).await.unwrap();
    let err = h
        .engine
        .handle(&admin(), send("面接のご案内"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("24 hours"), "{err}");
    // Japanese in an approved template's name, unknown templates.
    let err = create(&h, approved("面接のご案内", "x")).await.unwrap_err();
    assert!(err.to_string().contains("lowercase letters"), "{err}");
    assert!(matches!(
        h.engine.handle(&admin(), send("nope")).await.unwrap_err(),
        EngineError::NotFound(_)
    ));
    // Only admins manage templates.
    let recruiter = Actor {
        login: "ken".into(),
        name: "Ken".into(),
        role: Role::Recruiter,
    };
    let err = h
        .engine
        .handle(
            &recruiter,
            Request::CreateTemplate {
                template: approved("x", "y"),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
    assert!(
        h.sim.requests().iter().all(|r| r["type"] != "template"),
        "no template message went out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_templates_send_as_text_inside_the_window() {
    let h = Harness::start().await;
    ken_record(&h).await;
    let body = String::from_utf8(fixture("text"))
        .unwrap()
        .replace("1767225600", &Utc::now().timestamp().to_string());
    assert_eq!(h.post(body.as_bytes()).await, 200);
    let custom = TemplateInput {
        kind: TemplateKind::Custom,
        name: "thanks".into(),
        language: None,
        category: None,
        body: "Thank you, ${Candidates.First Name}!".into(),
        module: Module::Candidates,
    };
    create(&h, custom).await.unwrap();
    let sent = h
        .engine
        .handle(
            &admin(),
            Request::SendTemplate {
                to: KEN.into(),
                name: "thanks".into(),
                language: None,
                picks: Picks::new(),
            },
        )
        .await
        .unwrap();
    let Response::Message { message } = sent else {
        panic!()
    };
    assert_eq!(
        (message.kind.as_str(), message.text.as_str()),
        ("text", "Thank you, Ken!")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_101st_template_is_refused() {
    let h = Harness::start().await;
    for i in 0..100 {
        let t = TemplateInput {
            kind: TemplateKind::Custom,
            name: format!("snippet {i}"),
            language: None,
            category: None,
            body: "ok".into(),
            module: Module::Contacts,
        };
        create(&h, t).await.unwrap();
    }
    let err = create(&h, approved("one_more", "Hi")).await.unwrap_err();
    assert!(err.to_string().contains("100"), "{err}");
    assert!(h.sim.requests().is_empty(), "nothing submitted to WhatsApp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_brings_in_the_accounts_templates_across_pages_and_delete_reaches_whatsapp() {
    let h = Harness::start().await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/v21.0/102290129340398/message_templates",
        h.sim.api_base()
    );
    // 130 templates made elsewhere (another tool, the WhatsApp Manager): more than one page.
    for i in 0..130 {
        let body = json!({"name": format!("outside_{i:03}"), "category": "MARKETING", "language": "ja",
                          "components": [{"type": "BODY", "text": "こんにちは"}]});
        let r = http
            .post(&url)
            .bearer_auth(common::TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    // Sync until WhatsApp has reviewed them all (each review is also a webhook).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let templates = loop {
        let Response::Templates { templates } = h
            .engine
            .handle(&admin(), Request::SyncTemplates)
            .await
            .unwrap()
        else {
            panic!()
        };
        if templates
            .iter()
            .all(|t| t.status == TemplateStatus::Approved)
        {
            break templates;
        }
        assert!(tokio::time::Instant::now() < deadline, "not all reviewed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(templates.len(), 130);
    assert!(
        templates
            .iter()
            .all(|t| t.language == "ja" && t.category == Some(Category::Marketing))
    );
    // Deleting one deletes it on WhatsApp too.
    h.engine
        .handle(
            &admin(),
            Request::DeleteTemplate {
                name: "outside_007".into(),
                language: None,
            },
        )
        .await
        .unwrap();
    let listed: serde_json::Value = http
        .get(format!("{url}?limit=100&after=0"))
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["name"] != "outside_007")
    );
    assert_eq!(h.engine.store().templates().unwrap().len(), 129);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_checks_template_sends_like_meta() {
    let h = Harness::start().await;
    approved_template(
        &h,
        "two_params",
        "Hi ${Candidates.First Name} from ${Users.Name}.",
    )
    .await;
    let http = reqwest::Client::new();
    let url = format!("{}/v21.0/106540352242922/messages", h.sim.api_base());
    let send = |template: serde_json::Value| {
        http.post(&url).bearer_auth(common::TOKEN).json(&json!({"messaging_product": "whatsapp", "to": KEN, "type": "template", "template": template})).send()
    };
    let r: serde_json::Value = send(json!({"name": "unknown", "language": {"code": "en_US"}}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], 132_001);
    let r: serde_json::Value = send(hirechat::whatsapp::templates::template_object(
        "two_params",
        "en_US",
        &["Ken".into()],
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], 132_000);
    let r: serde_json::Value = send(hirechat::whatsapp::templates::template_object(
        "two_params",
        "en_US",
        &["Ken".into(), "Aiko".into()],
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(r["messages"][0]["message_status"], "accepted");
}

/// Ken's interviews for Data Engineer and SRE, and the client behind the SRE opening.
async fn ken_has_two_interviews_and_a_client(h: &Harness) {
    h.import_related(
        RelatedKind::Interview,
        "Candidate,Job Opening,From,Time Zone,Location",
        &[
            "+819012345678,Data Engineer,2026-12-01 10:00,Asia/Tokyo,Otemachi",
            "+819012345678,SRE,2026-12-03 15:30,Asia/Tokyo,Shibuya",
        ],
    )
    .await;
    h.import_related(
        RelatedKind::JobOpening,
        "Posting Title,Client",
        &["SRE,Koala Tech"],
    )
    .await;
    h.import_related(
        RelatedKind::Client,
        "Client Name,Department Head",
        &["Koala Tech,James Wilson"],
    )
    .await;
}

/// The first template message the simulator received.
async fn sent_template(h: &Harness) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(r) = h
            .sim
            .requests()
            .into_iter()
            .find(|r| r["type"] == "template")
        {
            return r;
        }
        assert!(tokio::time::Instant::now() < deadline, "nothing sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn preview_for_ken(h: &Harness, name: &str) -> (Filled, Vec<Choice>, Option<String>) {
    let preview = h
        .engine
        .handle(
            &admin(),
            Request::PreviewTemplate {
                to: KEN.into(),
                name: name.into(),
                language: None,
                picks: Picks::new(),
            },
        )
        .await
        .unwrap();
    let Response::Preview {
        filled,
        choices,
        refusal,
        ..
    } = preview
    else {
        panic!()
    };
    (filled, choices, refusal)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_interviews_wait_for_a_pick_then_the_chosen_one_goes_on_the_wire() {
    let h = Harness::start().await;
    ken_record(&h).await;
    assert_eq!(h.post(&fixture("text")).await, 200);
    ken_has_two_interviews_and_a_client(&h).await;
    approved_template(
        &h,
        "interview_reminder",
        "Hi ${Candidates.First Name}, your ${Interviews.Posting Title} interview is on ${Interviews.From} at ${Interviews.Location}. ${Clients.Department Head} will meet you.",
    )
    .await;
    let send = |picks: Picks| Request::SendTemplate {
        to: KEN.into(),
        name: "interview_reminder".into(),
        language: None,
        picks,
    };
    let (filled, choices, _) = preview_for_ken(&h, "interview_reminder").await;
    // One client (through the SRE job opening) fills in; the two interviews wait for a pick.
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0].module, "Interviews");
    assert_eq!(
        choices[0]
            .options
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>(),
        [
            "Data Engineer · Tue 1 Dec 2026 10:00 JST · Otemachi",
            "SRE · Thu 3 Dec 2026 15:30 JST · Shibuya"
        ]
    );
    assert!(
        filled.text.ends_with("James Wilson will meet you."),
        "{}",
        filled.text
    );
    let err = h
        .engine
        .handle(&admin(), send(Picks::new()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, EngineError::Refused(m) if m.contains("Interviews has 2 values") && m.contains(&format!("Interviews={}", choices[0].options[1].id))),
        "{err}"
    );
    assert!(h.sim.requests().iter().all(|r| r["type"] != "template"));
    let sre = choices[0].options[1].id;
    let Response::Message { message } = h
        .engine
        .handle(
            &admin(),
            send(Picks::from([("Interviews".to_owned(), sre)])),
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        message.text,
        "Hi Ken, your SRE interview is on Thu 3 Dec 2026 15:30 JST at Shibuya. James Wilson will meet you."
    );
    let wire = sent_template(&h).await;
    let texts: Vec<&str> = wire["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Ken",
            "SRE",
            "Thu 3 Dec 2026 15:30 JST",
            "Shibuya",
            "James Wilson"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_contact_is_not_sent_a_candidates_template() {
    let h = Harness::start().await;
    let record = RecordInput {
        kind: RecordKind::Contact,
        name: "Sam Lee".into(),
        mobile: Some(KEN.into()),
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
    approved_template(
        &h,
        "welcome",
        "Hi ${Candidates.First Name}, welcome aboard.",
    )
    .await;
    let err = h
        .engine
        .handle(
            &admin(),
            Request::SendTemplate {
                to: KEN.into(),
                name: "welcome".into(),
                language: None,
                picks: Picks::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Sam Lee is a client contact"),
        "{err}"
    );
    // A contacts' template cannot use a candidate's fields either.
    let mut input = approved("contact_hello", "Hi ${Candidates.First Name}, thanks.");
    input.module = hirechat::domain::template::Module::Contacts;
    let err = create(&h, input).await.unwrap_err();
    assert!(err.to_string().contains("for Contacts"), "{err}");
}

async fn edit(h: &Harness, name: &str, body: &str) -> Result<Response, EngineError> {
    h.engine
        .handle(
            &admin(),
            Request::EditTemplate {
                name: name.into(),
                language: None,
                body: body.into(),
            },
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_template_is_edited_and_reviewed_again() {
    let h = Harness::start().await;
    let t = approved_template(&h, "welcome", "Hi ${Candidates.First Name}, welcome.").await;
    assert_eq!(t.status, TemplateStatus::Approved);
    let mut events = h.engine.subscribe();
    let edited = edit(
        &h,
        "welcome",
        "Hello ${Candidates.First Name}, welcome to ${Organization.Name}.",
    )
    .await
    .unwrap();
    let Response::Template { template } = edited else {
        panic!("{edited:?}")
    };
    assert_eq!(template.status, TemplateStatus::Pending, "back in review");
    // What reached WhatsApp: the new body, positional, with examples, at the template's id.
    let sent = h.sim.requests().last().cloned().unwrap();
    assert_eq!(
        sent["components"][0]["text"],
        "Hello {{1}}, welcome to {{2}}."
    );
    assert_eq!(
        sent["components"][0]["example"]["body_text"][0]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let approved = wait_for(&mut events, |e| match e {
        Event::TemplateChanged { template } if template.status == TemplateStatus::Approved => {
            Some(template.clone())
        }
        _ => None,
    })
    .await;
    assert!(approved.body.starts_with("Hello ${Candidates.First Name}"));
    // A body WhatsApp would refuse is refused here first.
    let err = edit(&h, "welcome", "${Candidates.First Name}")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only merge fields"), "{err}");
}
