//! Importing candidates and contacts (a row whose mobile or email matches a record updates
//! it) and job openings, interviews, clients and bookings (a row with the same natural key
//! updates it): every row checked, good rows saved, bad rows reported with their line.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, Response};
use crate::{
    domain::{
        phone::PhoneNumber,
        record::{Record, RecordInput},
        related::{self, Draft, RelatedData, RelatedKind},
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub problems: Vec<ImportProblem>,
}

impl Engine {
    pub(super) async fn import(&self, rows: Vec<ImportRow>) -> Result<Response, EngineError> {
        let mut report = ImportReport::default();
        // Rows of this batch by their keys, so a repeat inside the file updates, too.
        let mut batch: Vec<(Option<u64>, Record)> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let record = match row.record.validate(0) {
                Ok(r) => r,
                Err(e) => {
                    report.problems.push(ImportProblem {
                        line: row.line,
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            let keys: Vec<String> = record
                .mobile
                .iter()
                .map(|m| format!("m:{m}"))
                .chain(record.email.iter().map(|e| format!("e:{e}")))
                .collect();
            if let Some(&i) = keys.iter().find_map(|k| by_key.get(k)) {
                let id = batch[i].0;
                batch[i] = (id, record);
                continue;
            }
            let existing = match &record.mobile {
                Some(m) => self.store().record_by_phone(m)?,
                None => None,
            };
            let existing = match (existing, &record.email) {
                (Some(r), _) => Some(r),
                (None, Some(e)) => self.store().record_by_email(e)?,
                (None, None) => None,
            };
            for k in keys {
                by_key.insert(k, batch.len());
            }
            batch.push((existing.map(|r| r.id), record));
        }
        for (id, _) in &batch {
            if id.is_some() {
                report.updated += 1;
            } else {
                report.created += 1;
            }
        }
        let changes: Vec<Change> = batch
            .into_iter()
            .map(|(id, record)| Change::SaveRecord { id, record })
            .collect();
        if !changes.is_empty() {
            self.apply_history(changes).await?;
        }
        Ok(Response::Imported { report })
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
                    report.problems.push(ImportProblem {
                        line: row.line,
                        reason,
                    });
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
