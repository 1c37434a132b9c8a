//! Job openings, interviews, clients and bookings read from CSV rows: headers in the words
//! people use, every cell checked (times with their zone, links, no control characters)
//! before anything is stored.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

use super::related::{
    Booking, Client, Interview, JobOpening, RelatedData, RelatedKind, check_zone,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelatedError {
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{0:?} is not a time zone: write one such as Asia/Tokyo or Europe/London")]
    Zone(String),
    #[error(
        "{field}: {value:?} is not a time: write 2026-12-01 10:00 with a Time Zone column, or 2026-12-01T10:00+09:00"
    )]
    Time { field: &'static str, value: String },
    #[error(
        "{0}: the time has no time zone: add a Time Zone column (Asia/Tokyo) or write the offset (+09:00)"
    )]
    NoZone(&'static str),
    #[error("the interview ends before it starts")]
    EndsBeforeStart,
    #[error("{0}: control or invisible characters are not allowed")]
    Control(String),
    #[error("{0:?} is not a link: it must start with https:// or http://")]
    Link(String),
}

/// A row as read, before the engine finds the interview's candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Draft {
    Ready(RelatedData),
    /// An interview, whose candidate is named by email or mobile.
    Interview {
        candidate: String,
        interview: Interview,
    },
}

/// What a header means for `kind`; headers are compared without case, spaces or punctuation.
fn field(kind: RelatedKind, header: &str) -> Option<&'static str> {
    let h: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let f = match (kind, h.as_str()) {
        (
            RelatedKind::JobOpening,
            "postingtitle" | "title" | "jobtitle" | "jobopening" | "求人件名",
        ) => "title",
        (RelatedKind::JobOpening, "recruiter" | "assignedrecruiter" | "owner" | "採用担当者") => {
            "recruiter"
        }
        (_, "location" | "place" | "場所" | "勤務地") => "location",
        (RelatedKind::JobOpening, "client" | "clientname" | "クライアント") => "client",
        (
            RelatedKind::JobOpening | RelatedKind::Client,
            "department" | "departmentname" | "部署",
        ) => "department",
        (
            RelatedKind::Interview,
            "candidate" | "candidateemail" | "candidatemobile" | "email" | "mobile" | "候補者",
        ) => "candidate",
        (RelatedKind::Interview, "job" | "jobopening" | "postingtitle" | "求人") => "job",
        (
            RelatedKind::Interview,
            "from" | "start" | "starts" | "time" | "when" | "面接時間" | "開始",
        ) => "from",
        (RelatedKind::Interview, "to" | "end" | "ends" | "終了") => "to",
        (_, "timezone" | "tz" | "zone" | "タイムゾーン") => "zone",
        (RelatedKind::Interview, "link" | "meetinglink" | "url" | "リンク")
        | (RelatedKind::Booking, "bookinglink" | "link" | "url" | "予約リンク") => "link",
        (RelatedKind::Client, "client" | "clientname" | "name" | "company" | "クライアント名")
        | (RelatedKind::Booking, "name" | "bookingname" | "予約名") => "name",
        (RelatedKind::Client, "departmenthead" | "head" | "departmentlead" | "部署リーダー") => {
            "head"
        }
        (RelatedKind::Booking, "owner" | "user" | "recruiter") => "owner",
        _ => return None,
    };
    Some(f)
}

/// The headers `kind` needs at least one of, to say so before reading rows.
pub fn required_header(kind: RelatedKind) -> (&'static str, &'static str) {
    match kind {
        RelatedKind::JobOpening => ("title", "Posting Title"),
        RelatedKind::Interview => ("from", "From (the interview's start)"),
        RelatedKind::Client => ("name", "Client Name"),
        RelatedKind::Booking => ("link", "Booking Link"),
    }
}

/// Whether a file's headers carry `kind`'s required column.
pub fn has_required(kind: RelatedKind, headers: &[String]) -> bool {
    let (needed, _) = required_header(kind);
    headers.iter().any(|h| field(kind, h) == Some(needed))
        && (kind != RelatedKind::Interview
            || headers.iter().any(|h| field(kind, h) == Some("candidate")))
}

/// Reads one row: `(header, value)` pairs.
pub fn read_row(kind: RelatedKind, row: &[(String, String)]) -> Result<Draft, RelatedError> {
    if let Some((header, _)) = row
        .iter()
        .find(|(_, v)| v.chars().any(super::safe_text::is_invisible))
    {
        return Err(RelatedError::Control(header.clone()));
    }
    let get = |name: &str| {
        row.iter()
            .find(|(h, v)| field(kind, h) == Some(name) && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
    };
    let need =
        |name: &'static str, label: &'static str| get(name).ok_or(RelatedError::Missing(label));
    let data = match kind {
        RelatedKind::JobOpening => RelatedData::JobOpening(JobOpening {
            title: need("title", "Posting Title")?,
            recruiter: get("recruiter"),
            location: get("location"),
            client: get("client"),
            department: get("department"),
        }),
        RelatedKind::Client => RelatedData::Client(Client {
            name: need("name", "Client Name")?,
            department: get("department"),
            head: get("head"),
        }),
        RelatedKind::Booking => {
            let link = need("link", "Booking Link")?;
            check_link(&link)?;
            RelatedData::Booking(Booking {
                name: get("name").unwrap_or_else(|| link.clone()),
                link,
                owner: get("owner"),
            })
        }
        RelatedKind::Interview => {
            let candidate = need("candidate", "Candidate (email or mobile)")?;
            let zone = get("zone").map(|z| check_zone(&z)).transpose()?;
            let from = parse_time("From", &need("from", "From")?, zone.as_deref())?;
            let to = get("to")
                .map(|t| parse_time("To", &t, zone.as_deref()))
                .transpose()?;
            if to.is_some_and(|t| t < from) {
                return Err(RelatedError::EndsBeforeStart);
            }
            let link = get("link");
            if let Some(l) = &link {
                check_link(l)?;
            }
            return Ok(Draft::Interview {
                candidate,
                interview: Interview {
                    candidate_id: 0,
                    job: get("job"),
                    from,
                    to,
                    time_zone: zone,
                    location: get("location"),
                    link,
                },
            });
        }
    };
    Ok(Draft::Ready(data))
}

fn check_link(link: &str) -> Result<(), RelatedError> {
    let ok = (link.starts_with("https://") || link.starts_with("http://"))
        && !link.contains(char::is_whitespace)
        && link.len() > "https://".len();
    if ok {
        Ok(())
    } else {
        Err(RelatedError::Link(link.to_owned()))
    }
}

/// RFC 3339 with an offset, or a local date and time in `zone`.
fn parse_time(
    field: &'static str,
    value: &str,
    zone: Option<&str>,
) -> Result<DateTime<FixedOffset>, RelatedError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t);
    }
    let bad = || RelatedError::Time {
        field,
        value: value.to_owned(),
    };
    let naive = [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
    .ok_or_else(bad)?;
    let tz: chrono_tz::Tz = zone
        .ok_or(RelatedError::NoZone(field))?
        .parse()
        .map_err(|_| RelatedError::Zone(zone.unwrap_or_default().to_owned()))?;
    // A time a clock change repeats takes the earlier reading; one it skips, the same
    // wall-clock time an hour on (02:30 on a spring-forward night is 03:30).
    let local = tz
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .ok_or_else(bad)?;
    Ok(local.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::related::show_time;

    fn row(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(h, v)| ((*h).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn interviews_keep_their_zone_and_show_in_the_readers() {
        let d = read_row(
            RelatedKind::Interview,
            &row(&[
                ("Candidate Email", "ken@example.jp"),
                ("Job Opening", "Data Engineer"),
                ("From", "2026-12-01 10:00"),
                ("Time Zone", "Asia/Tokyo"),
                ("Location", "Shibuya office"),
            ]),
        )
        .unwrap();
        let Draft::Interview {
            candidate,
            interview,
        } = d
        else {
            panic!("an interview")
        };
        assert_eq!(candidate, "ken@example.jp");
        assert_eq!(interview.from.to_rfc3339(), "2026-12-01T10:00:00+09:00");
        assert_eq!(
            show_time(&interview.from, Some("Asia/Tokyo")),
            "Tue 1 Dec 2026 10:00 JST"
        );
        assert_eq!(
            show_time(&interview.from, Some("Europe/London")),
            "Tue 1 Dec 2026 01:00 GMT"
        );
        assert_eq!(
            show_time(&interview.from, None),
            "Tue 1 Dec 2026 10:00 UTC+09:00"
        );
    }

    #[test]
    fn bad_rows_say_why() {
        let interview = |from: &str, zone: &str| {
            read_row(
                RelatedKind::Interview,
                &row(&[
                    ("Candidate", "+819012345678"),
                    ("From", from),
                    ("Time Zone", zone),
                ]),
            )
        };
        assert!(matches!(
            interview("2026-12-01 10:00", ""),
            Err(RelatedError::NoZone("From"))
        ));
        assert!(matches!(
            interview("tomorrow", "Asia/Tokyo"),
            Err(RelatedError::Time { .. })
        ));
        assert!(matches!(
            interview("2026-12-01 10:00", "Mars/Olympus"),
            Err(RelatedError::Zone(_))
        ));
        assert!(interview("2026-12-01T10:00:00+09:00", "").is_ok());
        assert_eq!(
            read_row(RelatedKind::JobOpening, &row(&[("Location", "Tokyo")])),
            Err(RelatedError::Missing("Posting Title"))
        );
        assert!(matches!(
            read_row(
                RelatedKind::Booking,
                &row(&[("Booking Link", "cal dot com")])
            ),
            Err(RelatedError::Link(_))
        ));
    }

    #[test]
    fn the_same_row_twice_is_one_thing() {
        let job = |loc: &str| {
            let Ok(Draft::Ready(d)) = read_row(
                RelatedKind::JobOpening,
                &row(&[
                    ("Posting Title", "Data Engineer"),
                    ("Client", "Acme"),
                    ("Location", loc),
                ]),
            ) else {
                panic!("a job opening")
            };
            d
        };
        assert_eq!(job("Tokyo").natural_key(), job("Osaka").natural_key());
        assert_eq!(
            RelatedKind::from_cli("job-openings"),
            Some(RelatedKind::JobOpening)
        );
        assert_eq!(
            RelatedKind::from_cli("Calendar Bookings"),
            Some(RelatedKind::Booking)
        );
    }

    #[test]
    fn control_characters_and_skipped_times() {
        assert!(matches!(
            read_row(
                RelatedKind::JobOpening,
                &row(&[("Posting Title", "SRE\u{1f}x")])
            ),
            Err(RelatedError::Control(_))
        ));
        // 01:30 does not exist in London on 29 March 2026: it is read as 02:30 summer time.
        let Ok(Draft::Interview { interview, .. }) = read_row(
            RelatedKind::Interview,
            &row(&[
                ("Candidate", "a@b.jp"),
                ("From", "2026-03-29 01:30"),
                ("Time Zone", "Europe/London"),
            ]),
        ) else {
            panic!("an interview")
        };
        assert_eq!(interview.from.to_rfc3339(), "2026-03-29T02:30:00+01:00");
    }
}
