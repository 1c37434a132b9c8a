//! Where merge-field values come from: the contact's record (or, without one, their WhatsApp
//! name), the sending user, the organization, and the record's job openings, interviews,
//! clients and the user's calendar bookings. Where a module has several values for one record
//! (two interviews), the user picks one; until then its fields are missing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    merge::{self, Field, Filled, Piece},
    record::Record,
    related::{Related, RelatedData, RelatedKind, show_time},
};

/// What `${Organization.…}` is filled from (config `[organization]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Organization {
    pub name: String,
    /// The language new WhatsApp templates are written in unless the admin picks another.
    #[serde(default = "default_language")]
    pub language: String,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

fn default_language() -> String {
    "en_US".into()
}

impl Default for Organization {
    fn default() -> Self {
        Self {
            name: String::new(),
            language: default_language(),
            website: None,
            email: None,
            phone: None,
        }
    }
}

/// The sending user, for `${Users.…}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub login: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: String,
}

/// Module → the id of the value the user picked.
pub type Picks = BTreeMap<String, u64>;

/// A module the body uses that has several values for this record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub module: String,
    pub options: Vec<ChoiceOption>,
    /// The option in use, once picked.
    pub picked: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub id: u64,
    pub label: String,
}

/// Everything a template can be filled from, for one contact and one sending user.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub record: Option<Record>,
    /// The name WhatsApp gave, when there is no record.
    pub whatsapp_name: Option<String>,
    pub user: UserInfo,
    pub organization: Organization,
    /// The record's interviews, job openings and clients, and the user's bookings.
    pub related: Vec<Related>,
}

impl Sources {
    /// Fills `pieces`, using `picks` where a module has several values; the choices still open
    /// (or made) are returned for every such module the body uses.
    pub fn fill(&self, pieces: &[Piece], picks: &Picks) -> (Filled, Vec<Choice>) {
        let mut chosen: BTreeMap<&str, Option<&Related>> = BTreeMap::new();
        let mut choices = Vec::new();
        for p in pieces {
            let Piece::Field(f) = p else { continue };
            let Some(kind) = RelatedKind::from_module(&f.module) else {
                continue;
            };
            if chosen.contains_key(kind.module()) {
                continue;
            }
            let options: Vec<&Related> = self
                .related
                .iter()
                .filter(|r| r.data.kind() == kind)
                .collect();
            let pick = if options.len() == 1 {
                Some(options[0])
            } else {
                let wanted = picks.get(kind.module());
                let picked = options.iter().copied().find(|r| Some(&r.id) == wanted);
                if options.len() > 1 {
                    choices.push(Choice {
                        module: kind.module().to_owned(),
                        options: options
                            .iter()
                            .map(|r| ChoiceOption {
                                id: r.id,
                                label: r.label(self.zone()),
                            })
                            .collect(),
                        picked: picked.map(|r| r.id),
                    });
                }
                picked
            };
            chosen.insert(kind.module(), pick);
        }
        let filled = merge::fill(pieces, |f| match RelatedKind::from_module(&f.module) {
            Some(kind) => chosen
                .get(kind.module())
                .copied()
                .flatten()
                .and_then(|r| self.related_value(r, &f.name)),
            None => self.value(f),
        });
        (filled, choices)
    }

    fn zone(&self) -> Option<&str> {
        self.record.as_ref().and_then(|r| r.time_zone.as_deref())
    }

    fn name(&self) -> Option<String> {
        self.record
            .as_ref()
            .map(|r| r.name.clone())
            .or_else(|| self.whatsapp_name.clone())
            .filter(|n| !n.is_empty())
    }

    /// A field of the record, the user or the organization.
    fn value(&self, field: &Field) -> Option<String> {
        let record = self.record.as_ref();
        let words = |first: bool| {
            let name = self.name()?;
            let mut parts = name.split_whitespace();
            let head = parts.next()?.to_owned();
            let rest: Vec<&str> = parts.collect();
            if first {
                Some(head)
            } else {
                (!rest.is_empty()).then(|| rest.join(" "))
            }
        };
        let org = &self.organization;
        match (field.module.as_str(), field.name.as_str()) {
            ("Candidates" | "Contacts", "Name") => self.name(),
            ("Candidates" | "Contacts", "First Name") => {
                record.and_then(Record::given_name).or_else(|| words(true))
            }
            ("Candidates" | "Contacts", "Last Name") => record
                .and_then(Record::family_name)
                .or_else(|| words(false)),
            ("Candidates" | "Contacts", "Email") => record.and_then(|r| r.email.clone()),
            ("Candidates" | "Contacts", "Mobile") => record
                .and_then(|r| r.mobile.as_ref())
                .map(ToString::to_string),
            ("Candidates" | "Contacts", "Country") => record.and_then(|r| r.country.clone()),
            ("Candidates" | "Contacts", "Owner") => record.and_then(|r| r.owner.clone()),
            ("Users", "Name") => Some(self.user.name.clone()),
            ("Users", "Login") => Some(self.user.login.clone()),
            ("Users", "Email") => self.user.email.clone(),
            ("Users", "Phone") => self.user.phone.clone(),
            ("Users", "Role") => Some(self.user.role.clone()),
            ("Organization", "Name") => Some(org.name.clone()),
            ("Organization", "Website") => org.website.clone(),
            ("Organization", "Email") => org.email.clone(),
            ("Organization", "Phone") => org.phone.clone(),
            _ => None,
        }
        .filter(|v| !v.is_empty())
    }

    fn related_value(&self, related: &Related, field: &str) -> Option<String> {
        match (&related.data, field) {
            (RelatedData::JobOpening(j), "Posting Title") => Some(j.title.clone()),
            (RelatedData::JobOpening(j), "Recruiter") => j.recruiter.clone(),
            (RelatedData::JobOpening(j), "Location") => j.location.clone(),
            (RelatedData::JobOpening(j), "Client Name") => j.client.clone(),
            (RelatedData::JobOpening(j), "Department") => j.department.clone(),
            (RelatedData::Interview(i), "Posting Title") => i.job.clone(),
            (RelatedData::Interview(i), "From") => {
                Some(show_time(&i.from, self.zone().or(i.time_zone.as_deref())))
            }
            (RelatedData::Interview(i), "To") => {
                i.to.map(|t| show_time(&t, self.zone().or(i.time_zone.as_deref())))
            }
            (RelatedData::Interview(i), "Location") => i.location.clone(),
            (RelatedData::Interview(i), "Link") => i.link.clone(),
            (RelatedData::Client(c), "Client Name") => Some(c.name.clone()),
            (RelatedData::Client(c), "Department") => c.department.clone(),
            (RelatedData::Client(c), "Department Head") => c.head.clone(),
            (RelatedData::Booking(b), "Name") => Some(b.name.clone()),
            (RelatedData::Booking(b), "Booking Link") => Some(b.link.clone()),
            _ => None,
        }
    }
}

/// An example value for each field, which WhatsApp requires with every parameter.
pub fn example(field: &Field) -> String {
    match (field.module.as_str(), field.name.as_str()) {
        (_, "First Name") => "Ken".into(),
        (_, "Last Name") => "Sato".into(),
        (_, "Email") => "aiko@example.com".into(),
        ("Users", _) => "Aiko Tanaka".into(),
        ("Organization", "Website") => "https://example.com".into(),
        ("Organization", _) => "Sakura Talent".into(),
        (_, "Posting Title") => "Data Engineer".into(),
        ("Interviews", "From" | "To") => "Tue 1 Dec 2026 10:00 JST".into(),
        (_, "Mobile" | "Phone") => "+81 90 1234 5678".into(),
        (_, "Booking Link" | "Link") => "https://cal.example.com/aiko".into(),
        (_, "Location") => "Shibuya office".into(),
        (_, "Client Name") => "Acme K.K.".into(),
        (_, "Department") => "Engineering".into(),
        _ => "Ken Sato".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::related::{Booking, Interview};

    fn interview(id: u64, job: &str, at: &str) -> Related {
        Related {
            id,
            data: RelatedData::Interview(Interview {
                candidate_id: 1,
                job: Some(job.into()),
                from: chrono::DateTime::parse_from_rfc3339(at).unwrap(),
                to: None,
                time_zone: Some("Asia/Tokyo".into()),
                location: Some("Shibuya".into()),
                link: None,
            }),
        }
    }

    #[test]
    fn two_interviews_wait_for_a_pick() {
        let sources = Sources {
            user: UserInfo {
                name: "Aiko Tanaka".into(),
                ..UserInfo::default()
            },
            related: vec![
                interview(10, "Data Engineer", "2026-12-01T10:00:00+09:00"),
                interview(11, "SRE", "2026-12-03T15:30:00+09:00"),
                Related {
                    id: 20,
                    data: RelatedData::Booking(Booking {
                        name: "Aiko's calendar".into(),
                        link: "https://cal.example.com/aiko".into(),
                        owner: Some("aiko".into()),
                    }),
                },
            ],
            ..Sources::default()
        };
        let pieces = merge::parse(
            "${Users.Name}: ${Interviews.Posting Title} at ${Interviews.From}, or book ${Calendar Bookings.Booking Link}",
        )
        .unwrap();
        let (filled, choices) = sources.fill(&pieces, &Picks::new());
        assert_eq!(choices.len(), 1);
        assert_eq!(choices[0].options.len(), 2);
        assert_eq!(choices[0].picked, None);
        assert_eq!(filled.missing.len(), 2, "{filled:?}");
        let picks = Picks::from([("Interviews".to_owned(), 11)]);
        let (filled, choices) = sources.fill(&pieces, &picks);
        assert!(filled.missing.is_empty());
        assert_eq!(choices[0].picked, Some(11));
        assert_eq!(
            filled.text,
            "Aiko Tanaka: SRE at Thu 3 Dec 2026 15:30 JST, or book https://cal.example.com/aiko"
        );
    }
}
