//! Rules a template's body and its use must meet beyond its name and language: what
//! WhatsApp refuses in review (a body that is only merge fields, or starts or ends with one),
//! merge fields from the other kind of record, and sending a candidates' template to a
//! client contact or the other way round.

use super::{
    merge::{self, Piece},
    record::RecordKind,
    template::{Module, TemplateKind},
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error(
        "the body starts or ends with a merge field, which WhatsApp refuses: put some words before and after it (\"Hi ${{Candidates.First Name}}, …\")"
    )]
    FieldAtEdge,
    #[error("the body is only merge fields: WhatsApp wants some words of its own around them")]
    OnlyFields,
    #[error("{field} is a field of {other}: this template is for {module}")]
    OtherModule {
        field: String,
        other: &'static str,
        module: &'static str,
    },
}

fn module_name(module: Module) -> &'static str {
    match module {
        Module::Candidates => "Candidates",
        Module::Contacts => "Contacts",
    }
}

/// Checks a body (whose merge fields already parse) for `kind` and `module`.
pub fn check_body(body: &str, kind: TemplateKind, module: Module) -> Result<(), BodyError> {
    let pieces = merge::parse(body).unwrap_or_default();
    // Interviews are a candidate's; the other person module is the other kind of record.
    let foreign: &[&str] = match module {
        Module::Candidates => &["Contacts"],
        Module::Contacts => &["Candidates", "Interviews"],
    };
    for p in &pieces {
        if let Piece::Field(f) = p
            && let Some(other) = foreign.iter().find(|m| **m == f.module)
        {
            return Err(BodyError::OtherModule {
                field: f.to_string(),
                other,
                module: module_name(module),
            });
        }
    }
    if kind == TemplateKind::Whatsapp {
        let words = |p: &Piece| matches!(p, Piece::Text(t) if t.chars().any(char::is_alphanumeric));
        if !pieces.iter().any(words) {
            return Err(BodyError::OnlyFields);
        }
        let edge = |p: Option<&Piece>| match p {
            Some(Piece::Field(_)) => true,
            // Blank text around a field does not count as words around it.
            _ => false,
        };
        let trimmed = merge::parse(body.trim()).unwrap_or_default();
        if edge(trimmed.first()) || edge(trimmed.last()) {
            return Err(BodyError::FieldAtEdge);
        }
    }
    Ok(())
}

/// Whether a template for `module` may go to a record of `kind`.
pub fn fits(module: Module, kind: RecordKind) -> bool {
    matches!(
        (module, kind),
        (Module::Candidates, RecordKind::Candidate) | (Module::Contacts, RecordKind::Contact)
    )
}

/// Why a template for `module` may not go to the record `name` of `kind`, if it may not.
pub fn misfit(template: &str, module: Module, name: &str, kind: RecordKind) -> Option<String> {
    let whom = match kind {
        RecordKind::Candidate => "a candidate",
        RecordKind::Contact => "a client contact",
    };
    (!fits(module, kind)).then(|| {
        format!(
            "{template} is a template for {}; {} is {whom}: use one of theirs",
            module_name(module).to_lowercase(),
            super::safe_text::neutralise(name, false)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_wants_words_around_its_variables() {
        let check = |body| check_body(body, TemplateKind::Whatsapp, Module::Candidates);
        assert_eq!(
            check("${Candidates.First Name}"),
            Err(BodyError::OnlyFields)
        );
        assert_eq!(
            check("${Candidates.First Name}, your interview is at 10"),
            Err(BodyError::FieldAtEdge)
        );
        assert_eq!(
            check("Your interview is with ${Users.Name}  "),
            Err(BodyError::FieldAtEdge)
        );
        assert_eq!(check("Hi ${Candidates.First Name}, see you soon."), Ok(()));
        // A custom template is not reviewed: a lone field is fine there.
        assert_eq!(
            check_body(
                "${Candidates.First Name}",
                TemplateKind::Custom,
                Module::Candidates
            ),
            Ok(())
        );
    }

    #[test]
    fn fields_of_the_other_kind_of_record_are_refused() {
        let err = check_body(
            "Hello ${Candidates.First Name}, thanks.",
            TemplateKind::Whatsapp,
            Module::Contacts,
        )
        .unwrap_err();
        assert!(err.to_string().contains("for Contacts"), "{err}");
        assert!(
            check_body(
                "Your interview: ${Interviews.From}.",
                TemplateKind::Custom,
                Module::Contacts
            )
            .is_err()
        );
        assert!(fits(Module::Contacts, RecordKind::Contact));
        assert!(!fits(Module::Candidates, RecordKind::Contact));
    }
}
