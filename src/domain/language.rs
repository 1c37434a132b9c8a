//! Which language a contact writes in, as far as their messages show, so that the template
//! in their language comes first. Only the script is looked at: kana is Japanese, hangul
//! Korean, Han without kana Chinese, Latin letters English (the commonest template language
//! written in them); a template's language matches on its first part (`en` for `en_US`).

/// The language of most of `texts`' letters, if any letters at all.
pub fn of_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    let (mut kana, mut hangul, mut han, mut latin) = (0usize, 0usize, 0usize, 0usize);
    for c in texts.into_iter().flat_map(str::chars) {
        match c {
            '\u{3040}'..='\u{30ff}' => kana += 1,
            '\u{ac00}'..='\u{d7af}' | '\u{1100}'..='\u{11ff}' => hangul += 1,
            '\u{4e00}'..='\u{9fff}' => han += 1,
            c if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    // Japanese mixes kana with Han: either makes it Japanese when there is kana at all.
    let scores = [
        ("ja", if kana > 0 { kana + han } else { 0 }),
        ("ko", hangul),
        ("zh", if kana == 0 { han } else { 0 }),
        ("en", latin),
    ];
    scores
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(lang, _)| lang)
}

/// Whether a template in `language` (`en_US`, `ja`) is in `hint` (`en`).
pub fn matches(language: &str, hint: &str) -> bool {
    language.split(['_', '-']).next() == Some(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_says_the_language() {
        assert_eq!(of_texts(["Tuesday 10:00 works for me."]), Some("en"));
        assert_eq!(
            of_texts(["面接の日程について確認させてください。"]),
            Some("ja")
        );
        assert_eq!(of_texts(["面试时间是几点？"]), Some("zh"));
        assert_eq!(of_texts(["안녕하세요"]), Some("ko"));
        assert_eq!(of_texts(["👍", "10:00"]), None);
        // Mostly English, with a Japanese name in it.
        assert_eq!(
            of_texts(["Hello, this is Sato (佐藤) about the Data Engineer role"]),
            Some("en")
        );
    }

    #[test]
    fn a_language_matches_on_its_first_part() {
        assert!(matches("en_US", "en"));
        assert!(matches("ja", "ja"));
        assert!(!matches("ja", "en"));
    }
}
