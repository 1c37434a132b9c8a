//! Gathers what a template for one contact can be filled from: their record, the sending
//! user (from the config's `[[users]]`), the organization, the record's interviews, the job
//! openings those interviews (or the record's own "Job Opening" column) name, the clients of
//! those job openings (or the contact's "Client" column), and the user's calendar bookings.

use super::{Engine, EngineError, send::Target};
use crate::domain::{
    conversation::Conversation,
    merge_source::{Sources, UserInfo},
    permission::Actor,
    record_card::{self, Linked},
    related::{Related, RelatedData},
};

impl Engine {
    pub(super) fn merge_data(
        &self,
        actor: &Actor,
        target: &Target,
    ) -> Result<Sources, EngineError> {
        let store = self.store();
        let record = target.record.clone();
        let mut related: Vec<Related> = Vec::new();
        let mut linked = Linked::default();
        if let Some(r) = &record {
            let interviews = store.interviews_of(r.id)?;
            linked = record_card::linked(r, &interviews);
            related.extend(interviews);
        }
        let Linked { jobs, mut clients } = linked;
        for title in &jobs {
            for j in store.job_openings_titled(title)? {
                if let RelatedData::JobOpening(job) = &j.data
                    && let Some(c) = &job.client
                {
                    clients.insert(c.to_lowercase());
                }
                related.push(j);
            }
        }
        for name in &clients {
            related.extend(store.clients_named(name)?);
        }
        related.extend(store.bookings_for(&actor.login)?);
        let profile = self.inner.users.iter().find(|u| u.login == actor.login);
        Ok(Sources {
            record,
            whatsapp_name: target.conversation.as_ref().map(Conversation::display_name),
            user: UserInfo {
                name: actor.name.clone(),
                login: actor.login.clone(),
                email: profile.and_then(|p| p.email.clone()),
                phone: profile.and_then(|p| p.phone.clone()),
                role: actor.role.to_string(),
            },
            organization: self.inner.organization.clone(),
            related,
        })
    }
}
