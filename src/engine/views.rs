//! The conversation list, filters and views: built-in views, and views users save from a
//! query (personal, or shared by an admin). The unreplied views come from their stored index;
//! other filters from the facts the store keeps in memory.

use chrono::Utc;

use super::{Engine, EngineError, Request, Response, api, api::ConversationView};
use crate::{
    domain::{
        filter::{BUILT_IN_VIEWS, Filter, built_in_view},
        permission::{Actor, Permission},
        view::{SavedView, Sort},
    },
    store::Change,
};

impl Engine {
    pub(super) fn conversations(
        &self,
        actor: &Actor,
        filter: Option<&str>,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Response, EngineError> {
        if let Some(f) = filter {
            return self.filtered(actor, f, offset, limit);
        }
        let now = Utc::now();
        let list = self
            .store()
            .conversations_page(offset, limit.unwrap_or(usize::MAX))?;
        Ok(Response::Conversations {
            total: self.store().conversation_count()?,
            offset,
            conversations: list.iter().map(|c| ConversationView::new(c, now)).collect(),
        })
    }

    /// The query and order a view's name stands for (built-in, or saved and visible to
    /// `actor`), or the text itself as a query.
    fn resolve(&self, actor: &Actor, text: &str) -> Result<(String, Sort), EngineError> {
        let text = text.trim();
        if let Some(q) = built_in_view(text) {
            return Ok((q.to_owned(), Sort::Newest));
        }
        // One's own view first, then a shared one of that name.
        Ok(self
            .visible_views(actor)?
            .into_iter()
            .filter(|v| v.name == text)
            .min_by_key(|v| v.owner.is_none())
            .map_or_else(|| (text.to_owned(), Sort::Newest), |v| (v.query, v.sort)))
    }

    fn visible_views(&self, actor: &Actor) -> Result<Vec<SavedView>, EngineError> {
        Ok(self
            .store()
            .views()?
            .into_iter()
            .filter(|v| v.visible_to(&actor.login))
            .collect())
    }

    /// Conversations that pass a filter (or a view by name): how many, and a page of them.
    fn filtered(
        &self,
        actor: &Actor,
        text: &str,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Response, EngineError> {
        let now = Utc::now();
        let (total, page) = self.select(actor, text, offset, limit)?;
        Ok(Response::Conversations {
            total,
            offset,
            conversations: page.iter().map(|c| ConversationView::new(c, now)).collect(),
        })
    }

    /// The conversations a filter (or a view by name) selects: how many, and a page of them.
    pub(super) fn select(
        &self,
        actor: &Actor,
        text: &str,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<(u64, Vec<crate::domain::conversation::Conversation>), EngineError> {
        let (query, sort) = self.resolve(actor, text)?;
        let now = Utc::now();
        let filter = Filter::parse(&query)
            .map_err(|e| EngineError::BadInput(e.to_string()))?
            .counting(self.inner.unreplied_until)
            .today_from(self.start_of_day(actor, now));
        let limit = limit.unwrap_or(usize::MAX);
        let (total, page) = match unreplied_only(&filter, actor, now) {
            // The unreplied views in their own order come from their index.
            Some((owner, waited)) if sort == Sort::Newest => {
                self.store()
                    .unreplied(owner.as_deref(), waited, offset, limit)?
            }
            _ => self.store().filter_page(
                |s| filter.matches(s, &actor.login, now),
                sort == Sort::Oldest,
                offset,
                limit,
            )?,
        };
        Ok((total, page))
    }

    /// When the asker's today began: in their `[[users]] time_zone`, else this machine's.
    pub(super) fn start_of_day(
        &self,
        actor: &Actor,
        now: chrono::DateTime<Utc>,
    ) -> chrono::DateTime<Utc> {
        let zone = self
            .inner
            .users
            .iter()
            .find(|u| u.login == actor.login)
            .and_then(|u| u.time_zone.as_deref()?.parse::<chrono_tz::Tz>().ok());
        match zone {
            Some(z) => crate::domain::filter::start_of_day(now, &z),
            None => crate::domain::filter::start_of_day(now, &chrono::Local),
        }
    }

    /// How many conversations a query selects now.
    fn count(&self, actor: &Actor, query: &str) -> Result<Option<u64>, EngineError> {
        let Ok(filter) = Filter::parse(query) else {
            return Ok(None);
        };
        let now = Utc::now();
        let filter = filter
            .counting(self.inner.unreplied_until)
            .today_from(self.start_of_day(actor, now));
        let total = match unreplied_only(&filter, actor, now) {
            Some((owner, waited)) => self.store().unreplied(owner.as_deref(), waited, 0, 0)?.0,
            None => {
                self.store()
                    .filter_page(|s| filter.matches(s, &actor.login, now), false, 0, 0)?
                    .0
            }
        };
        Ok(Some(total))
    }

    /// Every view `actor` sees, with its count: all, the built-in ones, then the saved ones
    /// (shared first).
    pub(super) fn views(&self, actor: &Actor) -> Result<Response, EngineError> {
        let mut views = vec![api::ViewCount {
            name: String::new(),
            title: "All".into(),
            count: Some(self.store().conversation_count()?),
            saved: None,
        }];
        for (name, title, query) in BUILT_IN_VIEWS {
            views.push(api::ViewCount {
                name: (*name).to_owned(),
                title: (*title).to_owned(),
                count: self.count(actor, query)?,
                saved: None,
            });
        }
        let mut saved = self.visible_views(actor)?;
        saved.sort_by(|a, b| (a.owner.is_some(), &a.name).cmp(&(b.owner.is_some(), &b.name)));
        for v in saved {
            views.push(api::ViewCount {
                name: v.name.clone(),
                title: v.name.clone(),
                count: self.count(actor, &v.query)?,
                saved: Some(v),
            });
        }
        Ok(Response::Views { views })
    }

    /// Saving (creating or replacing, by name) and deleting views.
    pub(super) async fn view_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        let admin = actor.role.allows(Permission::Administer);
        let all = self.store().views()?;
        match request {
            Request::SaveView { view } => {
                let name = view
                    .validate()
                    .map_err(|e| EngineError::BadInput(e.to_string()))?;
                if view.shared && !admin {
                    return Err(EngineError::Forbidden(format!(
                        "{} ({}) may not share views: only admins do; save it for yourself",
                        actor.login, actor.role
                    )));
                }
                let owner = (!view.shared).then(|| actor.login.clone());
                let id = all
                    .iter()
                    .find(|v| v.name == name && v.owner == owner)
                    .map_or(0, |v| v.id);
                let saved = SavedView {
                    id,
                    name,
                    query: view.query.trim().to_owned(),
                    sort: view.sort,
                    owner,
                    created_by: actor.login.clone(),
                };
                self.apply_history(vec![Change::SaveView { view: saved }])
                    .await?;
            }
            Request::DeleteView { name } => {
                // One's own first, then a shared one of that name.
                let found = all
                    .iter()
                    .filter(|v| v.name == name && v.visible_to(&actor.login))
                    .min_by_key(|v| v.owner.is_none())
                    .ok_or_else(|| EngineError::NotFound(format!("no view named {name:?}")))?;
                if found.owner.is_none() && !admin {
                    return Err(EngineError::Forbidden(format!(
                        "{name:?} is shared: only an admin deletes it"
                    )));
                }
                self.apply_history(vec![Change::DeleteView { id: found.id }])
                    .await?;
            }
            _ => return Err(EngineError::BadInput("not a view command".into())),
        }
        self.views(actor)
    }
}

/// When a filter is "unreplied" (with a waiting time) and at most an owner, the index answers
/// it: the owner's login and the waiting-time range.
fn unreplied_only(
    filter: &crate::domain::filter::Filter,
    actor: &Actor,
    now: chrono::DateTime<Utc>,
) -> Option<(Option<String>, crate::store::Waited)> {
    use crate::domain::filter::{Compare, Term, Who};
    use crate::store::Waited;
    let mut waited = None;
    let mut owner = None;
    for t in &filter.terms {
        match t {
            Term::Unreplied(bound) if waited.is_none() => {
                waited = Some(match bound {
                    None => Waited::Any,
                    Some((Compare::Older, d)) => Waited::LongerThan(now - *d),
                    Some((Compare::Within, d)) => Waited::Since(now - *d),
                });
            }
            Term::Owner(w) if owner.is_none() => {
                owner = Some(match w {
                    Who::Me => actor.login.clone(),
                    Who::User(u) => u.clone(),
                });
            }
            _ => return None,
        }
    }
    waited.map(|w| (owner, w))
}
