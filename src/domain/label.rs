//! Labels an admin defines ("shortlisted", "visa") with a colour, put on conversations by
//! anyone who replies, read by filters (`label:visa`) and saved views. A name is one word
//! (a filter splits on spaces).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
    /// A terminal colour: red, green, yellow, blue, magenta, cyan or gray.
    pub colour: String,
}

pub const COLOURS: &[&str] = &["red", "green", "yellow", "blue", "magenta", "cyan", "gray"];

impl Label {
    /// A label as an admin typed it, checked: a one-word name, a known colour.
    pub fn new(name: &str, colour: &str) -> Result<Self, String> {
        let name = name.trim().to_lowercase();
        if name.is_empty()
            || name.chars().count() > 32
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "{name:?} is not a label name: one word of letters, digits, - or _ (at most 32)"
            ));
        }
        let colour = colour.trim().to_lowercase();
        if !COLOURS.contains(&colour.as_str()) {
            return Err(format!(
                "{colour:?} is not a colour here: {}",
                COLOURS.join(", ")
            ));
        }
        Ok(Self { name, colour })
    }
}

/// `labels` with `add` put on and `remove` taken off (each once, in order); what changed.
pub fn relabel(
    labels: &mut Vec<String>,
    add: &[String],
    remove: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut added = Vec::new();
    for a in add {
        if !labels.contains(a) && !added.contains(a) {
            labels.push(a.clone());
            added.push(a.clone());
        }
    }
    let before = labels.len();
    let mut removed = Vec::new();
    labels.retain(|l| {
        let goes = remove.contains(l);
        if goes {
            removed.push(l.clone());
        }
        !goes
    });
    debug_assert!(labels.len() + removed.len() == before);
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_word_and_colours_known() {
        assert_eq!(Label::new(" Visa ", "Red").unwrap().name, "visa");
        assert!(
            Label::new("on hold", "red")
                .unwrap_err()
                .contains("one word")
        );
        assert!(Label::new("visa", "pink").unwrap_err().contains("cyan"));
    }

    #[test]
    fn relabelling_says_what_changed() {
        let mut l = vec!["visa".to_owned()];
        let (added, removed) = relabel(
            &mut l,
            &["shortlisted".into(), "visa".into()],
            &["visa".into(), "nope".into()],
        );
        assert_eq!(added, ["shortlisted"]);
        assert_eq!(removed, ["visa"]);
        assert_eq!(l, ["shortlisted"]);
    }
}
