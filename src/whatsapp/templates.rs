//! The template management API (reference section 3) and the `template` send.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `POST /{waba-id}/message_templates`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTemplate {
    pub name: String,
    pub category: String,
    pub language: String,
    pub parameter_format: String,
    pub components: Vec<Value>,
}

impl CreateTemplate {
    /// A body-only template with positional parameters and one example value for each.
    pub fn body_only(
        name: &str,
        category: &str,
        language: &str,
        positional_body: &str,
        examples: &[String],
    ) -> Self {
        let mut body = json!({"type": "BODY", "text": positional_body});
        if !examples.is_empty() {
            body["example"] = json!({"body_text": [examples]});
        }
        Self {
            name: name.to_owned(),
            category: category.to_owned(),
            language: language.to_owned(),
            parameter_format: "positional".into(),
            components: vec![body],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedTemplate {
    pub id: String,
    pub status: String,
    pub category: Option<String>,
}

/// One page of `GET /{waba-id}/message_templates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplatePage {
    #[serde(default)]
    pub data: Vec<RemoteTemplate>,
    pub paging: Option<Paging>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paging {
    pub cursors: Option<Cursors>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursors {
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteTemplate {
    pub id: String,
    pub name: String,
    pub language: String,
    pub status: String,
    pub category: Option<String>,
    #[serde(default)]
    pub components: Vec<Value>,
    pub rejected_reason: Option<String>,
}

impl RemoteTemplate {
    /// The text of its BODY component.
    pub fn body(&self) -> String {
        self.components
            .iter()
            .find(|c| {
                c["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
            })
            .and_then(|c| c["text"].as_str())
            .unwrap_or_default()
            .to_owned()
    }
}

/// The `template` object of a send: name, language, and the body's parameters in order.
pub fn template_object(name: &str, language: &str, parameters: &[String]) -> Value {
    let mut t = json!({"name": name, "language": {"code": language}});
    if !parameters.is_empty() {
        let params: Vec<Value> = parameters
            .iter()
            .map(|p| json!({"type": "text", "text": p}))
            .collect();
        t["components"] = json!([{"type": "body", "parameters": params}]);
    }
    t
}

/// `{{1}}`, `{{2}}`… in a template body: how many distinct parameters it takes.
pub fn parameter_count(body: &str) -> usize {
    let mut max = 0;
    let mut rest = body;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        if let Some(end) = after.find("}}")
            && let Ok(n) = after[..end].trim().parse::<usize>()
        {
            max = max.max(n);
        }
        rest = after;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_body_matches_the_documented_shape() {
        let t = CreateTemplate::body_only(
            "interview_reminder",
            "UTILITY",
            "en_US",
            "Hi {{1}}, your interview is on {{2}}.",
            &["Ken".into(), "Tuesday 10:00".into()],
        );
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({"name": "interview_reminder", "category": "UTILITY", "language": "en_US", "parameter_format": "positional",
                   "components": [{"type": "BODY", "text": "Hi {{1}}, your interview is on {{2}}.",
                                   "example": {"body_text": [["Ken", "Tuesday 10:00"]]}}]})
        );
    }

    #[test]
    fn template_send_object() {
        assert_eq!(
            template_object(
                "interview_reminder",
                "en_US",
                &["Ken".into(), "Tuesday 10:00".into()]
            ),
            json!({"name": "interview_reminder", "language": {"code": "en_US"},
                   "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ken"}, {"type": "text", "text": "Tuesday 10:00"}]}]})
        );
        assert_eq!(
            template_object("hello", "ja", &[]),
            json!({"name": "hello", "language": {"code": "ja"}})
        );
    }

    #[test]
    fn counts_parameters() {
        assert_eq!(parameter_count("Hi {{1}}, {{2}} and {{1}}"), 2);
        assert_eq!(parameter_count("no params"), 0);
    }
}
