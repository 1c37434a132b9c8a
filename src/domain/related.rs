//! The recruiting data around candidates and contacts that merge fields draw on: job openings,
//! interviews, clients and their departments, calendar bookings. How each is read from a CSV
//! row is in `related_rows`.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub use super::related_rows::{Draft, RelatedError, has_required, read_row, required_header};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelatedKind {
    JobOpening,
    Interview,
    Client,
    Booking,
}

impl RelatedKind {
    pub const ALL: [Self; 4] = [
        Self::JobOpening,
        Self::Interview,
        Self::Client,
        Self::Booking,
    ];

    /// The merge-field module it fills.
    pub fn module(self) -> &'static str {
        match self {
            Self::JobOpening => "Job Openings",
            Self::Interview => "Interviews",
            Self::Client => "Clients",
            Self::Booking => "Calendar Bookings",
        }
    }

    /// The word `hirechat import` takes.
    pub fn cli_name(self) -> &'static str {
        match self {
            Self::JobOpening => "job-openings",
            Self::Interview => "interviews",
            Self::Client => "clients",
            Self::Booking => "bookings",
        }
    }

    pub fn from_cli(word: &str) -> Option<Self> {
        let w: String = word
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match w.as_str() {
            "jobopenings" | "jobopening" | "jobs" | "job" | "openings" => Some(Self::JobOpening),
            "interviews" | "interview" => Some(Self::Interview),
            "clients" | "client" | "departments" | "clientsdepartments" => Some(Self::Client),
            "bookings" | "booking" | "calendarbookings" | "calendarbooking" => Some(Self::Booking),
            _ => None,
        }
    }

    pub fn from_module(module: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.module() == module)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobOpening {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruiter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    /// The candidate's record.
    pub candidate_id: u64,
    /// The job opening's posting title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// As written, with its offset.
    pub from: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<FixedOffset>>,
    /// The IANA zone the time was given in (`Asia/Tokyo`), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub name: String,
    pub link: String,
    /// The user whose calendar it books; none for a shared one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RelatedData {
    JobOpening(JobOpening),
    Interview(Interview),
    Client(Client),
    Booking(Booking),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub id: u64,
    #[serde(flatten)]
    pub data: RelatedData,
}

impl RelatedData {
    pub fn kind(&self) -> RelatedKind {
        match self {
            Self::JobOpening(_) => RelatedKind::JobOpening,
            Self::Interview(_) => RelatedKind::Interview,
            Self::Client(_) => RelatedKind::Client,
            Self::Booking(_) => RelatedKind::Booking,
        }
    }

    /// What makes two rows the same thing, so a re-import updates rather than duplicates.
    pub fn natural_key(&self) -> String {
        let low = |s: &str| s.trim().to_lowercase();
        let opt = |s: &Option<String>| s.as_deref().map(low).unwrap_or_default();
        match self {
            Self::JobOpening(j) => format!("{}\u{1f}{}", low(&j.title), opt(&j.client)),
            Self::Interview(i) => format!("{:016x}\u{1f}{}", i.candidate_id, i.from.timestamp()),
            Self::Client(c) => format!("{}\u{1f}{}", low(&c.name), opt(&c.department)),
            Self::Booking(b) => format!("{}\u{1f}{}", b.link.trim(), opt(&b.owner)),
        }
    }
}

impl Related {
    /// One line that tells this one from its siblings, for the popup that picks between them.
    pub fn label(&self, zone: Option<&str>) -> String {
        let parts: Vec<String> = match &self.data {
            RelatedData::JobOpening(j) => {
                [Some(j.title.clone()), j.client.clone(), j.location.clone()]
                    .into_iter()
                    .flatten()
                    .collect()
            }
            RelatedData::Interview(i) => [
                Some(i.job.clone().unwrap_or_else(|| "Interview".into())),
                Some(show_time(&i.from, zone.or(i.time_zone.as_deref()))),
                i.location.clone().or_else(|| i.link.clone()),
            ]
            .into_iter()
            .flatten()
            .collect(),
            RelatedData::Client(c) => [Some(c.name.clone()), c.department.clone()]
                .into_iter()
                .flatten()
                .collect(),
            RelatedData::Booking(b) => vec![b.name.clone(), b.link.clone()],
        };
        parts.join(" · ")
    }
}

/// A time as the reader should see it: in `zone` (IANA) when given and known, else as written.
pub fn show_time(at: &DateTime<FixedOffset>, zone: Option<&str>) -> String {
    const FORMAT: &str = "%a %-d %b %Y %H:%M %Z";
    match zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => at.with_timezone(&tz).format(FORMAT).to_string(),
        None => at.format("%a %-d %b %Y %H:%M UTC%:z").to_string(),
    }
}

/// Checks an IANA zone name such as `Asia/Tokyo`.
pub fn check_zone(zone: &str) -> Result<String, RelatedError> {
    zone.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| RelatedError::Zone(zone.trim().to_owned()))
}

impl fmt::Display for RelatedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.module())
    }
}
