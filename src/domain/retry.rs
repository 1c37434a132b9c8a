//! Sending a failed message again: only ours, only failed, and not when it failed for a
//! reason that will not change (the number is not on WhatsApp, it is the business's own, the
//! contact stopped marketing messages, the request itself was refused). The retry is the same
//! message, queued again from its first attempt.

use chrono::{DateTime, Utc};

use super::{
    message::{Direction, Message, Status},
    outbox::{OutboxItem, OutboxState},
};

/// WhatsApp codes whose failure a retry cannot change.
const FINAL_CODES: &[i64] = &[
    // Not a WhatsApp user, or the message could not be delivered to them at all.
    131_026, // The recipient is the sender.
    131_021, // The contact stopped marketing messages.
    131_050, // The request was malformed or a parameter invalid.
    100, 131_008, 131_009, 132_000, 132_001, 132_012,
];

/// Why the message cannot be sent again, if it cannot.
pub fn refusal(message: &Message) -> Option<String> {
    if message.direction != Direction::Out {
        return Some("only our own messages are sent again".into());
    }
    if message.status != Status::Failed {
        return Some(format!(
            "only a failed message is sent again (this one is {})",
            message.status.as_str()
        ));
    }
    match message.error_code {
        Some(code) if FINAL_CODES.contains(&code) => Some(format!(
            "it failed for a reason a retry will not change (WhatsApp error {code})"
        )),
        _ => None,
    }
}

/// Whether the message is offered a retry (the chat's hint, `outbox list`).
pub fn offered(message: &Message) -> bool {
    refusal(message).is_none()
}

/// Queued again at `at`, from a first attempt: the message waits as it did when first sent.
pub fn requeue(item: &mut OutboxItem, message: &mut Message, at: DateTime<Utc>) {
    item.state = OutboxState::Pending;
    item.attempts = 0;
    item.next_attempt_at = at;
    item.last_error = None;
    message.status = Status::Queued;
    message.error = None;
    message.error_code = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: Option<i64>) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": 7, "conversation_id": 1, "wamid": null, "direction": "out", "type": "text",
            "text": "hi", "status": "failed", "error": "no", "error_code": code,
            "at": "2026-12-01T00:00:00Z"}))
        .unwrap()
    }

    #[test]
    fn what_may_go_again_and_what_never_will() {
        assert!(
            offered(&failed(Some(130_429))),
            "rate limited: later it goes"
        );
        assert!(offered(&failed(None)));
        assert!(
            offered(&failed(Some(190))),
            "the token, once an admin fixes it"
        );
        assert!(
            refusal(&failed(Some(131_026)))
                .unwrap()
                .contains("will not change")
        );
        let mut sent = failed(None);
        sent.status = Status::Sent;
        assert!(refusal(&sent).unwrap().contains("only a failed message"));
    }
}
