//! Who a contact is on WhatsApp: a phone number and/or a business-scoped user ID (BSUID).
//!
//! Since 2026 a user may hide their number behind a username; webhooks then carry only the
//! BSUID (`JP.13491208655302741918`). A contact is keyed on the BSUID when known and keeps its
//! phone number when known; a send goes to the number when there is one (Meta's advice).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::phone::{PhoneError, PhoneNumber};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bsuid(String);

impl Bsuid {
    /// A country prefix (two letters), optionally `.ENT` for a parent ID, a dot and digits.
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        let (country, rest) = s.split_once('.')?;
        let digits = rest.strip_prefix("ENT.").unwrap_or(rest);
        let ok = country.len() == 2
            && country.chars().all(|c| c.is_ascii_uppercase())
            && !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit());
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bsuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Bsuid {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("{value:?} is not a BSUID"))
    }
}

impl From<Bsuid> for String {
    fn from(value: Bsuid) -> Self {
        value.0
    }
}

/// Whom a command addresses: what a user types after `--to` or `--with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactRef {
    Phone(PhoneNumber),
    Bsuid(Bsuid),
}

impl ContactRef {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        match Bsuid::parse(input) {
            Some(b) => Ok(Self::Bsuid(b)),
            None => PhoneNumber::parse(input).map(Self::Phone),
        }
    }
}

impl fmt::Display for ContactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Phone(p) => p.fmt(f),
            Self::Bsuid(b) => b.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsuid_shapes() {
        assert!(Bsuid::parse("JP.13491208655302741918").is_some());
        assert!(Bsuid::parse("JP.ENT.1349120865").is_some());
        assert!(Bsuid::parse("jp.1349").is_none());
        assert!(Bsuid::parse("JP.").is_none());
        assert!(Bsuid::parse("+819012345678").is_none());
    }

    #[test]
    fn contact_ref_tells_numbers_from_bsuids() {
        assert!(matches!(
            ContactRef::parse("JP.1349"),
            Ok(ContactRef::Bsuid(_))
        ));
        assert!(matches!(
            ContactRef::parse("+81 90 1234 5678"),
            Ok(ContactRef::Phone(_))
        ));
        assert!(ContactRef::parse("hello").is_err());
    }
}
