//! `hirechat import KIND FILE.csv`: maps the columns, sends the rows in batches with progress,
//! and reports the rows that could not be imported with their line and why. Candidates and
//! contacts are mapped here; job openings, interviews, clients and bookings travel as their
//! cells and are read by the engine (`domain::related`).

use std::{io::IsTerminal, path::Path};

use super::{
    backend::{Backend, CliError},
    output,
    record_fields::{self, Column, column},
};
use crate::{
    config::Config,
    domain::{
        record::{RecordInput, RecordKind},
        record_update::SeenRows,
        related::{self, RelatedKind},
    },
    engine::{
        Request, Response,
        import::{ImportProblem, ImportReport, ImportRow, RelatedRow},
    },
};

/// Rows per request: progress shows between batches.
const BATCH: usize = 500;
/// A request's rows stay under this as JSON (the daemon reads at most 1 MiB per request).
const BATCH_BYTES: usize = 512 * 1024;

/// Opens the file and reads its headers (without a byte-order mark).
fn open(file: &Path) -> Result<(csv::Reader<std::fs::File>, Vec<String>), CliError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(file)
        .map_err(|e| CliError::BadInput(format!("cannot read {}: {e}", file.display())))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CliError::BadInput(format!("{}: {e}", file.display())))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    Ok((reader, headers))
}

/// Each CSV record with its line, or the problem of a line that is not even CSV.
fn lines(
    reader: &mut csv::Reader<std::fs::File>,
) -> impl Iterator<Item = Result<(u64, csv::StringRecord), ImportProblem>> + '_ {
    reader.records().map(|result| match result {
        Ok(r) => Ok((r.position().map_or(0, csv::Position::line), r)),
        Err(e) => Err(ImportProblem {
            line: e.position().map_or(0, csv::Position::line),
            reason: format!("not readable as CSV: {e}"),
        }),
    })
}

/// Reads a job-opening, interview, client or booking file into rows of cells.
fn read_related(
    file: &Path,
    kind: RelatedKind,
) -> Result<(Vec<RelatedRow>, Vec<ImportProblem>), CliError> {
    let (mut reader, headers) = open(file)?;
    if !related::has_required(kind, &headers) {
        let (_, label) = related::required_header(kind);
        let also = if kind == RelatedKind::Interview {
            " and a Candidate column (their email or mobile)"
        } else {
            ""
        };
        return Err(CliError::BadInput(format!(
            "{}: {kind} need a {label} column{also}; the file has {}",
            file.display(),
            headers.join(", ")
        )));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for line in lines(&mut reader) {
        match line {
            Ok((line, record)) => rows.push(RelatedRow {
                line,
                cells: headers
                    .iter()
                    .cloned()
                    .zip(record.iter().map(str::to_owned))
                    .collect(),
            }),
            Err(p) => problems.push(p),
        }
    }
    Ok((rows, problems))
}

/// Reads the file into rows, with the problems of rows that are not even CSV.
fn read(file: &Path, kind: RecordKind) -> Result<(Vec<ImportRow>, Vec<ImportProblem>), CliError> {
    let (mut reader, headers) = open(file)?;
    let columns: Vec<Column> = headers.iter().map(|h| column(h)).collect();
    if !columns
        .iter()
        .any(|c| matches!(c, Column::Name | Column::FirstName | Column::LastName))
    {
        return Err(CliError::BadInput(format!(
            "{}: no name column (Name, or First Name and Last Name) among {}",
            file.display(),
            headers.join(", ")
        )));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    // Rows with the same mobile or email anywhere in the file, not only in one batch.
    let mut seen = SeenRows::default();
    for line in lines(&mut reader) {
        let row = line.and_then(|(line, record)| {
            let refuse = |reason: String| ImportProblem { line, reason };
            let input = record_input(kind, &headers, &columns, &record).map_err(refuse)?;
            if let Ok(given) = input.validate(0) {
                seen.check(line, &given).map_err(refuse)?;
            }
            Ok(ImportRow {
                line,
                record: input,
            })
        });
        match row {
            Ok(r) => rows.push(r),
            Err(p) => problems.push(p),
        }
    }
    Ok((rows, problems))
}

/// One CSV record as the fields it gives: an empty cell gives nothing, so the stored value
/// stays.
fn record_input(
    kind: RecordKind,
    headers: &[String],
    columns: &[Column],
    record: &csv::StringRecord,
) -> Result<RecordInput, String> {
    let mut input = RecordInput {
        kind,
        ..RecordInput::default()
    };
    for (i, value) in record.iter().enumerate() {
        if value.is_empty() {
            continue;
        }
        let column = columns.get(i).copied().unwrap_or(Column::Custom);
        let header = headers
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1));
        record_fields::set(&mut input, column, &header, value)?;
    }
    Ok(input)
}

pub async fn run(
    config: &Config,
    data_dir: &Path,
    kind: &str,
    file: &Path,
    json: bool,
) -> Result<(), CliError> {
    let record_kind = match kind {
        "candidates" | "candidate" => Some(RecordKind::Candidate),
        "contacts" | "contact" => Some(RecordKind::Contact),
        _ => None,
    };
    let related_kind = RelatedKind::from_cli(kind);
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let (report, noun) = match (record_kind, related_kind) {
        (Some(k), _) => {
            let (rows, problems) = read(file, k)?;
            let report = batches(&mut backend, file, json, rows, problems, |rows| {
                Request::ImportRecords { rows }
            })
            .await?;
            (
                report,
                if k == RecordKind::Candidate {
                    "candidates"
                } else {
                    "contacts"
                },
            )
        }
        (None, Some(k)) => {
            let (rows, problems) = read_related(file, k)?;
            let report = batches(&mut backend, file, json, rows, problems, |rows| {
                Request::ImportRelated { kind: k, rows }
            })
            .await?;
            (report, k.cli_name())
        }
        (None, None) => {
            return Err(CliError::BadInput(format!(
                "importing {kind:?} is not available: import candidates, contacts, job-openings, interviews, clients or bookings"
            )));
        }
    };
    print_report(&report, noun, file, json);
    // A script must not take a partial import for a whole one: refused rows fail the command
    // (after the report, so the good rows are in and the bad ones listed).
    let read = report.created + report.updated + report.unchanged + report.refused();
    match report.refused() {
        0 => Ok(()),
        n if n == read => Err(CliError::BadInput("no row could be imported".into())),
        n => Err(CliError::BadInput(format!(
            "{n} of {read} rows were refused (listed above); the others were imported"
        ))),
    }
}

/// Sends `rows` in batches, showing progress on a terminal, and sums up the answers.
async fn batches<R: Clone + serde::Serialize>(
    backend: &mut Backend,
    file: &Path,
    json: bool,
    rows: Vec<R>,
    mut problems: Vec<ImportProblem>,
    request: impl Fn(Vec<R>) -> Request,
) -> Result<ImportReport, CliError> {
    let total = rows.len();
    let mut report = ImportReport::default();
    let progress = std::io::stderr().is_terminal() && !json;
    let mut done = 0;
    for batch in batched(&rows) {
        let answer = backend.call(request(batch.to_vec())).await?;
        if let Response::Imported { report: r } = answer {
            report.add(r);
        }
        done += batch.len();
        if progress {
            eprint!("\rImporting {}: {done}/{total} rows", file.display());
        }
    }
    if progress {
        eprintln!();
    }
    report.problems.append(&mut problems);
    report.problems.sort_by_key(|p| p.line);
    Ok(report)
}

/// The rows in batches of at most `BATCH` rows and about `BATCH_BYTES` as JSON, so that each
/// request stays well under the daemon's limit for one request.
fn batched<R: serde::Serialize>(rows: &[R]) -> Vec<&[R]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let size = serde_json::to_vec(row).map_or(0, |v| v.len());
        if i > start && (i - start >= BATCH || bytes + size > BATCH_BYTES) {
            batches.push(&rows[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < rows.len() {
        batches.push(&rows[start..]);
    }
    batches
}

fn print_report(report: &ImportReport, noun: &str, file: &Path, json: bool) {
    if json {
        output::json(report);
    } else {
        let rows = report.created + report.updated + report.unchanged + report.refused();
        println!(
            "Read {} of {noun} from {}: {} new, {} updated, {} unchanged, {} refused.",
            output::count(rows, "row", "rows"),
            file.display(),
            report.created,
            report.updated,
            report.unchanged,
            report.refused()
        );
        if !report.problems.is_empty() {
            println!("Refused:");
            for p in &report.problems {
                println!(
                    "  line {}: {}",
                    p.line,
                    crate::domain::safe_text::neutralise(&p.reason, false)
                );
            }
        }
    }
}
