//! Workflow rules (admins): when a record is created or edited, one of its fields becomes a
//! value, a message arrives from it, its conversation waits unanswered too long, or a date of
//! it comes near, for the records that match, send an approved template, notify users or
//! assign an owner, at once or after a while. Written in TOML and checked here; what a
//! happening fires and what it schedules is decided here too (`fire`), without IO, so that the
//! store does it in the transaction that records the happening: nothing is lost to a crash in
//! between, and each firing has a key that lets it schedule its actions only once.

mod fire;
mod log;
pub mod still;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

pub use fire::{DateSource, Happening, Planned, date_due, parse_date};
pub use log::{LogEntry, Outcome};

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
    /// A message arrived from the record's number (with `keyword` in it, when given; any
    /// case, a whole word or phrase).
    MessageReceived {
        module: Module,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keyword: Option<String>,
    },
    /// The record's conversation has waited for an answer this long ("4h", "2d").
    Unreplied {
        module: Module,
        #[serde(rename = "for")]
        waited: String,
    },
    /// A date comes near: `before` ("1d") the date in `field` (`Interviews.From`, or a date
    /// field of the record such as "Start Date"), at `at` ("09:00") where the record is when
    /// given (its time zone, else its number's country's).
    DateNear {
        module: Module,
        field: String,
        before: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<String>,
    },
}

impl When {
    pub fn module(&self) -> Module {
        match self {
            Self::RecordCreated { module }
            | Self::RecordEdited { module }
            | Self::RecordSaved { module }
            | Self::FieldUpdated { module, .. }
            | Self::MessageReceived { module, .. }
            | Self::Unreplied { module, .. }
            | Self::DateNear { module, .. } => *module,
        }
    }

    /// The event's name as written in TOML.
    pub fn event(&self) -> &'static str {
        match self {
            Self::RecordCreated { .. } => "record_created",
            Self::RecordEdited { .. } => "record_edited",
            Self::RecordSaved { .. } => "record_saved",
            Self::FieldUpdated { .. } => "field_updated",
            Self::MessageReceived { .. } => "message_received",
            Self::Unreplied { .. } => "unreplied",
            Self::DateNear { .. } => "date_near",
        }
    }

    /// How long an unreplied rule waits.
    pub fn unreplied_for(&self) -> Option<Duration> {
        match self {
            Self::Unreplied { waited, .. } => parse_after(waited).ok(),
            _ => None,
        }
    }
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

/// What the rule does: one of send a template, notify users, assign an owner.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// An approved template, its merge fields filled from the record (and from what fired
    /// the rule: that interview).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Users to notify in the inbox: logins, `owner` (the record's), `admins`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
    /// What the notification says (else the rule's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Hand the conversation to `LOGIN`, `user:LOGIN` or `group:NAME` (in turn), as routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<String>,
    /// "90s", "2m", "3h", "1d" after what fired it; at once when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl Action {
    /// What it does, in a few words ("send welcome after 2m", "notify owner").
    pub fn summary(&self) -> String {
        let what = if let Some(t) = &self.send_template {
            format!("send {t}")
        } else if let Some(a) = &self.assign {
            format!("assign {a}")
        } else {
            format!("notify {}", self.notify.join(", "))
        };
        match &self.after {
            Some(after) => format!("{what} after {after}"),
            None => what,
        }
    }

    fn check(&self) -> Result<(), String> {
        let kinds = [
            self.send_template.is_some(),
            !self.notify.is_empty(),
            self.assign.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(
                "each [[actions]] does one thing: send_template = \"…\", notify = [\"…\"] or assign = \"…\""
                    .into(),
            );
        }
        if let Some(after) = &self.after {
            parse_after(after)?;
        }
        Ok(())
    }
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
            a.check()?;
        }
        match &self.when {
            When::FieldUpdated { field, .. } | When::DateNear { field, .. }
                if field.trim().is_empty() =>
            {
                Err(
                    "when.field: which field (e.g. \"Candidate Status\", \"Interviews.From\")"
                        .into(),
                )
            }
            When::MessageReceived {
                keyword: Some(k), ..
            } if k.trim().is_empty() => Err("when.keyword: a word, or leave it out".into()),
            When::Unreplied { waited, .. } => parse_after(waited)
                .and_then(|d| {
                    (d >= Duration::minutes(1))
                        .then_some(())
                        .ok_or_else(|| "when.for: a minute at least".to_owned())
                })
                .map_err(|e| e.replace("after =", "for =")),
            When::DateNear { before, at, .. } => {
                parse_after(before).map_err(|e| e.replace("after =", "before ="))?;
                at.as_deref().map(parse_time_of_day).transpose()?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// What fires it and what it does: "on `record_created`: send welcome after 2m".
    pub fn summary(&self) -> String {
        let does: Vec<String> = self.actions.iter().map(Action::summary).collect();
        format!("on {}: {}", self.when.event(), does.join(", "))
    }

    /// Whether the rule is about records of this kind.
    fn about(&self, kind: RecordKind) -> bool {
        let module = match kind {
            RecordKind::Candidate => Module::Candidates,
            RecordKind::Contact => Module::Contacts,
        };
        self.when.module() == module
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

/// "09:00", "9:30".
pub fn parse_time_of_day(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("at = {text:?}: a time of day, such as 09:00"))
}

#[cfg(test)]
mod tests;
