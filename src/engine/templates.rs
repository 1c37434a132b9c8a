//! Template commands: list, create (submitted to WhatsApp for review when approved-type),
//! sync, delete (on WhatsApp too); a preview or a send is answered by `template_send`.

use super::{Engine, EngineError, Request, Response};
use crate::{
    domain::{
        merge, merge_source,
        permission::Actor,
        template::{Template, TemplateError, TemplateInput, TemplateKind, TemplateStatus},
    },
    store::Change,
    whatsapp::{client::CloudClient, templates::CreateTemplate},
};

impl Engine {
    /// The template requests of [`Engine::handle`], permissions already checked.
    pub(super) async fn template_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::CreateTemplate { template } => self.create_template(actor, template).await,
            Request::EditTemplate {
                name,
                language,
                body,
            } => self.edit_template(&name, language.as_deref(), body).await,
            Request::SyncTemplates => self.sync_templates().await,
            Request::DeleteTemplate { name, language } => {
                self.delete_template(&name, language.as_deref()).await
            }
            Request::PreviewTemplate {
                to,
                name,
                language,
                picks,
            } => {
                let p = self.preview(actor, &to, &name, language.as_deref(), &picks)?;
                let refusal = p.template.refusal(p.target.window_open());
                let price = self.price_label(&p.target, &p.template);
                Ok(Response::Preview {
                    template: p.template,
                    filled: p.filled,
                    choices: p.choices,
                    refusal,
                    price,
                })
            }
            Request::SendTemplate {
                to,
                name,
                language,
                picks,
            } => {
                self.send_template(actor, &to, &name, language.as_deref(), &picks)
                    .await
            }
            _ => Ok(Response::Templates {
                templates: self.store().templates()?,
            }),
        }
    }

    fn client(&self) -> Result<&CloudClient, EngineError> {
        self.inner.client.get().ok_or_else(|| {
            EngineError::Unavailable(
                "the WhatsApp account is not set up: the config needs whatsapp.business_account_id and whatsapp.access_token".into(),
            )
        })
    }

    /// A new body for a template: checked as a new one would be; an approved-type one is sent
    /// to WhatsApp, which reviews it again (pending until it decides).
    async fn edit_template(
        &self,
        name: &str,
        language: Option<&str>,
        body: String,
    ) -> Result<Response, EngineError> {
        let mut template = self.template_named(name, language)?;
        TemplateInput {
            kind: template.kind,
            module: template.module,
            name: template.name.clone(),
            language: Some(template.language.clone()).filter(|l| !l.is_empty()),
            category: template.category,
            body: body.clone(),
        }
        .validate(0)
        .map_err(bad)?;
        if template.kind == TemplateKind::Whatsapp {
            if let Some(why) = crate::domain::template_review::edit_refusal(&template) {
                return Err(EngineError::Refused(why));
            }
            let (text, examples) = positional(&body)?;
            let request = CreateTemplate::body_only(&template.name, "", "", &text, &examples);
            let id = template.whatsapp_id.clone().unwrap_or_default();
            self.client()?
                .edit_template(&id, &request.components)
                .await
                .map_err(|e| {
                    EngineError::Refused(format!("WhatsApp did not take the change: {e}"))
                })?;
            template.status = TemplateStatus::Pending;
            template.reason = None;
        }
        template.body = body;
        self.save_template(template).await
    }

    /// Stores a template and answers with it as stored.
    async fn save_template(&self, template: Template) -> Result<Response, EngineError> {
        let events = self
            .apply_history(vec![Change::SaveTemplate { template }])
            .await?;
        events
            .into_iter()
            .find_map(|e| match e {
                crate::domain::event::Event::TemplateChanged { template } => {
                    Some(Response::Template { template })
                }
                _ => None,
            })
            .ok_or_else(|| EngineError::Unavailable("the template was not saved".into()))
    }

    pub(super) async fn create_template(
        &self,
        actor: &Actor,
        input: TemplateInput,
    ) -> Result<Response, EngineError> {
        let existing = self.store().templates()?;
        input.validate(existing.len()).map_err(bad)?;
        let name = input.name.trim().to_owned();
        let language = input.language.clone().unwrap_or_default().trim().to_owned();
        if existing
            .iter()
            .any(|t| t.name == name && t.language == language)
        {
            return Err(bad(TemplateError::Duplicate(name)));
        }
        let mut template = Template {
            id: 0,
            kind: input.kind,
            module: input.module,
            name,
            language,
            category: input.category,
            body: input.body.clone(),
            status: TemplateStatus::Active,
            reason: None,
            whatsapp_id: None,
            created_by: actor.login.clone(),
            created_at: chrono::Utc::now(),
        };
        if input.kind == TemplateKind::Whatsapp {
            let (text, examples) = positional(&input.body)?;
            let category = input
                .category
                .map_or("UTILITY", crate::domain::template::Category::wire);
            let request = CreateTemplate::body_only(
                &template.name,
                category,
                &template.language,
                &text,
                &examples,
            );
            let created = self
                .client()?
                .create_template(&request)
                .await
                .map_err(|e| {
                    EngineError::Refused(format!("WhatsApp did not take the template: {e}"))
                })?;
            template.whatsapp_id = Some(created.id);
            template.status = TemplateStatus::from_wire(&created.status);
        }
        self.save_template(template).await
    }

    pub(super) async fn sync_templates(&self) -> Result<Response, EngineError> {
        let remote = self.client()?.list_templates().await.map_err(|e| {
            EngineError::Unavailable(format!("could not read the templates from WhatsApp: {e}"))
        })?;
        let now = chrono::Utc::now();
        let remote: Vec<Template> = remote
            .into_iter()
            .map(|r| Template {
                id: 0,
                kind: TemplateKind::Whatsapp,
                module: crate::domain::template::Module::Candidates,
                body: r.body(),
                status: TemplateStatus::from_wire(&r.status),
                reason: r.rejected_reason.clone().filter(|x| x != "NONE"),
                whatsapp_id: Some(r.id.clone()),
                category: r
                    .category
                    .as_deref()
                    .and_then(crate::domain::template::Category::from_wire),
                language: r.language.replace('-', "_"),
                name: r.name,
                created_by: "whatsapp".into(),
                created_at: now,
            })
            .collect();
        self.apply_history(vec![Change::SyncTemplates { remote }])
            .await?;
        Ok(Response::Templates {
            templates: self.store().templates()?,
        })
    }

    pub(super) async fn delete_template(
        &self,
        name: &str,
        language: Option<&str>,
    ) -> Result<Response, EngineError> {
        let matches: Vec<Template> = self
            .store()
            .templates()?
            .into_iter()
            .filter(|t| t.name == name && language.is_none_or(|l| t.language == l))
            .collect();
        if matches.is_empty() {
            return Err(EngineError::NotFound(format!("no template named {name}")));
        }
        for t in &matches {
            if t.kind == TemplateKind::Whatsapp {
                self.client()?
                    .delete_template(&t.name, t.whatsapp_id.as_deref())
                    .await
                    .map_err(|e| {
                        EngineError::Refused(format!("WhatsApp did not delete {}: {e}", t.name))
                    })?;
            }
            self.apply_history(vec![Change::DeleteTemplate { id: t.id }])
                .await?;
        }
        Ok(Response::Done)
    }

    /// The one template `name` (and `language`) names.
    pub(super) fn template_named(
        &self,
        name: &str,
        language: Option<&str>,
    ) -> Result<Template, EngineError> {
        let mut found: Vec<Template> = self
            .store()
            .templates()?
            .into_iter()
            .filter(|t| t.name == name && language.is_none_or(|l| t.language == l))
            .collect();
        match found.len() {
            0 => Err(EngineError::NotFound(format!(
                "no template named {name}{}: `hirechat templates list` shows them",
                language.map(|l| format!(" in {l}")).unwrap_or_default()
            ))),
            1 => Ok(found.remove(0)),
            _ => Err(EngineError::BadInput(format!(
                "{name} exists in several languages ({}): say which with --lang",
                found
                    .iter()
                    .map(|t| t.language.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

/// A body as WhatsApp takes it: `{{1}}`… for its merge fields, and an example for each.
fn positional(body: &str) -> Result<(String, Vec<String>), EngineError> {
    let pieces = merge::parse(body).map_err(|e| bad(e.into()))?;
    let (text, order) = merge::positional(&pieces);
    Ok((text, order.iter().map(merge_source::example).collect()))
}

pub(super) fn bad(e: TemplateError) -> EngineError {
    match e {
        TemplateError::TooMany | TemplateError::Duplicate(_) => EngineError::Refused(e.to_string()),
        other => EngineError::BadInput(other.to_string()),
    }
}
