//! The demo's history (`assets/demo/seed.json`), with times relative to now, turned into the
//! same changes real webhooks and sends make.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::{
    domain::{
        event::Event,
        identity::Bsuid,
        message::{Effect, Media, Status, Summary},
        phone::PhoneNumber,
        record::RecordInput,
        related::{Booking, Client, Interview, JobOpening, RelatedData},
        rule::RuleInput,
        template::TemplateInput,
    },
    engine::Engine,
    store::{Arrived, Change, ContactInfo, Queued, Reported},
    whatsapp::{errors::sentence, send::SendRequest},
};

pub const SEED: &str = include_str!("../../assets/demo/seed.json");

#[derive(Debug, Deserialize)]
pub struct Seed {
    pub recruiter: String,
    pub recruiter_name: String,
    pub organization: String,
    pub templates: Vec<TemplateInput>,
    pub records: Vec<RecordInput>,
    #[serde(default)]
    pub job_openings: Vec<JobOpening>,
    #[serde(default)]
    pub clients: Vec<Client>,
    #[serde(default)]
    pub bookings: Vec<Booking>,
    #[serde(default)]
    pub interviews: Vec<SeedInterview>,
    pub conversations: Vec<SeedConversation>,
    #[serde(default)]
    pub rules: Vec<RuleInput>,
    #[serde(default)]
    pub scheduled: Vec<super::automation::SeedScheduled>,
}

/// An interview some days from now, on the hour, in its zone.
#[derive(Debug, Deserialize)]
pub struct SeedInterview {
    /// The candidate's mobile in E.164.
    pub candidate: String,
    pub job: String,
    /// How far ahead: `2d`.
    #[serde(rename = "in")]
    pub ahead: String,
    pub minutes: i64,
    pub time_zone: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
}

impl SeedInterview {
    fn interview(&self, engine: &Engine, now: DateTime<Utc>) -> Result<Interview, String> {
        let phone = PhoneNumber::parse(&self.candidate).map_err(|e| e.to_string())?;
        let record = engine
            .store()
            .record_by_phone(&phone)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("demo interview: no record for {}", self.candidate))?;
        let tz: chrono_tz::Tz = self
            .time_zone
            .parse()
            .map_err(|_| format!("demo interview: bad zone {}", self.time_zone))?;
        let day = (now + parse_ago(&self.ahead).ok_or("demo interview: bad `in`")?)
            .with_timezone(&tz)
            .date_naive();
        let from = day
            .and_hms_opt(10, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .ok_or("demo interview: no such time")?
            .fixed_offset();
        Ok(Interview {
            candidate_id: record.id,
            job: Some(self.job.clone()),
            from,
            to: Some(from + Duration::minutes(self.minutes)),
            time_zone: Some(self.time_zone.clone()),
            location: self.location.clone(),
            link: self.link.clone(),
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct SeedConversation {
    pub phone: Option<String>,
    pub bsuid: Option<String>,
    pub username: Option<String>,
    pub profile: String,
    /// Whether the recruiter has read it.
    pub read: bool,
    pub messages: Vec<SeedMessage>,
}

#[derive(Debug, Deserialize)]
pub struct SeedMessage {
    pub dir: String,
    /// How long ago: `2d3h`, `14m`.
    pub ago: String,
    pub text: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub error: Option<i64>,
}

/// The seeded photo (a drawn portrait, 64×64).
const PHOTO: &[u8] = include_bytes!("../../assets/demo/photo.png");

impl SeedMessage {
    /// The file the message carries, if any, and its type: a named document is a one-page
    /// PDF saying its name, an image the seeded photo.
    pub fn file(&self) -> Option<(Vec<u8>, &'static str)> {
        match (self.kind.as_deref(), &self.filename) {
            (Some("image"), _) => Some((PHOTO.to_vec(), "image/png")),
            (_, Some(name)) => Some((demo_pdf(name), "application/pdf")),
            _ => None,
        }
    }
}

impl SeedConversation {
    pub fn contact(&self) -> ContactInfo {
        ContactInfo {
            phone: self
                .phone
                .as_deref()
                .and_then(|p| PhoneNumber::parse(p).ok()),
            bsuid: self.bsuid.as_deref().and_then(Bsuid::parse),
            name: Some(self.profile.clone()),
            username: self.username.clone(),
        }
    }

    /// The time of the contact's last message, if any.
    pub fn last_inbound(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.messages
            .iter()
            .filter(|m| m.dir == "in")
            .filter_map(|m| parse_ago(&m.ago).map(|d| now - d))
            .max()
    }
}

/// `2d3h15m` → a duration.
pub fn parse_ago(s: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut n = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            n.push(c);
            continue;
        }
        let v: i64 = std::mem::take(&mut n).parse().ok()?;
        total += match c {
            'd' => Duration::days(v),
            'h' => Duration::hours(v),
            'm' => Duration::minutes(v),
            _ => return None,
        };
    }
    n.is_empty().then_some(total)
}

pub fn parse() -> Result<Seed, String> {
    serde_json::from_str(SEED).map_err(|e| format!("assets/demo/seed.json: {e}"))
}

/// Writes the seed into an empty store.
pub async fn apply(engine: &Engine, seed: &Seed, now: DateTime<Utc>) -> Result<(), String> {
    for r in &seed.records {
        let record = r
            .validate(0)
            .map_err(|e| format!("demo record {}: {e}", r.name))?;
        write(engine, vec![Change::SaveRecord { id: None, record }]).await?;
    }
    let mut related: Vec<RelatedData> = Vec::new();
    related.extend(
        seed.job_openings
            .iter()
            .cloned()
            .map(RelatedData::JobOpening),
    );
    related.extend(seed.clients.iter().cloned().map(RelatedData::Client));
    related.extend(seed.bookings.iter().cloned().map(RelatedData::Booking));
    for i in &seed.interviews {
        related.push(RelatedData::Interview(i.interview(engine, now)?));
    }
    write(
        engine,
        related
            .into_iter()
            .map(|data| Change::SaveRelated { data })
            .collect(),
    )
    .await?;
    for (ci, c) in seed.conversations.iter().enumerate() {
        let mut conversation_id = None;
        for (mi, m) in c.messages.iter().enumerate() {
            let at =
                now - parse_ago(&m.ago).ok_or_else(|| format!("demo: bad time {:?}", m.ago))?;
            let wamid = demo_wamid(ci, mi);
            let events = if m.dir == "in" {
                write(engine, vec![inbound(c, m, at, wamid)]).await?
            } else {
                // The recruiter read what came before answering it.
                if let Some(id) = conversation_id {
                    write(
                        engine,
                        vec![Change::MarkRead {
                            conversation_id: id,
                        }],
                    )
                    .await?;
                }
                outbound(engine, seed, c, m, at, wamid).await?
            };
            conversation_id = conversation_id.or_else(|| events.iter().find_map(conversation_of));
        }
        if c.read
            && let Some(id) = conversation_id
        {
            write(
                engine,
                vec![Change::MarkRead {
                    conversation_id: id,
                }],
            )
            .await?;
        }
    }
    Ok(())
}

async fn write(engine: &Engine, changes: Vec<Change>) -> Result<Vec<Event>, String> {
    engine
        .apply_history(changes)
        .await
        .map_err(|e| e.to_string())
}

/// The seeded message's wamid; an attachment's media id is it with `-media`.
pub fn demo_wamid(conversation: usize, message: usize) -> String {
    format!("wamid.DEMO{conversation:03}{message:03}")
}

/// A one-page PDF saying what it stands for, for the seeded attachments to open.
pub fn demo_pdf(title: &str) -> Vec<u8> {
    let safe: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '.')
        .collect();
    let text = format!("BT /F1 18 Tf 20 70 Td ({safe}) Tj ET");
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n4 0 obj<</Length {}>>stream\n{text}\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        text.len()
    )
    .into_bytes()
}

fn inbound(c: &SeedConversation, m: &SeedMessage, at: DateTime<Utc>, wamid: String) -> Change {
    let media = m.file().map(|(_, mime)| Media {
        id: Some(format!("{wamid}-media")),
        mime_type: Some(mime.into()),
        filename: m.filename.clone(),
        ..Media::default()
    });
    Change::Inbound(Arrived {
        contact: c.contact(),
        wamid,
        at,
        reply_to: None,
        effect: Effect::New(Summary {
            kind: m.kind.clone().unwrap_or_else(|| "text".into()),
            text: m.text.clone(),
            media,
        }),
        error_code: None,
        payload: None,
    })
}

/// Queues a message the way a send does, then settles it as the seed says (accepted and
/// receipted, or failed), so the outbox never sends it.
async fn outbound(
    engine: &Engine,
    seed: &Seed,
    c: &SeedConversation,
    m: &SeedMessage,
    at: DateTime<Utc>,
    wamid: String,
) -> Result<Vec<Event>, String> {
    let contact = c.contact();
    let request = serde_json::to_value(SendRequest::text(
        contact.phone.as_ref().map(ToString::to_string),
        contact.bsuid.as_ref().map(ToString::to_string),
        &m.text,
    ))
    .map_err(|e| e.to_string())?;
    let queued = Change::Queue(Queued {
        hold: None,
        contact,
        kind: m.kind.clone().unwrap_or_else(|| "text".into()),
        text: m.text.clone(),
        request,
        sent_by: seed.recruiter.clone(),
        at,
        file: None,
        batch: None,
    });
    let events = write(engine, vec![queued]).await?;
    let Some(id) = events.iter().find_map(|e| match e {
        Event::MessageQueued { message, .. } => Some(message.id),
        _ => None,
    }) else {
        return Ok(events);
    };
    let settle = match (m.status.unwrap_or(Status::Read), m.error) {
        (Status::Failed, code) => {
            let code = code.unwrap_or(131_000);
            vec![Change::SendFailed {
                id,
                code: Some(code),
                error: format!("{} (error {code})", sentence(code)),
            }]
        }
        (status, _) => vec![
            Change::Accepted {
                id,
                wamid: wamid.clone(),
            },
            Change::Status(Reported {
                wamid,
                status,
                callback_data: None,
                recipient: ContactInfo::default(),
                error: None,
                pricing: None,
            }),
        ],
    };
    write(engine, settle).await?;
    Ok(events)
}

fn conversation_of(e: &Event) -> Option<u64> {
    match e {
        Event::MessageReceived { conversation, .. } | Event::MessageQueued { conversation, .. } => {
            Some(conversation.id)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_parses_and_is_rich_enough() {
        let s = parse().unwrap();
        assert!(s.records.len() >= 10);
        for r in &s.records {
            r.validate(0).unwrap();
        }
        let now = Utc::now();
        let closed = s.conversations.iter().filter(|c| {
            c.last_inbound(now)
                .is_none_or(|t| now - t > Duration::hours(24))
        });
        assert!(closed.count() >= 1, "one conversation's window has closed");
        assert!(
            s.conversations
                .iter()
                .flat_map(|c| &c.messages)
                .any(|m| m.status == Some(Status::Failed))
        );
        assert!(s.conversations.iter().any(|c| !c.read));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_ago("2d3h"), Some(Duration::hours(51)));
        assert_eq!(parse_ago("14m"), Some(Duration::minutes(14)));
        assert_eq!(parse_ago("3x"), None);
        assert_eq!(parse_ago("5"), None);
    }
}
