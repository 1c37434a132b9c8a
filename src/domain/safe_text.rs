//! Text from outside (message bodies, names, file names) made safe to print on a terminal.
//!
//! A message must never drive the recruiter's terminal: control characters become their
//! visible pictures (`␛`), and characters that reorder or hide text (bidirectional overrides,
//! zero-width characters) are shown as `\u{…}` escapes.

use std::{borrow::Cow, fmt::Write as _};

/// Neutralises control, bidi and invisible characters. Newlines and tabs stay when `multiline`.
pub fn neutralise(input: &str, multiline: bool) -> Cow<'_, str> {
    if !input.chars().any(|c| needs_escape(c, multiline)) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if !needs_escape(c, multiline) {
            out.push(c);
        } else if (c as u32) < 0x20 {
            // U+2400.. are the "control pictures": ␀ ␁ … ␛ …
            out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
        } else if c == '\u{7f}' {
            out.push('␡');
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` would be escaped on one line: a control, bidi or invisible character.
pub fn is_invisible(c: char) -> bool {
    needs_escape(c, false)
}

fn needs_escape(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\t' => !multiline,
        // C0 and C1 controls (ESC, CSI, BEL, …); then bidirectional embeddings, overrides and
        // isolates; then zero-width and invisible formatting characters.
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{200b}'..='\u{200d}'
        | '\u{2060}'..='\u{2064}'
        | '\u{feff}'
        | '\u{ad}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cannot_reach_the_terminal() {
        let hostile = "hi\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m";
        let safe = neutralise(hostile, true);
        assert!(!safe.chars().any(char::is_control), "{safe}");
        assert!(safe.starts_with("hi␛[2J␛]0;pwned␇"));
    }

    #[test]
    fn bidi_and_zero_width_are_visible() {
        assert_eq!(
            neutralise("a\u{202e}b\u{200b}c", true),
            "a\\u{202e}b\\u{200b}c"
        );
    }

    #[test]
    fn plain_text_is_untouched() {
        assert!(matches!(
            neutralise("面接は火曜日 10:00 👍", false),
            Cow::Borrowed(_)
        ));
        assert_eq!(neutralise("two\nlines", true), "two\nlines");
        assert_eq!(neutralise("two\nlines", false), "two␊lines");
    }
}
