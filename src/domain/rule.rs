//! Workflow rules (admins): when a record is created or edited, or one of its fields becomes a
//! value, for the records that match, send an approved template at once or after a while.
//! Written in TOML and checked here; which rules a change of a record fires and what they
//! schedule is decided here too, without IO, so that the store does it in the transaction
//! that saves the record: nothing is lost to a crash in between, and each firing has a key
//! that lets it schedule its sends only once.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{
    record::{Record, RecordKind},
    template::Module,
};

/// A rule as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub name: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
    pub when: When,
    #[serde(default)]
    pub which: Which,
    pub actions: Vec<Action>,
}

fn enabled() -> bool {
    true
}

/// What fires the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum When {
    RecordCreated {
        module: Module,
    },
    RecordEdited {
        module: Module,
    },
    /// Created or edited.
    RecordSaved {
        module: Module,
    },
    /// A field's value changed (to `becomes`, when given; any case).
    FieldUpdated {
        module: Module,
        field: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        becomes: Option<String>,
    },
}

/// Which records: all of the module, or those matching the criteria (all of them, or any).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Which {
    #[serde(default, rename = "match")]
    pub matching: Matching,
    #[serde(default)]
    pub criteria: Vec<Criterion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Matching {
    #[default]
    All,
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub field: String,
    pub op: Op,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Is,
    IsNot,
    Contains,
    Empty,
    NotEmpty,
}

/// What the rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// An approved template, its merge fields filled from the record.
    pub send_template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// "90s", "2m", "3h", "1d" after what fired it; at once when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// A rule as stored: who wrote it (its sends go as them) and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: u64,
    pub author: String,
    pub created_at: DateTime<Utc>,
    #[serde(flatten)]
    pub rule: RuleInput,
}

/// One line of a rule's log: what it did for a record, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub rule_id: u64,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// It fired: a send waits for its time.
    Scheduled {
        send_id: u64,
        template: String,
        due_at: DateTime<Utc>,
    },
    /// The send went: the message it queued.
    Sent { send_id: u64, message_id: u64 },
    /// The send did not go, and why (opted out, the template not approved, cancelled…).
    NotSent { send_id: u64, reason: String },
    /// It fired but could schedule nothing, and why (no mobile number).
    Skipped { reason: String },
}

impl LogEntry {
    /// The entry as a line: when, the record, what happened.
    pub fn sentence(&self) -> String {
        let record = self
            .record_id
            .map(|r| format!("record {r}: "))
            .unwrap_or_default();
        let what = match &self.outcome {
            Outcome::Scheduled {
                send_id,
                template,
                due_at,
            } => format!(
                "scheduled {template} for {} (send {send_id})",
                due_at.format("%Y-%m-%d %H:%M UTC")
            ),
            Outcome::Sent {
                send_id,
                message_id,
            } => format!("sent (send {send_id}, message {message_id})"),
            Outcome::NotSent { send_id, reason } => format!("not sent (send {send_id}): {reason}"),
            Outcome::Skipped { reason } => format!("nothing scheduled: {reason}"),
        };
        format!("{} {record}{what}", self.at.format("%Y-%m-%d %H:%M:%S UTC"))
    }
}

/// One send a firing schedules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The same firing always gives the same key: it schedules once.
    pub key: String,
    pub due_at: DateTime<Utc>,
    pub template: String,
    pub language: Option<String>,
}

impl RuleInput {
    /// Reads and checks a rule written in TOML.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rule: Self = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        rule.check()?;
        Ok(rule)
    }

    pub fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.name.chars().any(char::is_whitespace) {
            return Err(format!(
                "name {:?}: one word, such as welcome-new-candidates",
                self.name
            ));
        }
        if self.actions.is_empty() {
            return Err("a rule needs at least one [[actions]]".into());
        }
        for a in &self.actions {
            if let Some(after) = &a.after {
                parse_after(after)?;
            }
        }
        if let When::FieldUpdated { field, .. } = &self.when
            && field.trim().is_empty()
        {
            return Err("when.field: which field (e.g. \"Candidate Status\")".into());
        }
        Ok(())
    }

    fn module(&self) -> Module {
        match &self.when {
            When::RecordCreated { module }
            | When::RecordEdited { module }
            | When::RecordSaved { module }
            | When::FieldUpdated { module, .. } => *module,
        }
    }

    /// What this rule fires for a record going from `before` (none: created) to `after` at
    /// `at`, for rule `id`: a stamp that names the firing, or none.
    fn fires(&self, before: Option<&Record>, after: &Record, at: DateTime<Utc>) -> Option<String> {
        let kind = match self.module() {
            Module::Candidates => RecordKind::Candidate,
            Module::Contacts => RecordKind::Contact,
        };
        if after.kind != kind || !self.which.matches(after) {
            return None;
        }
        let edited = || format!("edited:{}", at.timestamp_millis());
        match (&self.when, before) {
            (When::RecordCreated { .. } | When::RecordSaved { .. }, None) => {
                Some("created".to_owned())
            }
            (When::RecordEdited { .. } | When::RecordSaved { .. }, Some(_)) => Some(edited()),
            (When::FieldUpdated { field, becomes, .. }, before) => {
                let new = field_value(after, field).unwrap_or_default();
                let old = before
                    .and_then(|b| field_value(b, field))
                    .unwrap_or_default();
                let wanted = becomes
                    .as_ref()
                    .is_none_or(|b| b.trim().eq_ignore_ascii_case(new.trim()));
                (new.trim() != old.trim() && wanted)
                    .then(|| format!("{}={}:{}", field.trim(), new.trim(), at.timestamp_millis()))
            }
            _ => None,
        }
    }

    /// The sends rule `id` schedules for this change of a record.
    pub fn planned(
        &self,
        id: u64,
        before: Option<&Record>,
        after: &Record,
        at: DateTime<Utc>,
    ) -> Vec<Planned> {
        if !self.enabled {
            return Vec::new();
        }
        let Some(stamp) = self.fires(before, after, at) else {
            return Vec::new();
        };
        self.actions
            .iter()
            .enumerate()
            .map(|(i, a)| Planned {
                key: format!("rule:{id}:record:{}:{stamp}:action:{i}", after.id),
                due_at: at
                    + a.after
                        .as_deref()
                        .and_then(|t| parse_after(t).ok())
                        .unwrap_or_else(Duration::zero),
                template: a.send_template.clone(),
                language: a.language.clone(),
            })
            .collect()
    }
}

impl Which {
    pub fn matches(&self, record: &Record) -> bool {
        let hit = |c: &Criterion| {
            let v = field_value(record, &c.field).unwrap_or_default();
            let (v, want) = (v.trim().to_lowercase(), c.value.trim().to_lowercase());
            match c.op {
                Op::Is => v == want,
                Op::IsNot => v != want,
                Op::Contains => v.contains(&want),
                Op::Empty => v.is_empty(),
                Op::NotEmpty => !v.is_empty(),
            }
        };
        match self.matching {
            Matching::All => self.criteria.iter().all(hit),
            Matching::Any => self.criteria.is_empty() || self.criteria.iter().any(hit),
        }
    }
}

/// A field of a record by the name a person gives it ("Email", "time zone", "Candidate
/// Status"): the record's own fields, else one of its imported columns (any case).
pub fn field_value(record: &Record, field: &str) -> Option<String> {
    let squashed: String = field
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let own = match squashed.as_str() {
        "name" | "fullname" => Some(record.name.clone()),
        "firstname" => record.given_name(),
        "lastname" => record.family_name(),
        "mobile" | "phone" => record.mobile.as_ref().map(ToString::to_string),
        "email" => record.email.clone(),
        "country" => record.country.clone(),
        "timezone" => record.time_zone.clone(),
        "owner" => record.owner.clone(),
        "optedout" | "gdproptout" => Some(if record.opted_out { "yes" } else { "no" }.into()),
        _ => None,
    };
    own.or_else(|| {
        record
            .custom
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(field.trim()))
            .map(|(_, v)| v.clone())
    })
}

/// "90s", "2m", "3h", "1d", "1w".
pub fn parse_after(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("after = {text:?}: write 90s, 2m, 3h, 1d or 1w");
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    match unit.trim() {
        "s" => Ok(Duration::seconds(n)),
        "m" | "min" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        "w" => Ok(Duration::weeks(n)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

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

    #[test]
    fn a_created_candidate_that_matches_gets_the_template_after_the_delay_once() {
        let rule = RuleInput::parse(WELCOME).unwrap();
        let now = at("2026-12-01T09:00:00Z");
        let planned = rule.planned(3, None, &candidate("New"), now);
        assert_eq!(
            planned,
            [Planned {
                key: "rule:3:record:7:created:action:0".into(),
                due_at: at("2026-12-01T09:02:00Z"),
                template: "welcome".into(),
                language: None,
            }]
        );
        // The same creation seen again gives the same key (it is scheduled once).
        assert_eq!(
            rule.planned(3, None, &candidate("New"), now + Duration::seconds(5))[0].key,
            planned[0].key
        );
        // Edits do not fire a creation rule; another country does not match.
        assert!(
            rule.planned(3, Some(&candidate("New")), &candidate("Old"), now)
                .is_empty()
        );
        let mut gb = candidate("New");
        gb.country = Some("GB".into());
        assert!(rule.planned(3, None, &gb, now).is_empty());
        let off = RuleInput {
            enabled: false,
            ..rule
        };
        assert!(off.planned(3, None, &candidate("New"), now).is_empty());
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
        let planned = rule.planned(4, Some(&before), &after, now);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].due_at, now, "at once");
        // Saved again with the same status: nothing; another status: nothing.
        assert!(rule.planned(4, Some(&after), &after, now).is_empty());
        assert!(
            rule.planned(4, Some(&before), &candidate("Rejected"), now)
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
        let no_actions = "name = \"x\"\nactions = []\n[when]\nevent = \"record_created\"\nmodule = \"candidates\"\n";
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
}
