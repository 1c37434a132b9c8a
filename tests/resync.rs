//! What WhatsApp only pushes by webhook, caught up on a schedule: a template's status changed
//! without its webhook, the number's quality and limit read at start and again, and the
//! `phone_number_quality_update` webhook; `doctor` shows the number.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::{Harness, TempDir, admin, wait_for};
use hirechat::{
    domain::{
        event::Event,
        template::{Category, Module, TemplateInput, TemplateKind, TemplateStatus},
    },
    engine::{Request, Response},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_template_webhook_and_the_numbers_rating_are_caught_up() {
    let h = Harness::start_in(TempDir::new("resync"), |c| c.whatsapp.resync_secs = 1).await;
    let engine = h.engine.clone();
    common::eventually("the number read at start", || {
        engine
            .number()
            .is_some_and(|n| n.status.quality_rating.as_deref() == Some("GREEN"))
    })
    .await;
    let number = h.engine.number().unwrap();
    assert_eq!(
        number.status.messaging_limit_tier.as_deref(),
        Some("TIER_1K")
    );
    assert_eq!(
        number.status.verified_name.as_deref(),
        Some("Sakura Talent")
    );

    // A template approved (with its webhook), then paused by WhatsApp without one.
    let mut events = h.engine.subscribe();
    let input = TemplateInput {
        kind: TemplateKind::Whatsapp,
        module: Module::Candidates,
        name: "interview_reminder".into(),
        language: Some("en_US".into()),
        category: Some(Category::Utility),
        body: "See you at ${Interviews.From} in our office.".into(),
    };
    let Response::Template { template } = h
        .engine
        .handle(&admin(), Request::CreateTemplate { template: input })
        .await
        .unwrap()
    else {
        panic!("a template")
    };
    wait_for(&mut events, |e| match e {
        Event::TemplateChanged { template: t }
            if t.id == template.id && t.status == TemplateStatus::Approved =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    assert!(
        h.sim
            .change_template_quietly("interview_reminder", "en_US", "PAUSED")
    );
    h.sim.rate_number("YELLOW", "TIER_250");
    let store = h.engine.store().clone();
    common::eventually("the pause caught up", || {
        store
            .templates()
            .unwrap()
            .iter()
            .any(|t| t.name == "interview_reminder" && t.status == TemplateStatus::Paused)
    })
    .await;
    common::eventually("the new rating read", || {
        engine
            .number()
            .is_some_and(|n| n.status.quality_rating.as_deref() == Some("YELLOW"))
    })
    .await;
    let Response::Doctor { report } = h.engine.handle(&admin(), Request::Doctor).await.unwrap()
    else {
        panic!("a report")
    };
    let number = report.number.unwrap();
    assert_eq!(
        number.status.messaging_limit_tier.as_deref(),
        Some("TIER_250")
    );
    assert_eq!(number.error, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quality_webhook_flags_the_number_and_lowers_its_limit() {
    let h = Harness::start().await;
    let engine = h.engine.clone();
    common::eventually("the number read at start", || engine.number().is_some()).await;
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1767226200,"changes":[{"field":"phone_number_quality_update","value":{"display_phone_number":"81312345678","event":"FLAGGED","current_limit":"TIER_250"}}]}]}"#;
    assert_eq!(h.post(body).await, 200);
    let number = h.engine.number().unwrap();
    assert_eq!(number.status.status.as_deref(), Some("FLAGGED"));
    assert_eq!(
        number.status.messaging_limit_tier.as_deref(),
        Some("TIER_250")
    );
    assert!(h.engine.store().dead_letters().unwrap().is_empty());
}
