//! When the contact is told: "read" once per message of theirs (opening a conversation again
//! tells WhatsApp nothing new), and "typing…" at most once every 20 seconds while a reply is
//! being written (WhatsApp shows it for 25 s, or until the reply).

use std::time::{Duration, Instant};

/// How long WhatsApp's "typing…" is let stand before it is sent again.
pub const TYPING_EVERY: Duration = Duration::from_secs(20);

/// What the contact of one conversation was last told.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Told {
    /// The newest of their messages marked read.
    pub read: Option<String>,
    /// When "typing…" was last shown.
    pub typing_at: Option<Instant>,
}

/// What to send now about the contact's newest message `wamid`, if anything: `Some(false)` a
/// read receipt, `Some(true)` a read receipt with "typing…" (WhatsApp has no "typing…"
/// without one). `receipts`: whether plain read receipts are sent at all. Notes it as told.
pub fn to_send(
    told: &mut Told,
    wamid: &str,
    receipts: bool,
    typing: bool,
    now: Instant,
) -> Option<bool> {
    let unread = receipts && told.read.as_deref() != Some(wamid);
    let typing = typing
        && told
            .typing_at
            .is_none_or(|at| now.duration_since(at) >= TYPING_EVERY);
    if !unread && !typing {
        return None;
    }
    told.read = Some(wamid.to_owned());
    if typing {
        told.typing_at = Some(now);
    }
    Some(typing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_once_per_message_and_typing_every_twenty_seconds() {
        let t = Instant::now();
        let mut told = Told::default();
        assert_eq!(to_send(&mut told, "wamid.A", true, false, t), Some(false));
        assert_eq!(
            to_send(&mut told, "wamid.A", true, false, t),
            None,
            "opened again"
        );
        assert_eq!(to_send(&mut told, "wamid.A", true, true, t), Some(true));
        let soon = t + Duration::from_secs(5);
        assert_eq!(to_send(&mut told, "wamid.A", true, true, soon), None);
        assert_eq!(
            to_send(&mut told, "wamid.B", true, true, soon),
            Some(false),
            "a new message is marked read; typing waits its turn"
        );
        let later = t + TYPING_EVERY;
        assert_eq!(to_send(&mut told, "wamid.B", true, true, later), Some(true));
        // Without read receipts, only "typing…" (which marks read as WhatsApp's call does).
        let mut quiet = Told::default();
        assert_eq!(to_send(&mut quiet, "wamid.A", false, false, t), None);
        assert_eq!(to_send(&mut quiet, "wamid.A", false, true, t), Some(true));
    }
}
