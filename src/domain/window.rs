//! The 24-hour customer service window: free text only within 24 h of the contact's last
//! message; after that, only approved templates.

use chrono::{DateTime, Duration, Utc};

pub const SERVICE_WINDOW_HOURS: i64 = 24;

/// When the window opened by `last_inbound_at` closes.
pub fn expires_at(last_inbound_at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    last_inbound_at.map(|t| t + Duration::hours(SERVICE_WINDOW_HOURS))
}

pub fn is_open(last_inbound_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    expires_at(last_inbound_at).is_some_and(|end| now < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_for_exactly_24_hours() {
        let t = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .to_utc();
        assert!(is_open(Some(t), t));
        assert!(is_open(
            Some(t),
            t + Duration::hours(24) - Duration::seconds(1)
        ));
        assert!(!is_open(Some(t), t + Duration::hours(24)));
        assert!(!is_open(None, t));
        assert_eq!(expires_at(Some(t)), Some(t + Duration::hours(24)));
    }
}
