//! Fixed data for screen and update tests: a clock, conversations and messages.

use chrono::{DateTime, Duration, Utc};
use hirechat::{
    domain::message::{Direction, Message, Status},
    engine::ConversationView,
    tui::app::{App, Connection, Input},
};
use ratatui::{Terminal, backend::TestBackend};

/// The fixed "now" of every screen test.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .to_utc()
}

pub fn conversation(
    id: u64,
    name: &str,
    unread: u32,
    last_text: &str,
    inbound_ago_min: Option<i64>,
) -> ConversationView {
    let last_inbound = inbound_ago_min.map(|m| now() - Duration::minutes(m));
    ConversationView {
        id,
        wa_id: Some(format!("8190{id:08}")),
        user_id: None,
        username: None,
        name: name.into(),
        unread,
        failed: 0,
        last_text: last_text.into(),
        last_message_at: last_inbound.or(Some(now() - Duration::days(3))),
        last_inbound_at: last_inbound,
        last_outbound_at: None,
        waiting_since: last_inbound,
        window_open: last_inbound.is_some_and(|t| now() - t < Duration::hours(24)),
        window_expires_at: last_inbound.map(|t| t + Duration::hours(24)),
        owner: None,
        record_kind: None,
        status: hirechat::domain::conversation_state::ConversationStatus::Open,
        snoozed_until: None,
        labels: Vec::new(),
    }
}

pub fn message(
    id: u64,
    conversation: u64,
    direction: Direction,
    text: &str,
    ago_min: i64,
    status: Status,
) -> Message {
    Message {
        id,
        conversation_id: conversation,
        wamid: Some(format!("wamid.T{id}")),
        direction,
        kind: "text".into(),
        text: text.into(),
        status,
        error: None,
        error_code: None,
        at: now() - Duration::minutes(ago_min),
        media: None,
        reply_to: None,
        reaction: None,
        edited: false,
        deleted: false,
        sent_by: (direction == Direction::Out).then(|| "aiko".to_owned()),
        outbox_id: None,
        pricing: None,
        payload: None,
    }
}

/// The inbox of the screen tests: unread, waiting, closed windows, a failure, hostile text.
pub fn inbox() -> Vec<ConversationView> {
    let mut failed = conversation(
        3,
        "Kenji Watanabe (Sakura Bank HR)",
        0,
        "Here is the shortlist summary",
        Some(7 * 60),
    );
    failed.failed = 1;
    vec![
        conversation(
            1,
            "Haruto Sato",
            2,
            "Should I come to the Shibuya office or is it online?",
            Some(12),
        ),
        conversation(
            2,
            "山本 大輝",
            1,
            "お世話になっております。山本です。先日はお時間をいただきありがとうございました。",
            Some(120),
        ),
        failed,
        conversation(
            4,
            "Evil\u{1b}]0;pwned\u{7} Name\u{202e}",
            1,
            "\u{1b}[2J\u{1b}[31mred alert",
            Some(300),
        ),
        conversation(
            5,
            "Emily Clarke",
            1,
            "Could we do Monday afternoon UK time?",
            Some(3 * 24 * 60 + 240),
        ),
        conversation(6, "Sophie Martin", 0, "Will do. Thanks Sophie!", None),
    ]
}

/// An app showing `rows`, as if loaded from the engine.
pub fn app_with(rows: Vec<ConversationView>, width: u16, height: u16) -> App {
    let mut app = App::new(now(), Connection::Daemon, width, height);
    app.start();
    app.update(Input::Me {
        language: "en_US".into(),
        login: "aiko".into(),
        role: hirechat::domain::permission::Role::Admin,
        channel: "Tokyo hiring desk".into(),
        relay: None,
        disconnected_at: None,
    });
    let total = rows.len() as u64;
    let unreplied = rows
        .iter()
        .filter(|r| r.last_inbound_at > r.last_outbound_at)
        .count() as u64;
    let view = |name: &str, count| hirechat::engine::api::ViewCount {
        name: name.into(),
        title: name.into(),
        count,
        saved: None,
    };
    app.update(Input::Views(vec![
        view("", Some(total)),
        view("my-unreplied", Some(1)),
        view("all-unreplied", Some(unreplied)),
        view("sent-today", None),
    ]));
    app.update(Input::Conversations {
        total,
        offset: 0,
        rows,
    });
    app
}

/// The app told it is used by ken, a recruiter (not an admin).
pub fn as_recruiter(app: &mut App) {
    app.update(Input::Me {
        language: "en_US".into(),
        login: "ken".into(),
        role: hirechat::domain::permission::Role::Recruiter,
        channel: "Tokyo hiring desk".into(),
        relay: None,
        disconnected_at: None,
    });
}

pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    t.draw(|f| hirechat::tui::view::render(app, f)).unwrap();
    t
}

pub fn key(c: char) -> Input {
    Input::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    ))
}

pub fn code(code: crossterm::event::KeyCode) -> Input {
    Input::Key(crossterm::event::KeyEvent::new(
        code,
        crossterm::event::KeyModifiers::NONE,
    ))
}

/// A file written for the test (`name` in `dir`) and attached to the reply being written:
/// `Alt-a`, its whole path, `Enter`. Returns its path.
pub fn attach_new_file(app: &mut App, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, b"%PDF-1.7\n").unwrap();
    app.update(Input::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('a'),
        crossterm::event::KeyModifiers::ALT,
    )));
    for c in path.display().to_string().chars() {
        app.update(key(c));
    }
    app.update(code(crossterm::event::KeyCode::Enter));
    path
}

pub fn template(
    id: u64,
    name: &str,
    kind: hirechat::domain::template::TemplateKind,
    status: hirechat::domain::template::TemplateStatus,
    body: &str,
) -> hirechat::domain::template::Template {
    hirechat::domain::template::Template {
        id,
        kind,
        module: hirechat::domain::template::Module::Candidates,
        name: name.into(),
        language: if kind == hirechat::domain::template::TemplateKind::Whatsapp {
            "en_US".into()
        } else {
            String::new()
        },
        category: None,
        body: body.into(),
        status,
        reason: None,
        whatsapp_id: None,
        created_by: "aiko".into(),
        created_at: now(),
    }
}

pub fn templates() -> Vec<hirechat::domain::template::Template> {
    use hirechat::domain::template::{TemplateKind::*, TemplateStatus::*};
    vec![
        template(
            1,
            "interview_invitation",
            Whatsapp,
            Approved,
            "Hi ${Candidates.First Name}, this is ${Users.Name}.",
        ),
        template(
            2,
            "job_details",
            Whatsapp,
            Approved,
            "Hi ${Candidates.First Name}, about ${Job Openings.Posting Title}.",
        ),
        template(3, "in_review", Whatsapp, Pending, "Hello"),
        template(
            4,
            "thanks",
            Custom,
            Active,
            "Thank you, ${Candidates.First Name}!",
        ),
    ]
}

/// The template preview for Emily with the job opening's title missing.
pub fn preview_missing_a_title() -> hirechat::tui::popup::picker::Preview {
    use hirechat::domain::merge::{Field, Filled};
    hirechat::tui::popup::picker::Preview {
        template_id: 2,
        filled: Filled {
            text: "Hi Emily, about ${Job Openings.Posting Title}.".into(),
            values: vec!["Emily".into(), String::new()],
            missing: vec![Field {
                module: "Job Openings".into(),
                name: "Posting Title".into(),
            }],
        },
        choices: vec![],
        refusal: None,
        price: Some("utility 0.022 EUR".into()),
        picks: hirechat::domain::merge_source::Picks::new(),
    }
}

/// Opens the selected conversation and hands it `messages`.
pub fn open_selected(app: &mut App, messages: Vec<hirechat::domain::message::Message>) {
    app.update(code(crossterm::event::KeyCode::Enter));
    let conversation = app.list.selected_row().unwrap().clone();
    app.update(Input::Thread {
        conversation,
        messages,
        trail: vec![],
        scheduled: vec![],
    });
}

/// The inbox at `width`×`height` with the fifth conversation (Emily's, its window closed)
/// open: she last wrote three days ago.
pub fn emily_after_three_days(width: u16, height: u16) -> App {
    let mut app = app_with(inbox(), width, height);
    for _ in 0..4 {
        app.update(key('j'));
    }
    open_selected(
        &mut app,
        vec![message(
            30,
            5,
            hirechat::domain::message::Direction::In,
            "Could we do Monday afternoon UK time?",
            3 * 24 * 60 + 240,
            hirechat::domain::message::Status::Read,
        )],
    );
    app
}

/// The picker's preview of `template_id` filled as `text`: nothing to choose, nothing
/// refused, no price.
pub fn plain_preview(template_id: u64, text: &str) -> hirechat::tui::popup::picker::Preview {
    hirechat::tui::popup::picker::Preview {
        template_id,
        filled: hirechat::domain::merge::Filled {
            text: text.into(),
            values: vec![],
            missing: vec![],
        },
        choices: vec![],
        refusal: None,
        price: None,
        picks: hirechat::domain::merge_source::Picks::new(),
    }
}
