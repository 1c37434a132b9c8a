//! Workflow rules, as admins manage them (`hirechat rules …`): written in TOML, checked (the
//! templates they send must be WhatsApp-approved), kept whole in the store, enabled or not,
//! and their log. Firing them is the store's, in the transaction that saves a record; what
//! they schedule goes through the scheduler, as their author.

use chrono::Utc;

use super::{Engine, EngineError, Request, Response};
use crate::{
    domain::{
        permission::Actor,
        rule::{Rule, RuleInput},
        template::{TemplateKind, TemplateStatus},
    },
    store::Change,
};

/// Log entries shown unless asked otherwise.
const LOG_PAGE: usize = 100;

impl Engine {
    pub(super) async fn rules_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::Rules => Ok(Response::Rules {
                rules: self.store().rules()?,
            }),
            Request::SaveRule { toml, replace } => self.save_rule(actor, &toml, replace).await,
            Request::EnableRule { name, enabled } => {
                let _one_at_a_time = self.inner.rules_lock.lock().await;
                let mut rules = self.store().rules()?;
                let rule = rules
                    .iter_mut()
                    .find(|r| r.rule.name == name)
                    .ok_or_else(|| {
                        EngineError::NotFound(format!("there is no rule named {name}"))
                    })?;
                rule.rule.enabled = enabled;
                let rule = rule.clone();
                self.apply_history(vec![Change::SaveRules { rules }])
                    .await?;
                self.look_at_dates(&rule).await?;
                Ok(Response::Rule {
                    rule: Box::new(rule),
                })
            }
            Request::DeleteRule { name } => {
                let _one_at_a_time = self.inner.rules_lock.lock().await;
                let mut rules = self.store().rules()?;
                let before = rules.len();
                rules.retain(|r| r.rule.name != name);
                if rules.len() == before {
                    return Err(EngineError::NotFound(format!(
                        "there is no rule named {name}"
                    )));
                }
                self.apply_history(vec![Change::SaveRules { rules }])
                    .await?;
                Ok(Response::Done)
            }
            Request::RuleLog { name, limit } => {
                let id = match name {
                    Some(name) => Some(
                        self.store()
                            .rules()?
                            .into_iter()
                            .find(|r| r.rule.name == name)
                            .ok_or_else(|| {
                                EngineError::NotFound(format!("there is no rule named {name}"))
                            })?
                            .id,
                    ),
                    None => None,
                };
                Ok(Response::RuleLog {
                    entries: self.store().rule_log(id, limit.unwrap_or(LOG_PAGE))?,
                })
            }
            _ => Err(EngineError::BadInput("not a rules command".into())),
        }
    }

    /// A new rule (`replace` false) or a rule replaced by one of the same name, as `actor`
    /// wrote it: its sends go as them.
    async fn save_rule(
        &self,
        actor: &Actor,
        toml: &str,
        replace: bool,
    ) -> Result<Response, EngineError> {
        let input = RuleInput::parse(toml).map_err(EngineError::BadInput)?;
        self.approved_templates(&input)?;
        self.check_rule_users(&input)?;
        let _one_at_a_time = self.inner.rules_lock.lock().await;
        let mut rules = self.store().rules()?;
        let existing = rules.iter().position(|r| r.rule.name == input.name);
        let rule = match (existing, replace) {
            (Some(_), false) => {
                return Err(EngineError::BadInput(format!(
                    "a rule named {} exists: `rules edit {} --file F` changes it",
                    input.name, input.name
                )));
            }
            (None, true) => {
                return Err(EngineError::NotFound(format!(
                    "there is no rule named {}",
                    input.name
                )));
            }
            (Some(i), true) => {
                // Its sends go as whoever wrote it last.
                rules[i].rule = input;
                rules[i].author.clone_from(&actor.login);
                rules[i].clone()
            }
            (None, false) => {
                let rule = Rule {
                    id: rules.iter().map(|r| r.id).max().unwrap_or(0) + 1,
                    author: actor.login.clone(),
                    created_at: Utc::now(),
                    rule: input,
                };
                rules.push(rule.clone());
                rule
            }
        };
        self.apply_history(vec![Change::SaveRules { rules }])
            .await?;
        self.look_at_dates(&rule).await?;
        Ok(Response::Rule {
            rule: Box::new(rule),
        })
    }

    /// Only templates WhatsApp approved may be sent by a rule.
    fn approved_templates(&self, input: &RuleInput) -> Result<(), EngineError> {
        for a in &input.actions {
            let Some(name) = &a.send_template else {
                continue;
            };
            self.approved_template(
                name,
                a.language.as_deref(),
                &format!("send_template {name:?}"),
                "a rule sends",
            )?;
        }
        Ok(())
    }

    /// Refused unless the template `name` (in `language`, when given) is a WhatsApp one that
    /// WhatsApp approved: `label` names it in the message, `who` says who sends only those.
    pub(super) fn approved_template(
        &self,
        name: &str,
        language: Option<&str>,
        label: &str,
        who: &str,
    ) -> Result<(), EngineError> {
        let templates = self.store().templates()?;
        let found: Vec<_> = templates
            .iter()
            .filter(|t| t.name == name && language.is_none_or(|l| l == t.language))
            .collect();
        if found.is_empty() {
            return Err(EngineError::BadInput(format!(
                "{label}: there is no such template (`hirechat templates list`)"
            )));
        }
        if !found
            .iter()
            .any(|t| t.kind == TemplateKind::Whatsapp && t.status == TemplateStatus::Approved)
        {
            return Err(EngineError::Refused(format!(
                "{label}: {who} only templates WhatsApp approved, and this one is not (yet)"
            )));
        }
        Ok(())
    }
}
