//! What a contact's message does to what is stored, and what a delivery status does to one of
//! our messages: pure rules over plain values. The store reads what they need, calls them in
//! its transaction, and writes what they return.

use chrono::{DateTime, Utc};

use super::message::{Direction, Effect, Media, Message, Pricing, Status, Summary};

/// A contact's reaction, edit or deletion applied to the earlier message it is about.
/// A deletion keeps the text the recruiter already saw: the thread does not rewrite its past.
pub fn change_earlier(original: &mut Message, effect: &Effect) {
    match effect {
        Effect::React { emoji, .. } => original.reaction.clone_from(emoji),
        Effect::Edit { summary, .. } => {
            original.text.clone_from(&summary.text);
            original.kind.clone_from(&summary.kind);
            original.media.clone_from(&summary.media);
            original.edited = true;
        }
        Effect::Revoke { .. } => original.deleted = true,
        Effect::New(_) => {}
    }
}

/// Where a contact's message is stored as a message of its own: a new one, or a change to a
/// message never seen here (kept, never dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival<'a> {
    pub id: u64,
    pub conversation_id: u64,
    pub wamid: &'a str,
    pub at: DateTime<Utc>,
    pub reply_to: Option<&'a String>,
    pub error_code: Option<i64>,
    pub payload: Option<&'a serde_json::Value>,
}

/// The message an arrival becomes.
pub fn inbound_message(arrival: &Arrival<'_>, effect: &Effect) -> Message {
    let (summary, edited, deleted) = match effect {
        Effect::New(s) => (s.clone(), false, false),
        Effect::Edit { summary, .. } => (summary.clone(), true, false),
        Effect::React { emoji, .. } => (
            Summary {
                kind: "reaction".into(),
                text: format!(
                    "Reacted {} to an earlier message",
                    emoji.as_deref().unwrap_or("(removed)")
                ),
                media: None,
            },
            false,
            false,
        ),
        Effect::Revoke { .. } => (
            Summary {
                kind: "revoke".into(),
                text: "Deleted an earlier message".into(),
                media: None,
            },
            false,
            true,
        ),
    };
    Message {
        id: arrival.id,
        conversation_id: arrival.conversation_id,
        wamid: Some(arrival.wamid.to_owned()),
        direction: Direction::In,
        kind: summary.kind,
        text: summary.text,
        status: Status::Delivered,
        error: None,
        error_code: arrival.error_code,
        at: arrival.at,
        // A file WhatsApp holds is fetched after the webhook is taken: queued from here on.
        media: summary.media.map(|m| match m.id {
            Some(_) if m.fetch.is_none() => Media {
                fetch: Some(super::attachment::Fetch::Fetching),
                ..m
            },
            _ => m,
        }),
        reply_to: arrival.reply_to.cloned(),
        reaction: None,
        edited,
        deleted,
        sent_by: None,
        outbox_id: None,
        pricing: None,
        payload: arrival.payload.cloned(),
    }
}

/// A status webhook about one of our messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report<'a> {
    pub wamid: &'a str,
    pub status: Status,
    pub error: Option<&'a (i64, String)>,
    pub pricing: Option<&'a Pricing>,
}

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    pub failed: Failed,
    /// Nothing is left to send: the outbox item, if any, goes.
    pub settles_outbox: bool,
    /// The message has a wamid only now (the report told it).
    pub learned_wamid: bool,
}

/// How the report changed whether the message is failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    Same,
    /// Failed now and not before.
    Now,
    /// Failed before and not any more.
    NoLonger,
}

/// Applies a report to `message`. `uncertain` says its outbox item was uncertain (an attempt
/// without an answer, or interrupted): any report settles it, taking the real status.
/// Otherwise a status never moves backwards and a failure counts only before delivery.
pub fn report(message: &mut Message, uncertain: bool, in_outbox: bool, r: &Report<'_>) -> Reported {
    let before = message.status;
    if uncertain && r.status != Status::Failed {
        // WhatsApp did get the attempt.
        message.status = r.status;
        message.error = None;
    } else {
        message.status = message.status.advance(r.status);
    }
    if message.status == Status::Failed
        && before != Status::Failed
        && let Some((code, sentence)) = r.error
    {
        message.error = Some(sentence.clone());
        message.error_code = Some(*code);
    }
    let learned_wamid = message.wamid.is_none();
    if learned_wamid {
        message.wamid = Some(r.wamid.to_owned());
    }
    if let Some(p) = r.pricing {
        message.pricing = Some(p.clone());
    }
    let failed_now = message.status == Status::Failed;
    let failed_before = before == Status::Failed;
    Reported {
        failed: match (failed_before, failed_now) {
            (false, true) => Failed::Now,
            (true, false) => Failed::NoLonger,
            _ => Failed::Same,
        },
        settles_outbox: in_outbox && (r.status != Status::Failed || uncertain),
        learned_wamid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(status: Status) -> Message {
        let mut m = inbound_message(
            &Arrival {
                id: 1,
                conversation_id: 1,
                wamid: "wamid.X",
                at: DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
                reply_to: None,
                error_code: None,
                payload: None,
            },
            &Effect::New(Summary {
                kind: "text".into(),
                text: "hi".into(),
                media: None,
            }),
        );
        m.direction = Direction::Out;
        m.status = status;
        m.wamid = None;
        m
    }

    fn r(status: Status) -> Report<'static> {
        Report {
            wamid: "wamid.X",
            status,
            error: None,
            pricing: None,
        }
    }

    #[test]
    fn reports_move_forward_and_settle_an_uncertain_send() {
        let mut m = ours(Status::Read);
        let done = report(&mut m, false, false, &r(Status::Delivered));
        assert_eq!(m.status, Status::Read);
        assert!(done.learned_wamid && done.failed == Failed::Same);
        let mut m = ours(Status::Uncertain);
        m.error = Some("may have been sent".into());
        let done = report(&mut m, true, true, &r(Status::Delivered));
        assert_eq!((m.status, m.error.as_deref()), (Status::Delivered, None));
        assert!(done.settles_outbox);
    }

    #[test]
    fn a_failure_report_counts_once_and_says_why() {
        let why = (131_026, "undeliverable".to_owned());
        let mut m = ours(Status::Sent);
        let report_failed = Report {
            error: Some(&why),
            ..r(Status::Failed)
        };
        assert_eq!(
            report(&mut m, false, true, &report_failed).failed,
            Failed::Now
        );
        assert_eq!(m.error.as_deref(), Some("undeliverable"));
        assert_eq!(
            report(&mut m, false, true, &report_failed).failed,
            Failed::Same
        );
        // A pending item is not settled by a failure report of an earlier attempt.
        let mut m = ours(Status::Sent);
        assert!(!report(&mut m, false, true, &report_failed).settles_outbox);
    }

    #[test]
    fn changes_to_messages_never_seen_are_kept_with_a_sentence() {
        let arrival = Arrival {
            id: 7,
            conversation_id: 3,
            wamid: "wamid.R",
            at: DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
            reply_to: None,
            error_code: None,
            payload: None,
        };
        let m = inbound_message(
            &arrival,
            &Effect::React {
                target: "wamid.GONE".into(),
                emoji: Some("👍".into()),
            },
        );
        assert_eq!(m.text, "Reacted 👍 to an earlier message");
        let m = inbound_message(
            &arrival,
            &Effect::Revoke {
                target: "wamid.GONE".into(),
            },
        );
        assert!(m.deleted && m.kind == "revoke");
        let mut original = ours(Status::Delivered);
        change_earlier(
            &mut original,
            &Effect::Revoke {
                target: "wamid.X".into(),
            },
        );
        assert!(original.deleted && original.text == "hi", "the text stays");
    }
}
