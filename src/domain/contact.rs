//! Who a contact is, as far as one payload tells, and what that teaches their conversation:
//! a number for a BSUID, a BSUID for a number, a profile name, a username; and the record of
//! their number, whose name and owner the conversation takes.

use super::{conversation::Conversation, identity::Bsuid, phone::PhoneNumber, record::Record};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactInfo {
    pub phone: Option<PhoneNumber>,
    pub bsuid: Option<Bsuid>,
    pub name: Option<String>,
    pub username: Option<String>,
}

/// The identities a conversation newly learnt, for the store to index.
#[derive(Debug, Default, PartialEq)]
pub struct Learnt {
    pub phone: Option<PhoneNumber>,
    pub bsuid: Option<Bsuid>,
}

/// Fills in what `contact` adds to `conv`. A number or a BSUID, once known, is kept (a
/// payload without one does not take it away); a name that is blank is no name; a username
/// follows the newest.
pub fn fill_in(conv: &mut Conversation, contact: &ContactInfo) -> Learnt {
    let mut learnt = Learnt::default();
    if conv.phone.is_none()
        && let Some(p) = &contact.phone
    {
        conv.phone = Some(p.clone());
        learnt.phone = Some(p.clone());
    }
    if conv.bsuid.is_none()
        && let Some(b) = &contact.bsuid
    {
        conv.bsuid = Some(b.clone());
        learnt.bsuid = Some(b.clone());
    }
    if let Some(n) = contact.name.as_ref().filter(|n| !n.trim().is_empty()) {
        n.clone_into(&mut conv.name);
    }
    if let Some(u) = &contact.username {
        conv.username = Some(u.clone());
    }
    learnt
}

/// The conversation belongs to `record`: it shows the record's name and takes its owner when
/// they are first linked (a record without one leaves whoever routing gave it to) or when the
/// record's owner changed (`before`: the record as it was stored). Otherwise whoever the
/// conversation was handed to keeps it: saving the record for something else (an email, an
/// import) does not take it back.
pub fn link_record(conv: &mut Conversation, record: &Record, before: Option<&Record>) {
    let first = conv.record_id != Some(record.id) && record.owner.is_some();
    let handed = before.is_some_and(|b| b.owner != record.owner);
    conv.record_id = Some(record.id);
    conv.record_name = Some(record.name.clone());
    conv.record_kind = Some(record.kind);
    if first || handed {
        conv.owner.clone_from(&record.owner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> PhoneNumber {
        PhoneNumber::parse("+81 90 1234 0001").unwrap()
    }

    #[test]
    fn a_number_is_learnt_once_and_kept() {
        let mut c = Conversation::new(1, None, Bsuid::parse("JP.123"));
        let contact = ContactInfo {
            phone: Some(phone()),
            name: Some("Haruto".into()),
            ..ContactInfo::default()
        };
        let learnt = fill_in(&mut c, &contact);
        assert_eq!(learnt.phone, Some(phone()));
        assert_eq!(learnt.bsuid, None);
        assert_eq!(
            (c.phone.clone(), c.name.as_str()),
            (Some(phone()), "Haruto")
        );
        // Known already: nothing new to index; a payload without a number keeps it.
        assert_eq!(fill_in(&mut c, &contact), Learnt::default());
        fill_in(&mut c, &ContactInfo::default());
        assert_eq!(c.phone, Some(phone()));
    }

    #[test]
    fn a_blank_name_is_no_name() {
        let mut c = Conversation::new(1, Some(phone()), None);
        c.name = "Haruto".into();
        let blank = ContactInfo {
            name: Some("  ".into()),
            username: Some("haruto".into()),
            ..ContactInfo::default()
        };
        fill_in(&mut c, &blank);
        assert_eq!(c.name, "Haruto");
        assert_eq!(c.username.as_deref(), Some("haruto"));
    }

    #[test]
    fn a_record_gives_its_name_and_owner() {
        let mut c = Conversation::new(1, Some(phone()), None);
        c.owner = Some("ken".into());
        let mut r = crate::domain::record::RecordInput {
            name: "Sato Haruto".into(),
            owner: Some("aiko".into()),
            ..Default::default()
        }
        .validate(1)
        .unwrap();
        r.id = 9;
        link_record(&mut c, &r, None);
        assert_eq!(c.record_id, Some(9));
        assert_eq!(c.display_name(), "Sato Haruto");
        assert_eq!(c.owner.as_deref(), Some("aiko"));
        // Handed on, then the record saved again as it was: the hand-over stays.
        c.owner = Some("kenji".into());
        link_record(&mut c, &r, Some(&r.clone()));
        assert_eq!(c.owner.as_deref(), Some("kenji"));
        // The record given to someone else: the conversation follows.
        let before = r.clone();
        r.owner = Some("ken".into());
        link_record(&mut c, &r, Some(&before));
        assert_eq!(c.owner.as_deref(), Some("ken"));
    }
}
