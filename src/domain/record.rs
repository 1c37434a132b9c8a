//! Recruiting records: the candidates and client contacts a conversation belongs to.

use serde::{Deserialize, Serialize};

use super::phone::{PhoneError, PhoneNumber};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Candidate,
    Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: u64,
    pub kind: RecordKind,
    pub name: String,
    /// In E.164; a number written without a country code took the record's country.
    pub mobile: Option<PhoneNumber>,
    /// ISO 3166 alpha-2, e.g. `JP`.
    pub country: Option<String>,
    /// The login of the recruiter who owns the record.
    pub owner: Option<String>,
    /// The person asked not to be messaged (GDPR): nothing is sent to them.
    #[serde(default)]
    pub opted_out: bool,
}

/// A record as a user types it, before its number is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordInput {
    pub kind: RecordKind,
    pub name: String,
    pub mobile: Option<String>,
    pub country: Option<String>,
    pub owner: Option<String>,
    #[serde(default)]
    pub opted_out: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a record needs a name")]
    NoName,
    #[error("mobile: {0}")]
    Mobile(#[from] PhoneError),
}

impl RecordInput {
    /// Checks the input; `id` is the record's (new or existing) id.
    pub fn validate(&self, id: u64) -> Result<Record, RecordError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(RecordError::NoName);
        }
        let country = self
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_ascii_uppercase);
        let mobile = match self
            .mobile
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            Some(m) => Some(PhoneNumber::parse_in_country(m, country.as_deref())?),
            None => None,
        };
        Ok(Record {
            id,
            kind: self.kind,
            name: name.to_owned(),
            mobile,
            country,
            owner: self.owner.clone().filter(|o| !o.trim().is_empty()),
            opted_out: self.opted_out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(mobile: &str, country: Option<&str>) -> RecordInput {
        RecordInput {
            kind: RecordKind::Candidate,
            name: " Haruto Sato ".into(),
            mobile: Some(mobile.into()),
            country: country.map(Into::into),
            owner: Some("aiko".into()),
            opted_out: false,
        }
    }

    #[test]
    fn national_numbers_take_the_records_country() {
        let r = input("090-1234-5678", Some("jp")).validate(7).unwrap();
        assert_eq!(r.mobile.unwrap().as_str(), "+819012345678");
        assert_eq!(r.name, "Haruto Sato");
        assert_eq!(r.country.as_deref(), Some("JP"));
    }

    #[test]
    fn invalid_numbers_are_reported_not_stored() {
        assert!(matches!(
            input("090-1234-5678", None).validate(1),
            Err(RecordError::Mobile(_))
        ));
        assert!(matches!(
            input("call me", Some("JP")).validate(1),
            Err(RecordError::Mobile(_))
        ));
        let mut no_name = input("+819012345678", None);
        no_name.name = " ".into();
        assert_eq!(no_name.validate(1), Err(RecordError::NoName));
    }
}
