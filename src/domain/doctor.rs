//! `hirechat doctor`'s judgements: each fact gathered about the inbox (the number's rating,
//! the clock, the disk, webhooks arriving) turned into ok, warn or fail, with the fix.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// How the report counts sizes (as `df -m` does).
const MB: u64 = 1024 * 1024;

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked (`token`, `number`, `clock`…).
    pub name: String,
    pub level: Level,
    /// What was found.
    pub found: String,
    /// What to do, when not ok.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(name: &str, found: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            level: Level::Ok,
            found: found.into(),
            fix: None,
        }
    }

    pub fn warn(name: &str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            level: Level::Warn,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(name: &str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            level: Level::Fail,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }
}

/// The worst level of a report: what its exit code says.
pub fn worst(checks: &[Check]) -> Level {
    checks.iter().map(|c| c.level).max().unwrap_or(Level::Ok)
}

/// The number's quality rating and status as WhatsApp gives them.
pub fn number(quality: Option<&str>, status: Option<&str>, limit: Option<&str>) -> Check {
    let found = format!(
        "quality {}, status {}, messaging limit {}",
        quality.unwrap_or("not rated yet"),
        status.unwrap_or("unknown"),
        limit.unwrap_or("unknown")
    );
    match (quality, status) {
        (_, Some("RESTRICTED" | "BANNED" | "DISCONNECTED" | "DELETED")) => Check::fail(
            "number",
            found,
            "WhatsApp limits this number: see WhatsApp Manager → Account tools → Phone numbers for why, and the Business Support Home to appeal",
        ),
        (Some("RED"), _) | (_, Some("FLAGGED")) => Check::warn(
            "number",
            found,
            "recipients block or report these messages: send fewer business-initiated templates and only to people who asked for them, or WhatsApp lowers the messaging limit",
        ),
        (Some("YELLOW"), _) => Check::warn(
            "number",
            found,
            "quality is falling: check which templates recipients block (WhatsApp Manager → Insights)",
        ),
        _ => Check::ok("number", found),
    }
}

/// The difference between this machine's clock and the API's, in seconds (positive: ours is
/// ahead).
pub fn clock(skew_secs: i64) -> Check {
    let found = format!("this machine's clock is {skew_secs:+} s from the API's");
    let fix = "set the clock from the network (`timedatectl set-ntp true`, or chrony): the 24-hour windows and message times are computed from it";
    match skew_secs.unsigned_abs() {
        0..=30 => Check::ok("clock", found),
        31..=300 => Check::warn("clock", found, fix),
        _ => Check::fail("clock", found, fix),
    }
}

/// Free room on the data directory's disk.
pub fn disk(free_bytes: u64, total_bytes: u64) -> Check {
    let found = format!(
        "{} MB free of {} MB on the data directory's disk",
        free_bytes / MB,
        total_bytes / MB
    );
    let fix = "free room on that disk (old files go with `[attachments] keep_days`): with a full disk the daemon answers WhatsApp 503 and nothing new is stored";
    if free_bytes < 100 * MB {
        Check::fail("disk", found, fix)
    } else if free_bytes < 1024 * MB || free_bytes.saturating_mul(20) < total_bytes {
        Check::warn("disk", found, fix)
    } else {
        Check::ok("disk", found)
    }
}

/// The database's size on disk, beside its size right after its last compaction; `worth`:
/// it has grown enough to be written anew (`Store::compact`).
pub fn database_size(bytes: u64, after_last: Option<u64>, worth: bool) -> Check {
    let since = after_last.map_or_else(
        || "never compacted".to_owned(),
        |after| format!("{} MB after its last compaction", after / MB),
    );
    let found = format!("{} MB on disk ({since})", bytes / MB);
    if worth {
        Check::warn(
            "db size",
            found,
            "stop `hirechat serve` and every inbox on it, then run `hirechat compact` (a daemon that stops does it on its way out); it keeps only the live data",
        )
    } else {
        Check::ok("db size", found)
    }
}

/// Whether webhooks arrive, on a daemon that takes them directly: the last one, and how long
/// the daemon has been up (a quiet hour on a fresh daemon says little).
pub fn arriving(last_secs_ago: Option<i64>, up_secs: i64) -> Check {
    let fix = "check the app's subscription (`hirechat connect`), the callback URL in the App Dashboard, and that it reaches this daemon's listener (or use a relay: `[webhook] mode = \"relay\"`)";
    match last_secs_ago {
        Some(s) => {
            let found = format!("the last webhook arrived {} ago", span(s));
            if s > 7 * 24 * 3600 {
                Check::warn("webhooks", found, fix)
            } else {
                Check::ok("webhooks", found)
            }
        }
        None if up_secs > 24 * 3600 => Check::warn(
            "webhooks",
            format!("none in the {} since the engine started", span(up_secs)),
            fix,
        ),
        None => Check::ok(
            "webhooks",
            format!("none yet (the engine started {} ago)", span(up_secs)),
        ),
    }
}

fn span(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_facts() {
        assert_eq!(
            number(Some("GREEN"), Some("CONNECTED"), None).level,
            Level::Ok
        );
        assert_eq!(
            number(Some("YELLOW"), Some("CONNECTED"), None).level,
            Level::Warn
        );
        assert_eq!(
            number(Some("GREEN"), Some("RESTRICTED"), None).level,
            Level::Fail
        );
        assert_eq!(clock(-5).level, Level::Ok);
        assert_eq!(clock(90).level, Level::Warn);
        assert_eq!(clock(-900).level, Level::Fail);
        let gb = 1024 * 1024 * 1024;
        assert_eq!(disk(50 * gb, 100 * gb).level, Level::Ok);
        assert_eq!(disk(3 * gb, 100 * gb).level, Level::Warn);
        assert_eq!(disk(50 * 1024 * 1024, 100 * gb).level, Level::Fail);
        assert_eq!(
            database_size(900 << 20, Some(500 << 20), true).level,
            Level::Warn
        );
        assert!(
            database_size(90 << 20, None, false)
                .found
                .contains("never compacted")
        );
        assert_eq!(
            database_size(600 << 20, Some(500 << 20), false).level,
            Level::Ok
        );
        assert_eq!(arriving(None, 600).level, Level::Ok);
        assert_eq!(arriving(None, 3 * 86_400).level, Level::Warn);
        assert_eq!(arriving(Some(60), 3 * 86_400).level, Level::Ok);
        let report = [clock(0), clock(90)];
        assert_eq!(worst(&report), Level::Warn);
        assert!(clock(90).fix.is_some());
    }
}
