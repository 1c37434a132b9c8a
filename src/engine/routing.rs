//! Routing settings: the config's until an admin sets others (then stored), resolved against
//! the team into the plan the store follows when a new conversation arrives.

use super::{Engine, EngineError, Response};
use crate::{domain::routing::Routing, store::Change};

impl Engine {
    /// The routing in force: an admin's, else the config's.
    fn routing(&self) -> Result<(Routing, &'static str), EngineError> {
        Ok(match self.store().routing()? {
            Some(r) => (r, "admin"),
            None => (self.inner.routing.clone(), "config"),
        })
    }

    pub(super) fn team(&self) -> Vec<(String, crate::domain::permission::Role)> {
        self.inner
            .users
            .iter()
            .map(|u| (u.login.clone(), u.role))
            .collect()
    }

    /// Stores the plan for `set` (an admin's new settings), or for the routing in force.
    pub(super) async fn plan_routing(&self, set: Option<Routing>) -> Result<(), EngineError> {
        let routing = match &set {
            Some(r) => r.clone(),
            None => self.routing()?.0,
        };
        let plan = match routing.plan(&self.team(), &self.inner.groups) {
            Ok(p) => p,
            Err(e) if set.is_some() => return Err(EngineError::BadInput(e.to_string())),
            Err(e) => {
                // The team changed under an admin's settings: nobody is assigned until fixed.
                tracing::warn!(error = %e, "routing cannot be followed; new conversations stay unassigned");
                Routing {
                    assign_to: String::new(),
                    ..routing
                }
                .plan(&self.team(), &self.inner.groups)
                .unwrap_or_default()
            }
        };
        self.apply_history(vec![Change::SetRouting { routing: set, plan }])
            .await?;
        Ok(())
    }

    pub(super) fn settings(&self) -> Result<Response, EngineError> {
        let (routing, source) = self.routing()?;
        let pool = routing
            .plan(&self.team(), &self.inner.groups)
            .map(|p| p.pool)
            .unwrap_or_default();
        Ok(Response::Settings {
            routing,
            pool,
            source: source.to_owned(),
        })
    }
}
