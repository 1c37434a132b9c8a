//! A template filled in for one contact and sent: the preview (merge fields from the record,
//! a pick where a module has several values), what it needs before it may go, and the queued
//! send with its price held.

use super::{
    Engine, EngineError, Response,
    send::{held, queued},
};
use crate::{
    domain::{
        merge::{self, Filled},
        merge_source::{Choice, Picks},
        permission::Actor,
        template::{Template, TemplateKind},
    },
    store::Change,
    whatsapp::{send::SendRequest, templates::template_object},
};

/// A template filled in for one contact.
pub(super) struct Preview {
    pub template: Template,
    pub filled: Filled,
    pub choices: Vec<Choice>,
    pub target: super::send::Target,
}

impl Engine {
    /// The template filled in for `to`, with `picks` where a module has several values.
    pub(super) fn preview(
        &self,
        actor: &Actor,
        to: &str,
        name: &str,
        language: Option<&str>,
        picks: &Picks,
    ) -> Result<Preview, EngineError> {
        let target = self.target(to)?;
        let template = self.template_named(name, language)?;
        if let Some(why) = target.record.as_ref().and_then(|r| {
            crate::domain::template_rules::misfit(&template.name, template.module, &r.name, r.kind)
        }) {
            return Err(EngineError::Refused(why));
        }
        let pieces = merge::parse(&template.body).map_err(|e| super::templates::bad(e.into()))?;
        let (filled, choices) = self.merge_data(actor, &target)?.fill(&pieces, picks);
        Ok(Preview {
            template,
            filled,
            choices,
            target,
        })
    }

    pub(super) async fn send_template(
        &self,
        actor: &Actor,
        to: &str,
        name: &str,
        language: Option<&str>,
        picks: &Picks,
    ) -> Result<Response, EngineError> {
        let change = self.template_change(actor, to, name, language, picks)?;
        self.queue_change(change).await
    }

    /// The change that queues the template filled for `to`, once every rule said yes.
    pub(super) fn template_change(
        &self,
        actor: &Actor,
        to: &str,
        name: &str,
        language: Option<&str>,
        picks: &Picks,
    ) -> Result<Change, EngineError> {
        let preview = self.preview(actor, to, name, language, picks)?;
        let window_open = preview.target.window_open();
        ready(&preview, window_open)?;
        let Preview {
            template,
            filled,
            target,
            ..
        } = preview;
        if template.kind == TemplateKind::Custom {
            // Free-form text: priced as a reply.
            let mut change = queued(
                actor,
                &target,
                "text",
                &filled.text,
                None,
                |to, recipient| SendRequest::text(to, recipient, &filled.text),
            )?;
            held(&mut change, self.hold_for(actor, &target, None)?);
            return Ok(change);
        }
        let object = template_object(&template.name, &template.language, &filled.values);
        let mut change = queued(
            actor,
            &target,
            "template",
            &filled.text,
            None,
            |to, recipient| SendRequest::template(to, recipient, object),
        )?;
        held(&mut change, self.hold_for(actor, &target, Some(&template))?);
        Ok(change)
    }

    /// Whether the template could be sent to `to` when the contact's window is (or is not)
    /// open: a send for later is checked so when it is scheduled.
    pub(super) fn template_ready(
        &self,
        actor: &Actor,
        to: &str,
        (name, language, picks): (&str, Option<&str>, &Picks),
        window_open: bool,
    ) -> Result<(), EngineError> {
        ready(
            &self.preview(actor, to, name, language, picks)?,
            window_open,
        )
    }
}

/// What a filled template needs before it may go: the window its kind needs, a value picked
/// where there were several, every merge field filled, and parameters hirechat can fill.
fn ready(preview: &Preview, window_open: bool) -> Result<(), EngineError> {
    let Preview {
        template,
        filled,
        choices,
        ..
    } = preview;
    if let Some(why) = template.refusal(window_open) {
        return Err(EngineError::Refused(why));
    }
    if let Some(open) = choices.iter().find(|c| c.picked.is_none()) {
        return Err(EngineError::Refused(unpicked(open)));
    }
    if template.kind == TemplateKind::Custom {
        return Ok(());
    }
    if !filled.missing.is_empty() {
        return Err(EngineError::Refused(format!(
            "{} has no value for {}: WhatsApp refuses empty parameters; fill them in first",
            template.name,
            filled
                .missing
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if crate::whatsapp::templates::parameter_count(&template.body) > 0 && filled.values.is_empty() {
        return Err(EngineError::Refused(format!(
            "{} came from WhatsApp with {{{{1}}}}-style parameters that hirechat cannot fill: recreate it here with merge fields",
            template.name
        )));
    }
    Ok(())
}

/// Why a send waits for a pick, with the options to pick from.
fn unpicked(choice: &Choice) -> String {
    let options: Vec<String> = choice
        .options
        .iter()
        .map(|o| {
            format!(
                "{}={} ({})",
                choice.module,
                o.id,
                crate::domain::safe_text::neutralise(&o.label, false)
            )
        })
        .collect();
    format!(
        "{} has {} values for this contact: pick one (in the CLI, --pick {}): {}",
        choice.module,
        choice.options.len(),
        choice
            .options
            .first()
            .map_or_else(String::new, |o| format!("{}={}", choice.module, o.id)),
        options.join("; ")
    )
}
