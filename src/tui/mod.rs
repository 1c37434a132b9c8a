//! The full-screen inbox. `App` is a plain state machine (`app.rs`), drawing is a pure function
//! of it (`view/`), and this run loop wires them to the terminal and the engine: it waits for
//! input (keys, engine events, answers), updates, and redraws once per burst. There is no
//! redraw timer: the only timed wake-up is for the clock (countdowns, toasts).

pub mod action;
pub mod app;
pub mod chat_state;
pub mod drafts_file;
pub mod editor;
pub mod files;
pub mod format;
pub mod keymap;
pub mod line_input;
pub mod link;
pub mod list_state;
pub mod notifications;
pub mod outside;
pub mod popup;
pub mod preview;
pub mod theme;
pub mod view;

use chrono::{Offset, Utc};
use ratatui::{Terminal, backend::Backend};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::config::NotificationsConfig;
use app::{App, Connection, Input};
use link::Link;

/// At most this many inputs are taken before a redraw, so a flood cannot starve the screen.
const BURST: usize = 512;

/// The app wired to the engine: inputs in, commands out to the link. The run loop and the
/// tests both drive it one burst at a time.
pub struct Session {
    pub app: App,
    link: Link,
    tx: UnboundedSender<Input>,
    rx: UnboundedReceiver<Input>,
}

impl Session {
    /// Starts listening to the engine's events and asks for the first data.
    pub fn start(mut app: App, link: Link) -> Self {
        let (tx, rx) = unbounded_channel();
        tokio::spawn(link.clone().forward_events(tx.clone()));
        for c in app.start() {
            link.execute(c, tx.clone());
        }
        Self { app, link, tx, rx }
    }

    /// Where keys (and other outside inputs) go.
    pub fn sender(&self) -> UnboundedSender<Input> {
        self.tx.clone()
    }

    /// Waits for input (or the clock), then applies everything pending at once. Returns
    /// false when the app has quit.
    pub async fn step(&mut self) -> bool {
        let wake = (self.app.next_wake() - Utc::now())
            .to_std()
            .unwrap_or_default();
        let first = tokio::select! {
            input = self.rx.recv() => match input {
                Some(i) => i,
                None => return false,
            },
            () = tokio::time::sleep(wake) => Input::Tick(Utc::now()),
        };
        let mut pending = vec![first];
        while pending.len() < BURST {
            match self.rx.try_recv() {
                Ok(i) => pending.push(i),
                Err(_) => break,
            }
        }
        // The app's clock moves on its ticks, which may be a minute apart: it is brought to
        // now before a burst, so what the burst says (a toast, its time) is timed from now.
        let now = Utc::now();
        if now - self.app.now >= chrono::Duration::seconds(1) {
            pending.insert(0, Input::Tick(now));
        }
        for input in pending {
            for c in self.app.update(input) {
                self.link.execute(c, self.tx.clone());
            }
        }
        !self.app.quit
    }
}

/// Runs a session on `terminal` until the app quits, redrawing once per burst of input, and
/// calling attention to new notifications as `alerts` says.
pub async fn run_app<B: Backend>(
    terminal: &mut Terminal<B>,
    session: &mut Session,
    alerts: NotificationsConfig,
    mut drafts: Option<drafts_file::DraftsFile>,
    editor: &dyn Fn(&app::EditRequest) -> Result<String, String>,
) -> Result<(), String> {
    let mut told = 0;
    loop {
        if let Some(request) = session.app.take_outside() {
            outside::carry_out(request);
        }
        if let Some(request) = session.app.take_edit_request() {
            let text = editor(&request);
            // The editor drew over everything: the next frame is drawn whole.
            terminal.clear().map_err(|e| format!("cannot draw: {e}"))?;
            let _ = session.sender().send(Input::Edited {
                target: request.target,
                text,
            });
        }
        if let Some(file) = drafts.as_mut() {
            file.save(&session.app.drafts(), session.app.quit);
        }
        let n = &session.app.notifications;
        if n.arrived != told {
            told = n.arrived;
            if let Some(newest) = n.items.first() {
                alert(alerts, &format!("{} · {} new", newest.name, newest.count));
            }
        }
        terminal
            .draw(|f| view::render(&session.app, f))
            .map_err(|e| format!("cannot draw: {e}"))?;
        if !session.step().await {
            if let Some(file) = drafts.as_mut() {
                file.save(&session.app.drafts(), true);
            }
            return Ok(());
        }
    }
}

/// Runs the app in the real terminal: raw mode, the alternate screen, a panic hook that
/// restores the terminal, and a thread that reads keys.
/// Rings the bell and/or asks for a desktop notification. The text comes from outside, so
/// it is neutralised: no control character can end the escape sequence early.
fn alert(alerts: NotificationsConfig, text: &str) {
    use std::io::Write as _;
    let sequence = alert_sequence(alerts, text);
    if !sequence.is_empty() {
        let mut out = std::io::stdout();
        let _ = out.write_all(sequence.as_bytes());
        let _ = out.flush();
    }
}

/// The bytes of an alert: BEL, and OSC 9 + OSC 777 around text that cannot break out of them.
pub fn alert_sequence(alerts: NotificationsConfig, text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if alerts.bell {
        out.push('\x07');
    }
    if alerts.desktop {
        let safe: String = crate::domain::safe_text::neutralise(text, false)
            .chars()
            .filter(|c| !c.is_control() && *c != ';')
            .collect();
        let _ = write!(
            out,
            "\x1b]9;hirechat: {safe}\x07\x1b]777;notify;hirechat;{safe}\x07"
        );
    }
    out
}

/// How the inbox looks and calls attention, and handles files: the config's
/// `[notifications]`, `[tui]` and `[attachments]`.
#[derive(Debug, Clone, Default)]
pub struct Look {
    pub alerts: NotificationsConfig,
    pub tui: crate::config::TuiConfig,
    pub attachments: crate::config::AttachmentsConfig,
}

pub async fn run_terminal(
    link: Link,
    connection: Connection,
    look: Look,
    warning: Option<String>,
    empty_hint: Option<String>,
    mut drafts: Option<drafts_file::DraftsFile>,
) -> Result<(), String> {
    let mut terminal = ratatui::try_init().map_err(|e| format!("cannot open the terminal: {e}"))?;
    // A paste arrives as one piece of text, not as keys (a pasted line break is not Enter).
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    MOUSE.store(look.tui.mouse, std::sync::atomic::Ordering::Relaxed);
    if look.tui.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let size = terminal.size().map_err(|e| e.to_string())?;
    let mut app = App::new(Utc::now(), connection, size.width, size.height);
    app.tz = chrono::Local::now().offset().fix();
    // https://no-color.org: present and not empty.
    theme::set(
        look.tui.theme,
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    );
    if let Some(w) = warning {
        app.warn(w);
    }
    app.empty_hint = empty_hint;
    app.desktop = outside::desktop();
    app.file_setup = files::FileSetup::new(&look.attachments, app.desktop);
    app.file_setup.forget_old_openings();
    let link = if look.attachments.previews {
        app.file_setup.previews = true;
        link.with_previews(preview::picker_for_this_terminal(look.attachments.graphics))
    } else {
        link
    };
    let chooser = app.file_setup.picker.clone();
    if let Some(file) = drafts.as_mut() {
        app.restore_drafts(file.load());
    }
    let mut session = Session::start(app, link);
    let keys = session.sender();
    let pause = editor::KeyPause::default();
    let reader_pause = pause.clone();
    std::thread::Builder::new()
        .name("hirechat-keys".into())
        .spawn(move || read_keys(&keys, &reader_pause))
        .map_err(|e| e.to_string())?;
    tokio::spawn(quit_on_hangup(session.sender()));
    let editor = |request: &app::EditRequest| match (request.target, &chooser) {
        (app::EditTarget::Attach, Some(argv)) => editor::choose(argv, &pause),
        _ => editor::edit(&request.text, &pause),
    };
    let result = run_app(&mut terminal, &mut session, look.alerts, drafts, &editor).await;
    restore();
    // Dropping a terminal whose cursor is hidden shows it and prints when that fails, which
    // panics when the terminal has gone away: the cursor was shown above, so it is let go.
    std::mem::forget(terminal);
    result
}

/// Whether the inbox takes the mouse (`[tui] mouse`).
static MOUSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Takes the terminal (again, after an editor): raw mode, the alternate screen, pastes as
/// one piece, the mouse if it is wanted.
fn take_over() {
    let _ = crossterm::terminal::enable_raw_mode();
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    );
    if MOUSE.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
}

/// Gives the terminal back. Errors are ignored: when the terminal has gone away (its window
/// closed) there is nothing to restore, and saying so would fail too (ratatui's own
/// `restore` prints, and printing to a closed terminal panics, skipping what follows).
fn restore() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableMouseCapture,
        crossterm::event::DisableBracketedPaste,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
}

/// The terminal went away (SIGHUP: its window closed, the SSH connection dropped) or the
/// process was asked to stop (SIGTERM): leave as `Ctrl-c` would, so that what is done on the
/// way out (the demo removing its directory) is done.
async fn quit_on_hangup(tx: UnboundedSender<Input>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut hangup), Ok(mut term)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    tokio::select! {
        _ = hangup.recv() => {}
        _ = term.recv() => {}
    }
    let _ = tx.send(Input::Hangup);
}

fn read_keys(tx: &UnboundedSender<Input>, pause: &editor::KeyPause) {
    loop {
        // Reading only after a short wait for input lets the editor have the keyboard.
        if !pause.may_read() {
            std::thread::sleep(std::time::Duration::from_millis(10));
            continue;
        }
        match crossterm::event::poll(std::time::Duration::from_millis(50)) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(_) => return,
        }
        let input = match crossterm::event::read() {
            Ok(crossterm::event::Event::Key(k)) => Input::Key(k),
            Ok(crossterm::event::Event::Resize(width, height)) => Input::Resize { width, height },
            Ok(crossterm::event::Event::Paste(text)) => Input::Paste(text),
            Ok(crossterm::event::Event::Mouse(m)) => Input::Mouse(m),
            Ok(_) => continue,
            Err(_) => return,
        };
        if tx.send(input).is_err() {
            return;
        }
    }
}
