//! Phone numbers in E.164 (`+819012345678`), as WhatsApp and the store keep them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The shortest and longest digit counts E.164 allows (country code included).
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error(
        "{0:?} is not a phone number: only digits, spaces, '+', '-', '.', '(' and ')' are allowed"
    )]
    BadCharacter(String),
    #[error("{0:?} has {1} digits; a phone number with its country code has 7 to 15")]
    BadLength(String, usize),
    #[error(
        "{0:?} has no country code: write it as +<country code><number>, e.g. +81 90 1234 5678"
    )]
    NoCountryCode(String),
    #[error("unknown country {0:?}: use a two-letter code such as JP, US or GB")]
    UnknownCountry(String),
}

impl PhoneNumber {
    /// Parses an international number: `+81 90-1234-5678`, `0081…`, or bare digits as WhatsApp
    /// writes them in `wa_id` (`819012345678`). A national number (leading single `0`) needs a
    /// country: see [`PhoneNumber::parse_in_country`].
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        Self::parse_in_country(input, None)
    }

    /// Like [`PhoneNumber::parse`], but a national number (`090-1234-5678`) takes the calling
    /// code of `country` (ISO 3166 alpha-2, e.g. `JP`).
    pub fn parse_in_country(input: &str, country: Option<&str>) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::BadCharacter(input.to_owned())),
            }
        }
        let international = if trimmed.starts_with('+') {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else if let Some(national) = digits.strip_prefix('0') {
            let Some(country) = country else {
                return Err(PhoneError::NoCountryCode(input.to_owned()));
            };
            let code = calling_code(country)
                .ok_or_else(|| PhoneError::UnknownCountry(country.to_owned()))?;
            format!("{code}{national}")
        } else {
            digits
        };
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&international.len()) {
            return Err(PhoneError::BadLength(input.to_owned(), international.len()));
        }
        Ok(Self(format!("+{international}")))
    }

    /// `+819012345678`
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country it belongs to (ISO 3166 alpha-2), when its prefix says.
    pub fn country(&self) -> Option<String> {
        let parsed = phonenumber::parse(None, &self.0).ok()?;
        parsed.country().id().map(|id| id.as_ref().to_owned())
    }

    /// The digits alone, as WhatsApp's `wa_id` and `from` fields carry them.
    pub fn wa_id(&self) -> &str {
        &self.0[1..]
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

/// Calling codes of the countries recruiters most often write national numbers for.
fn calling_code(country: &str) -> Option<&'static str> {
    const CODES: &[(&str, &str)] = &[
        ("AU", "61"),
        ("BR", "55"),
        ("CA", "1"),
        ("CN", "86"),
        ("DE", "49"),
        ("ES", "34"),
        ("FR", "33"),
        ("GB", "44"),
        ("HK", "852"),
        ("ID", "62"),
        ("IE", "353"),
        ("IN", "91"),
        ("IT", "39"),
        ("JP", "81"),
        ("KR", "82"),
        ("MX", "52"),
        ("MY", "60"),
        ("NL", "31"),
        ("NZ", "64"),
        ("PH", "63"),
        ("SG", "65"),
        ("TH", "66"),
        ("TW", "886"),
        ("US", "1"),
        ("VN", "84"),
    ];
    let upper = country.trim().to_ascii_uppercase();
    CODES
        .iter()
        .find(|(c, _)| *c == upper)
        .map(|(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_separators_people_write() {
        let n = PhoneNumber::parse("+81 (90) 1234-5678").unwrap();
        assert_eq!(n.as_str(), "+819012345678");
        assert_eq!(n.wa_id(), "819012345678");
        assert_eq!(PhoneNumber::parse("819012345678").unwrap(), n);
        assert_eq!(PhoneNumber::parse("0081 90 1234 5678").unwrap(), n);
    }

    #[test]
    fn national_numbers_take_the_country_code() {
        let n = PhoneNumber::parse_in_country("090-1234-5678", Some("jp")).unwrap();
        assert_eq!(n.as_str(), "+819012345678");
        assert!(matches!(
            PhoneNumber::parse("090-1234-5678"),
            Err(PhoneError::NoCountryCode(_))
        ));
        assert!(matches!(
            PhoneNumber::parse_in_country("090 1234", Some("XX")),
            Err(PhoneError::UnknownCountry(_))
        ));
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert!(matches!(
            PhoneNumber::parse("+81 90 abc"),
            Err(PhoneError::BadCharacter(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("+12"),
            Err(PhoneError::BadLength(_, 2))
        ));
        assert!(PhoneNumber::parse("+1234567890123456").is_err());
        assert!(PhoneNumber::parse("8190+1234").is_err());
    }
}
