//! Where merge-field values come from: the contact's record (or, without one, their WhatsApp
//! name), the sending user, the organization. Modules the store does not hold yet (job
//! openings, interviews, clients, bookings) have no values: they show as missing.

use super::send::Target;
use crate::domain::{merge::Field, permission::Actor, record::Record};

pub(super) fn value(
    field: &Field,
    target: &Target,
    actor: &Actor,
    organization: &str,
) -> Option<String> {
    let record = target.record.as_ref();
    let name = record
        .map(|r| r.name.clone())
        .or_else(|| {
            target
                .conversation
                .as_ref()
                .map(crate::domain::conversation::Conversation::display_name)
        })
        .filter(|n| !n.is_empty());
    let split = |first: bool| {
        name.as_ref().and_then(|n| {
            let mut parts = n.split_whitespace();
            let head = parts.next()?.to_owned();
            let rest: Vec<&str> = parts.collect();
            if first {
                Some(head)
            } else {
                (!rest.is_empty()).then(|| rest.join(" "))
            }
        })
    };
    match (field.module.as_str(), field.name.as_str()) {
        ("Candidates" | "Contacts", "Name") => name.clone(),
        ("Candidates" | "Contacts", "First Name") => {
            record.and_then(Record::given_name).or_else(|| split(true))
        }
        ("Candidates" | "Contacts", "Last Name") => record
            .and_then(Record::family_name)
            .or_else(|| split(false)),
        ("Candidates" | "Contacts", "Email") => record.and_then(|r| r.email.clone()),
        ("Candidates" | "Contacts", "Mobile") => record
            .and_then(|r| r.mobile.as_ref())
            .map(ToString::to_string),
        ("Candidates" | "Contacts", "Country") => record.and_then(|r| r.country.clone()),
        ("Candidates" | "Contacts", "Owner") => record.and_then(|r| r.owner.clone()),
        ("Users", "Name") => Some(actor.name.clone()),
        ("Users", "Login") => Some(actor.login.clone()),
        ("Organization", "Name") => Some(organization.to_owned()).filter(|o| !o.is_empty()),
        _ => None,
    }
}

/// An example value for each field, which WhatsApp requires with every parameter.
pub(super) fn example(field: &Field) -> String {
    match (field.module.as_str(), field.name.as_str()) {
        (_, "First Name") => "Ken".into(),
        (_, "Last Name") => "Sato".into(),
        ("Users", _) => "Aiko Tanaka".into(),
        ("Organization", _) => "Sakura Talent".into(),
        ("Job Openings", "Posting Title") => "Data Engineer".into(),
        ("Interviews", "From" | "To") => "Tuesday 10:00".into(),
        (_, "Mobile") => "+81 90 1234 5678".into(),
        (_, "Booking Link" | "Link") => "https://cal.example.com/aiko".into(),
        (_, "Location") => "Shibuya office".into(),
        _ => "Ken Sato".into(),
    }
}
