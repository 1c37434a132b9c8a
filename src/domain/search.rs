//! Search terms: how text is cut into the tokens the search index keeps, and how a query is
//! matched. Latin-script words are kept whole (a query word matches words it begins);
//! Japanese, Chinese and Korean runs, written without spaces, are cut into pairs of
//! characters, so any two adjacent characters find the text.
//!
//! The index keeps a word by its start ([`index_form`]): numbers, codes and long words would
//! otherwise add a key each (every order number, every link), and the index would grow with
//! every distinct one. A query looks up the same start and then checks each hit's text for
//! the whole word, so what is found does not change.

/// At most this many tokens of one text are indexed (a long message is still found by its
/// first few hundred words).
pub const MAX_TOKENS: usize = 256;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9D // half-width Katakana
    )
}

/// The runs of a text: words, and runs of CJK characters, lowercased.
fn runs(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut current = String::new();
    let mut cjk = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let here_cjk = is_cjk(c);
        if !(c.is_alphanumeric() || here_cjk) {
            if !current.is_empty() {
                out.push((cjk, std::mem::take(&mut current)));
            }
            continue;
        }
        if !current.is_empty() && here_cjk != cjk {
            out.push((cjk, std::mem::take(&mut current)));
        }
        cjk = here_cjk;
        current.push(c);
    }
    if !current.is_empty() {
        out.push((cjk, current));
    }
    out
}

fn pairs(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    if chars.len() == 1 {
        return vec![run.to_owned()];
    }
    let mut out: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    // The last character alone, so that a one-character query finds it at a run's end.
    out.push(chars[chars.len() - 1].to_string());
    out
}

/// A word with a digit is indexed by this many characters at most (`2026`, `0901`, `ab12`).
pub const DIGITS_KEPT: usize = 4;
/// Any other word by this many (`interviewing` whole; `responsibilities` as `responsibili`).
pub const CHARS_KEPT: usize = 12;

/// The start of a word that the index keeps (see the module's comment).
pub fn index_form(word: &str) -> String {
    let kept = if word.chars().any(char::is_numeric) {
        DIGITS_KEPT
    } else {
        CHARS_KEPT
    };
    word.chars().take(kept).collect()
}

/// The distinct tokens to index for `text`.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (cjk, run) in runs(text) {
        let new = if cjk {
            pairs(&run)
        } else {
            vec![index_form(&run)]
        };
        for t in new {
            if !out.contains(&t) {
                out.push(t);
            }
            if out.len() == MAX_TOKENS {
                return out;
            }
        }
    }
    out
}

/// A query: its terms to look up in the index, each with whether it is a whole token (a CJK
/// pair) or a prefix (a word, or one CJK character), and the lowercase words a hit's text must
/// contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<(String, bool)>,
    pub words: Vec<String>,
}

impl Query {
    pub fn parse(query: &str) -> Self {
        let mut terms = Vec::new();
        let mut words = Vec::new();
        for (cjk, run) in runs(query) {
            if cjk && run.chars().count() > 1 {
                let chars: Vec<char> = run.chars().collect();
                terms.extend(chars.windows(2).map(|w| (w.iter().collect(), true)));
            } else if cjk {
                terms.push((run.clone(), false));
            } else {
                terms.push((index_form(&run), false));
            }
            words.push(run);
        }
        Self { terms, words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether `text` contains every word of the query (any case).
    pub fn matches(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        self.words.iter().all(|w| text.contains(w.as_str()))
    }

    /// Whether a message's `text` in a conversation called `name` is a hit: it has at least
    /// one word of the query, and each of the others is in it or in the name, so that `Sato
    /// interview` finds the interview messages in Sato's conversation.
    pub fn matches_message(&self, text: &str, name: &str) -> bool {
        let (text, name) = (text.to_lowercase(), name.to_lowercase());
        self.words.iter().any(|w| text.contains(w.as_str()))
            && self
                .words
                .iter()
                .all(|w| text.contains(w.as_str()) || name.contains(w.as_str()))
    }
}

/// About `max` characters of `text` around the first word of the query it contains, on one
/// line, with `…` where it was cut.
pub fn context(text: &str, query: &Query, max: usize) -> String {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    // One lowercase character per character, so positions line up.
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let at = query
        .words
        .iter()
        .filter_map(|w| {
            let w: Vec<char> = w.chars().collect();
            lower
                .windows(w.len().max(1))
                .position(|x| x == w.as_slice())
        })
        .min()
        .unwrap_or(0);
    let start = if chars.len() <= max {
        0
    } else {
        at.saturating_sub(max / 3).min(chars.len() - max)
    };
    let end = (start + max).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_character_pairs() {
        assert_eq!(
            tokens("Is the Interview still on? Interview!"),
            ["is", "the", "interview", "still", "on"]
        );
        assert_eq!(
            tokens("面接は火曜日です"),
            ["面接", "接は", "は火", "火曜", "曜日", "日で", "です", "す"]
        );
        assert_eq!(
            tokens("Data Engineer面接"),
            ["data", "engineer", "面接", "接"]
        );
    }

    #[test]
    fn queries_match_words_and_pairs() {
        let q = Query::parse("Tuesday 面接");
        assert_eq!(
            q.terms,
            [("tuesday".to_owned(), false), ("面接".to_owned(), true)]
        );
        assert!(q.matches("面接 is on TUESDAY"));
        assert!(!q.matches("面接 is on Monday"));
        assert!(Query::parse("  ?! ").is_empty());
    }

    #[test]
    fn numbers_codes_and_long_words_are_indexed_by_their_start() {
        assert_eq!(
            tokens("Ref 2026-000123, call 09012345678 re: responsibilities at wamid.HBgM0a9"),
            [
                "ref",
                "2026",
                "0001",
                "call",
                "0901",
                "re",
                "responsibili",
                "at",
                "wamid",
                "hbgm"
            ]
        );
        // A query looks up the same start; the whole word is checked in the text.
        let q = Query::parse("09012345678 responsibilities");
        assert_eq!(
            q.terms,
            [
                ("0901".to_owned(), false),
                ("responsibili".to_owned(), false)
            ]
        );
        assert!(q.matches("Call 09012345678 about the responsibilities"));
        assert!(!q.matches("Call 09019999999 about the responsibilities"));
    }

    #[test]
    fn a_message_is_found_by_its_words_with_its_conversation_name() {
        let q = Query::parse("Sato interview");
        assert!(q.matches_message("The interview is on Tuesday", "Haruto Sato"));
        assert!(q.matches_message("Sato-san, your interview", "Someone else"));
        assert!(!q.matches_message("The interview is on Tuesday", "Emily Clarke"));
        assert!(
            !q.matches_message("See you then", "Haruto Sato"),
            "a message with none of the words is not a hit, whatever its conversation"
        );
        assert!(
            !q.matches("Haruto Sato"),
            "a name is a hit only with every word"
        );
    }

    #[test]
    fn context_centres_on_the_match() {
        let q = Query::parse("parking");
        let text = "Thanks for the invitation! I will come by train, but is there parking near the office in case I drive?";
        assert_eq!(context(text, &q, 30), "… is there parking near the off…");
        assert_eq!(context("short\ntext", &q, 30), "short text");
    }
}
