//! A one-line input with the readline keys terminal users know: ←/→, Home/End and Ctrl-a/e,
//! Ctrl-←/→ and Alt-b/f by word, Backspace/Delete, Ctrl-u (to the start), Ctrl-k (to the end),
//! Ctrl-w and Alt-Backspace (the word before). The filter prompt, the search, the records pane
//! and the template picker type into one.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// In characters, 0..=len.
    cursor: usize,
}

/// What a key did to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key.
    Ignored,
}

impl LineInput {
    /// `text`, with the cursor at its end.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte(&self, at: usize) -> usize {
        self.text
            .char_indices()
            .nth(at)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Removes the characters between `from` and `to` (in characters); the cursor goes to
    /// `from`.
    fn remove(&mut self, from: usize, to: usize) -> Edit {
        if from >= to {
            return Edit::Ignored;
        }
        let (a, b) = (self.byte(from), self.byte(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
        Edit::Changed
    }

    /// Where the word before the cursor starts (skipping spaces first).
    fn word_back(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor;
        while at > 0 && chars[at - 1].is_whitespace() {
            at -= 1;
        }
        while at > 0 && !chars[at - 1].is_whitespace() {
            at -= 1;
        }
        at
    }

    /// Where the word after the cursor ends.
    fn word_forward(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor;
        while at < chars.len() && chars[at].is_whitespace() {
            at += 1;
        }
        while at < chars.len() && !chars[at].is_whitespace() {
            at += 1;
        }
        at
    }

    fn move_to(&mut self, at: usize) -> Edit {
        self.cursor = at.min(self.len());
        Edit::Moved
    }

    /// Applies a key.
    pub fn key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('a') if ctrl => self.move_to(0),
            KeyCode::Char('e') if ctrl => self.move_to(self.len()),
            KeyCode::Char('b') if ctrl => self.move_to(self.cursor.saturating_sub(1)),
            KeyCode::Char('f') if ctrl => self.move_to(self.cursor + 1),
            KeyCode::Char('b') if alt => self.move_to(self.word_back()),
            KeyCode::Char('f') if alt => self.move_to(self.word_forward()),
            KeyCode::Char('u') if ctrl => self.remove(0, self.cursor),
            KeyCode::Char('k') if ctrl => self.remove(self.cursor, self.len()),
            KeyCode::Char('w') if ctrl => self.remove(self.word_back(), self.cursor),
            KeyCode::Backspace if alt || ctrl => self.remove(self.word_back(), self.cursor),
            KeyCode::Char('h') if ctrl => self.remove(self.cursor.saturating_sub(1), self.cursor),
            KeyCode::Char(c) if !ctrl && !alt => {
                self.insert(c);
                Edit::Changed
            }
            KeyCode::Backspace => self.remove(self.cursor.saturating_sub(1), self.cursor),
            KeyCode::Delete => self.remove(self.cursor, self.cursor + 1),
            KeyCode::Left if ctrl || alt => self.move_to(self.word_back()),
            KeyCode::Right if ctrl || alt => self.move_to(self.word_forward()),
            KeyCode::Left => self.move_to(self.cursor.saturating_sub(1)),
            KeyCode::Right => self.move_to(self.cursor + 1),
            KeyCode::Home => self.move_to(0),
            KeyCode::End => self.move_to(self.len()),
            _ => Edit::Ignored,
        }
    }

    /// The part to show in `room` columns, keeping the cursor in view (the start of a long
    /// input scrolls away only when the cursor needs the room), and the cursor's column in it.
    pub fn visible(&self, room: usize) -> (String, usize) {
        let chars: Vec<char> = self.text.chars().collect();
        let width = |cs: &[char]| cs.iter().map(|c| c.width().unwrap_or(0)).sum::<usize>();
        let room = room.max(1);
        // The first character shown: as far left as lets the cursor (and a column for it) fit.
        let mut start = 0;
        while start < self.cursor && width(&chars[start..self.cursor]) + 1 > room {
            start += 1;
        }
        let mut shown = String::new();
        let mut used = 0;
        for c in &chars[start..] {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            shown.push(*c);
            used += w;
        }
        (shown, width(&chars[start..self.cursor]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(input: &mut LineInput, code: KeyCode, modifiers: KeyModifiers) -> Edit {
        input.key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn readline_keys_edit_where_the_cursor_is() {
        let mut i = LineInput::new("unreplied owner:me");
        press(&mut i, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(i.text(), "unreplied ");
        press(&mut i, KeyCode::Home, KeyModifiers::NONE);
        for c in "failed ".chars() {
            press(&mut i, KeyCode::Char(c), KeyModifiers::NONE);
        }
        assert_eq!(i.text(), "failed unreplied ");
        press(&mut i, KeyCode::Char('k'), KeyModifiers::CONTROL);
        assert_eq!(i.text(), "failed ");
        press(&mut i, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!((i.text(), i.cursor()), ("", 0));
        assert_eq!(
            press(&mut i, KeyCode::Backspace, KeyModifiers::NONE),
            Edit::Ignored
        );
    }

    #[test]
    fn moving_by_words_and_deleting_under_the_cursor() {
        let mut i = LineInput::new("面接 window:open");
        press(&mut i, KeyCode::Left, KeyModifiers::CONTROL);
        assert_eq!(i.cursor(), 3);
        press(&mut i, KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(i.cursor(), 0);
        press(&mut i, KeyCode::Delete, KeyModifiers::NONE);
        assert_eq!(i.text(), "接 window:open");
        press(&mut i, KeyCode::Char('e'), KeyModifiers::CONTROL);
        assert_eq!(i.cursor(), i.text().chars().count());
    }

    #[test]
    fn a_long_input_scrolls_to_keep_the_cursor_in_view() {
        let mut i = LineInput::new("unreplied>3d owner:me window:open failed");
        let (shown, at) = i.visible(12);
        assert!(
            shown.ends_with("failed") || shown.ends_with("faile"),
            "{shown}"
        );
        assert!(at <= 11);
        press(&mut i, KeyCode::Home, KeyModifiers::NONE);
        let (shown, at) = i.visible(12);
        assert!(shown.starts_with("unreplied"), "{shown}");
        assert_eq!(at, 0);
    }
}
