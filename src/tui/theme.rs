//! Colours and styles, in one place. What carries meaning never rests on colour alone: the
//! selection is reversed video, and with `NO_COLOR` or the `terminal` theme (set by the
//! caller at start, see `set`) every style keeps only its weight and reversal, in the
//! terminal's own colours. The `light` theme trades the colours that vanish on a white
//! background (cyan, yellow, light blue) for darker ones.

use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeName;

static PLAIN: AtomicBool = AtomicBool::new(false);
static LIGHT: AtomicBool = AtomicBool::new(false);

/// No colours at all (`NO_COLOR`): styles keep their modifiers only.
pub fn set_plain(plain: bool) {
    PLAIN.store(plain, Ordering::Relaxed);
}

/// The theme the config names; `NO_COLOR` takes every colour away whatever it is.
pub fn set(theme: ThemeName, no_color: bool) {
    set_plain(no_color || theme == ThemeName::Terminal);
    LIGHT.store(theme == ThemeName::Light, Ordering::Relaxed);
}

/// `style`, or without `NO_COLOR` its colours; what stood on a background of its own (the
/// header, a toast, a badge) is then reversed, so it still stands out.
fn plain(style: Style) -> Style {
    let style = if LIGHT.load(Ordering::Relaxed) {
        on_light(style)
    } else {
        style
    };
    without_colour(style, PLAIN.load(Ordering::Relaxed))
}

/// Text colours readable on a light background.
fn on_light(style: Style) -> Style {
    let fg = style.fg.map(|c| match c {
        Color::Cyan | Color::LightBlue => Color::Blue,
        Color::Yellow => Color::Magenta,
        other => other,
    });
    Style { fg, ..style }
}

fn without_colour(style: Style, plain: bool) -> Style {
    if !plain {
        return style;
    }
    let stood_out = style.bg.is_some();
    let bare = Style {
        fg: None,
        bg: None,
        underline_color: None,
        ..style
    };
    if stood_out {
        bare.add_modifier(Modifier::REVERSED)
    } else {
        bare
    }
}

pub fn header() -> Style {
    plain(Style::new().fg(Color::Black).bg(Color::Cyan))
}
pub fn dim() -> Style {
    plain(Style::new().fg(Color::DarkGray))
}
pub fn unread() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn badge() -> Style {
    plain(
        Style::new()
            .fg(Color::Black)
            .bg(Color::Green)
            .add_modifier(Modifier::BOLD),
    )
}
/// The selected row: reversed video, readable on a dark or a light background and without
/// colour.
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}
/// A pane's frame: its border lit when it has the keyboard.
pub fn pane(focused: bool) -> ratatui::widgets::Block<'static> {
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(if focused { focused_border() } else { border() })
}

pub fn focused_border() -> Style {
    plain(Style::new().fg(Color::Cyan))
}
pub fn border() -> Style {
    plain(Style::new().fg(Color::DarkGray))
}
/// What is fine: an open window, an approved template, a form ready to save.
pub fn good() -> Style {
    plain(Style::new().fg(Color::Yellow))
}
/// What stops a send: a closed window.
pub fn bad() -> Style {
    plain(Style::new().fg(Color::Red))
}
pub fn failed() -> Style {
    plain(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
}
/// A send that may or may not have reached WhatsApp: not an error yet, not to be resent.
pub fn uncertain() -> Style {
    plain(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
}
pub fn read_ticks() -> Style {
    plain(Style::new().fg(Color::LightBlue))
}
/// Messages in the terminal's own text colour, whatever its background: which side a
/// message is on says who wrote it.
pub fn outbound() -> Style {
    Style::new()
}
pub fn inbound() -> Style {
    Style::new()
}
pub fn error_toast() -> Style {
    plain(Style::new().fg(Color::White).bg(Color::Red))
}
pub fn info_toast() -> Style {
    plain(Style::new().fg(Color::Black).bg(Color::Yellow))
}
/// The cursor of a one-line input: the character under it, reversed.
pub fn cursor() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}
pub fn key() -> Style {
    plain(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_backgrounds_get_darker_text_colours() {
        let key = on_light(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD));
        assert_eq!(key.fg, Some(Color::Blue));
        assert!(key.add_modifier.contains(Modifier::BOLD));
        assert_eq!(
            on_light(Style::new().fg(Color::Yellow)).fg,
            Some(Color::Magenta)
        );
    }

    #[test]
    fn without_colour_what_stood_out_is_reversed_and_weight_stays() {
        let header = without_colour(Style::new().fg(Color::Black).bg(Color::Cyan), true);
        assert_eq!((header.fg, header.bg), (None, None));
        assert!(header.add_modifier.contains(Modifier::REVERSED));
        let failed = without_colour(
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            true,
        );
        assert_eq!(failed.fg, None);
        assert!(failed.add_modifier.contains(Modifier::BOLD));
        assert!(selected().add_modifier.contains(Modifier::REVERSED));
    }
}
