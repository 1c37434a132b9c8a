//! Saved views: a name for a filter query and an order, personal (its owner's) or shared (an
//! admin's, for everyone).

use serde::{Deserialize, Serialize};

use super::filter::{BUILT_IN_VIEWS, Filter};

pub const MAX_NAME: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Most recent activity first (the list's own order).
    #[default]
    Newest,
    /// Least recent activity first: who has waited longest.
    Oldest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: u64,
    pub name: String,
    pub query: String,
    #[serde(default)]
    pub sort: Sort,
    /// The login it belongs to; none for a shared view.
    pub owner: Option<String>,
    pub created_by: String,
}

impl SavedView {
    /// Whether `login` sees it.
    pub fn visible_to(&self, login: &str) -> bool {
        self.owner.as_deref().is_none_or(|o| o == login)
    }
}

/// A view as a user saves it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ViewInput {
    pub name: String,
    pub query: String,
    #[serde(default)]
    pub sort: Sort,
    /// For everyone (admins only).
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    #[error("a view needs a name of at most {MAX_NAME} characters, without control characters")]
    BadName,
    #[error("{0:?} is a built-in view: choose another name")]
    BuiltIn(String),
    #[error("the query: {0}")]
    Query(String),
    #[error("{0:?} reads as a filter itself: name the view in other words")]
    LooksLikeQuery(String),
}

impl ViewInput {
    /// Checks the name and the query; returns the name trimmed.
    pub fn validate(&self) -> Result<String, ViewError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control)
        {
            return Err(ViewError::BadName);
        }
        if BUILT_IN_VIEWS.iter().any(|(n, ..)| *n == name) || name == "all" {
            return Err(ViewError::BuiltIn(name.to_owned()));
        }
        // A view's name works as a filter: it must not be one already.
        if Filter::parse(name).is_ok() {
            return Err(ViewError::LooksLikeQuery(name.to_owned()));
        }
        if name.chars().any(super::safe_text::is_invisible) {
            return Err(ViewError::BadName);
        }
        Filter::parse(&self.query).map_err(|e| ViewError::Query(e.to_string()))?;
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_queries_are_checked() {
        let v = |name: &str, query: &str| ViewInput {
            name: name.into(),
            query: query.into(),
            ..ViewInput::default()
        };
        assert_eq!(
            v(" Waiting 3 days ", "unreplied>3d").validate().unwrap(),
            "Waiting 3 days"
        );
        assert_eq!(v("", "unread").validate(), Err(ViewError::BadName));
        assert!(matches!(
            v("my-unreplied", "unread").validate(),
            Err(ViewError::BuiltIn(_))
        ));
        assert!(matches!(
            v("unread", "unreplied").validate(),
            Err(ViewError::LooksLikeQuery(_))
        ));
        assert_eq!(
            v("Mine\u{202e}", "unread").validate(),
            Err(ViewError::BadName)
        );
        let e = v("x", "unreplied>3x").validate().unwrap_err();
        assert!(e.to_string().contains("3x"), "{e}");
        let shared = SavedView {
            id: 1,
            name: "x".into(),
            query: "unread".into(),
            sort: Sort::Newest,
            owner: None,
            created_by: "aiko".into(),
        };
        assert!(shared.visible_to("ken"));
        let mine = SavedView {
            owner: Some("aiko".into()),
            ..shared
        };
        assert!(mine.visible_to("aiko") && !mine.visible_to("ken"));
    }
}
