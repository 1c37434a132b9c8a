use std::collections::BTreeMap;

use super::*;
use crate::domain::{merge_source::Picks, schedule::ScheduledWhat};
const WELCOME: &str = r#"
name = "welcome"

[when]
event = "record_created"
module = "candidates"

[which]
match = "all"
criteria = [{ field = "Country", op = "is", value = "jp" }]

[[actions]]
send_template = "welcome"
after = "2m"
"#;

fn candidate(status: &str) -> Record {
    Record {
        id: 7,
        kind: RecordKind::Candidate,
        name: "Haruto Sato".into(),
        first_name: None,
        last_name: None,
        mobile: None,
        country: Some("JP".into()),
        email: None,
        time_zone: None,
        owner: None,
        opted_out: false,
        consent: Vec::new(),
        custom: BTreeMap::from([("Candidate Status".to_owned(), status.to_owned())]),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn created() -> Happening<'static> {
    Happening::Saved { before: None }
}

fn edited(before: &Record) -> Happening<'_> {
    Happening::Saved {
        before: Some(before),
    }
}

#[test]
fn a_created_candidate_that_matches_gets_the_template_after_the_delay_once() {
    let rule = RuleInput::parse(WELCOME).unwrap();
    let now = at("2026-12-01T09:00:00Z");
    let planned = rule.planned(3, created(), &candidate("New"), now);
    assert_eq!(
        planned,
        [Planned {
            key: "rule:3:record:7:created:action:0".into(),
            slot: None,
            due_at: at("2026-12-01T09:02:00Z"),
            what: ScheduledWhat::Template {
                name: "welcome".into(),
                language: None,
                picks: Picks::new(),
            },
            label: "welcome".into(),
        }]
    );
    // The same creation seen again gives the same key (it is scheduled once).
    assert_eq!(
        rule.planned(3, created(), &candidate("New"), now + Duration::seconds(5))[0].key,
        planned[0].key
    );
    // Edits do not fire a creation rule; another country does not match.
    assert!(
        rule.planned(
            3,
            Happening::Saved {
                before: Some(&candidate("New"))
            },
            &candidate("Old"),
            now
        )
        .is_empty()
    );
    let mut gb = candidate("New");
    gb.country = Some("GB".into());
    assert!(rule.planned(3, created(), &gb, now).is_empty());
    let off = RuleInput {
        enabled: false,
        ..rule
    };
    assert!(off.planned(3, created(), &candidate("New"), now).is_empty());
}

#[test]
fn a_field_rule_fires_only_when_that_field_becomes_its_value() {
    let rule = RuleInput::parse(
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
    .unwrap();
    let now = at("2026-12-01T09:00:00Z");
    let before = candidate("Screening");
    let after = candidate("interview-to-be-scheduled");
    let planned = rule.planned(4, edited(&before), &after, now);
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].due_at, now, "at once");
    // Saved again with the same status: nothing; another status: nothing.
    assert!(rule.planned(4, edited(&after), &after, now).is_empty());
    assert!(
        rule.planned(4, edited(&before), &candidate("Rejected"), now)
            .is_empty()
    );
}

#[test]
fn bad_rules_say_what_is_wrong() {
    assert!(
        RuleInput::parse("name = \"x\"")
            .unwrap_err()
            .contains("when")
    );
    let no_actions =
        "name = \"x\"\nactions = []\n[when]\nevent = \"record_created\"\nmodule = \"candidates\"\n";
    assert!(
        RuleInput::parse(no_actions)
            .unwrap_err()
            .contains("[[actions]]")
    );
    let bad_after = WELCOME.replace("\"2m\"", "\"soon\"");
    assert!(
        RuleInput::parse(&bad_after)
            .unwrap_err()
            .contains("90s, 2m")
    );
    let bad_event = WELCOME.replace("record_created", "record_deleted");
    assert!(RuleInput::parse(&bad_event).is_err());
    assert_eq!(parse_after("90s"), Ok(Duration::seconds(90)));
}

fn rule(when: &str, actions: &str) -> RuleInput {
    RuleInput::parse(&format!("name = \"r\"\n{actions}\n[when]\n{when}\n")).unwrap()
}

const SEND: &str = "[[actions]]\nsend_template = \"t\"";

#[test]
fn a_message_rule_fires_once_per_message_with_its_keyword_as_a_word() {
    let r = rule(
        "event = \"message_received\"\nmodule = \"candidates\"\nkeyword = \"stop\"",
        SEND,
    );
    let now = at("2026-12-01T09:00:00Z");
    let c = candidate("New");
    let msg = |wamid, text| Happening::Message { wamid, text };
    let fired = r.planned(5, msg("wamid.A", "Please STOP messaging me"), &c, now);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].key, "rule:5:record:7:message:wamid.A:action:0");
    assert!(
        r.planned(5, msg("wamid.B", "unstoppable"), &c, now)
            .is_empty()
    );
    assert!(r.planned(5, msg("wamid.C", "hello"), &c, now).is_empty());
    // A save does not fire a message rule.
    assert!(r.planned(5, created(), &c, now).is_empty());
    let any = rule(
        "event = \"message_received\"\nmodule = \"candidates\"",
        SEND,
    );
    assert_eq!(any.planned(5, msg("wamid.D", "hi"), &c, now).len(), 1);
    // Contacts' messages do not fire a candidates' rule.
    let mut contact = candidate("New");
    contact.kind = RecordKind::Contact;
    assert!(
        any.planned(5, msg("wamid.E", "hi"), &contact, now)
            .is_empty()
    );
}

#[test]
fn an_unreplied_rule_fires_once_per_wait_and_notifies_or_assigns() {
    let r = rule(
        "event = \"unreplied\"\nmodule = \"candidates\"\nfor = \"4h\"",
        "[[actions]]\nnotify = [\"owner\", \"admins\"]\nnote = \"waiting\"\n[[actions]]\nassign = \"group:tokyo\"\nafter = \"1h\"",
    );
    assert_eq!(r.when.unreplied_for(), Some(Duration::hours(4)));
    let now = at("2026-12-01T13:00:00Z");
    let since = at("2026-12-01T09:00:00Z");
    let fired = r.planned(6, Happening::Unreplied { since }, &candidate("New"), now);
    assert_eq!(
        fired[0].what,
        ScheduledWhat::Notify {
            users: vec!["owner".into(), "admins".into()],
            note: "waiting".into()
        }
    );
    assert_eq!(fired[0].due_at, now);
    assert_eq!(
        fired[1].what,
        ScheduledWhat::Assign {
            to: "group:tokyo".into()
        }
    );
    assert_eq!(fired[1].due_at, now + Duration::hours(1));
    assert!(fired[0].key.contains(&since.timestamp_millis().to_string()));
    // Too short a wait, and an action that does two things, are refused.
    let short = "name = \"r\"\n[[actions]]\nsend_template = \"t\"\n[when]\nevent = \"unreplied\"\nmodule = \"candidates\"\nfor = \"10s\"\n";
    assert!(RuleInput::parse(short).unwrap_err().contains("minute"));
    let two = "name = \"r\"\n[[actions]]\nsend_template = \"t\"\nassign = \"maria\"\n[when]\nevent = \"record_created\"\nmodule = \"candidates\"\n";
    assert!(RuleInput::parse(two).unwrap_err().contains("one thing"));
}

#[test]
fn a_date_rule_fires_the_day_before_at_nine_where_the_candidate_is() {
    let r = rule(
        "event = \"date_near\"\nmodule = \"candidates\"\nfield = \"Interviews.From\"\nbefore = \"1d\"\nat = \"09:00\"",
        SEND,
    );
    let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
    // Thursday 10:00 in Tokyo is 01:00 UTC.
    let interview = DateSource {
        field: "Interviews.From".into(),
        slot: "Interviews.From#12".into(),
        at: at("2026-12-10T01:00:00Z"),
        picks: Picks::from([("Interviews".to_owned(), 12)]),
    };
    let now = at("2026-12-01T09:00:00Z");
    let fired = r.planned_dates(
        8,
        &candidate("New"),
        std::slice::from_ref(&interview),
        Some(tokyo),
        now,
    );
    assert_eq!(fired.len(), 1);
    // Wednesday 09:00 in Tokyo: 00:00 UTC.
    assert_eq!(fired[0].due_at, at("2026-12-09T00:00:00Z"));
    assert_eq!(
        fired[0].slot.as_deref(),
        Some("rule:8:record:7:date:Interviews.From#12:action:0")
    );
    let ScheduledWhat::Template { picks, .. } = &fired[0].what else {
        panic!("a template");
    };
    assert_eq!(picks.get("Interviews"), Some(&12), "that interview");
    // The reminder's time passed but not the interview's: at once; the interview passed: no.
    let late = at("2026-12-09T12:00:00Z");
    assert_eq!(
        r.planned_dates(
            8,
            &candidate("New"),
            std::slice::from_ref(&interview),
            Some(tokyo),
            late
        )[0]
        .due_at,
        late
    );
    let after = at("2026-12-10T02:00:00Z");
    assert!(
        r.planned_dates(8, &candidate("New"), &[interview], Some(tokyo), after)
            .is_empty()
    );
    // Without a time of day: that long before the date itself.
    assert_eq!(
        date_due(at("2026-12-10T01:00:00Z"), Duration::hours(2), None, None),
        at("2026-12-09T23:00:00Z")
    );
}
