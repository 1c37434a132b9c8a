//! Importing candidates and contacts: every row checked, good rows saved, bad rows reported
//! with their line; a row whose mobile or email matches a record updates it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, Response};
use crate::{
    domain::record::{Record, RecordInput},
    store::Change,
};

/// A row of an import and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub record: RecordInput,
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
