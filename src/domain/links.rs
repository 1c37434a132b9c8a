//! Links in a message's text: `http://` and `https://` addresses, without the punctuation a
//! sentence puts after them. Nothing else is a link here: a message cannot make the opener
//! run a file or another scheme.

/// The links in `text`, in order.
pub fn find(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '「' | '」'))
        .filter_map(|word| {
            let start = word.find("https://").or_else(|| word.find("http://"))?;
            let link = word[start..].trim_end_matches(|c: char| {
                matches!(
                    c,
                    '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '\'' | '。' | '、'
                )
            });
            let host = link.split("://").nth(1)?;
            let safe = !host.is_empty() && !link.chars().any(char::is_control);
            safe.then(|| link.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_without_the_sentence_around_them() {
        assert_eq!(
            find("Book here: https://cal.example.com/aiko/30min. Or (http://x.jp/a?b=1), thanks"),
            ["https://cal.example.com/aiko/30min", "http://x.jp/a?b=1"]
        );
        assert_eq!(
            find("面接はこちら：https://meet.example.com/abc。"),
            ["https://meet.example.com/abc"]
        );
        assert!(find("file:///etc/passwd javascript:alert(1) https://").is_empty());
    }
}
