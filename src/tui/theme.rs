//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

pub fn header() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn unread() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn badge() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Green)
        .add_modifier(Modifier::BOLD)
}
pub fn selected() -> Style {
    Style::new().bg(Color::Rgb(40, 44, 64))
}
/// A pane's frame: its border lit when it has the keyboard.
pub fn pane(focused: bool) -> ratatui::widgets::Block<'static> {
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(if focused { focused_border() } else { border() })
}

pub fn focused_border() -> Style {
    Style::new().fg(Color::Cyan)
}
pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}
/// What is fine: an open window, an approved template, a form ready to save.
pub fn good() -> Style {
    Style::new().fg(Color::Yellow)
}
/// What stops a send: a closed window.
pub fn bad() -> Style {
    Style::new().fg(Color::Red)
}
pub fn failed() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
/// A send that may or may not have reached WhatsApp: not an error yet, not to be resent.
pub fn uncertain() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn read_ticks() -> Style {
    Style::new().fg(Color::LightBlue)
}
pub fn outbound() -> Style {
    Style::new().fg(Color::White)
}
pub fn inbound() -> Style {
    Style::new().fg(Color::Gray)
}
pub fn error_toast() -> Style {
    Style::new().fg(Color::White).bg(Color::Red)
}
pub fn info_toast() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow)
}
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
