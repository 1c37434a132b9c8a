//! `hirechat import KIND FILE.csv`: maps the columns, sends the rows in batches with progress,
//! and reports the rows that could not be imported with their line and why. Candidates and
//! contacts are mapped here; job openings, interviews, clients and bookings travel as their
//! cells and are read by the engine (`domain::related`).

use std::{collections::BTreeMap, io::IsTerminal, path::Path};

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{
        record::{RecordInput, RecordKind},
        related::{self, RelatedKind},
    },
    engine::{
        Request, Response,
        import::{ImportProblem, ImportReport, ImportRow, RelatedRow},
    },
};

/// Rows per request: progress shows between batches.
const BATCH: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    FirstName,
    LastName,
    Mobile,
    Country,
    TimeZone,
    Email,
    Owner,
    OptOut,
    Custom,
}

/// Which field a header means; headers are compared without case, spaces or punctuation.
fn column(header: &str) -> Column {
    let h: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    match h.as_str() {
        "name" | "fullname" | "candidatename" | "contactname" | "氏名" | "名前" => Column::Name,
        "firstname" | "givenname" | "名" => Column::FirstName,
        "lastname" | "surname" | "familyname" | "姓" => Column::LastName,
        "mobile" | "mobilephone" | "mobilenumber" | "phone" | "phonenumber" | "whatsapp"
        | "cell" | "携帯" | "携帯電話" | "電話番号" => Column::Mobile,
        "country" | "countrycode" | "国" => Column::Country,
        "timezone" | "tz" | "zone" | "タイムゾーン" => Column::TimeZone,
        "email" | "emailaddress" | "mail" | "メール" | "メールアドレス" => Column::Email,
        "owner" | "recruiter" | "candidateowner" | "contactowner" | "担当" | "担当者" => {
            Column::Owner
        }
        "optout" | "optedout" | "gdproptout" | "donotcontact" | "emailoptout" => Column::OptOut,
        _ => Column::Custom,
    }
}

fn yes(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "yes" | "y" | "true" | "1" | "x" | "はい"
    )
}

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
    for line in lines(&mut reader) {
        let (line, record) = match line {
            Ok(l) => l,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let mut input = RecordInput {
            kind,
            ..RecordInput::default()
        };
        let mut custom = BTreeMap::new();
        for (i, value) in record.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let v = Some(value.to_owned());
            match columns.get(i).copied().unwrap_or(Column::Custom) {
                Column::Name => value.clone_into(&mut input.name),
                Column::FirstName => input.first_name = v,
                Column::LastName => input.last_name = v,
                Column::Mobile => input.mobile = v,
                Column::Country => input.country = v,
                Column::TimeZone => input.time_zone = v,
                Column::Email => input.email = v,
                Column::Owner => input.owner = v,
                Column::OptOut => input.opted_out = yes(value),
                Column::Custom => {
                    let header = headers
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| format!("column {}", i + 1));
                    custom.insert(header, value.to_owned());
                }
            }
        }
        input.custom = custom;
        rows.push(ImportRow {
            line,
            record: input,
        });
    }
    Ok((rows, problems))
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
    if report.created + report.updated == 0 && !report.problems.is_empty() {
        return Err(CliError::BadInput("no row could be imported".into()));
    }
    Ok(())
}

/// Sends `rows` in batches, showing progress on a terminal, and sums up the answers.
async fn batches<R: Clone>(
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
    for batch in rows.chunks(BATCH) {
        let answer = backend.call(request(batch.to_vec())).await?;
        if let Response::Imported { report: r } = answer {
            report.created += r.created;
            report.updated += r.updated;
            report.problems.extend(r.problems);
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

fn print_report(report: &ImportReport, noun: &str, file: &Path, json: bool) {
    if json {
        output::json(report);
    } else {
        println!(
            "Imported {} {noun} from {}: {} new, {} updated.",
            report.created + report.updated,
            file.display(),
            report.created,
            report.updated
        );
        if !report.problems.is_empty() {
            println!("{} rows were not imported:", report.problems.len());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_the_words_people_use() {
        assert_eq!(column("Mobile Phone"), Column::Mobile);
        assert_eq!(column("E-mail Address"), Column::Email);
        assert_eq!(column("First Name"), Column::FirstName);
        assert_eq!(column("携帯電話"), Column::Mobile);
        assert_eq!(column("GDPR opt-out"), Column::OptOut);
        assert_eq!(column("Favourite colour"), Column::Custom);
        assert!(yes("Yes") && yes("1") && !yes("no"));
    }
}
