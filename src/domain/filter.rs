//! Filters over conversations, in one query syntax for the TUI and the CLI:
//! `unreplied>3d owner:me window:open`. Terms combine (all must hold). A parse error points at
//! the word it could not read.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::conversation_state::ConversationStatus;

/// What a filter looks at in a conversation.
#[derive(Debug, Clone, Default)]
pub struct Subject<'a> {
    pub last_outbound_at: Option<DateTime<Utc>>,
    /// Since when the contact has waited for an answer (`conversation::waiting_since`).
    pub waiting_since: Option<DateTime<Utc>>,
    pub last_message_at: Option<DateTime<Utc>>,
    pub unread: u32,
    pub failed: u32,
    pub owner: Option<&'a str>,
    pub last_replied_by: Option<&'a str>,
    pub window_expires_at: Option<DateTime<Utc>>,
    pub status: ConversationStatus,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub labels: &'a [String],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// Longer ago than the duration (`>3d`).
    Older,
    /// Within the duration (`<3d`).
    Within,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Me,
    User(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// The last message is the contact's and has no answer (optionally: for longer/less than).
    Unreplied(Option<(Compare, Duration)>),
    /// We answered, optionally within/longer than.
    Replied(Option<(Compare, Duration)>),
    /// We answered today, in the asker's time zone: since that midnight, once the engine has
    /// told it (`Filter::today_from`); until then, within the last 24 hours.
    RepliedToday(Option<DateTime<Utc>>),
    /// The last message, either side.
    Last(Compare, Duration),
    Owner(Who),
    RepliedBy(Who),
    WindowOpen,
    WindowClosed,
    /// Open, and closing within the duration.
    WindowClosingWithin(Duration),
    Unread,
    Failed,
    /// Open, pending or resolved.
    Status(ConversationStatus),
    /// Snoozed, until a time still to come.
    Snoozed,
    /// Nobody's (`assignee:none`).
    Unassigned,
    /// Carries the label.
    Label(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub terms: Vec<Term>,
}

/// Until when a conversation whose contact wrote last counts as unreplied (config
/// `[triage] unreplied_until`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnrepliedUntil {
    /// Until someone answers: opening it is not answering.
    #[default]
    Answered,
    /// Until someone answers or reads it.
    Read,
}

impl Filter {
    /// The filter as `until` reads it: with `Read`, "unreplied" also means "unread".
    #[must_use]
    pub fn counting(mut self, until: UnrepliedUntil) -> Self {
        let unreplied = self.terms.iter().any(|t| matches!(t, Term::Unreplied(_)));
        if until == UnrepliedUntil::Read && unreplied && !self.terms.contains(&Term::Unread) {
            self.terms.push(Term::Unread);
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{word:?} (word {position}) {message}\n  {query}\n  {caret}")]
pub struct ParseError {
    pub query: String,
    pub word: String,
    /// 1-based.
    pub position: usize,
    pub message: String,
    caret: String,
}

/// The words a filter understands, for help and errors.
pub const SYNTAX: &str = "unreplied[>|<N(h|d|w|m)] replied[>|<N…] replied:today last>|<N… owner:me|LOGIN|none (or assignee:…) repliedby:me|LOGIN window:open|closed window<N(h|d) unread failed status:open|pending|resolved snoozed label:NAME";

fn duration(s: &str) -> Option<Duration> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok()?;
    Some(match unit {
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        "w" => Duration::weeks(n),
        "m" => Duration::days(30 * n),
        _ => return None,
    })
}

fn compare(rest: &str) -> Option<(Compare, Duration)> {
    let (c, d) = match rest.chars().next()? {
        '>' => (Compare::Older, &rest[1..]),
        '<' => (Compare::Within, &rest[1..]),
        _ => return None,
    };
    Some((c, duration(d)?))
}

fn who(s: &str) -> Option<Who> {
    match s {
        "" => None,
        "me" => Some(Who::Me),
        other => Some(Who::User(other.to_owned())),
    }
}

impl Filter {
    pub fn parse(query: &str) -> Result<Self, ParseError> {
        let mut terms = Vec::new();
        for (i, word) in query.split_whitespace().enumerate() {
            let w = word.to_lowercase();
            let term = if let Some(rest) = w.strip_prefix("unreplied") {
                if rest.is_empty() {
                    Some(Term::Unreplied(None))
                } else {
                    compare(rest).map(|c| Term::Unreplied(Some(c)))
                }
            } else if let Some(rest) = w.strip_prefix("repliedby:") {
                who(rest).map(Term::RepliedBy)
            } else if w == "replied:today" {
                Some(Term::RepliedToday(None))
            } else if let Some(rest) = w.strip_prefix("replied") {
                if rest.is_empty() {
                    Some(Term::Replied(None))
                } else {
                    compare(rest).map(|c| Term::Replied(Some(c)))
                }
            } else if let Some(rest) = w.strip_prefix("last") {
                compare(rest).map(|(c, d)| Term::Last(c, d))
            } else if w == "owner:none" || w == "assignee:none" {
                Some(Term::Unassigned)
            } else if let Some(rest) = w
                .strip_prefix("owner:")
                .or_else(|| w.strip_prefix("assignee:"))
            {
                who(rest).map(Term::Owner)
            } else if w == "window:open" {
                Some(Term::WindowOpen)
            } else if w == "window:closed" {
                Some(Term::WindowClosed)
            } else if let Some(rest) = w.strip_prefix("window<") {
                duration(rest).map(Term::WindowClosingWithin)
            } else if w == "unread" {
                Some(Term::Unread)
            } else if w == "failed" {
                Some(Term::Failed)
            } else if let Some(rest) = w.strip_prefix("status:") {
                ConversationStatus::parse(rest).map(Term::Status)
            } else if let Some(name) = w.strip_prefix("label:") {
                (!name.is_empty()).then(|| Term::Label(name.to_owned()))
            } else if w == "snoozed" {
                Some(Term::Snoozed)
            } else {
                None
            };
            let Some(t) = term else {
                let before: usize = query.find(word).map_or(0, |p| query[..p].chars().count());
                return Err(ParseError {
                    query: query.to_owned(),
                    word: word.to_owned(),
                    position: i + 1,
                    message: "is not a filter word; it understands ".to_owned() + SYNTAX,
                    caret: format!(
                        "{}{}",
                        " ".repeat(before),
                        "^".repeat(word.chars().count().max(1))
                    ),
                });
            };
            terms.push(t);
        }
        Ok(Self { terms })
    }

    /// "Today" starts at `from` (the asker's midnight).
    #[must_use]
    pub fn today_from(mut self, from: DateTime<Utc>) -> Self {
        for t in &mut self.terms {
            if let Term::RepliedToday(at) = t {
                *at = Some(from);
            }
        }
        self
    }

    /// Whether a conversation passes every term. `me` is the login of the person asking.
    pub fn matches(&self, s: &Subject<'_>, me: &str, now: DateTime<Utc>) -> bool {
        self.terms.iter().all(|t| term_matches(t, s, me, now))
    }
}

fn ago_holds(at: Option<DateTime<Utc>>, c: Compare, d: Duration, now: DateTime<Utc>) -> bool {
    at.is_some_and(|t| match c {
        Compare::Older => now - t > d,
        Compare::Within => now - t <= d,
    })
}

fn is(who: &Who, value: Option<&str>, me: &str) -> bool {
    match who {
        Who::Me => value == Some(me),
        Who::User(u) => value.is_some_and(|v| v.eq_ignore_ascii_case(u)),
    }
}

fn term_matches(t: &Term, s: &Subject<'_>, me: &str, now: DateTime<Utc>) -> bool {
    // Unreplied: open and not snoozed, and the contact wrote last (after our last message,
    // if any); for how long, since their first message not answered.
    let unreplied = s.status.is_open() && s.snoozed_until.is_none() && s.waiting_since.is_some();
    match t {
        Term::Unreplied(None) => unreplied,
        Term::Unreplied(Some((c, d))) => unreplied && ago_holds(s.waiting_since, *c, *d, now),
        Term::Replied(None) => s.last_outbound_at.is_some(),
        Term::Replied(Some((c, d))) => ago_holds(s.last_outbound_at, *c, *d, now),
        Term::RepliedToday(from) => {
            let from = from.unwrap_or(now - Duration::hours(24));
            s.last_outbound_at.is_some_and(|t| t >= from)
        }
        Term::Last(c, d) => ago_holds(s.last_message_at, *c, *d, now),
        Term::Owner(w) => is(w, s.owner, me),
        Term::RepliedBy(w) => is(w, s.last_replied_by, me),
        Term::WindowOpen => s.window_expires_at.is_some_and(|e| now < e),
        Term::WindowClosed => s.window_expires_at.is_none_or(|e| now >= e),
        Term::WindowClosingWithin(d) => s
            .window_expires_at
            .is_some_and(|e| now < e && e - now <= *d),
        Term::Unread => s.unread > 0,
        Term::Failed => s.failed > 0,
        Term::Status(status) => s.status == *status,
        Term::Snoozed => s.snoozed_until.is_some(),
        Term::Unassigned => s.owner.is_none(),
        Term::Label(name) => s.labels.iter().any(|l| l == name),
    }
}

/// The built-in views: (name, what it shows, its query).
pub const BUILT_IN_VIEWS: &[(&str, &str, &str)] = &[
    (
        "my-unreplied",
        "Unreplied messages (mine)",
        "unreplied owner:me",
    ),
    ("sent-today", "All messages sent today", "replied:today"),
    ("all-unreplied", "All unreplied messages", "unreplied"),
];

/// When today began at `now` in the zone `tz`: its first instant (midnight, or the first
/// moment after it where a clock change skips midnight).
pub fn start_of_day<Z: chrono::TimeZone>(now: DateTime<Utc>, tz: &Z) -> DateTime<Utc> {
    let day = now.with_timezone(tz).date_naive();
    (0..=3)
        .find_map(|h| {
            tz.from_local_datetime(&day.and_hms_opt(h, 0, 0)?)
                .earliest()
        })
        .map_or(now - Duration::hours(24), |t| t.with_timezone(&Utc))
}

pub fn built_in_view(name: &str) -> Option<&'static str> {
    BUILT_IN_VIEWS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, _, q)| *q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn now() -> DateTime<Utc> {
        t("2026-11-25T12:00:00Z")
    }

    #[test]
    fn sent_today_starts_at_the_askers_midnight() {
        // 12:00 UTC is 21:00 in Tokyo: today there began at 15:00 UTC yesterday.
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        let from = start_of_day(now(), &tokyo);
        assert_eq!(from, t("2026-11-24T15:00:00Z"));
        let f = Filter::parse("replied:today").unwrap().today_from(from);
        let replied = |at: &str| Subject {
            last_outbound_at: Some(t(at)),
            ..Subject::default()
        };
        assert!(f.matches(&replied("2026-11-24T15:30:00Z"), "x", now()));
        assert!(!f.matches(&replied("2026-11-24T14:30:00Z"), "x", now()));
        // In London the same reply was yesterday, though within 24 hours.
        let london = start_of_day(now(), &chrono_tz::Europe::London);
        let f = Filter::parse("replied:today").unwrap().today_from(london);
        assert!(!f.matches(&replied("2026-11-24T15:30:00Z"), "x", now()));
        assert!(f.matches(&replied("2026-11-25T00:30:00Z"), "x", now()));
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_its_first_hour() {
        // Santiago springs forward at midnight: 2026-09-06 starts at 01:00 local.
        let at = t("2026-09-06T12:00:00Z");
        let from = start_of_day(at, &chrono_tz::America::Santiago);
        assert_eq!(from, t("2026-09-06T04:00:00Z"));
    }

    fn waiting_days(days: i64) -> Subject<'static> {
        let at = now() - Duration::days(days);
        Subject {
            waiting_since: Some(at),
            last_message_at: Some(at),
            window_expires_at: Some(at + Duration::hours(24)),
            unread: 1,
            owner: Some("aiko"),
            ..Subject::default()
        }
    }

    #[test]
    fn unreplied_for_more_than() {
        let f = Filter::parse("unreplied>3d owner:me").unwrap();
        assert!(f.matches(&waiting_days(4), "aiko", now()));
        assert!(!f.matches(&waiting_days(2), "aiko", now()));
        assert!(!f.matches(&waiting_days(4), "ken", now()));
        let mut answered = waiting_days(4);
        answered.last_outbound_at = Some(now() - Duration::days(1));
        answered.waiting_since = None;
        assert!(!f.matches(&answered, "aiko", now()));
    }

    #[test]
    fn windows() {
        let fresh = waiting_days(0);
        let mut closing = waiting_days(0);
        closing.window_expires_at = Some(now() + Duration::hours(1));
        assert!(
            Filter::parse("window:open")
                .unwrap()
                .matches(&fresh, "x", now())
        );
        assert!(
            Filter::parse("window:closed")
                .unwrap()
                .matches(&waiting_days(2), "x", now())
        );
        assert!(
            Filter::parse("window<2h")
                .unwrap()
                .matches(&closing, "x", now())
        );
        assert!(
            !Filter::parse("window<2h")
                .unwrap()
                .matches(&waiting_days(2), "x", now())
        );
    }

    #[test]
    fn errors_point_at_the_word() {
        let e = Filter::parse("unreplied>3d ownr:me window:open").unwrap_err();
        assert_eq!((e.word.as_str(), e.position), ("ownr:me", 2));
        let shown = e.to_string();
        assert!(shown.contains("             ^^^^^^^"), "{shown}");
        assert!(Filter::parse("unreplied>3x").is_err());
        assert!(Filter::parse("").unwrap().terms.is_empty());
    }

    #[test]
    fn built_in_views_parse() {
        for (name, _, q) in BUILT_IN_VIEWS {
            assert!(Filter::parse(q).is_ok(), "{name}");
        }
    }
}
