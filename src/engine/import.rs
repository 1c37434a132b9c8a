//! Importing candidates and contacts (a row whose mobile or email matches a record updates
//! it) and job openings, interviews, clients and bookings (a row with the same natural key
//! updates it): every row checked, good rows saved, bad rows reported with their line.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, Response};
use crate::{
    domain::{
        permission::Actor,
        phone::PhoneNumber,
        record::{Record, RecordInput},
        record_update::{self, Editor, Outcome, SeenRows},
        related::{self, Draft, RelatedData, RelatedKind},
        safe_text::neutralise,
    },
    store::Change,
};

/// A row of an import and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub record: RecordInput,
}

/// A row of a job-opening, interview, client or booking import: its cells by header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedRow {
    pub line: u64,
    pub cells: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: u64,
    pub reason: String,
}

/// What an import did: every row is counted once, as created, updated, unchanged or refused
/// (a problem with its line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    #[serde(default)]
    pub unchanged: u64,
    pub problems: Vec<ImportProblem>,
}

impl ImportReport {
    pub fn refused(&self) -> u64 {
        self.problems.len() as u64
    }

    pub fn add(&mut self, other: ImportReport) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.problems.extend(other.problems);
    }

    fn refuse(&mut self, line: u64, reason: impl Into<String>) {
        self.problems.push(ImportProblem {
            line,
            reason: reason.into(),
        });
    }
}

impl Engine {
    /// Candidates or contacts: a row updates the record with its mobile or email (only the
    /// fields it gives), else creates one.
    pub(super) async fn import(
        &self,
        actor: &Actor,
        rows: Vec<ImportRow>,
    ) -> Result<Response, EngineError> {
        let mut report = ImportReport::default();
        let mut seen = SeenRows::default();
        let mut changes = Vec::new();
        let at = Utc::now();
        for row in rows {
            let given = match row.record.validate(0) {
                Ok(r) => r,
                Err(e) => {
                    report.refuse(row.line, e.to_string());
                    continue;
                }
            };
            if let Some(reason) = record_update::unmatchable(&given) {
                report.refuse(row.line, reason);
                continue;
            }
            if let Err(reason) = seen.check(row.line, &given) {
                report.refuse(row.line, reason);
                continue;
            }
            let existing = match self.matching_record(&given)? {
                Ok(r) => r,
                Err(reason) => {
                    report.refuse(row.line, reason);
                    continue;
                }
            };
            let editor = Editor {
                login: &actor.login,
                at,
                via: format!("import, line {}", row.line),
            };
            match record_update::apply(existing.as_ref(), &row.record, given, &editor) {
                Outcome::Created(record) => {
                    report.created += 1;
                    changes.push(Change::SaveRecord { id: None, record });
                }
                Outcome::Updated(record) => {
                    report.updated += 1;
                    let moved = self.dates_to_move(existing.as_ref(), &record)?;
                    changes.push(Change::SaveRecord {
                        id: Some(record.id),
                        record,
                    });
                    changes.extend(moved);
                }
                Outcome::Unchanged => report.unchanged += 1,
            }
        }
        if !changes.is_empty() {
            self.apply_history(changes).await?;
        }
        Ok(Response::Imported { report })
    }

    /// The stored record a row is about: by its mobile, else its email. A row whose mobile
    /// and email belong to two different records is refused (the inner error).
    fn matching_record(
        &self,
        given: &Record,
    ) -> Result<Result<Option<Record>, String>, EngineError> {
        let by_mobile = match &given.mobile {
            Some(m) => self.store().record_by_phone(m)?,
            None => None,
        };
        let by_email = match &given.email {
            Some(e) => self.store().record_by_email(e)?,
            None => None,
        };
        Ok(match (by_mobile, by_email) {
            (Some(a), Some(b)) if a.id != b.id => Err(format!(
                "its mobile is {}'s and its email is {}'s: two different records",
                neutralise(&a.name, false),
                neutralise(&b.name, false)
            )),
            (Some(r), _) | (None, Some(r)) => Ok(Some(r)),
            (None, None) => Ok(None),
        })
    }
}

impl Engine {
    pub(super) async fn import_related(
        &self,
        kind: RelatedKind,
        rows: Vec<RelatedRow>,
    ) -> Result<Response, EngineError> {
        let mut report = ImportReport::default();
        let mut changes = Vec::new();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for row in rows {
            let data = match self.related_data(kind, &row.cells) {
                Ok(d) => d,
                Err(reason) => {
                    report.refuse(row.line, reason);
                    continue;
                }
            };
            let key = data.natural_key();
            if !seen.insert(key) || self.store().related_id(&data)?.is_some() {
                report.updated += 1;
            } else {
                report.created += 1;
            }
            changes.push(Change::SaveRelated { data });
        }
        if !changes.is_empty() {
            self.apply_history(changes).await?;
        }
        Ok(Response::Imported { report })
    }

    /// One row checked, with an interview's candidate found by email or mobile.
    fn related_data(
        &self,
        kind: RelatedKind,
        cells: &[(String, String)],
    ) -> Result<RelatedData, String> {
        match related::read_row(kind, cells).map_err(|e| e.to_string())? {
            Draft::Ready(d) => Ok(d),
            Draft::Interview {
                candidate,
                mut interview,
            } => {
                let record = if candidate.contains('@') {
                    self.store().record_by_email(&candidate)
                } else {
                    let phone = PhoneNumber::parse(&candidate).map_err(|_| {
                        format!("candidate {candidate:?} is neither an email nor a mobile number with its country code")
                    })?;
                    self.store().record_by_phone(&phone)
                }
                .map_err(|e| e.to_string())?;
                let record = record.ok_or_else(|| {
                    format!("no candidate has the email or mobile {candidate:?}: import the candidates first")
                })?;
                interview.candidate_id = record.id;
                Ok(RelatedData::Interview(interview))
            }
        }
    }
}
