//! Labels: admins define them (a one-word name, a colour) and delete those no conversation
//! carries; anyone who replies puts them on and takes them off a conversation, which its
//! trail records.

use chrono::Utc;

use super::{Engine, EngineError, Request, Response, api::ConversationView};
use crate::{
    domain::{filter::Filter, label::Label, permission::Actor},
    store::Change,
};

impl Engine {
    pub(super) async fn label_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::Labels => Ok(Response::Labels {
                labels: self.store().labels()?,
            }),
            Request::SaveLabel { name, colour } => {
                let label = Label::new(&name, &colour).map_err(EngineError::BadInput)?;
                self.apply_history(vec![Change::SaveLabel { label }])
                    .await?;
                Ok(Response::Labels {
                    labels: self.store().labels()?,
                })
            }
            Request::DeleteLabel { name } => self.delete_label(&name).await,
            Request::Label {
                with,
                conversation_id,
                add,
                remove,
            } => {
                let conv = self.named(with.as_deref(), conversation_id)?;
                let defined: Vec<String> =
                    self.store().labels()?.into_iter().map(|l| l.name).collect();
                let add: Vec<String> = add.iter().map(|a| a.trim().to_lowercase()).collect();
                if let Some(unknown) = add.iter().find(|a| !defined.contains(a)) {
                    return Err(EngineError::BadInput(format!(
                        "there is no label {unknown:?}: an admin defines labels (`hirechat labels create`); defined: {}",
                        if defined.is_empty() {
                            "none".to_owned()
                        } else {
                            defined.join(", ")
                        }
                    )));
                }
                let remove = remove.iter().map(|r| r.trim().to_lowercase()).collect();
                self.apply_history(vec![Change::Label {
                    conversation_id: conv.id,
                    add,
                    remove,
                    by: actor.login.clone(),
                    by_name: actor.name.clone(),
                    at: Utc::now(),
                }])
                .await?;
                let now = self.store().conversation(conv.id)?.unwrap_or(conv);
                Ok(Response::Conversation {
                    conversation: Box::new(ConversationView::new(&now, Utc::now())),
                })
            }
            other => Err(EngineError::Unavailable(format!(
                "not a label request: {}",
                other.action()
            ))),
        }
    }

    /// Deletes a label no conversation carries (taking it off is the recruiters' choice).
    async fn delete_label(&self, name: &str) -> Result<Response, EngineError> {
        let name = name.trim().to_lowercase();
        if !self.store().labels()?.iter().any(|l| l.name == name) {
            return Err(EngineError::NotFound(format!("there is no label {name:?}")));
        }
        let filter = Filter::parse(&format!("label:{name}"))
            .map_err(|e| EngineError::BadInput(e.to_string()))?;
        let now = Utc::now();
        let (carrying, _) =
            self.store()
                .filter_page(|s| filter.matches(s, "", now), false, 0, 0)?;
        if carrying > 0 {
            return Err(EngineError::Refused(format!(
                "{carrying} conversation(s) carry {name:?}: take it off them first (filter `label:{name}`)"
            )));
        }
        self.apply_history(vec![Change::DeleteLabel { name }])
            .await?;
        Ok(Response::Labels {
            labels: self.store().labels()?,
        })
    }
}
