//! What the CLI prints: JSON for scripts, tables for people. Text from outside is neutralised
//! so a message cannot drive the terminal.

use chrono::{DateTime, FixedOffset, Offset, Utc};

use crate::{
    domain::{
        message::{Direction, Message},
        safe_text::neutralise,
    },
    engine::ConversationView,
    tui::format::{ago, fit, width},
};

pub fn json<T: serde::Serialize>(value: &T) {
    // serde_json escapes control characters inside strings, so JSON output is safe as it is.
    match serde_json::to_string_pretty(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: cannot print JSON: {e}"),
    }
}

/// "1 row", "3 rows".
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The list as a table; `filtered` says the list was narrowed (a view, a filter), so an empty
/// one means nothing matched rather than nothing yet.
pub fn conversations_table(list: &[ConversationView], now: DateTime<Utc>, filtered: bool) {
    let tz: FixedOffset = chrono::Local::now().offset().fix();
    if list.is_empty() {
        if filtered {
            println!("No conversations match.");
        } else {
            println!("No conversations yet.");
        }
        return;
    }
    println!(
        "{:<24} {:<18} {:>6} {:>5} {:<10} LAST MESSAGE",
        "NAME", "NUMBER", "UNREAD", "AGO", "WINDOW"
    );
    for c in list {
        let number = c.wa_id.as_ref().map_or_else(
            || c.user_id.clone().unwrap_or_default(),
            |w| format!("+{w}"),
        );
        let window = match c.window_expires_at {
            Some(end) if c.window_open => {
                let left = end - now;
                format!("{}h{:02}", left.num_hours(), left.num_minutes() % 60)
            }
            _ => "closed".into(),
        };
        let failed = if c.failed > 0 { " ✗" } else { "" };
        // Padded by display width, so Japanese names keep the columns straight.
        let name = fit(&c.name, 24);
        let name = format!("{name}{}", " ".repeat(24usize.saturating_sub(width(&name))));
        println!(
            "{name} {:<18} {:>6} {:>5} {:<10} {}{failed}",
            number,
            c.unread,
            c.last_message_at
                .map_or_else(|| "-".into(), |t| ago(t, now, tz)),
            window,
            fit(&c.last_text, 60),
        );
    }
}

pub fn messages_table(
    c: &ConversationView,
    messages: &[Message],
    trail: &[crate::domain::conversation_state::TrailEntry],
) {
    println!("{}", neutralise(&c.name, false));
    let first = messages.first().map(|m| m.at);
    let mut trail = trail
        .iter()
        .filter(|e| first.is_none_or(|f| e.at >= f))
        .peekable();
    for m in messages {
        while let Some(e) = trail.next_if(|e| e.at < m.at) {
            println!(
                "{}   · {}",
                e.at.format("%Y-%m-%d %H:%M"),
                neutralise(&e.sentence(&chrono::Utc), false)
            );
        }
        let who = match m.direction {
            Direction::In => "←",
            Direction::Out => "→",
        };
        let mut marks = String::new();
        if m.edited {
            marks.push_str(" (edited)");
        }
        if m.deleted {
            marks.push_str(" (deleted)");
        }
        if let Some(r) = &m.reaction {
            marks.push_str(" [");
            marks.push_str(&neutralise(r, false));
            marks.push(']');
        }
        let status = if m.direction == Direction::Out {
            format!(" [{}]", m.status.as_str())
        } else {
            String::new()
        };
        let body = if m.kind == "text" {
            neutralise(&m.text, false).into_owned()
        } else {
            format!("<{}> {}", m.kind, neutralise(&m.text, false))
        };
        println!(
            "{} {who} {body}{marks}{status}",
            m.at.format("%Y-%m-%d %H:%M")
        );
        if let Some(a) = crate::engine::api::AttachmentView::of(m, std::path::Path::new("")) {
            let size = a
                .size
                .map(|s| format!(" · {}", crate::domain::attachment::human_size(s)))
                .unwrap_or_default();
            println!(
                "                   📎 #{} {}{size} · {}",
                a.id,
                a.file_name.as_deref().unwrap_or(&a.kind),
                neutralise(a.why.as_deref().unwrap_or(&a.state), false)
            );
        }
        if let Some(e) = &m.error {
            println!("                   ✗ {}", neutralise(e, false));
        }
    }
    for e in trail {
        println!(
            "{}   · {}",
            e.at.format("%Y-%m-%d %H:%M"),
            neutralise(&e.sentence(&chrono::Utc), false)
        );
    }
}
