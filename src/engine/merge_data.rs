//! Gathers what a template for one contact can be filled from: their record, the sending
//! user (from the config's `[[users]]`), the organization, the record's interviews, the job
//! openings those interviews (or the record's own "Job Opening" column) name, the clients of
//! those job openings (or the contact's "Client" column), and the user's calendar bookings.

use std::collections::BTreeSet;

use super::{Engine, EngineError, send::Target};
use crate::domain::{
    conversation::Conversation,
    merge_source::{Sources, UserInfo},
    permission::Actor,
    related::{Related, RelatedData},
};

/// Columns of a candidate or contact import that name a job opening or a client.
const JOB_COLUMNS: [&str; 4] = ["job opening", "job openings", "posting title", "job"];
const CLIENT_COLUMNS: [&str; 5] = [
    "client",
    "client name",
    "company",
    "account name",
    "account",
];

impl Engine {
    pub(super) fn merge_data(
        &self,
        actor: &Actor,
        target: &Target,
    ) -> Result<Sources, EngineError> {
        let store = self.store();
        let record = target.record.clone();
        let mut related: Vec<Related> = Vec::new();
        let mut jobs: BTreeSet<String> = BTreeSet::new();
        let mut clients: BTreeSet<String> = BTreeSet::new();
        if let Some(r) = &record {
            for i in store.interviews_of(r.id)? {
                if let RelatedData::Interview(iv) = &i.data
                    && let Some(job) = &iv.job
                {
                    jobs.insert(job.to_lowercase());
                }
                related.push(i);
            }
            for (column, value) in &r.custom {
                let column = column.trim().to_lowercase();
                if JOB_COLUMNS.contains(&column.as_str()) {
                    jobs.extend(value.split(';').map(|v| v.trim().to_lowercase()));
                }
                if CLIENT_COLUMNS.contains(&column.as_str()) {
                    clients.insert(value.trim().to_lowercase());
                }
            }
        }
        for title in jobs.iter().filter(|t| !t.is_empty()) {
            for j in store.job_openings_titled(title)? {
                if let RelatedData::JobOpening(job) = &j.data
                    && let Some(c) = &job.client
                {
                    clients.insert(c.to_lowercase());
                }
                related.push(j);
            }
        }
        for name in clients.iter().filter(|c| !c.is_empty()) {
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
