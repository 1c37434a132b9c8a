//! Merge fields: `${Candidates.First Name}` in a template's body, filled from the record, the
//! sending user and the organization. In a WhatsApp-approved template they become positional
//! parameters `{{1}}`, `{{2}}`, … in order of first appearance.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

/// The fields of a candidate or a contact.
const PERSON: &[&str] = &[
    "Name",
    "First Name",
    "Last Name",
    "Mobile",
    "Email",
    "Country",
    "Owner",
];

/// The modules a merge field can come from, and the fields each offers (for the picker).
pub const MODULES: &[(&str, &[&str])] = &[
    ("Candidates", PERSON),
    ("Contacts", PERSON),
    ("Users", &["Name", "Login", "Email", "Phone", "Role"]),
    ("Organization", &["Name", "Website", "Email", "Phone"]),
    (
        "Job Openings",
        &[
            "Posting Title",
            "Recruiter",
            "Location",
            "Client Name",
            "Department",
        ],
    ),
    (
        "Interviews",
        &["Posting Title", "From", "To", "Location", "Link"],
    ),
    ("Clients", &["Client Name", "Department", "Department Head"]),
    ("Calendar Bookings", &["Name", "Booking Link"]),
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Field {
    pub module: String,
    pub name: String,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${{{}.{}}}", self.module, self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("a merge field is not closed: write it as ${{Module.Field}}")]
    Unclosed,
    #[error("{0:?} is not a merge field: write it as ${{Module.Field}}")]
    Malformed(String),
    #[error("unknown module {module:?} in ${{{module}.{name}}}: use one of {known}")]
    UnknownModule {
        module: String,
        name: String,
        known: String,
    },
    #[error("the module {module} has no field {name:?}: it has {known}")]
    UnknownField {
        module: String,
        name: String,
        known: String,
    },
}

/// A piece of a body: text, or a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Field(Field),
}

/// Splits a body into text and merge fields, checking each field against [`MODULES`].
pub fn parse(body: &str) -> Result<Vec<Piece>, MergeError> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            out.push(Piece::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or(MergeError::Unclosed)?;
        let inner = &after[..end];
        let (module, name) = inner
            .split_once('.')
            .ok_or_else(|| MergeError::Malformed(format!("${{{inner}}}")))?;
        let (module, name) = (module.trim(), name.trim());
        let Some((_, fields)) = MODULES.iter().find(|(m, _)| m.eq_ignore_ascii_case(module)) else {
            return Err(MergeError::UnknownModule {
                module: module.into(),
                name: name.into(),
                known: MODULES
                    .iter()
                    .map(|(m, _)| *m)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let Some(field) = fields.iter().find(|f| f.eq_ignore_ascii_case(name)) else {
            return Err(MergeError::UnknownField {
                module: module.into(),
                name: name.into(),
                known: fields.join(", "),
            });
        };
        let module = MODULES
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(module))
            .map_or(module, |(m, _)| m);
        out.push(Piece::Field(Field {
            module: module.to_string(),
            name: (*field).to_owned(),
        }));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_owned()));
    }
    Ok(out)
}

/// The body with `{{1}}`, `{{2}}`… in place of the fields, and the fields in parameter order
/// (a field used twice is one parameter).
pub fn positional(pieces: &[Piece]) -> (String, Vec<Field>) {
    let mut text = String::new();
    let mut order: Vec<Field> = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(t) => text.push_str(t),
            Piece::Field(f) => {
                let n = if let Some(i) = order.iter().position(|x| x == f) {
                    i + 1
                } else {
                    order.push(f.clone());
                    order.len()
                };
                let _ = write!(text, "{{{{{n}}}}}");
            }
        }
    }
    (text, order)
}

/// A body filled in: the text a person reads, the values in parameter order, and the fields
/// that had no value (shown as the field itself in the text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filled {
    pub text: String,
    pub values: Vec<String>,
    pub missing: Vec<Field>,
}

pub fn fill(pieces: &[Piece], value: impl Fn(&Field) -> Option<String>) -> Filled {
    let (_, order) = positional(pieces);
    let values: Vec<Option<String>> = order
        .iter()
        .map(|f| value(f).filter(|v| !v.trim().is_empty()))
        .collect();
    let mut text = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => text.push_str(t),
            Piece::Field(f) => {
                let i = order.iter().position(|x| x == f).unwrap_or(0);
                match &values[i] {
                    Some(v) => text.push_str(v),
                    None => text.push_str(&f.to_string()),
                }
            }
        }
    }
    let missing = order
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(f, _)| f.clone())
        .collect();
    Filled {
        text,
        values: values.into_iter().map(Option::unwrap_or_default).collect(),
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_positional_parameters_in_order() {
        let pieces = parse("Hi ${Candidates.First Name}, your interview with ${Users.Name} is at ${Interviews.From}. See you, ${Candidates.First Name}!").unwrap();
        let (text, order) = positional(&pieces);
        assert_eq!(
            text,
            "Hi {{1}}, your interview with {{2}} is at {{3}}. See you, {{1}}!"
        );
        assert_eq!(order.len(), 3);
        assert_eq!(order[2].to_string(), "${Interviews.From}");
    }

    #[test]
    fn filling_flags_what_is_missing() {
        let pieces =
            parse("Hi ${Candidates.First Name}, see ${Calendar Bookings.Booking Link}").unwrap();
        let filled = fill(&pieces, |f| {
            (f.name == "First Name").then(|| "Ken".to_owned())
        });
        assert_eq!(filled.text, "Hi Ken, see ${Calendar Bookings.Booking Link}");
        assert_eq!(filled.values, ["Ken", ""]);
        assert_eq!(filled.missing.len(), 1);
    }

    #[test]
    fn bad_fields_are_explained() {
        assert_eq!(
            parse("Hi ${Candidates.First Name"),
            Err(MergeError::Unclosed)
        );
        assert!(matches!(
            parse("${Candidates}"),
            Err(MergeError::Malformed(_))
        ));
        assert!(matches!(
            parse("${Pets.Name}"),
            Err(MergeError::UnknownModule { .. })
        ));
        let e = parse("${Candidates.Shoe Size}").unwrap_err();
        assert!(e.to_string().contains("First Name"), "{e}");
        // Case is forgiven, and the canonical spelling kept.
        let p = parse("${candidates.first name}").unwrap();
        assert_eq!(
            p[0],
            Piece::Field(Field {
                module: "Candidates".into(),
                name: "First Name".into()
            })
        );
    }

    #[test]
    fn plain_text_is_one_piece() {
        assert_eq!(
            parse("no fields here").unwrap(),
            vec![Piece::Text("no fields here".into())]
        );
        assert_eq!(positional(&parse("a").unwrap()), ("a".to_owned(), vec![]));
    }
}
