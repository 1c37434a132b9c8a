//! The workflow rules' screen on ratatui's `TestBackend`, with a fixed clock: `W` lists the
//! rules (on, off, what fires each, what it does) with the last runs of the one under the
//! cursor; Space turns one on or off for an admin and is refused to anyone else.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::tui::{app_with, as_recruiter, draw, inbox, key, now};
use hirechat::{
    domain::rule::{LogEntry, Outcome, Rule, RuleInput},
    tui::app::{App, Command, Input},
};

fn rule(id: u64, toml: &str) -> Rule {
    Rule {
        id,
        author: "aiko".into(),
        created_at: now(),
        rule: RuleInput::parse(toml).unwrap(),
    }
}

fn rules() -> Vec<Rule> {
    vec![
        rule(
            1,
            "name = \"welcome-new-candidates\"\n[when]\nevent = \"record_created\"\nmodule = \"candidates\"\n[[actions]]\nsend_template = \"interview_invitation\"\nafter = \"2m\"\n",
        ),
        rule(
            2,
            "name = \"chase-unanswered\"\nenabled = false\n[when]\nevent = \"unreplied\"\nmodule = \"candidates\"\nfor = \"4h\"\n[[actions]]\nnotify = [\"owner\"]\n[[actions]]\nassign = \"group:tokyo\"\nafter = \"1h\"\n",
        ),
    ]
}

fn runs() -> Vec<LogEntry> {
    let at = |mins: i64| now() - chrono::Duration::minutes(mins);
    vec![
        LogEntry {
            rule_id: 1,
            at: at(3),
            record_id: Some(12),
            outcome: Outcome::Sent {
                send_id: 40,
                message_id: 301,
            },
        },
        LogEntry {
            rule_id: 1,
            at: at(5),
            record_id: Some(12),
            outcome: Outcome::Scheduled {
                send_id: 40,
                template: "interview_invitation".into(),
                due_at: at(3),
            },
        },
        LogEntry {
            rule_id: 1,
            at: at(9),
            record_id: Some(11),
            outcome: Outcome::NotSent {
                send_id: 39,
                reason: "they opted out".into(),
            },
        },
    ]
}

fn opened() -> App {
    let mut app = app_with(inbox(), 160, 45);
    let asked = app.update(key('W'));
    assert!(asked.contains(&Command::LoadRules));
    let asked = app.update(Input::Rules(rules()));
    assert!(asked.contains(&Command::RuleLog {
        name: "welcome-new-candidates".into()
    }));
    app.update(Input::RuleLog {
        name: "welcome-new-candidates".into(),
        entries: runs(),
    });
    app
}

#[test]
fn the_rules_and_the_last_runs_of_the_one_chosen() {
    let app = opened();
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn space_turns_a_rule_on_for_an_admin_only() {
    let mut app = opened();
    app.update(key('j'));
    let asked = app.update(key(' '));
    assert!(
        asked.contains(&Command::EnableRule {
            name: "chase-unanswered".into(),
            enabled: true
        }),
        "{asked:?}"
    );
    let mut on = rules()[1].clone();
    on.rule.enabled = true;
    app.update(Input::RuleChanged(Box::new(on)));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("Rule chase-unanswered is on"), "{screen}");

    let mut recruiter = opened();
    as_recruiter(&mut recruiter);
    let asked = recruiter.update(key(' '));
    assert!(
        !asked
            .iter()
            .any(|c| matches!(c, Command::EnableRule { .. })),
        "{asked:?}"
    );
    let screen = format!("{:?}", draw(&recruiter).backend());
    assert!(screen.contains("Rules are for admins"), "{screen}");
}
