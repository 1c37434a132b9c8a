//! `[outreach]`: sends that are not a recruiter's immediate reply — scheduled ones, rules',
//! bulk sends: how late a missed one may still go, quiet hours, the bulk undo period.

use serde::Deserialize;

/// Sends that are not a recruiter's immediate reply.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutreachConfig {
    /// A scheduled send whose time passed while hirechat was not running goes late within
    /// this many minutes of its time, and is skipped (with why) after.
    pub late_grace_minutes: u32,
    /// Scheduled (and automated) sends wait while it is night where the recipient is:
    /// "21:00-08:00" in their time zone (their record's, else their number's country's).
    pub quiet_hours: Option<crate::domain::quiet_hours::QuietHours>,
    /// How long a confirmed bulk send waits before its first message leaves: the time to
    /// take it back.
    pub bulk_undo_secs: u32,
}

impl Default for OutreachConfig {
    fn default() -> Self {
        Self {
            late_grace_minutes: 60,
            quiet_hours: None,
            bulk_undo_secs: 10,
        }
    }
}
