//! Templates inside a transaction: saved, reviewed by WhatsApp, synced, deleted; found by
//! name and language or by WhatsApp's id.

use super::{T, Tx, TxResult};
use crate::domain::{
    event::Event,
    template::{Template, TemplateStatus},
    template_review,
};
use crate::store::keys;

impl Tx<'_> {
    pub(super) fn save_template(&self, mut t: Template) -> TxResult<Vec<Event>> {
        if t.id == 0 {
            // 0 means "new": ids start at 1.
            t.id = self.new_id()? + 1;
        }
        self.put(T::Templates, keys::id(t.id), &t)?;
        self.tree(T::TemplateIndex).insert(
            template_name_key(&t.name, &t.language).as_bytes(),
            &keys::id(t.id),
        )?;
        if let Some(w) = &t.whatsapp_id {
            self.tree(T::TemplateIndex)
                .insert(template_wa_key(w).as_bytes(), &keys::id(t.id))?;
        }
        Ok(vec![Event::TemplateChanged { template: t }])
    }

    pub(super) fn template_reviewed(
        &self,
        whatsapp_id: Option<&str>,
        name: &str,
        language: &str,
        status: TemplateStatus,
        reason: Option<&String>,
    ) -> TxResult<Vec<Event>> {
        let by_wa = match whatsapp_id {
            Some(w) => self.get_id(T::TemplateIndex, template_wa_key(w))?,
            None => None,
        };
        let id = match by_wa {
            Some(id) => Some(id),
            None => self.get_id(T::TemplateIndex, template_name_key(name, language))?,
        };
        let Some(mut t) = id
            .map(|id| self.get::<Template>(T::Templates, keys::id(id)))
            .transpose()?
            .flatten()
        else {
            // A template this store does not know: `templates sync` brings it in.
            return Ok(vec![]);
        };
        template_review::reviewed(&mut t, status, reason.map(String::as_str));
        self.save_template(t)
    }

    pub(super) fn sync_templates(&self, remote: &[Template]) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for r in remote {
            let existing =
                self.get_id(T::TemplateIndex, template_name_key(&r.name, &r.language))?;
            let known = existing
                .map(|id| self.get::<Template>(T::Templates, keys::id(id)))
                .transpose()?
                .flatten();
            events.extend(self.save_template(template_review::synced(known, r))?);
        }
        Ok(events)
    }

    pub(super) fn delete_template(&self, id: u64) -> TxResult<Vec<Event>> {
        let Some(t) = self.get::<Template>(T::Templates, keys::id(id))? else {
            return Ok(vec![]);
        };
        self.tree(T::Templates).remove(&keys::id(id))?;
        self.tree(T::TemplateIndex)
            .remove(template_name_key(&t.name, &t.language).as_bytes())?;
        if let Some(w) = &t.whatsapp_id {
            self.tree(T::TemplateIndex)
                .remove(template_wa_key(w).as_bytes())?;
        }
        Ok(vec![Event::TemplateDeleted { id }])
    }
}

/// Templates are found by name and language; Meta writes `en-US` where templates say `en_US`.
fn template_name_key(name: &str, language: &str) -> String {
    format!("name:{name}:{}", language.replace('-', "_"))
}

fn template_wa_key(whatsapp_id: &str) -> String {
    format!("wa:{whatsapp_id}")
}
