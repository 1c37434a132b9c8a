//! Screens on ratatui's `TestBackend`, with a fixed clock: insta snapshots of each state at
//! 80×24 and 160×45, and styled checks for the colours that carry meaning.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::tui::{
    app_with, code, conversation, draw, emily_after_three_days, inbox, key, message, now,
    open_selected,
};
use crossterm::event::KeyCode;
use hirechat::{
    domain::message::{Direction, Status},
    tui::{app::Input, popup::picker::Preview},
};
use ratatui::style::{Color, Modifier};

fn haruto_thread() -> Vec<hirechat::domain::message::Message> {
    vec![
        message(
            1,
            1,
            Direction::In,
            "Hello, I saw the Data Engineer opening on your site. Is it still open?",
            3 * 24 * 60,
            Status::Read,
        ),
        message(
            2,
            1,
            Direction::Out,
            "Hi Haruto, yes it is! Could you send me your CV?",
            3 * 24 * 60 - 30,
            Status::Read,
        ),
        message(
            3,
            1,
            Direction::Out,
            "The team would like to meet you. Does Tuesday 10:00 work?",
            25 * 60,
            Status::Delivered,
        ),
        message(
            4,
            1,
            Direction::In,
            "Tuesday 10:00 works for me.",
            14,
            Status::Delivered,
        ),
        message(
            5,
            1,
            Direction::In,
            "Should I come to the Shibuya office or is it online?",
            12,
            Status::Delivered,
        ),
    ]
}

#[test]
fn empty_inbox() {
    let app = app_with(vec![], 80, 24);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn an_empty_inbox_says_why_nothing_arrives_and_an_empty_view_that_nothing_matches() {
    let mut app = app_with(vec![], 80, 24);
    app.empty_hint = Some("Nothing can arrive yet: there is no config.".into());
    let screen = draw(&app).backend().to_string();
    assert!(screen.contains("Nothing can arrive yet"), "{screen}");
    app.filter = Some("unreplied>3d".into());
    let screen = draw(&app).backend().to_string();
    assert!(screen.contains("No conversations match."), "{screen}");
    assert!(!screen.contains("Nothing can arrive"), "{screen}");
}

#[test]
fn list_with_unread_and_closed_windows_80x24() {
    let app = app_with(inbox(), 80, 24);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn list_and_chat_160x45() {
    let mut app = app_with(inbox(), 160, 45);
    open_selected(&mut app, haruto_thread());
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn long_wrapped_japanese_message() {
    let mut app = app_with(inbox(), 160, 45);
    app.update(key('j'));
    let long = "お世話になっております。山本です。先日はお時間をいただきありがとうございました。バックエンドエンジニアのポジションについて、Rustでの開発経験が3年ほどあり、非同期処理や分散システムの設計にも携わってきました。もし可能でしたら、チームの構成や開発プロセスについても詳しく伺えればと思います。よろしくお願いいたします。";
    open_selected(
        &mut app,
        vec![message(10, 2, Direction::In, long, 120, Status::Delivered)],
    );
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn failed_message_shows_its_reason_when_selected() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('j'));
    app.update(key('j'));
    let mut failed = message(
        21,
        3,
        Direction::Out,
        "Here is the shortlist summary: 1) Aoi Mori, 2) Daniel Kim.",
        35,
        Status::Failed,
    );
    failed.error = Some("The message could not be delivered: the number may not use WhatsApp, or has blocked us. (error 131026)".into());
    open_selected(
        &mut app,
        vec![
            message(
                20,
                3,
                Direction::In,
                "Could you share the shortlist before Friday?",
                7 * 60,
                Status::Read,
            ),
            failed,
        ],
    );
    // Up, then down again: the cursor is back on the newest, the failed message.
    app.update(key('k'));
    app.update(key('j'));
    assert_eq!(app.chat.as_ref().unwrap().anchor(), Some(1));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn help_overlay() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('?'));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn compose_with_the_window_closed() {
    let mut app = emily_after_three_days(160, 45);
    app.update(key('r'));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn composing_a_reply_80x24() {
    let mut app = app_with(inbox(), 80, 24);
    open_selected(&mut app, haruto_thread());
    app.update(key('r'));
    for c in "Online is fine.".chars() {
        app.update(key(c));
    }
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn too_small() {
    let app = app_with(inbox(), 70, 20);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn hostile_text_cannot_reach_the_terminal() {
    let mut app = app_with(inbox(), 160, 45);
    for _ in 0..3 {
        app.update(key('j'));
    }
    open_selected(
        &mut app,
        vec![message(
            40,
            4,
            Direction::In,
            "hi\u{1b}[2J\u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7}\u{200b}",
            300,
            Status::Read,
        )],
    );
    let t = draw(&app);
    for cell in t.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "a control character reached the screen: {:?}",
            cell.symbol()
        );
    }
    let screen = t.backend().to_string();
    assert!(screen.contains("Evil␛]0;pwned␇ Name\\u{202e}"), "{screen}");
    assert!(screen.contains("hi␛[2J␛]8;;http://evil␇click"), "{screen}");
}

#[test]
fn colours_carry_meaning() {
    let mut app = app_with(inbox(), 160, 45);
    let t = draw(&app);
    let buf = t.backend().buffer();
    // Row 3 is Haruto (unread), under the views line: the name is bold.
    let name = buf
        .content()
        .iter()
        .skip(3 * 160)
        .take(40)
        .find(|c| c.symbol() == "H")
        .unwrap();
    assert!(name.modifier.contains(Modifier::BOLD));
    // The failed conversation's ✗ is red.
    let cross = buf.content().iter().find(|c| c.symbol() == "✗").unwrap();
    assert_eq!(cross.fg, Color::Red);
    // A closed window in the compose box is said in red.
    for _ in 0..4 {
        app.update(key('j'));
    }
    open_selected(&mut app, vec![]);
    let t = draw(&app);
    let screen = t.backend().to_string();
    assert!(screen.contains("24-hour window"), "{screen}");
    let red = t
        .backend()
        .buffer()
        .content()
        .iter()
        .filter(|c| c.fg == Color::Red && c.symbol() == "2")
        .count();
    assert!(red >= 1);
}

#[test]
fn template_picker_with_a_missing_value() {
    let mut app = emily_after_three_days(160, 45);
    app.update(key('t'));
    app.update(Input::Templates(common::tui::templates()));
    app.update(code(KeyCode::Down));
    app.update(Input::Preview(common::tui::preview_missing_a_title()));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn choosing_one_of_two_interviews() {
    use hirechat::domain::{
        merge::Filled,
        merge_source::{Choice, ChoiceOption},
    };
    let mut app = app_with(inbox(), 80, 24);
    app.update(code(KeyCode::Enter));
    app.update(key('t'));
    app.update(Input::Templates(common::tui::templates()));
    let option = |id, label: &str| ChoiceOption {
        id,
        label: label.into(),
    };
    app.update(Input::Preview(Preview {
        template_id: 1,
        filled: Filled {
            text: "Hi Haruto, see you on ${Interviews.From}.".into(),
            values: vec!["Haruto".into(), String::new()],
            missing: vec![],
        },
        choices: vec![Choice {
            module: "Interviews".into(),
            options: vec![
                option(10, "Data Engineer · Tue 1 Dec 2026 10:00 JST · Otemachi"),
                option(11, "Backend Engineer (Rust) · Thu 3 Dec 2026 10:00 JST · \u{1b}[31mhttps://meet.example.com/rust"),
            ],
            picked: None,
        }],
        refusal: None,
        price: None,
        picks: hirechat::domain::merge_source::Picks::new(),
    }));
    insta::assert_snapshot!("picker_with_a_choice", draw(&app).backend());
    app.update(code(KeyCode::Enter));
    app.update(key('j'));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn notifications_panel() {
    let mut app = app_with(inbox(), 160, 45);
    app.notifications.add(
        1,
        "Haruto Sato",
        "Should I come to the Shibuya office?",
        now() - chrono::Duration::minutes(12),
    );
    app.notifications.add(
        1,
        "Haruto Sato",
        "Or is it online?",
        now() - chrono::Duration::minutes(10),
    );
    app.notifications.add(
        2,
        "山本 大輝",
        "よろしくお願いいたします。",
        now() - chrono::Duration::minutes(2),
    );
    app.notifications.add_about(
        hirechat::tui::notifications::About::Record(9),
        "Yui Tanaka",
        "rule offer-follow-up",
        now() - chrono::Duration::minutes(1),
    );
    app.update(key('n'));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn records_pane_with_search_results() {
    use hirechat::domain::record::{RecordInput, RecordKind};
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('c'));
    for c in "sa".chars() {
        app.update(key(c));
    }
    let record = |id, name: &str, mobile: Option<&str>, email: Option<&str>, kind, opted_out| {
        RecordInput {
            kind,
            name: name.into(),
            mobile: mobile.map(Into::into),
            email: email.map(Into::into),
            owner: Some("aiko".into()),
            opted_out: Some(opted_out),
            ..RecordInput::default()
        }
        .validate(id)
        .unwrap()
    };
    app.update(Input::Records {
        query: "sa".into(),
        total: 3,
        records: vec![
            record(
                1,
                "Haruto Sato",
                Some("+819012340001"),
                Some("haruto@example.jp"),
                RecordKind::Candidate,
                false,
            ),
            record(
                2,
                "Sakura Kobayashi \u{1b}]0;pwned\u{7}",
                Some("+818044440107"),
                None,
                RecordKind::Candidate,
                true,
            ),
            record(
                3,
                "Sam Lee (Koala Tech)",
                None,
                Some("sam@koala.example"),
                RecordKind::Contact,
                false,
            ),
        ],
    });
    app.update(code(KeyCode::Down));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn template_manager_list_and_form_with_the_merge_field_picker() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('T'));
    let mut all = common::tui::templates();
    all[2].status = hirechat::domain::template::TemplateStatus::Rejected;
    all[2].reason = Some("INVALID_FORMAT".into());
    app.update(Input::Templates(all));
    app.update(key('j'));
    insta::assert_snapshot!("template_manager_list", draw(&app).backend());
    app.update(key('a'));
    for c in "面接".chars() {
        app.update(key(c));
    }
    app.update(code(KeyCode::Tab));
    app.update(code(KeyCode::Tab));
    app.update(code(KeyCode::Tab));
    for c in "Hi ".chars() {
        app.update(key(c));
    }
    insta::assert_snapshot!("template_manager_form", draw(&app).backend());
    app.update(key('#'));
    app.update(code(KeyCode::Right));
    app.update(code(KeyCode::Right));
    insta::assert_snapshot!("template_manager_merge_fields", draw(&app).backend());
}

#[test]
fn search_results_with_context() {
    use hirechat::engine::api::SearchHit;
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('/'));
    for c in "parking".chars() {
        app.update(key(c));
    }
    let hit = |id, conv, name: &str, text: &str, ago| SearchHit {
        conversation: conversation(conv, name, 0, "", Some(ago)),
        message: Some(message(id, conv, Direction::In, text, ago, Status::Read)),
    };
    app.update(Input::Found {
        query: "parking".into(),
        hits: vec![
            SearchHit {
                conversation: conversation(9, "Parking Ltd \u{1b}[2J", 0, "", None),
                message: None,
            },
            hit(1, 3, "Emily Clarke", "Thanks for the invitation! I will come by train, but is there parking near the office in case I drive?", 45),
            hit(2, 1, "Haruto Sato", "駐車場 (parking) はありますか？", 3 * 24 * 60),
        ],
    });
    app.update(code(KeyCode::Down));
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn a_narrow_header_keeps_the_bell_and_who_is_signed_in() {
    let mut app = app_with(inbox(), 80, 24);
    app.connection = hirechat::tui::app::Connection::Demo;
    app.channel = "Tokyo hiring desk for the whole Kanto region (demo)".into();
    for id in 1..=12 {
        app.notifications.add(id, "Haruto Sato", "Hello", now());
    }
    let screen = draw(&app).backend().to_string();
    let header = screen.lines().next().unwrap();
    assert!(header.contains("🔔 12"), "{header}");
    assert!(header.contains("aiko (admin)"), "{header}");
}

#[test]
fn the_selection_shows_without_colour() {
    let mut app = app_with(inbox(), 80, 24);
    app.update(key('j'));
    app.update(key('j'));
    let t = draw(&app);
    let buffer = t.backend().buffer();
    let reversed_rows = (0..buffer.area.height)
        .filter(|&y| {
            (0..buffer.area.width)
                .filter(|&x| buffer[(x, y)].modifier.contains(Modifier::REVERSED))
                .count()
                > 10
        })
        .count();
    // The selected conversation (its two lines) is in reversed video, which needs no colour.
    assert!(reversed_rows >= 1, "no row in reversed video");
}

#[test]
fn saved_views_show_on_the_views_lines_even_in_a_narrow_list() {
    let mut app = app_with(inbox(), 80, 24);
    let mut views = app.views.clone();
    let mut visa = views[3].clone();
    "visa-cases".clone_into(&mut visa.name);
    "visa-cases".clone_into(&mut visa.title);
    visa.count = Some(2);
    views.push(visa);
    app.update(Input::Views(views));
    let screen = draw(&app).backend().to_string();
    for view in [
        "1 All",
        "2 Mine",
        "3 Unreplied",
        "4 Sent today",
        "5 visa-cases 2",
    ] {
        assert!(screen.contains(view), "{view} missing:\n{screen}");
    }
}

/// A terminal's grid, as far as wide characters go: writing one takes two columns, and
/// writing over either half of one breaks it (both halves blank). `TestBackend` keeps cells
/// apart, so it cannot show what a real terminal makes of ratatui's updates.
struct Screen {
    width: usize,
    cells: Vec<String>,
    /// The frame the terminal was last brought to.
    last: ratatui::buffer::Buffer,
}

impl Screen {
    fn new(width: u16, height: u16) -> Self {
        Self {
            width: usize::from(width),
            cells: vec![" ".to_owned(); usize::from(width) * usize::from(height)],
            last: ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, width, height)),
        }
    }

    fn wide(s: &str) -> bool {
        unicode_width::UnicodeWidthStr::width(s) > 1
    }

    /// Carries out ratatui's updates from the last frame to `after`, as a terminal would.
    fn update(&mut self, after: &ratatui::buffer::Buffer) {
        let before = std::mem::replace(&mut self.last, after.clone());
        for (x, y, cell) in before.diff(after) {
            let (x, y) = (usize::from(x), usize::from(y));
            let at = y * self.width + x;
            // Over the right half of a wide character: the character is gone.
            if x > 0 && self.cells[at].is_empty() && Self::wide(&self.cells[at - 1]) {
                " ".clone_into(&mut self.cells[at - 1]);
            }
            // Over the left half: its right half is gone with it.
            if Self::wide(&self.cells[at]) && x + 1 < self.width {
                " ".clone_into(&mut self.cells[at + 1]);
            }
            cell.symbol().clone_into(&mut self.cells[at]);
            if Self::wide(cell.symbol()) && x + 1 < self.width {
                if Self::wide(&self.cells[at + 1]) && x + 2 < self.width {
                    " ".clone_into(&mut self.cells[at + 2]);
                }
                self.cells[at + 1] = String::new();
            }
        }
    }
}

/// What was drawn is what the terminal shows: ratatui sends only the changed cells and leaves
/// out the one after a double-width character, so a popup's border drawn there would never
/// reach the screen (and the chat behind would show through, and stay for the next dialog).
fn assert_the_screen_shows_what_was_drawn(
    terminal: &mut ratatui::Terminal<ratatui::backend::TestBackend>,
    screen: &mut Screen,
    app: &hirechat::tui::app::App,
) {
    let drawn = terminal
        .draw(|f| hirechat::tui::view::render(app, f))
        .unwrap()
        .buffer
        .clone();
    screen.update(&drawn);
    let blank = |s: &str| {
        if s.is_empty() {
            " ".to_owned()
        } else {
            s.to_owned()
        }
    };
    for y in 0..app.height {
        for x in 0..app.width {
            // A cell covered by the wide character before it is not seen: it must hold
            // nothing (a border drawn there never shows).
            if x > 0 && Screen::wide(drawn[(x - 1, y)].symbol()) {
                assert!(
                    drawn[(x, y)].symbol().trim().is_empty(),
                    "({x}, {y}) holds {:?} under the wide {:?} before it",
                    drawn[(x, y)].symbol(),
                    drawn[(x - 1, y)].symbol()
                );
                continue;
            }
            let shown = &screen.cells[usize::from(y) * screen.width + usize::from(x)];
            assert_eq!(
                blank(shown),
                blank(drawn[(x, y)].symbol()),
                "({x}, {y}) on screen differs from the frame:\n{}",
                (0..app.height)
                    .map(|y| {
                        let row = usize::from(y) * screen.width;
                        screen.cells[row..row + screen.width].concat()
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

#[test]
fn popups_keep_their_borders_over_wide_text() {
    let text = "面接の日程について確認させてください。火曜日の午前十時からで大丈夫でしょうか。よろしくお願いいたします。";
    for (width, height) in [(80, 24), (160, 45), (101, 30), (117, 33)] {
        let mut app = app_with(inbox(), width, height);
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
        let mut screen = Screen::new(width, height);
        app.update(key('j'));
        open_selected(
            &mut app,
            (0..12u8)
                .map(|i| {
                    message(
                        20 + u64::from(i),
                        2,
                        Direction::In,
                        text,
                        120 - i64::from(i),
                        Status::Read,
                    )
                })
                .collect(),
        );
        assert_the_screen_shows_what_was_drawn(&mut terminal, &mut screen, &app);
        // One dialog after another on the same screen, as the recruiter opens and closes them.
        for popup in ['?', 'n', '/', 'c', 'T', 't'] {
            app.update(key(popup));
            assert_the_screen_shows_what_was_drawn(&mut terminal, &mut screen, &app);
            app.update(code(KeyCode::Esc));
            assert_the_screen_shows_what_was_drawn(&mut terminal, &mut screen, &app);
        }
    }
}

#[test]
fn an_attachment_shows_its_name_size_and_whether_it_is_kept() {
    use hirechat::domain::{attachment::Fetch, message::Media};
    let mut app = app_with(inbox(), 160, 45);
    let id = app.list.rows[0].id;
    let mut cv = message(30, id, Direction::In, "my CV", 5, Status::Read);
    cv.kind = "document".into();
    cv.media = Some(Media {
        filename: Some("../../etc/cv\u{1b}[31m.pdf".into()),
        size: Some(48_213),
        fetch: Some(Fetch::Ready),
        ..Media::default()
    });
    let mut old = message(31, id, Direction::In, "", 4, Status::Read);
    old.kind = "image".into();
    old.media = Some(Media {
        fetch: Some(Fetch::Expired),
        ..Media::default()
    });
    open_selected(&mut app, vec![cv, old]);
    let screen = draw(&app).backend().to_string();
    assert!(screen.contains("📄 Document: my CV"), "{screen}");
    assert!(screen.contains("· 48 KB · ready"), "{screen}");
    assert!(
        !screen.contains("etc/"),
        "a path from outside is never shown as one"
    );
    assert!(screen.contains("📎 image · expired"), "{screen}");
}

/// A file of the conversation as the engine lists it.
fn attachment(
    id: u64,
    kind: &str,
    name: Option<&str>,
    state: &str,
    why: Option<&str>,
) -> hirechat::engine::api::AttachmentView {
    hirechat::engine::api::AttachmentView {
        id,
        conversation_id: 1,
        direction: Direction::In,
        at: now() - chrono::Duration::minutes(i64::try_from(id).unwrap()),
        kind: kind.into(),
        mime_type: Some("application/pdf".into()),
        size: Some(48_213),
        sha256: None,
        file_name: name.map(Into::into),
        state: state.into(),
        why: why.map(Into::into),
        caption: if name.is_none() {
            "For the badge".into()
        } else {
            String::new()
        },
        path: None,
    }
}

#[test]
fn the_attachments_section_lists_the_files_newest_first() {
    let mut app = app_with(inbox(), 160, 45);
    open_selected(&mut app, haruto_thread());
    let commands = app.update(key('a'));
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, hirechat::tui::app::Command::LoadAttachments { .. })),
        "{commands:?}"
    );
    let conversation_id = app.chat.as_ref().unwrap().conversation.id;
    app.update(Input::Attachments {
        conversation_id,
        list: vec![
            attachment(1, "document", Some("haruto_sato_cv.pdf"), "ready", None),
            attachment(2, "image", None, "ready", None),
            attachment(
                3,
                "document",
                Some("old.pdf"),
                "expired",
                Some("expired (WhatsApp keeps files for 7 days)"),
            ),
        ],
    });
    app.update(key('j'));
    insta::assert_snapshot!("attachments_section_160x45", draw(&app).backend());
    // Saving the selected file asks for it in the save folder.
    app.file_setup.save_dir = "/home/aiko/Downloads".into();
    let commands = app.update(key('s'));
    assert!(
        matches!(
            commands.as_slice(),
            [hirechat::tui::app::Command::SaveAttachment { id: 2, open: false, dir }]
                if dir.to_str() == Some("/home/aiko/Downloads")
        ),
        "{commands:?}"
    );
    // What is not here says why, and asks nothing.
    app.update(key('j'));
    assert!(app.update(key('s')).is_empty());
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("expired")),
        "{:?}",
        app.toast
    );
    // Opening where no opener is: it says how to save instead.
    app.update(key('k'));
    assert!(app.update(key('o')).is_empty());
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("No desktop here")),
        "{:?}",
        app.toast
    );
    app.update(key('a'));
    assert!(app.files().is_none(), "back to the messages");
}

#[test]
fn quitting_over_a_file_attached_to_another_conversations_reply_asks() {
    let dir = common::TempDir::new("quit-files");
    let mut app = app_with(inbox(), 80, 24);
    open_selected(&mut app, haruto_thread());
    app.update(key('r'));
    common::tui::attach_new_file(&mut app, dir.path(), "cv.pdf");
    app.update(code(KeyCode::Esc));
    app.update(code(KeyCode::Esc));
    app.update(key('j'));
    app.update(key('r'));
    app.update(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('c'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    insta::assert_snapshot!("quit_over_a_file_in_a_draft_80x24", draw(&app).backend());
}

#[test]
fn files_attached_to_a_reply_are_listed_under_it_and_go_with_it() {
    let dir = common::TempDir::new("attach-prompt");
    let cv = dir.path().join("offer_letter.pdf");
    std::fs::write(&cv, b"%PDF-1.7\n").unwrap();
    let mut app = app_with(inbox(), 160, 45);
    open_selected(&mut app, haruto_thread());
    app.update(key('r'));
    app.update(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('a'),
        crossterm::event::KeyModifiers::ALT,
    )));
    for c in format!("{}/offer", dir.path().display()).chars() {
        app.update(key(c));
    }
    app.update(code(KeyCode::Tab));
    app.update(code(KeyCode::Enter));
    for c in "Your offer".chars() {
        app.update(key(c));
    }
    insta::assert_snapshot!("reply_with_a_file_160x45", draw(&app).backend());
    let commands = app.update(code(KeyCode::Enter));
    assert!(
        matches!(
            commands.as_slice(),
            [hirechat::tui::app::Command::SendFiles { files, text, .. }]
                if files == &[cv.to_string_lossy().into_owned()] && text == "Your offer"
        ),
        "{commands:?}"
    );
    assert!(app.chat.as_ref().unwrap().pending.is_empty());
    // Refused (a file too large, the window closed meanwhile): text and files come back.
    app.update(Input::SendRefused {
        text: "Your offer".into(),
        files: vec![cv.to_string_lossy().into_owned()],
        error: "offer_letter.pdf: 6.0 MB is over the 5.0 MB allowed for documents".into(),
    });
    let pending = &app.chat.as_ref().unwrap().pending;
    assert_eq!(
        (pending.len(), pending[0].name.as_str(), pending[0].size),
        (1, "offer_letter.pdf", 9)
    );
    assert_eq!(app.compose.lines(), ["Your offer"]);
}

#[test]
fn an_image_under_the_cursor_is_previewed_below_the_list() {
    let mut app = app_with(inbox(), 160, 45);
    app.file_setup.previews = true;
    open_selected(&mut app, haruto_thread());
    app.update(key('a'));
    draw(&app);
    let conversation_id = app.chat.as_ref().unwrap().conversation.id;
    let commands = app.update(Input::Attachments {
        conversation_id,
        list: vec![
            attachment(2, "image", None, "ready", None),
            attachment(1, "document", Some("haruto_sato_cv.pdf"), "ready", None),
        ],
    });
    let Some(hirechat::tui::app::Command::LoadPreview { id: 2, cols, rows }) =
        commands.first().cloned()
    else {
        panic!("the photo's preview is asked for: {commands:?}");
    };
    assert_eq!((cols, rows), (105, 34), "sized to the room below the list");
    let photo = include_bytes!("../assets/demo/photo.png");
    let picker = ratatui_image::picker::Picker::halfblocks();
    let image = hirechat::tui::preview::prepare(&picker, 2, photo, cols, rows);
    app.update(Input::ImagePreview { id: 2, image });
    let screen = draw(&app).backend().to_string();
    assert!(screen.contains("─ preview ─"), "{screen}");
    assert!(screen.contains('▀') || screen.contains('▄'), "{screen}");
    // A document is not previewed; moving back does not ask again.
    assert!(app.update(key('j')).is_empty());
    assert!(!draw(&app).backend().to_string().contains("─ preview ─"));
    assert!(app.update(key('k')).is_empty(), "prepared once");
    // What cannot be decoded says so in its place.
    let broken = hirechat::tui::preview::prepare(&picker, 2, b"not an image", 10, 10);
    app.update(Input::ImagePreview {
        id: 2,
        image: broken,
    });
    assert!(
        draw(&app)
            .backend()
            .to_string()
            .contains("No preview: the image cannot be")
    );
}

#[test]
fn the_header_shows_the_relay_link_connected_waiting_and_failing() {
    use hirechat::domain::{
        event::Event,
        relay_link::{LinkState, RelayLink},
    };
    let mut app = app_with(inbox(), 160, 45);
    let mut header = |link: RelayLink| {
        app.update(Input::Event(Box::new(Event::RelayLink { link })));
        draw(&app)
            .backend()
            .to_string()
            .lines()
            .next()
            .unwrap()
            .to_owned()
    };
    let mut link = RelayLink::connecting();
    link.connected(now(), 12);
    let waiting = header(link.clone());
    link.connected(now(), 0);
    let connected = header(link.clone());
    link.failed(
        now() - chrono::Duration::minutes(7),
        "the relay could not be reached".into(),
    );
    link.refused = 1;
    let failing = header(link);
    assert!(matches!(
        app.relay.as_ref().unwrap().state,
        LinkState::Reconnecting { .. }
    ));
    insta::assert_snapshot!(format!("{waiting}\n{connected}\n{failing}"));
}

#[test]
fn a_disconnected_number_says_so_in_the_header() {
    use hirechat::domain::event::Event;
    let mut app = app_with(inbox(), 160, 45);
    app.update(Input::Event(Box::new(Event::Disconnected { at: now() })));
    let screen = draw(&app).backend().to_string();
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("⊘ disconnected 2026-") && header.contains("history only, nothing is sent"),
        "{header}"
    );
}

fn health_and_routing(app: &mut hirechat::tui::app::App) {
    let health: hirechat::engine::api::Health = serde_json::from_value(serde_json::json!({
        "writable": true, "dead_letters": 0, "recent_dead_letters": [], "foreign_since_start": 0,
        "outbox_pending": 0, "outbox_uncertain": 0,
        "number": {"status": {"display_phone_number": "+81 3-1234-5678", "verified_name": "Sakura Talent",
            "quality_rating": "GREEN", "messaging_limit_tier": "TIER_1K", "status": "CONNECTED"},
            "checked_at": "2026-11-25T11:50:00Z"},
        "relay": {"state": {"state": "connected", "since": "2026-11-25T09:00:00Z"}, "backlog": 0, "refused": 0},
        "started_at": "2026-11-25T09:00:00Z",
        "connection": {"nickname": "Tokyo hiring desk", "phone_number_id": "106540352242922",
            "business_account_id": "102290129340398", "callback": "https://relay.example.com/webhook",
            "connected_at": "2026-11-20T10:00:00Z", "connected_by": "aiko", "disconnected_at": null}
    }))
    .unwrap();
    app.update(Input::Health(Box::new(health)));
    app.update(Input::Routing {
        routing: hirechat::domain::routing::Routing {
            unknown_senders: hirechat::domain::routing::UnknownSenders::Candidate,
            assign_to: "group:tokyo".into(),
        },
        pool: vec!["aiko".into(), "ken".into()],
        source: "config".into(),
    });
}

#[test]
fn the_settings_panel_shows_the_connection_and_the_routing() {
    let mut app = app_with(inbox(), 160, 45);
    app.update(key('S'));
    health_and_routing(&mut app);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn settings_change_the_routing_and_disconnect_only_with_the_nickname() {
    use hirechat::{domain::routing::UnknownSenders, tui::app::Command};
    let mut app = app_with(inbox(), 160, 45);
    let opened = app.update(key('S'));
    assert_eq!(opened, vec![Command::LoadHealth, Command::LoadRouting]);
    health_and_routing(&mut app);
    match app.update(key('u')).as_slice() {
        [Command::SetRouting(r)] => assert_eq!(r.unknown_senders, UnknownSenders::Contact),
        other => panic!("{other:?}"),
    }
    app.update(key('a'));
    for _ in 0.."group:tokyo".len() {
        app.update(code(KeyCode::Backspace));
    }
    for c in "user:ken".chars() {
        app.update(key(c));
    }
    match app.update(code(KeyCode::Enter)).as_slice() {
        [Command::SetRouting(r)] => assert_eq!(r.assign_to, "user:ken"),
        other => panic!("{other:?}"),
    }
    app.update(key('d'));
    for c in "Tokyo".chars() {
        app.update(key(c));
    }
    assert!(
        app.update(code(KeyCode::Enter)).is_empty(),
        "not the nickname"
    );
    assert!(app.toast.as_ref().is_some_and(|t| t.error));
    app.update(key('d'));
    for c in "Tokyo hiring desk".chars() {
        app.update(key(c));
    }
    assert!(matches!(
        app.update(code(KeyCode::Enter)).as_slice(),
        [Command::Disconnect { .. }]
    ));
}

fn numbers() -> Vec<hirechat::whatsapp::account::PhoneNumberInfo> {
    serde_json::from_value(serde_json::json!([
        {"id": "106540352242922", "display_phone_number": "+81 3-1234-5678",
         "verified_name": "Sakura Talent", "quality_rating": "GREEN",
         "platform_type": "CLOUD_API", "status": "CONNECTED"},
        {"id": "106540352242999", "display_phone_number": "+81 6-9876-5432",
         "verified_name": "Sakura Talent Osaka", "quality_rating": "GREEN",
         "platform_type": "ON_PREMISE", "status": "CONNECTED"}
    ]))
    .unwrap()
}

#[test]
fn connecting_from_the_settings_types_the_values_chooses_a_number_and_says_what_it_did() {
    use hirechat::{
        domain::event::Event,
        engine::{Connected, ConnectionView},
        tui::app::Command,
    };
    const TOKEN: &str = "EAAG-typed-token";
    let mut app = app_with(inbox(), 160, 45);
    app.update(key('S'));
    health_and_routing(&mut app);
    app.update(key('c'));
    // The token is pasted, the app secret left empty (the one in use is kept).
    app.update(Input::Paste(TOKEN.into()));
    let form = draw(&app).backend().to_string();
    assert!(!form.contains(TOKEN), "a secret is shown as dots");
    insta::assert_snapshot!("connect_form", form);
    match app.update(code(KeyCode::Enter)).as_slice() {
        [
            Command::AccountNumbers {
                business_account_id,
                ..
            },
        ] => assert_eq!(business_account_id, "102290129340398"),
        other => panic!("{other:?}"),
    }
    app.update(Input::Numbers(numbers()));
    insta::assert_snapshot!("connect_numbers", draw(&app).backend());
    // The On-Premises number cannot be chosen; the Cloud API one is.
    app.update(code(KeyCode::Down));
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    app.update(code(KeyCode::Up));
    let form = match app.update(code(KeyCode::Enter)).as_slice() {
        [Command::Connect(form)] => form.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(form.phone_number_id, "106540352242922");
    assert_eq!(form.nickname, "Tokyo hiring desk");
    assert_eq!(
        form.callback.as_deref(),
        Some("https://relay.example.com/webhook")
    );
    assert!(!format!("{form:?}").contains(TOKEN), "redacted in Debug");
    // A refusal comes back into the form, in the engine's words.
    app.update(Input::ConnectRefused(
        "this business account is already linked to Another inbox".into(),
    ));
    assert!(
        draw(&app)
            .backend()
            .to_string()
            .contains("already linked to Another inbox")
    );
    app.update(Input::Connected(Box::new(Connected {
        connection: ConnectionView {
            nickname: "Tokyo desk".into(),
            phone_number_id: "106540352242922".into(),
            business_account_id: "102290129340398".into(),
            callback: Some("https://relay.example.com/webhook".into()),
            connected_at: Some(now()),
            connected_by: Some("aiko".into()),
            disconnected_at: None,
        },
        number: numbers().remove(0),
        made_up_verify_token: None,
        notes: vec![],
    })));
    app.update(Input::Event(Box::new(Event::Connected {
        nickname: "Tokyo desk".into(),
    })));
    let done = draw(&app).backend().to_string();
    assert!(
        done.lines().next().unwrap().contains("Tokyo desk"),
        "{done}"
    );
    insta::assert_snapshot!("connect_done", done);
    // Back to the settings, which load again.
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::LoadHealth, Command::LoadRouting]
    );
}

#[test]
fn the_list_marks_resolved_pending_and_snoozed_and_the_chat_shows_its_trail() {
    use hirechat::domain::conversation_state::{
        ConversationStatus as S, Happened, StateChange, TrailEntry,
    };
    use hirechat::tui::app::Command;
    let mut rows = inbox();
    rows[1].status = S::Pending;
    rows[2].status = S::Resolved;
    rows[3].snoozed_until = Some(now() + chrono::Duration::hours(15));
    let mut app = app_with(rows, 160, 45);
    app.update(code(KeyCode::Enter));
    let conversation = app.list.selected_row().unwrap().clone();
    let resolved = TrailEntry {
        conversation_id: conversation.id,
        at: now() - chrono::Duration::minutes(5),
        by: Some("ken".into()),
        by_name: Some("Ken Mori".into()),
        what: Happened::Status {
            from: S::Open,
            to: S::Resolved,
        },
    };
    app.update(Input::Thread {
        conversation,
        messages: haruto_thread(),
        trail: vec![
            resolved.clone(),
            TrailEntry {
                at: now() - chrono::Duration::minutes(2),
                by: None,
                by_name: None,
                what: Happened::ReopenedByContact,
                ..resolved.clone()
            },
        ],
        scheduled: vec![],
    });
    let screen = draw(&app).backend().to_string();
    assert!(screen.contains("· Ken Mori resolved this · "), "{screen}");
    insta::assert_snapshot!(screen);

    // `x` resolves the open chat's conversation; on a resolved row in the list it reopens.
    assert_eq!(
        app.update(key('x')),
        vec![Command::SetState {
            conversation_id: 1,
            change: StateChange::Resolved
        }]
    );
    app.update(code(KeyCode::Esc));
    app.update(key('j'));
    app.update(key('j'));
    assert_eq!(
        app.update(key('x')),
        vec![Command::SetState {
            conversation_id: app.list.selected_row().unwrap().id,
            change: StateChange::Open
        }]
    );
    assert!(matches!(
        app.update(key('p')).as_slice(),
        [Command::SetState {
            change: StateChange::Pending,
            ..
        }]
    ));
    // `z` asks until when; what cannot be read is said, and the prompt stays.
    assert!(app.update(key('z')).is_empty());
    for c in "soon".chars() {
        app.update(key(c));
    }
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    assert!(app.toast.as_ref().is_some_and(|t| t.error));
    for _ in 0..4 {
        app.update(code(KeyCode::Backspace));
    }
    for c in "2h".chars() {
        app.update(key(c));
    }
    assert!(draw(&app).backend().to_string().contains("Snooze until:"));
    match app.update(code(KeyCode::Enter)).as_slice() {
        [
            Command::SetState {
                change: StateChange::Snooze { until },
                ..
            },
        ] => assert_eq!(*until, now() + chrono::Duration::hours(2)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn r_sends_a_failed_message_again_unless_it_failed_for_good() {
    use hirechat::tui::app::Command;
    let mut app = app_with(inbox(), 160, 45);
    let mut limited = message(90, 1, Direction::Out, "See you Tuesday", 1, Status::Failed);
    limited.error_code = Some(130_429);
    let mut undeliverable = message(91, 1, Direction::Out, "Hello?", 5, Status::Failed);
    undeliverable.error_code = Some(131_026);
    open_selected(&mut app, vec![undeliverable, limited]);
    // The newest (rate limited) is under the cursor.
    assert_eq!(
        app.update(key('R')),
        vec![Command::Retry { message_id: 90 }]
    );
    app.update(key('k'));
    assert!(app.update(key('R')).is_empty());
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.error && t.text.contains("will not change"))
    );
}

#[test]
fn a_shows_the_team_to_assign_to_and_the_one_assigned_is_told() {
    use hirechat::{
        domain::{
            conversation_state::{Happened, TrailEntry},
            event::Event,
        },
        tui::app::Command,
    };
    let mut rows = inbox();
    rows[1].owner = Some("ken".into());
    let mut app = app_with(rows, 160, 45);
    assert!(draw(&app).backend().to_string().contains("→ken"));
    assert_eq!(app.update(key('A')), vec![Command::LoadTeam]);
    app.update(Input::Team {
        users: vec![
            ("aiko".into(), "Aiko Tanaka".into()),
            ("ken".into(), "Ken Mori".into()),
        ],
        groups: vec!["tokyo".into()],
    });
    let screen = draw(&app).backend().to_string();
    for row in [
        "> me (aiko)",
        "Ken Mori (ken)",
        "group tokyo (its members in turn)",
        "nobody",
    ] {
        assert!(screen.contains(row), "{row} in\n{screen}");
    }
    app.update(code(KeyCode::Down));
    app.update(code(KeyCode::Down));
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::Assign {
            conversation_id: 1,
            to: "group:tokyo".into()
        }]
    );
    assert!(app.popup.is_none());
    // Someone hands a conversation to me: I am told.
    app.update(Input::Event(Box::new(Event::Trail {
        entry: TrailEntry {
            conversation_id: 2,
            at: now(),
            by: Some("ken".into()),
            by_name: Some("Ken Mori".into()),
            what: Happened::Assigned {
                from: Some("ken".into()),
                to: Some("aiko".into()),
            },
        },
    })));
    let toast = app.toast.as_ref().unwrap();
    assert!(
        toast.text.contains("Ken Mori assigned 山本 大輝 to you"),
        "{}",
        toast.text
    );
}

#[test]
fn l_puts_labels_on_and_the_list_shows_them_in_their_colours() {
    use hirechat::{domain::label::Label, tui::app::Command};
    let mut rows = inbox();
    rows[0].labels = vec!["visa".into()];
    let mut app = app_with(rows, 160, 45);
    assert_eq!(app.update(key('L')), vec![Command::LoadLabels]);
    app.update(Input::Labels(vec![
        Label::new("visa", "red").unwrap(),
        Label::new("shortlisted", "green").unwrap(),
    ]));
    let screen = draw(&app).backend().to_string();
    assert!(
        screen.contains("[x] visa") && screen.contains("[ ] shortlisted"),
        "{screen}"
    );
    // Enter takes the one under the cursor off; on the next, puts it on.
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::Label {
            conversation_id: 1,
            add: vec![],
            remove: vec!["visa".into()]
        }]
    );
    app.update(code(KeyCode::Down));
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::Label {
            conversation_id: 1,
            add: vec!["shortlisted".into()],
            remove: vec![]
        }]
    );
    app.update(code(KeyCode::Esc));
    let buffer = draw(&app);
    let screen = buffer.backend().to_string();
    assert!(screen.contains("#visa"), "{screen}");
    let cell = buffer
        .backend()
        .buffer()
        .content()
        .iter()
        .find(|c| c.symbol() == "#")
        .unwrap()
        .clone();
    assert_eq!(cell.fg, Color::Red);
}

/// Haruto's card: a record with an opt-out history and its own column, an SRE opening, and
/// an interview written in UTC for a candidate in Tokyo.
fn haruto_card() -> hirechat::engine::RecordCard {
    use hirechat::domain::{
        phone::PhoneNumber,
        record::{ConsentChange, Record, RecordKind},
        related::{Interview, JobOpening, Related, RelatedData},
    };
    let mut conversation = inbox().remove(0);
    conversation.labels = vec!["visa".into()];
    conversation.owner = Some("aiko".into());
    hirechat::engine::RecordCard {
        record: Some(Record {
            id: 7,
            kind: RecordKind::Candidate,
            name: "Haruto Sato".into(),
            first_name: None,
            last_name: None,
            mobile: Some(PhoneNumber::parse("+819000000001").unwrap()),
            country: Some("JP".into()),
            email: Some("haruto@example.jp".into()),
            time_zone: Some("Asia/Tokyo".into()),
            owner: Some("aiko".into()),
            opted_out: false,
            consent: vec![
                ConsentChange {
                    at: now() - chrono::Duration::days(20),
                    by: "import".into(),
                    opted_out: true,
                    via: "import, line 12".into(),
                },
                ConsentChange {
                    at: now() - chrono::Duration::days(2),
                    by: "aiko".into(),
                    opted_out: false,
                    via: "edited".into(),
                },
            ],
            custom: [(
                "Candidate Status".to_owned(),
                "Interview-scheduled".to_owned(),
            )]
            .into(),
        }),
        conversation: Some(conversation),
        job_openings: vec![Related {
            id: 3,
            data: RelatedData::JobOpening(JobOpening {
                title: "SRE".into(),
                recruiter: Some("aiko".into()),
                location: Some("Shibuya".into()),
                client: Some("Koala Tech".into()),
                department: None,
            }),
        }],
        interviews: vec![Related {
            id: 9,
            data: RelatedData::Interview(Interview {
                candidate_id: 7,
                job: Some("SRE".into()),
                from: chrono::DateTime::parse_from_rfc3339("2026-11-27T01:00:00Z").unwrap(),
                to: None,
                time_zone: None,
                location: Some("Shibuya".into()),
                link: None,
            }),
        }],
    }
}

#[test]
fn i_shows_the_record_beside_the_chat_and_e_edits_it() {
    use hirechat::{domain::event::Event, tui::app::Command};
    let mut app = app_with(inbox(), 160, 45);
    assert_eq!(
        app.update(key('i')),
        vec![Command::LoadRecordCard { conversation_id: 1 }]
    );
    assert!(
        draw(&app)
            .backend()
            .to_string()
            .contains("Loading the record…")
    );
    app.update(Input::RecordCard(Box::new(haruto_card())));
    let card = draw(&app).backend().to_string();
    for shown in [
        "haruto@example.jp",
        "Candidate Status",
        "no: opted in again 2026-11-23 12:00 UTC",
        "2026-11-05 12:00 UTC · import · opted out · import, line 12",
        "SRE · Koala Tech · Shibuya",
        // 01:00 UTC is 10:00 in Tokyo, the candidate's zone.
        "SRE · Fri 27 Nov 2026 10:00 JST · Shibuya",
        "#visa",
    ] {
        assert!(card.contains(shown), "{shown} in\n{card}");
    }
    insta::assert_snapshot!("record_card", card);
    // Someone labels the conversation meanwhile: the card follows.
    let mut labelled = hirechat::domain::conversation::Conversation::new(1, None, None);
    labelled.labels = vec!["visa".into(), "shortlisted".into()];
    app.update(Input::Event(Box::new(Event::ConversationChanged {
        conversation: labelled,
    })));
    assert!(
        draw(&app)
            .backend()
            .to_string()
            .contains("#visa #shortlisted")
    );
    // e: the form, the email field typed over, Enter saves the record whole.
    app.update(key('e'));
    insta::assert_snapshot!("record_form", draw(&app).backend());
    for _ in 0..5 {
        app.update(code(KeyCode::Tab));
    }
    app.update(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('u'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    for c in "haruto.sato@example.jp".chars() {
        app.update(key(c));
    }
    let saved = match app.update(code(KeyCode::Enter)).as_slice() {
        [Command::SaveRecord { id, record }] => (*id, record.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(saved.0, Some(7));
    assert_eq!(saved.1.email.as_deref(), Some("haruto.sato@example.jp"));
    assert_eq!(saved.1.owner.as_deref(), Some("aiko"));
    assert_eq!(saved.1.opted_out, Some(false));
    assert_eq!(
        saved.1.custom.get("Candidate Status").map(String::as_str),
        Some("Interview-scheduled")
    );
    // Refused: said in the form, the values kept.
    app.update(Input::RecordRefused(
        "email: \"x\" is not an email address".into(),
    ));
    let form = draw(&app).backend().to_string();
    assert!(
        form.contains("is not an email address") && form.contains("haruto.sato@example.jp"),
        "{form}"
    );
    // Saved: back to the card, read again.
    let mut record = haruto_card().record.unwrap();
    record.email = Some("haruto.sato@example.jp".into());
    assert_eq!(
        app.update(Input::RecordSaved(Box::new(record))),
        vec![Command::LoadRecordCard { conversation_id: 1 }]
    );
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("Saved Haruto Sato")
    );
    app.update(code(KeyCode::Esc));
    assert!(app.popup.is_none());
}

#[test]
fn a_number_without_a_record_gets_one_from_its_card() {
    use hirechat::tui::app::Command;
    let mut app = app_with(inbox(), 160, 45);
    app.update(code(KeyCode::Down));
    app.update(key('i'));
    let mut card = haruto_card();
    card.record = None;
    card.conversation = Some(inbox().remove(1));
    app.update(Input::RecordCard(Box::new(card)));
    assert!(
        draw(&app)
            .backend()
            .to_string()
            .contains("no record yet: e creates one")
    );
    app.update(key('e'));
    // Kind is a choice: Space on it makes a contact.
    app.update(code(KeyCode::BackTab));
    app.update(key(' '));
    match app.update(code(KeyCode::Enter)).as_slice() {
        [Command::SaveRecord { id: None, record }] => {
            assert_eq!(record.name, "山本 大輝");
            assert_eq!(record.mobile.as_deref(), Some("+819000000002"));
            assert_eq!(record.kind, hirechat::domain::record::RecordKind::Contact);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
#[allow(
    clippy::too_many_lines,
    reason = "one reply's whole life, told in order"
)]
fn a_reply_sent_later_waits_in_the_chat_until_it_goes_and_can_be_taken_back() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use hirechat::{
        domain::{
            event::Event,
            schedule::{ScheduleState, ScheduledSend, ScheduledWhat},
        },
        tui::app::Command,
    };
    let alt_s = || Input::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT));
    let mut app = app_with(inbox(), 160, 45);
    open_selected(&mut app, haruto_thread());
    // Nothing written: Alt-s says what it is for.
    app.update(key('r'));
    app.update(alt_s());
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("Write the message first")
    );
    for c in "Online, the link follows.".chars() {
        app.update(key(c));
    }
    app.update(alt_s());
    assert!(draw(&app).backend().to_string().contains("Send at:"));
    for c in "tomorrow 9:00".chars() {
        app.update(key(c));
    }
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Command::Schedule {
            to: "+819000000001".into(),
            what: ScheduledWhat::Text {
                text: "Online, the link follows.".into()
            },
            when: "tomorrow 9:00".into(),
        }]
    );
    assert!(app.reply_text().is_empty(), "the box empties as for a send");
    let send = ScheduledSend {
        id: 4,
        to: "+819000000001".into(),
        conversation_id: Some(1),
        what: ScheduledWhat::Text {
            text: "Online, the link follows.".into(),
        },
        due_at: now() + chrono::Duration::hours(21),
        by: "aiko".into(),
        created_at: now(),
        held: None,
        rule: None,
        batch: None,
        will_skip: None,
        state: ScheduleState::Waiting,
    };
    app.update(Input::Scheduled(Box::new(send.clone())));
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .starts_with("Scheduled for Thu 26 Nov")
    );
    let screen = draw(&app).backend().to_string();
    assert!(
        screen.contains("🕒 scheduled for Thu 26 Nov 09:00: Online, the link follows."),
        "{screen}"
    );
    // s lists it; e takes it back into the reply box (cancelling it); d cancels.
    app.update(key('s'));
    assert!(draw(&app).backend().to_string().contains(" Scheduled "));
    assert_eq!(
        app.update(key('d')),
        vec![Command::CancelScheduled { id: 4 }]
    );
    assert_eq!(
        app.update(key('e')),
        vec![Command::CancelScheduled { id: 4 }]
    );
    assert_eq!(app.reply_text(), "Online, the link follows.");
    // The cancel arrives as an event: gone from the chat.
    let cancelled = ScheduledSend {
        state: ScheduleState::Cancelled {
            at: now(),
            cancelled_by: "aiko".into(),
        },
        ..send.clone()
    };
    app.update(Input::Event(Box::new(Event::Scheduled {
        scheduled: cancelled,
    })));
    assert!(!draw(&app).backend().to_string().contains("🕒"));
    // One of mine that could not go says why.
    let failed = ScheduledSend {
        state: ScheduleState::Failed {
            at: now(),
            reason: "Haruto Sato has opted out of messages".into(),
        },
        ..send.clone()
    };
    app.update(Input::Event(Box::new(Event::Scheduled {
        scheduled: failed,
    })));
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("did not go: Haruto Sato has opted out")
    );
    // A rule's send that will not go when due says so, in the chat and in its list.
    let skipping = ScheduledSend {
        id: 5,
        rule: Some(hirechat::domain::schedule::RuleFiring {
            rule_id: 2,
            rule: "follow-up".into(),
            record_id: 7,
            key: "follow-up".into(),
        }),
        will_skip: Some("Haruto Sato no longer fits the rule follow-up".into()),
        ..send.clone()
    };
    app.update(Input::Event(Box::new(Event::Scheduled {
        scheduled: skipping,
    })));
    let screen = draw(&app).backend().to_string();
    assert!(
        screen
            .contains("09:00, will be skipped (Haruto Sato no longer fits the rule follow-up): On"),
        "{screen}"
    );
    app.update(code(KeyCode::Esc));
    app.update(key('s'));
    let screen = draw(&app).backend().to_string();
    assert!(
        screen.contains("by aiko · will be skipped: Haruto Sato"),
        "{screen}"
    );
    // His record saved again (back in the process, say): the chat asks where its sends stand.
    let mut record = haruto_card().record.unwrap();
    assert_eq!(record.id, 7);
    assert_eq!(
        app.update(Input::Event(Box::new(Event::RecordSaved {
            record: record.clone()
        }))),
        vec![Command::LoadThread { conversation_id: 1 }]
    );
    record.id = 8;
    assert!(
        app.update(Input::Event(Box::new(Event::RecordSaved { record })))
            .is_empty(),
        "another record's save leaves the chat as it is"
    );
}

#[test]
fn a_template_from_the_picker_goes_later_with_alt_s() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use hirechat::{domain::schedule::ScheduledWhat, tui::app::Command};
    let alt_s = || Input::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT));
    let mut app = emily_after_three_days(160, 45);
    app.update(key('t'));
    app.update(Input::Templates(common::tui::templates()));
    app.update(code(KeyCode::Down));
    app.update(Input::Preview(common::tui::preview_missing_a_title()));
    app.update(alt_s());
    assert!(draw(&app).backend().to_string().contains("Send at:"));
    for c in "tomorrow 9:00".chars() {
        app.update(key(c));
    }
    let asked = app.update(code(KeyCode::Enter));
    let [Command::Schedule { what, when, .. }] = asked.as_slice() else {
        panic!("{asked:?}")
    };
    assert_eq!(when, "tomorrow 9:00");
    assert!(
        matches!(what, ScheduledWhat::Template { name, .. } if *name == common::tui::templates()[1].name),
        "{what:?}"
    );
    assert!(app.popup.is_none(), "the picker closed");
}
