//! Small pure formatting rules for the screen: relative times, window countdowns, text width,
//! wrapping that measures wide characters (Japanese, emoji) as two columns.

use chrono::{DateTime, FixedOffset, Utc};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::domain::safe_text::neutralise;

/// `now`, `5m`, `3h`, `2d`, then the date.
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    let d = now - at;
    if d.num_minutes() < 1 {
        "now".into()
    } else if d.num_hours() < 1 {
        format!("{}m", d.num_minutes())
    } else if d.num_days() < 1 {
        format!("{}h", d.num_hours())
    } else if d.num_days() < 7 {
        format!("{}d", d.num_days())
    } else {
        at.with_timezone(&tz).format("%-d %b").to_string()
    }
}

/// Time left in the 24-hour window: `⏳ 3h12`, or `None` when it is closed.
pub fn countdown(expires: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<String> {
    let end = expires?;
    let left = end - now;
    (left.num_seconds() > 0)
        .then(|| format!("⏳ {}h{:02}", left.num_hours(), left.num_minutes() % 60))
}

/// Display width in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Safe, single-line text cut to `max` columns with `…`.
pub fn fit(s: &str, max: usize) -> String {
    let safe = neutralise(s, false);
    if width(&safe) <= max {
        return safe.into_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in safe.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Wraps safe text into lines of at most `max` columns, breaking at spaces where it can and
/// anywhere in runs without spaces (Japanese has none).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(2);
    let safe = neutralise(text, true);
    let mut lines = Vec::new();
    for paragraph in safe.split('\n') {
        let paragraph = paragraph.replace('\t', "    ");
        let mut line = String::new();
        let mut used = 0;
        for word in split_keeping_spaces(&paragraph) {
            let w = width(word);
            if used + w <= max {
                line.push_str(word);
                used += w;
                continue;
            }
            if word.trim().is_empty() {
                // A space at the break point is dropped.
                lines.push(std::mem::take(&mut line));
                used = 0;
                continue;
            }
            if used > 0 && w <= max {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                used = 0;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > max {
                    // Japanese line breaking: closing punctuation never starts a line, so the
                    // character before it moves down with it.
                    let carry = if NO_LINE_START.contains(c) && line.chars().count() > 1 {
                        line.pop()
                    } else {
                        None
                    };
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                    if let Some(p) = carry {
                        line.push(p);
                        used += p.width().unwrap_or(0);
                    }
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// Characters that must not begin a line (kinsoku shori).
const NO_LINE_START: &str =
    "、。，．,.！？!?）)」』】〉》ー…・：；ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ";

fn split_keeping_spaces(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == ' ' {
            if start < i {
                out.push(&s[start..i]);
            }
            out.push(&s[i..=i]);
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn relative_times() {
        let now = t("2026-11-25T12:00:00Z");
        let utc = FixedOffset::east_opt(0).unwrap();
        assert_eq!(ago(t("2026-11-25T11:59:30Z"), now, utc), "now");
        assert_eq!(ago(t("2026-11-25T11:15:00Z"), now, utc), "45m");
        assert_eq!(ago(t("2026-11-25T01:00:00Z"), now, utc), "11h");
        assert_eq!(ago(t("2026-11-22T12:00:00Z"), now, utc), "3d");
        assert_eq!(ago(t("2026-11-02T12:00:00Z"), now, utc), "2 Nov");
    }

    #[test]
    fn countdowns() {
        let now = t("2026-11-25T12:00:00Z");
        assert_eq!(
            countdown(Some(t("2026-11-25T15:12:30Z")), now).as_deref(),
            Some("⏳ 3h12")
        );
        assert_eq!(countdown(Some(t("2026-11-25T11:00:00Z")), now), None);
        assert_eq!(countdown(None, now), None);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("面接"), 4);
        assert_eq!(fit("面接の時間を変更", 7), "面接の…");
        assert_eq!(
            wrap("面接の時間を変更できますか", 8),
            ["面接の時", "間を変更", "できます", "か"]
        );
        // "。" may not start a line: "た" comes down with it.
        assert_eq!(
            wrap("ありがとうございました。", 10),
            ["ありがとう", "ございまし", "た。"]
        );
    }

    #[test]
    fn wraps_at_spaces_and_keeps_paragraphs() {
        assert_eq!(
            wrap("the interview is on Tuesday", 12),
            ["the", "interview is", "on Tuesday"]
        );
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert!(wrap("x\u{1b}[2J", 20)[0].starts_with("x␛"));
    }
}
