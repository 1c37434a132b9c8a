//! What WhatsApp's word does to a template this inbox keeps: a review (approved, rejected with
//! a reason, paused) and a sync of every template on the account.

use super::template::{Template, TemplateStatus};

/// WhatsApp reviewed `t`: it takes the status, and the reason given (none clears an old one).
pub fn reviewed(t: &mut Template, status: TemplateStatus, reason: Option<&str>) {
    t.status = status;
    t.reason = reason.map(str::to_owned);
}

/// A template as a sync found it on WhatsApp (`remote`), merged with the one kept here under
/// the same name and language, if any. WhatsApp has the last word on the status, the reason,
/// its id and the category (it may recategorise); the body kept here has the merge fields
/// where WhatsApp's has `{{1}}`, so it stays.
pub fn synced(known: Option<Template>, remote: &Template) -> Template {
    match known {
        Some(mut t) => {
            t.status = remote.status;
            t.reason.clone_from(&remote.reason);
            t.whatsapp_id.clone_from(&remote.whatsapp_id);
            t.category = remote.category.or(t.category);
            t
        }
        None => remote.clone(),
    }
}

/// Why WhatsApp would not take an edit of `t` now, if it would not: it edits only what it has
/// decided on (approved, rejected, paused), never one still in review or one it has disabled.
pub fn edit_refusal(t: &Template) -> Option<String> {
    if t.whatsapp_id.is_none() {
        return Some(format!(
            "{} is not on WhatsApp yet: `templates sync` brings in its id",
            t.name
        ));
    }
    match t.status {
        TemplateStatus::Approved | TemplateStatus::Rejected | TemplateStatus::Paused => None,
        TemplateStatus::Pending => Some(format!(
            "{} is still in review at WhatsApp: it can be edited once WhatsApp has decided",
            t.name
        )),
        TemplateStatus::Disabled | TemplateStatus::Active => Some(format!(
            "{} is {} at WhatsApp, which does not take edits of it: delete it and create it anew",
            t.name,
            t.status.as_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::template::{Category, Module, TemplateKind};

    fn template(body: &str, status: TemplateStatus) -> Template {
        Template {
            id: 4,
            kind: TemplateKind::Whatsapp,
            module: Module::Candidates,
            name: "interview_reminder".into(),
            language: "en_US".into(),
            category: Some(Category::Utility),
            body: body.into(),
            status,
            reason: None,
            whatsapp_id: None,
            created_by: "aiko".into(),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_rejection_gives_its_reason_and_an_approval_clears_it() {
        let mut t = template("Hi", TemplateStatus::Pending);
        reviewed(&mut t, TemplateStatus::Rejected, Some("INVALID_FORMAT"));
        assert_eq!(t.reason.as_deref(), Some("INVALID_FORMAT"));
        reviewed(&mut t, TemplateStatus::Approved, None);
        assert_eq!((t.status, t.reason), (TemplateStatus::Approved, None));
    }

    #[test]
    fn only_what_whatsapp_has_decided_on_can_be_edited() {
        let mut t = template("Hi", TemplateStatus::Pending);
        assert!(edit_refusal(&t).unwrap().contains("sync"));
        t.whatsapp_id = Some("1".into());
        assert!(edit_refusal(&t).unwrap().contains("in review"));
        for ok in [
            TemplateStatus::Approved,
            TemplateStatus::Rejected,
            TemplateStatus::Paused,
        ] {
            t.status = ok;
            assert_eq!(edit_refusal(&t), None);
        }
        t.status = TemplateStatus::Disabled;
        assert!(edit_refusal(&t).unwrap().contains("delete it"));
    }

    #[test]
    fn a_sync_keeps_the_merge_fields_and_takes_whatsapps_status() {
        let known = template("Hi ${Candidates.First Name}", TemplateStatus::Pending);
        let mut remote = template("Hi {{1}}", TemplateStatus::Approved);
        remote.id = 0;
        remote.whatsapp_id = Some("1234".into());
        remote.category = Some(Category::Marketing);
        let t = synced(Some(known), &remote);
        assert_eq!(t.id, 4);
        assert_eq!(t.body, "Hi ${Candidates.First Name}");
        assert_eq!(t.status, TemplateStatus::Approved);
        assert_eq!(t.whatsapp_id.as_deref(), Some("1234"));
        assert_eq!(t.category, Some(Category::Marketing));
        // One this inbox never had comes in as WhatsApp has it.
        assert_eq!(synced(None, &remote), remote);
    }
}
