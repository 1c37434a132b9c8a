//! How an import row or an edit changes a stored record: a field the row leaves out (a column
//! the file lacks, an empty cell) stays as it was; consent changes only when the row says so
//! explicitly, and each change is recorded with who and when. Also how the rows of one import
//! are matched to records and to each other.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::record::{ConsentChange, Record, RecordInput};

/// Who makes a change, when, and how (for the consent history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor<'a> {
    pub login: &'a str,
    pub at: DateTime<Utc>,
    pub via: String,
}

/// What a row does to the record it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created(Record),
    Updated(Record),
    Unchanged,
}

/// `row` (already checked into `given`) applied to `existing`, or a new record.
pub fn apply(
    existing: Option<&Record>,
    row: &RecordInput,
    given: Record,
    editor: &Editor<'_>,
) -> Outcome {
    let Some(old) = existing else {
        let mut new = given;
        if new.opted_out {
            new.consent.push(consent(editor, true));
        }
        return Outcome::Created(new);
    };
    let mut new = old.clone();
    new.kind = given.kind;
    new.name = given.name;
    keep_or_take(&mut new.first_name, given.first_name);
    keep_or_take(&mut new.last_name, given.last_name);
    keep_or_take(&mut new.mobile, given.mobile);
    keep_or_take(&mut new.country, given.country);
    keep_or_take(&mut new.email, given.email);
    keep_or_take(&mut new.time_zone, given.time_zone);
    keep_or_take(&mut new.owner, given.owner);
    new.custom.extend(given.custom);
    if let Some(out) = row.opted_out
        && out != old.opted_out
    {
        new.opted_out = out;
        new.consent.push(consent(editor, out));
    }
    if new == *old {
        Outcome::Unchanged
    } else {
        Outcome::Updated(new)
    }
}

/// `given` replacing `existing` whole (an edit of the record), but for consent: kept unless
/// the edit says otherwise, and each change recorded.
pub fn replace(
    existing: Option<&Record>,
    row: &RecordInput,
    mut given: Record,
    editor: &Editor<'_>,
) -> Record {
    let (was, mut history) =
        existing.map_or((false, Vec::new()), |r| (r.opted_out, r.consent.clone()));
    given.opted_out = row.opted_out.unwrap_or(was);
    if given.opted_out != was {
        history.push(consent(editor, given.opted_out));
    }
    given.consent = history;
    given
}

fn keep_or_take<T>(field: &mut Option<T>, given: Option<T>) {
    if given.is_some() {
        *field = given;
    }
}

fn consent(editor: &Editor<'_>, opted_out: bool) -> ConsentChange {
    ConsentChange {
        at: editor.at,
        by: editor.login.to_owned(),
        opted_out,
        via: editor.via.clone(),
    }
}

/// What a record is found by on a later import: its mobile and its email.
pub fn match_keys(r: &Record) -> Vec<String> {
    r.mobile
        .iter()
        .map(|m| format!("mobile {m}"))
        .chain(r.email.iter().map(|e| format!("email {e}")))
        .collect()
}

/// Why a row cannot be matched again on a later import, if it cannot.
pub fn unmatchable(r: &Record) -> Option<String> {
    (r.mobile.is_none() && r.email.is_none()).then(|| {
        "no mobile and no email: a record needs one of them to be found again on the next import"
            .to_owned()
    })
}

/// The rows of one import seen so far, by what they are matched on: a second row with the
/// same mobile or email is reported, never merged into the first in silence.
#[derive(Debug, Default)]
pub struct SeenRows(HashMap<String, u64>);

impl SeenRows {
    /// Notes the row on `line`, or says which earlier line has the same mobile or email.
    pub fn check(&mut self, line: u64, r: &Record) -> Result<(), String> {
        let keys = match_keys(r);
        if let Some((key, first)) = keys.iter().find_map(|k| Some((k, *self.0.get(k)?))) {
            return Err(format!(
                "the same {key} as line {first}: merge the two rows in the file"
            ));
        }
        for k in keys {
            self.0.insert(k, line);
        }
        Ok(())
    }
}

/// The value of an opt-out cell: yes (opted out), no (opted in), or empty (unchanged).
pub fn opt_out_cell(value: &str) -> Result<Option<bool>, String> {
    match value.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" | "x" | "opted out" | "opt-out" | "optout" | "はい" => {
            Ok(Some(true))
        }
        "no" | "n" | "false" | "0" | "opted in" | "opt-in" | "optin" | "いいえ" => {
            Ok(Some(false))
        }
        other => Err(format!(
            "opt-out: {other:?} is neither yes nor no (an empty cell leaves it as it was)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor() -> Editor<'static> {
        Editor {
            login: "aiko",
            at: DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
            via: "import, line 2".into(),
        }
    }

    fn row(opted_out: Option<bool>, email: Option<&str>) -> RecordInput {
        RecordInput {
            name: "Ken Sato".into(),
            mobile: Some("+819012345678".into()),
            email: email.map(Into::into),
            opted_out,
            ..RecordInput::default()
        }
    }

    fn stored(r: &RecordInput) -> Record {
        match apply(None, r, r.validate(7).unwrap(), &editor()) {
            Outcome::Created(r) => r,
            other => panic!("{other:?}"),
        }
    }

    fn update(old: &Record, r: &RecordInput) -> Outcome {
        apply(Some(old), r, r.validate(old.id).unwrap(), &editor())
    }

    #[test]
    fn an_opt_out_survives_a_row_that_does_not_mention_it() {
        let mut first = row(Some(true), Some("ken@example.jp"));
        first.owner = Some("aiko".into());
        first.custom.insert("Job Opening".into(), "Designer".into());
        let old = stored(&first);
        assert!(old.opted_out);
        assert_eq!(old.consent.len(), 1);
        assert_eq!(update(&old, &row(None, None)), Outcome::Unchanged);
    }

    #[test]
    fn only_an_explicit_opt_in_clears_it_and_the_change_is_recorded() {
        let old = stored(&row(Some(true), None));
        let Outcome::Updated(new) = update(&old, &row(Some(false), None)) else {
            panic!()
        };
        assert!(!new.opted_out);
        let last = new.consent.last().unwrap();
        assert_eq!(
            (last.by.as_str(), last.opted_out, last.via.as_str()),
            ("aiko", false, "import, line 2")
        );
    }

    #[test]
    fn given_fields_replace_and_custom_fields_merge() {
        let mut first = row(None, Some("ken@example.jp"));
        first.custom.insert("Job Opening".into(), "Designer".into());
        let old = stored(&first);
        let mut second = row(None, Some("ken.sato@example.jp"));
        second.custom.insert("Client".into(), "Acme".into());
        let Outcome::Updated(new) = update(&old, &second) else {
            panic!()
        };
        assert_eq!(new.email.as_deref(), Some("ken.sato@example.jp"));
        assert_eq!(new.custom.len(), 2);
    }

    #[test]
    fn rows_that_collide_are_reported_with_the_first_line() {
        let mut seen = SeenRows::default();
        let a = row(None, Some("ken@example.jp")).validate(0).unwrap();
        let b = row(None, None).validate(0).unwrap();
        assert_eq!(seen.check(2, &a), Ok(()));
        let e = seen.check(5, &b).unwrap_err();
        assert!(e.contains("line 2") && e.contains("mobile"), "{e}");
    }

    #[test]
    fn opt_out_cells() {
        assert_eq!(opt_out_cell("Yes"), Ok(Some(true)));
        assert_eq!(opt_out_cell(" no "), Ok(Some(false)));
        assert_eq!(opt_out_cell(""), Ok(None));
        assert!(opt_out_cell("maybe").is_err());
        let nobody = RecordInput {
            name: "X".into(),
            ..RecordInput::default()
        };
        assert!(unmatchable(&nobody.validate(0).unwrap()).is_some());
    }
}
