//! A record's fields as people name them, in an import's header or in `records edit --set`:
//! which field a name means, and a value written into it.

use crate::domain::{record::RecordInput, record_update};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Name,
    FirstName,
    LastName,
    Mobile,
    Country,
    TimeZone,
    Email,
    Owner,
    OptOut,
    Custom,
}

/// Which field a name means; names are compared without case, spaces or punctuation, and a
/// name that is none of the record's own fields is a custom field.
pub(super) fn column(header: &str) -> Column {
    let h: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    match h.as_str() {
        "name" | "fullname" | "candidatename" | "contactname" | "氏名" | "名前" => Column::Name,
        "firstname" | "givenname" | "名" => Column::FirstName,
        "lastname" | "surname" | "familyname" | "姓" => Column::LastName,
        "mobile" | "mobilephone" | "mobilenumber" | "phone" | "phonenumber" | "whatsapp"
        | "cell" | "携帯" | "携帯電話" | "電話番号" => Column::Mobile,
        "country" | "countrycode" | "国" => Column::Country,
        "timezone" | "tz" | "zone" | "タイムゾーン" => Column::TimeZone,
        "email" | "emailaddress" | "mail" | "メール" | "メールアドレス" => Column::Email,
        "owner" | "recruiter" | "candidateowner" | "contactowner" | "担当" | "担当者" => {
            Column::Owner
        }
        "optout" | "optedout" | "gdproptout" | "donotcontact" | "emailoptout" => Column::OptOut,
        _ => Column::Custom,
    }
}

/// Writes `value` into `column` of `input` (`name` is the custom field's). An empty value
/// clears the field (an import skips its empty cells before: they leave the stored value);
/// an empty opt-out leaves consent as it is.
pub(super) fn set(
    input: &mut RecordInput,
    column: Column,
    name: &str,
    value: &str,
) -> Result<(), String> {
    let v = (!value.is_empty()).then(|| value.to_owned());
    match column {
        Column::Name => value.clone_into(&mut input.name),
        Column::FirstName => input.first_name = v,
        Column::LastName => input.last_name = v,
        Column::Mobile => input.mobile = v,
        Column::Country => input.country = v,
        Column::TimeZone => input.time_zone = v,
        Column::Email => input.email = v,
        Column::Owner => input.owner = v,
        Column::OptOut => input.opted_out = record_update::opt_out_cell(value)?,
        Column::Custom => {
            // The field as the record already names it, whatever the case it is written in.
            let key = input
                .custom
                .keys()
                .find(|k| k.to_lowercase() == name.to_lowercase())
                .cloned()
                .unwrap_or_else(|| name.to_owned());
            match v {
                Some(v) => input.custom.insert(key, v),
                None => input.custom.remove(&key),
            };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_the_words_people_use() {
        assert_eq!(column("Mobile Phone"), Column::Mobile);
        assert_eq!(column("E-mail Address"), Column::Email);
        assert_eq!(column("First Name"), Column::FirstName);
        assert_eq!(column("携帯電話"), Column::Mobile);
        assert_eq!(column("GDPR opt-out"), Column::OptOut);
        assert_eq!(column("Favourite colour"), Column::Custom);
    }

    #[test]
    fn an_empty_value_clears_a_field_and_a_custom_one_named_in_any_case() {
        let mut input = RecordInput {
            email: Some("mika@example.com".into()),
            custom: [("Skills".to_owned(), "Figma".to_owned())].into(),
            ..RecordInput::default()
        };
        set(&mut input, column("Email"), "Email", "").unwrap();
        set(&mut input, column("skills"), "skills", "").unwrap();
        set(
            &mut input,
            column("Notice period"),
            "Notice period",
            "1 month",
        )
        .unwrap();
        assert_eq!(input.email, None);
        assert_eq!(
            input.custom,
            [("Notice period".to_owned(), "1 month".to_owned())].into()
        );
        assert!(set(&mut input, Column::OptOut, "Opt-out", "perhaps").is_err());
    }
}
