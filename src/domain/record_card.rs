//! The record beside the chat: which job openings and clients a record is linked to, which of
//! its interviews are still to come, and its fields as rows of label and value, the same in the
//! TUI's popup and in `hirechat records show`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{
    record::{Record, RecordKind},
    related::{Related, RelatedData},
};

/// Columns of a candidate or contact import that name a job opening (several split by `;`).
const JOB_COLUMNS: [&str; 4] = ["job opening", "job openings", "posting title", "job"];
/// Columns that name the client (a contact's company).
const CLIENT_COLUMNS: [&str; 5] = [
    "client",
    "client name",
    "company",
    "account name",
    "account",
];

/// What a record points at by name, lowercased: the job openings its interviews or its own
/// columns name, and the clients its columns name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Linked {
    pub jobs: BTreeSet<String>,
    pub clients: BTreeSet<String>,
}

pub fn linked(record: &Record, interviews: &[Related]) -> Linked {
    let mut out = Linked::default();
    for i in interviews {
        if let RelatedData::Interview(iv) = &i.data
            && let Some(job) = &iv.job
        {
            out.jobs.insert(job.trim().to_lowercase());
        }
    }
    for (column, value) in &record.custom {
        let column = column.trim().to_lowercase();
        if JOB_COLUMNS.contains(&column.as_str()) {
            out.jobs
                .extend(value.split(';').map(|v| v.trim().to_lowercase()));
        }
        if CLIENT_COLUMNS.contains(&column.as_str()) {
            out.clients.insert(value.trim().to_lowercase());
        }
    }
    out.jobs.retain(|j| !j.is_empty());
    out.clients.retain(|c| !c.is_empty());
    out
}

/// The interviews not over yet (an interview under way still counts), soonest first.
pub fn upcoming(interviews: Vec<Related>, now: DateTime<Utc>) -> Vec<Related> {
    let ends = |r: &Related| match &r.data {
        RelatedData::Interview(i) => Some(i.to.unwrap_or(i.from)),
        _ => None,
    };
    let mut out: Vec<Related> = interviews
        .into_iter()
        .filter(|r| ends(r).is_some_and(|end| end >= now))
        .collect();
    out.sort_by_key(|r| match &r.data {
        RelatedData::Interview(i) => i.from,
        _ => unreachable!("only interviews are kept"),
    });
    out
}

/// The record's fields, in the order a recruiter reads them; what is missing says so.
pub fn rows(record: &Record) -> Vec<(String, String)> {
    let or_none = |v: Option<&str>, none: &str| v.map_or_else(|| none.to_owned(), str::to_owned);
    let mut rows = vec![
        ("Name".to_owned(), record.name.clone()),
        (
            "Kind".to_owned(),
            match record.kind {
                RecordKind::Candidate => "candidate",
                RecordKind::Contact => "contact",
            }
            .to_owned(),
        ),
        (
            "Mobile".to_owned(),
            or_none(
                record
                    .mobile
                    .as_ref()
                    .map(super::phone::PhoneNumber::as_str),
                "none",
            ),
        ),
        ("Email".to_owned(), or_none(record.email.as_deref(), "none")),
        (
            "Country".to_owned(),
            or_none(record.country.as_deref(), "not given"),
        ),
        (
            "Time zone".to_owned(),
            or_none(record.time_zone.as_deref(), "not given (times as written)"),
        ),
        (
            "Owner".to_owned(),
            or_none(record.owner.as_deref(), "nobody"),
        ),
        ("Opt-out".to_owned(), opt_out(record)),
    ];
    rows.extend(record.custom.iter().map(|(k, v)| (k.clone(), v.clone())));
    rows
}

/// Whether the person may be written to, and since when.
fn opt_out(record: &Record) -> String {
    match (record.opted_out, record.consent.last()) {
        (false, None) => "no: may be messaged".to_owned(),
        (false, Some(c)) => format!("no: opted in again {}", when(c.at)),
        (true, None) => "opted out: nothing is sent".to_owned(),
        (true, Some(c)) => format!("opted out {} by {}: nothing is sent", when(c.at), c.by),
    }
}

/// Every change of consent, newest first: when, who, which way and how.
pub fn consent_history(record: &Record) -> Vec<String> {
    record
        .consent
        .iter()
        .rev()
        .map(|c| {
            format!(
                "{} · {} · {} · {}",
                when(c.at),
                c.by,
                if c.opted_out { "opted out" } else { "opted in" },
                c.via
            )
        })
        .collect()
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{DateTime, TimeZone as _};

    use super::*;
    use crate::domain::{
        record::ConsentChange,
        related::{Interview, show_time},
    };

    fn record() -> Record {
        Record {
            id: 1,
            kind: RecordKind::Candidate,
            name: "Haruto Sato".into(),
            first_name: None,
            last_name: None,
            mobile: None,
            country: Some("JP".into()),
            email: None,
            time_zone: Some("Asia/Tokyo".into()),
            owner: Some("aiko".into()),
            opted_out: false,
            consent: Vec::new(),
            custom: BTreeMap::from([
                (
                    "Job Opening".to_owned(),
                    "Backend Engineer; QA Lead".to_owned(),
                ),
                ("Company".to_owned(), " Acme ".to_owned()),
            ]),
        }
    }

    fn interview(id: u64, job: &str, from: &str, to: Option<&str>) -> Related {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        Related {
            id,
            data: RelatedData::Interview(Interview {
                candidate_id: 1,
                job: Some(job.into()),
                from: at(from),
                to: to.map(at),
                time_zone: None,
                location: None,
                link: None,
            }),
        }
    }

    #[test]
    fn a_record_links_the_jobs_of_its_interviews_and_columns() {
        let l = linked(
            &record(),
            &[interview(5, "Data Analyst", "2026-12-02T10:00:00Z", None)],
        );
        assert_eq!(
            l.jobs.into_iter().collect::<Vec<_>>(),
            ["backend engineer", "data analyst", "qa lead"]
        );
        assert_eq!(l.clients.into_iter().collect::<Vec<_>>(), ["acme"]);
    }

    #[test]
    fn only_interviews_not_over_are_upcoming_soonest_first() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let kept = upcoming(
            vec![
                interview(1, "Later", "2026-12-09T09:00:00+09:00", None),
                interview(2, "Past", "2026-11-30T09:00:00Z", None),
                interview(
                    3,
                    "Under way",
                    "2026-12-01T11:30:00Z",
                    Some("2026-12-01T12:30:00Z"),
                ),
                interview(4, "Soon", "2026-12-02T09:00:00+09:00", None),
            ],
            now,
        );
        let ids: Vec<u64> = kept.iter().map(|r| r.id).collect();
        assert_eq!(ids, [3, 4, 1]);
        // Shown in the record's zone: 09:00 in Tokyo, whatever offset it was written with.
        let RelatedData::Interview(i) = &kept[1].data else {
            unreachable!()
        };
        assert_eq!(
            show_time(&i.from, Some("Asia/Tokyo")),
            "Wed 2 Dec 2026 09:00 JST"
        );
    }

    #[test]
    fn rows_say_what_is_missing_and_who_opted_out() {
        let mut r = record();
        let rows = rows(&r);
        let get = |rows: &[(String, String)], k: &str| {
            rows.iter().find(|(l, _)| l == k).map(|(_, v)| v.clone())
        };
        assert_eq!(get(&rows, "Mobile").as_deref(), Some("none"));
        assert_eq!(get(&rows, "Company").as_deref(), Some(" Acme "));
        assert_eq!(
            get(&rows, "Opt-out").as_deref(),
            Some("no: may be messaged")
        );
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 10, 14, 0).unwrap();
        r.opted_out = true;
        r.consent.push(ConsentChange {
            at,
            by: "ken".into(),
            opted_out: true,
            via: "edited".into(),
        });
        assert_eq!(
            get(&super::rows(&r), "Opt-out").as_deref(),
            Some("opted out 2026-11-02 10:14 UTC by ken: nothing is sent")
        );
        assert_eq!(
            consent_history(&r),
            ["2026-11-02 10:14 UTC · ken · opted out · edited"]
        );
    }
}
