//! The full-screen inbox. `App` is a plain state machine (`app.rs`), drawing is a pure function
//! of it (`view/`), and this run loop wires them to the terminal and the engine: it waits for
//! input (keys, engine events, answers), updates, and redraws once per burst. There is no
//! redraw timer: the only timed wake-up is for the clock (countdowns, toasts).

pub mod action;
pub mod app;
pub mod chat_state;
pub mod format;
pub mod keymap;
pub mod link;
pub mod list_state;
pub mod theme;
pub mod view;

use chrono::{Offset, Utc};
use ratatui::{Terminal, backend::Backend};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use app::{App, Connection, Input};
use link::Link;

/// At most this many inputs are taken before a redraw, so a flood cannot starve the screen.
const BURST: usize = 512;

/// Runs the app on `terminal` until it quits. Inputs arrive on `rx` (keys from the caller,
/// engine events and answers from `link`).
pub async fn run_app<B: Backend>(
    terminal: &mut Terminal<B>,
    mut app: App,
    link: &Link,
    tx: &UnboundedSender<Input>,
    rx: &mut UnboundedReceiver<Input>,
) -> Result<App, String> {
    tokio::spawn(link.clone().forward_events(tx.clone()));
    for c in app.start() {
        link.execute(c, tx.clone());
    }
    let draw = |terminal: &mut Terminal<B>, app: &App| {
        terminal
            .draw(|f| view::render(app, f))
            .map(|_| ())
            .map_err(|e| format!("cannot draw: {e}"))
    };
    draw(terminal, &app)?;
    loop {
        let wake = (app.next_wake() - Utc::now()).to_std().unwrap_or_default();
        let first = tokio::select! {
            input = rx.recv() => match input {
                Some(i) => i,
                None => return Ok(app),
            },
            () = tokio::time::sleep(wake) => Input::Tick(Utc::now()),
        };
        let mut pending = vec![first];
        while pending.len() < BURST {
            match rx.try_recv() {
                Ok(i) => pending.push(i),
                Err(_) => break,
            }
        }
        for input in pending {
            for c in app.update(input) {
                link.execute(c, tx.clone());
            }
        }
        if app.quit {
            return Ok(app);
        }
        draw(terminal, &app)?;
    }
}

/// Runs the app in the real terminal: raw mode, the alternate screen, a panic hook that
/// restores the terminal, and a thread that reads keys.
pub async fn run_terminal(link: Link, connection: Connection) -> Result<(), String> {
    let mut terminal = ratatui::try_init().map_err(|e| format!("cannot open the terminal: {e}"))?;
    let size = terminal.size().map_err(|e| e.to_string())?;
    let mut app = App::new(Utc::now(), connection, size.width, size.height);
    app.tz = chrono::Local::now().offset().fix();
    let (tx, mut rx) = unbounded_channel();
    let keys = tx.clone();
    std::thread::Builder::new()
        .name("hirechat-keys".into())
        .spawn(move || read_keys(&keys))
        .map_err(|e| e.to_string())?;
    let result = run_app(&mut terminal, app, &link, &tx, &mut rx).await;
    ratatui::restore();
    result.map(|_| ())
}

fn read_keys(tx: &UnboundedSender<Input>) {
    loop {
        let input = match crossterm::event::read() {
            Ok(crossterm::event::Event::Key(k)) => Input::Key(k),
            Ok(crossterm::event::Event::Resize(width, height)) => Input::Resize { width, height },
            Ok(_) => continue,
            Err(_) => return,
        };
        if tx.send(input).is_err() {
            return;
        }
    }
}
