//! Recruiting records: the candidates and client contacts a conversation belongs to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::phone::PhoneNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    #[default]
    Candidate,
    Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: u64,
    pub kind: RecordKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// In E.164, checked against the numbering plan; a number written without a country code
    /// took the record's country.
    pub mobile: Option<PhoneNumber>,
    /// ISO 3166 alpha-2, e.g. `JP`.
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// IANA (`Asia/Tokyo`): interview times are shown to the person in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The login of the recruiter who owns the record.
    pub owner: Option<String>,
    /// The person asked not to be messaged (GDPR): nothing is sent to them.
    #[serde(default)]
    pub opted_out: bool,
    /// Every change of `opted_out`, oldest first: who, when and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent: Vec<ConsentChange>,
    /// Any other columns an import brought.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
}

/// One change of a record's consent to be messaged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentChange {
    pub at: chrono::DateTime<chrono::Utc>,
    /// The login of who made it.
    pub by: String,
    /// After the change: whether the person opted out.
    pub opted_out: bool,
    /// How: "import, line 12", "edited".
    pub via: String,
}

/// A record as a user types it or an import reads it, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordInput {
    pub kind: RecordKind,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub mobile: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub owner: Option<String>,
    /// `Some(true)` opts out, `Some(false)` opts in again; none leaves consent as it is.
    pub opted_out: Option<bool>,
    pub custom: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a record needs a name (or a first and last name)")]
    NoName,
    #[error("mobile: {0}")]
    Mobile(String),
    #[error("country: {0:?} is not a two-letter country code such as JP, US or GB")]
    Country(String),
    #[error("email: {0:?} is not an email address")]
    Email(String),
    #[error("time zone: {0:?} is not one: write it as Asia/Tokyo or Europe/London")]
    Zone(String),
}

fn clean(s: Option<&String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A mobile number in E.164, checked with libphonenumber's data: a national number takes the
/// country's code, and a number that cannot exist there is refused, never stored as if valid.
pub fn parse_mobile(input: &str, country: Option<&str>) -> Result<PhoneNumber, RecordError> {
    let region = match country {
        Some(c) => Some(
            c.parse::<phonenumber::country::Id>()
                .map_err(|_| RecordError::Country(c.to_owned()))?,
        ),
        None => None,
    };
    let international = input.trim_start().starts_with('+') || input.trim_start().starts_with("00");
    if region.is_none() && !international {
        return Err(RecordError::Mobile(format!(
            "{input:?} has no country code: write it as +81 90 1234 5678, or give the record a country"
        )));
    }
    let parsed = phonenumber::parse(region, input)
        .map_err(|_| RecordError::Mobile(format!("{input:?} is not a phone number")))?;
    if !phonenumber::is_valid(&parsed) {
        let place = country.map(|c| format!(" in {c}")).unwrap_or_default();
        return Err(RecordError::Mobile(format!(
            "{input:?} is not a valid number{place}"
        )));
    }
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    PhoneNumber::parse(&e164).map_err(|e| RecordError::Mobile(e.to_string()))
}

impl RecordInput {
    /// Checks the input; `id` is the record's (new or existing) id.
    pub fn validate(&self, id: u64) -> Result<Record, RecordError> {
        let first_name = clean(self.first_name.as_ref());
        let last_name = clean(self.last_name.as_ref());
        let name = match clean(Some(&self.name)) {
            Some(n) => n,
            None => [first_name.as_deref(), last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        };
        if name.is_empty() {
            return Err(RecordError::NoName);
        }
        let country = clean(self.country.as_ref()).map(|c| c.to_ascii_uppercase());
        if let Some(c) = &country
            && (c.len() != 2 || !c.chars().all(|x| x.is_ascii_alphabetic()))
        {
            return Err(RecordError::Country(c.clone()));
        }
        let mobile = match clean(self.mobile.as_ref()) {
            Some(m) => Some(parse_mobile(&m, country.as_deref())?),
            None => None,
        };
        let email = clean(self.email.as_ref()).map(|e| e.to_ascii_lowercase());
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty()
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
            });
            if !ok || e.contains(char::is_whitespace) {
                return Err(RecordError::Email(e.clone()));
            }
        }
        let time_zone = clean(self.time_zone.as_ref())
            .map(|z| super::related::check_zone(&z).map_err(|_| RecordError::Zone(z)))
            .transpose()?;
        Ok(Record {
            id,
            kind: self.kind,
            name,
            first_name,
            last_name,
            mobile,
            country,
            email,
            time_zone,
            owner: clean(self.owner.as_ref()),
            opted_out: self.opted_out.unwrap_or(false),
            consent: Vec::new(),
            custom: self.custom.clone(),
        })
    }
}

impl From<&Record> for RecordInput {
    /// A stored record as the input that saves it unchanged (consent left as it is).
    fn from(r: &Record) -> Self {
        Self {
            kind: r.kind,
            name: r.name.clone(),
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            mobile: r.mobile.as_ref().map(|m| m.as_str().to_owned()),
            country: r.country.clone(),
            email: r.email.clone(),
            time_zone: r.time_zone.clone(),
            owner: r.owner.clone(),
            opted_out: None,
            custom: r.custom.clone(),
        }
    }
}

impl Record {
    /// The given name: the first-name field, else the first word of the name.
    pub fn given_name(&self) -> Option<String> {
        self.first_name
            .clone()
            .or_else(|| self.name.split_whitespace().next().map(str::to_owned))
    }

    /// The family name: the last-name field, else the rest of the name.
    pub fn family_name(&self) -> Option<String> {
        self.last_name.clone().or_else(|| {
            let rest: Vec<&str> = self.name.split_whitespace().skip(1).collect();
            (!rest.is_empty()).then(|| rest.join(" "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(mobile: &str, country: Option<&str>) -> RecordInput {
        RecordInput {
            name: " Haruto Sato ".into(),
            mobile: Some(mobile.into()),
            country: country.map(Into::into),
            owner: Some("aiko".into()),
            ..RecordInput::default()
        }
    }

    #[test]
    fn national_numbers_take_the_records_country() {
        let r = input("090-1234-5678", Some("jp")).validate(7).unwrap();
        assert_eq!(r.mobile.unwrap().as_str(), "+819012345678");
        assert_eq!(r.name, "Haruto Sato");
        assert_eq!(r.country.as_deref(), Some("JP"));
        let uk = input("07400 123456", Some("GB")).validate(1).unwrap();
        assert_eq!(uk.mobile.unwrap().as_str(), "+447400123456");
    }

    #[test]
    fn invalid_numbers_are_reported_not_stored() {
        assert!(
            matches!(input("090-1234-5678", None).validate(1), Err(RecordError::Mobile(m)) if m.contains("country code"))
        );
        assert!(matches!(
            input("call me", Some("JP")).validate(1),
            Err(RecordError::Mobile(_))
        ));
        // Digits that cannot be a Japanese number.
        assert!(matches!(
            input("090-12", Some("JP")).validate(1),
            Err(RecordError::Mobile(_))
        ));
        assert!(matches!(
            input("090-1234-5678", Some("XX")).validate(1),
            Err(RecordError::Country(_))
        ));
        let mut no_name = input("+819012345678", None);
        no_name.name = " ".into();
        assert_eq!(no_name.validate(1), Err(RecordError::NoName));
    }

    #[test]
    fn names_and_emails() {
        let r = RecordInput {
            first_name: Some("Yui".into()),
            last_name: Some("Tanaka".into()),
            email: Some(" Yui@Example.JP ".into()),
            ..RecordInput::default()
        }
        .validate(1)
        .unwrap();
        assert_eq!(
            (r.name.as_str(), r.email.as_deref()),
            ("Yui Tanaka", Some("yui@example.jp"))
        );
        assert_eq!(r.given_name().as_deref(), Some("Yui"));
        let bad = RecordInput {
            name: "X".into(),
            email: Some("not-an-email".into()),
            ..RecordInput::default()
        };
        assert!(matches!(bad.validate(1), Err(RecordError::Email(_))));
    }
}
