//! Templates: WhatsApp-approved ones (needed to open a conversation or write after the 24-hour
//! window) and custom ones (text snippets for inside the window). The rules of the product.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::merge::{self, MergeError};

/// Templates of both kinds together.
pub const MAX_TEMPLATES: usize = 100;
/// WhatsApp's limit on an approved template's body.
pub const MAX_APPROVED_BODY: usize = 1024;
pub const MAX_NAME: usize = 512;

/// The languages WhatsApp templates are written in (its codes), with their names.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("af", "Afrikaans"),
    ("sq", "Albanian"),
    ("ar", "Arabic"),
    ("az", "Azerbaijani"),
    ("bn", "Bengali"),
    ("bg", "Bulgarian"),
    ("ca", "Catalan"),
    ("zh_CN", "Chinese (China)"),
    ("zh_HK", "Chinese (Hong Kong)"),
    ("zh_TW", "Chinese (Taiwan)"),
    ("hr", "Croatian"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("nl", "Dutch"),
    ("en", "English"),
    ("en_GB", "English (UK)"),
    ("en_US", "English (US)"),
    ("et", "Estonian"),
    ("fil", "Filipino"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("ka", "Georgian"),
    ("de", "German"),
    ("el", "Greek"),
    ("gu", "Gujarati"),
    ("ha", "Hausa"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("id", "Indonesian"),
    ("ga", "Irish"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("kn", "Kannada"),
    ("kk", "Kazakh"),
    ("rw_RW", "Kinyarwanda"),
    ("ko", "Korean"),
    ("ky_KG", "Kyrgyz"),
    ("lo", "Lao"),
    ("lv", "Latvian"),
    ("lt", "Lithuanian"),
    ("mk", "Macedonian"),
    ("ms", "Malay"),
    ("ml", "Malayalam"),
    ("mr", "Marathi"),
    ("nb", "Norwegian"),
    ("fa", "Persian"),
    ("pl", "Polish"),
    ("pt_BR", "Portuguese (Brazil)"),
    ("pt_PT", "Portuguese (Portugal)"),
    ("pa", "Punjabi"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sr", "Serbian"),
    ("sk", "Slovak"),
    ("sl", "Slovenian"),
    ("es", "Spanish"),
    ("es_AR", "Spanish (Argentina)"),
    ("es_ES", "Spanish (Spain)"),
    ("es_MX", "Spanish (Mexico)"),
    ("sw", "Swahili"),
    ("sv", "Swedish"),
    ("ta", "Tamil"),
    ("te", "Telugu"),
    ("th", "Thai"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("ur", "Urdu"),
    ("uz", "Uzbek"),
    ("vi", "Vietnamese"),
    ("zu", "Zulu"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// Reviewed by WhatsApp; sendable any time once approved.
    Whatsapp,
    /// A snippet of ours; sendable only inside an open window.
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Candidates,
    Contacts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Utility,
    Marketing,
    Authentication,
}

impl Category {
    /// As WhatsApp writes it.
    pub fn wire(self) -> &'static str {
        match self {
            Self::Utility => "UTILITY",
            Self::Marketing => "MARKETING",
            Self::Authentication => "AUTHENTICATION",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "UTILITY" | "TRANSACTIONAL" => Some(Self::Utility),
            "MARKETING" => Some(Self::Marketing),
            "AUTHENTICATION" | "OTP" => Some(Self::Authentication),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateStatus {
    /// In review at WhatsApp.
    Pending,
    Approved,
    Rejected,
    /// Low quality: temporarily not sendable.
    Paused,
    /// Permanently not sendable.
    Disabled,
    /// Custom templates: always usable inside the window.
    Active,
}

impl TemplateStatus {
    /// Meta's status words (reference 3.2) mapped to what matters here: can it be sent.
    pub fn from_wire(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "APPROVED" | "REINSTATED" | "UNARCHIVED" => Self::Approved,
            "REJECTED" | "LIMIT_EXCEEDED" => Self::Rejected,
            "PAUSED" | "FLAGGED" => Self::Paused,
            "DISABLED" | "LOCKED" | "ARCHIVED" | "DELETED" | "PENDING_DELETION" => Self::Disabled,
            _ => Self::Pending,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Paused => "paused",
            Self::Disabled => "disabled",
            Self::Active => "active",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: u64,
    pub kind: TemplateKind,
    pub module: Module,
    pub name: String,
    /// A WhatsApp language code (`en_US`, `ja`); empty for custom templates.
    pub language: String,
    pub category: Option<Category>,
    /// With merge fields (`${Candidates.First Name}`).
    pub body: String,
    pub status: TemplateStatus,
    /// Why WhatsApp rejected or paused it.
    pub reason: Option<String>,
    /// WhatsApp's id of the template.
    pub whatsapp_id: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A template as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInput {
    pub kind: TemplateKind,
    pub module: Module,
    pub name: String,
    pub language: Option<String>,
    pub category: Option<Category>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("there are already {MAX_TEMPLATES} templates, the most there may be: delete one first")]
    TooMany,
    #[error(
        "{0:?} is not a WhatsApp template name: use lowercase letters a-z, digits and underscores only (e.g. interview_reminder)"
    )]
    BadName(String),
    #[error("a template needs a name")]
    NoName,
    #[error("a WhatsApp template needs a language (e.g. en_US, ja)")]
    NoLanguage,
    #[error("{0:?} is not a WhatsApp language code: use one like en_US, en_GB, ja, pt_BR")]
    BadLanguage(String),
    #[error("a WhatsApp template needs a category: utility, marketing or authentication")]
    NoCategory,
    #[error("the body is empty")]
    EmptyBody,
    #[error("the body has {0} characters; WhatsApp takes at most {MAX_APPROVED_BODY}")]
    BodyTooLong(usize),
    #[error("a template named {0:?} already exists in that language")]
    Duplicate(String),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error(transparent)]
    Body(#[from] super::template_rules::BodyError),
}

pub fn language_known(code: &str) -> bool {
    LANGUAGES.iter().any(|(c, _)| *c == code)
}

/// WhatsApp's naming rule: lowercase ASCII letters, digits and underscores.
pub fn valid_whatsapp_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl TemplateInput {
    /// Checks the input against the rules; `existing` is how many templates there are now.
    pub fn validate(&self, existing: usize) -> Result<(), TemplateError> {
        if existing >= MAX_TEMPLATES {
            return Err(TemplateError::TooMany);
        }
        let name = self.name.trim();
        if name.is_empty() {
            return Err(TemplateError::NoName);
        }
        if self.body.trim().is_empty() {
            return Err(TemplateError::EmptyBody);
        }
        merge::parse(&self.body)?;
        if self.kind == TemplateKind::Whatsapp {
            if !valid_whatsapp_name(name) {
                return Err(TemplateError::BadName(name.to_owned()));
            }
            let language = self.language.as_deref().map(str::trim).unwrap_or_default();
            if language.is_empty() {
                return Err(TemplateError::NoLanguage);
            }
            if !language_known(language) {
                return Err(TemplateError::BadLanguage(language.to_owned()));
            }
            if self.category.is_none() {
                return Err(TemplateError::NoCategory);
            }
            let chars = self.body.chars().count();
            if chars > MAX_APPROVED_BODY {
                return Err(TemplateError::BodyTooLong(chars));
            }
        }
        super::template_rules::check_body(&self.body, self.kind, self.module)?;
        Ok(())
    }
}

impl Template {
    /// Why this template cannot be sent now, if it cannot.
    pub fn refusal(&self, window_open: bool) -> Option<String> {
        match (self.kind, self.status) {
            (TemplateKind::Custom, _) if !window_open => Some(format!(
                "{} is a custom template: it can only be sent within 24 hours of the contact's last message; use a WhatsApp-approved template",
                self.name
            )),
            (TemplateKind::Custom, _) | (TemplateKind::Whatsapp, TemplateStatus::Approved) => None,
            (TemplateKind::Whatsapp, TemplateStatus::Pending) => {
                Some(format!("{} is still in review at WhatsApp", self.name))
            }
            (TemplateKind::Whatsapp, status) => Some(format!(
                "{} is {} by WhatsApp{}",
                self.name,
                status.as_str(),
                self.reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: TemplateKind, name: &str) -> TemplateInput {
        TemplateInput {
            kind,
            module: Module::Candidates,
            name: name.into(),
            language: Some("en_US".into()),
            category: Some(Category::Utility),
            body: "Hi ${Candidates.First Name}, welcome.".into(),
        }
    }

    #[test]
    fn whatsapp_names_follow_whatsapps_rule() {
        input(TemplateKind::Whatsapp, "interview_reminder_2")
            .validate(0)
            .unwrap();
        for bad in [
            "Interview",
            "面接のご案内",
            "interview-reminder",
            "hi there",
            "ok👍",
        ] {
            assert!(
                matches!(
                    input(TemplateKind::Whatsapp, bad).validate(0),
                    Err(TemplateError::BadName(_))
                ),
                "{bad}"
            );
        }
        // Custom templates are named as the team likes.
        input(TemplateKind::Custom, "面接のご案内")
            .validate(0)
            .unwrap();
    }

    #[test]
    fn the_101st_is_refused() {
        assert_eq!(
            input(TemplateKind::Custom, "x").validate(MAX_TEMPLATES),
            Err(TemplateError::TooMany)
        );
        input(TemplateKind::Custom, "x")
            .validate(MAX_TEMPLATES - 1)
            .unwrap();
    }

    #[test]
    fn language_and_category_are_required_for_whatsapp() {
        let mut i = input(TemplateKind::Whatsapp, "a");
        i.language = None;
        assert_eq!(i.validate(0), Err(TemplateError::NoLanguage));
        i.language = Some("english".into());
        assert!(matches!(i.validate(0), Err(TemplateError::BadLanguage(_))));
        i.language = Some("ja".into());
        i.category = None;
        assert_eq!(i.validate(0), Err(TemplateError::NoCategory));
        assert!(LANGUAGES.len() >= 60);
    }

    #[test]
    fn what_can_be_sent_when() {
        let mut t = Template {
            id: 1,
            kind: TemplateKind::Whatsapp,
            module: Module::Candidates,
            name: "reminder".into(),
            language: "en_US".into(),
            category: Some(Category::Utility),
            body: "Hi".into(),
            status: TemplateStatus::Pending,
            reason: None,
            whatsapp_id: None,
            created_by: "aiko".into(),
            created_at: Utc::now(),
        };
        assert!(t.refusal(false).unwrap().contains("review"));
        t.status = TemplateStatus::Approved;
        assert_eq!(t.refusal(false), None);
        t.status = TemplateStatus::Rejected;
        t.reason = Some("INVALID_FORMAT".into());
        assert!(t.refusal(true).unwrap().contains("INVALID_FORMAT"));
        t.kind = TemplateKind::Custom;
        assert_eq!(t.refusal(true), None);
        assert!(t.refusal(false).is_some());
    }
}
