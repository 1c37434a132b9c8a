//! What fires a rule and what it schedules: a record saved, a message from it, its
//! conversation unanswered too long, a date of it near. Each firing has a key (the same
//! happening seen twice gives the same key, so its actions are scheduled once); a date
//! firing also has a slot, so that when the date moves its one waiting send moves with it.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use super::{Action, RuleInput, When, field_value, parse_after, parse_time_of_day};
use crate::domain::{merge_source::Picks, record::Record, schedule::ScheduledWhat};

/// What happened to a record.
#[derive(Debug, Clone, Copy)]
pub enum Happening<'a> {
    /// Saved: created (`before` none) or edited.
    Saved { before: Option<&'a Record> },
    /// A message arrived from its number.
    Message { wamid: &'a str, text: &'a str },
    /// Its conversation has waited for an answer since `since`.
    Unreplied { since: DateTime<Utc> },
}

/// A date of a record that a `date_near` rule may fire for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateSource {
    /// The field as rules name it: `Interviews.From`, `Start Date`.
    pub field: String,
    /// Which one: the field, or the field and the related row (`Interviews.From#12`).
    pub slot: String,
    pub at: DateTime<Utc>,
    /// The row merge fields are filled from (that interview).
    pub picks: Picks,
}

/// One action a firing schedules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The same firing always gives the same key: it schedules once.
    pub key: String,
    /// A date firing's place: one send per rule, record, date and action, moved with the date.
    pub slot: Option<String>,
    pub due_at: DateTime<Utc>,
    pub what: ScheduledWhat,
    /// What it does, for the log ("welcome", "notify owner").
    pub label: String,
}

impl RuleInput {
    /// What rule `id` schedules for `happening` to `record` at `now`.
    pub fn planned(
        &self,
        id: u64,
        happening: Happening<'_>,
        record: &Record,
        now: DateTime<Utc>,
    ) -> Vec<Planned> {
        if !self.enabled || !self.about(record.kind) || !self.which.matches(record) {
            return Vec::new();
        }
        let Some(stamp) = self.stamp(happening, record, now) else {
            return Vec::new();
        };
        let base = format!("rule:{id}:record:{}:{stamp}", record.id);
        self.actions
            .iter()
            .enumerate()
            .map(|(i, a)| plan(a, format!("{base}:action:{i}"), None, now, Picks::new()))
            .collect()
    }

    /// What a `date_near` rule `id` schedules for the dates of `record` (its zone: where
    /// `at` is read), seen at `now`: nothing for a date that passed; at once for one whose
    /// reminder time passed but not the date itself.
    pub fn planned_dates(
        &self,
        id: u64,
        record: &Record,
        dates: &[DateSource],
        zone: Option<chrono_tz::Tz>,
        now: DateTime<Utc>,
    ) -> Vec<Planned> {
        let When::DateNear {
            field, before, at, ..
        } = &self.when
        else {
            return Vec::new();
        };
        if !self.enabled || !self.about(record.kind) || !self.which.matches(record) {
            return Vec::new();
        }
        let (Ok(before), Ok(at)) = (
            parse_after(before),
            at.as_deref().map(parse_time_of_day).transpose(),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for d in dates
            .iter()
            .filter(|d| same_field(&d.field, field) && d.at > now)
        {
            let due = date_due(d.at, before, at, zone).max(now);
            for (i, a) in self.actions.iter().enumerate() {
                let slot = format!("rule:{id}:record:{}:date:{}:action:{i}", record.id, d.slot);
                let key = format!("{slot}@{}", d.at.timestamp());
                out.push(plan(a, key, Some(slot), due, d.picks.clone()));
            }
        }
        out
    }

    /// The name of the firing, when `happening` fires this rule.
    fn stamp(
        &self,
        happening: Happening<'_>,
        record: &Record,
        at: DateTime<Utc>,
    ) -> Option<String> {
        let edited = || format!("edited:{}", at.timestamp_millis());
        match (&self.when, happening) {
            (
                When::RecordCreated { .. } | When::RecordSaved { .. },
                Happening::Saved { before: None },
            ) => Some("created".to_owned()),
            (
                When::RecordEdited { .. } | When::RecordSaved { .. },
                Happening::Saved { before: Some(_) },
            ) => Some(edited()),
            (When::FieldUpdated { field, becomes, .. }, Happening::Saved { before }) => {
                let new = field_value(record, field).unwrap_or_default();
                let old = before
                    .and_then(|b| field_value(b, field))
                    .unwrap_or_default();
                let wanted = becomes
                    .as_ref()
                    .is_none_or(|b| b.trim().eq_ignore_ascii_case(new.trim()));
                (new.trim() != old.trim() && wanted)
                    .then(|| format!("{}={}:{}", field.trim(), new.trim(), at.timestamp_millis()))
            }
            (When::MessageReceived { keyword, .. }, Happening::Message { wamid, text }) => keyword
                .as_deref()
                .is_none_or(|k| has_words(text, k))
                .then(|| format!("message:{wamid}")),
            (When::Unreplied { .. }, Happening::Unreplied { since }) => {
                Some(format!("unreplied:{}", since.timestamp_millis()))
            }
            _ => None,
        }
    }
}

fn plan(a: &Action, key: String, slot: Option<String>, at: DateTime<Utc>, picks: Picks) -> Planned {
    let after = a
        .after
        .as_deref()
        .and_then(|t| parse_after(t).ok())
        .unwrap_or_else(Duration::zero);
    let (what, label) = if let Some(name) = &a.send_template {
        let what = ScheduledWhat::Template {
            name: name.clone(),
            language: a.language.clone(),
            picks,
        };
        (what, name.clone())
    } else if let Some(to) = &a.assign {
        (
            ScheduledWhat::Assign { to: to.clone() },
            format!("assign {to}"),
        )
    } else {
        let what = ScheduledWhat::Notify {
            users: a.notify.clone(),
            note: a.note.clone().unwrap_or_default(),
        };
        (what, format!("notify {}", a.notify.join(", ")))
    };
    Planned {
        key,
        slot,
        due_at: at + after,
        what,
        label,
    }
}

/// When a reminder `before` a date goes: that long before it, or, with a time of day, at that
/// time on the day that long before it, where the record is (UTC when its zone is unknown).
pub fn date_due(
    date: DateTime<Utc>,
    before: Duration,
    at: Option<NaiveTime>,
    zone: Option<chrono_tz::Tz>,
) -> DateTime<Utc> {
    let earlier = date - before;
    let Some(at) = at else {
        return earlier;
    };
    let zone = zone.unwrap_or(chrono_tz::UTC);
    let day = earlier.with_timezone(&zone).date_naive();
    zone.from_local_datetime(&day.and_time(at))
        .earliest()
        // A time skipped by a clock change: an hour later.
        .or_else(|| {
            zone.from_local_datetime(&(day.and_time(at) + Duration::hours(1)))
                .earliest()
        })
        .map_or(earlier, |t| t.with_timezone(&Utc))
}

/// Whether two names are the same field ("Interviews.From", "interviews from").
fn same_field(a: &str, b: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    squash(a) == squash(b)
}

/// Whether `text` holds `words` as whole words (any case): "yes" in "Yes, thanks" but not in
/// "yesterday".
fn has_words(text: &str, words: &str) -> bool {
    let text = text.to_lowercase();
    let words = words.trim().to_lowercase();
    if words.is_empty() {
        return true;
    }
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    text.match_indices(&words).any(|(i, m)| {
        boundary(text[..i].chars().next_back()) && boundary(text[i + m.len()..].chars().next())
    })
}

/// A date as records hold it: RFC 3339, or `YYYY-MM-DD[ HH:MM]` where the record is (UTC when
/// its zone is unknown).
pub fn parse_date(text: &str, zone: Option<chrono_tz::Tz>) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Some(at.with_timezone(&Utc));
    }
    let local = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        })?;
    zone.unwrap_or(chrono_tz::UTC)
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
