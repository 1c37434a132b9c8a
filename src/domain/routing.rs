//! Routing (admin settings): what a message from a number that matches no record creates, and
//! who new conversations go to when their record has no owner — a user, or in turn the
//! members of a group or the users of a role (round robin).

use serde::{Deserialize, Serialize};

use super::{
    conversation::Conversation,
    permission::Role,
    record::{Record, RecordKind},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownSenders {
    /// Only the conversation.
    #[default]
    None,
    /// A candidate record, named as WhatsApp names them.
    Candidate,
    /// A contact record.
    Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Routing {
    pub unknown_senders: UnknownSenders,
    /// `user:LOGIN`, `group:NAME`, `role:admin|recruiter|viewer`, or empty for nobody.
    pub assign_to: String,
}

/// A named set of users (config `[[groups]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub members: Vec<String>,
}

/// Routing resolved against the team: who is in the pool, in turn.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    pub unknown_senders: UnknownSenders,
    /// Logins that new conversations go to, in turn; empty: nobody.
    pub pool: Vec<String>,
    /// Names the pool's turn counter (`group:tokyo`).
    pub pool_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("assign_to {0:?}: write user:LOGIN, group:NAME or role:admin|recruiter|viewer")]
    Malformed(String),
    #[error("assign_to {0:?}: no such user in [[users]]")]
    NoUser(String),
    #[error("assign_to {0:?}: no such group in [[groups]]")]
    NoGroup(String),
    #[error("assign_to {0:?}: nobody in it can answer (viewers cannot)")]
    Empty(String),
    #[error("group {group:?} lists {login:?}, who is not in [[users]]")]
    StrangerInGroup { group: String, login: String },
}

impl Routing {
    /// Resolves the pool against the users (login, role) and groups.
    pub fn plan(&self, users: &[(String, Role)], groups: &[Group]) -> Result<Plan, RoutingError> {
        for g in groups {
            if let Some(login) = g
                .members
                .iter()
                .find(|m| !users.iter().any(|(u, _)| u == *m))
            {
                return Err(RoutingError::StrangerInGroup {
                    group: g.name.clone(),
                    login: login.clone(),
                });
            }
        }
        let target = self.assign_to.trim();
        let pool: Vec<String> = if target.is_empty() {
            Vec::new()
        } else {
            let (kind, name) = target
                .split_once(':')
                .ok_or_else(|| RoutingError::Malformed(target.to_owned()))?;
            match kind {
                "user" => {
                    if !users.iter().any(|(u, _)| u == name) {
                        return Err(RoutingError::NoUser(target.to_owned()));
                    }
                    vec![name.to_owned()]
                }
                "group" => groups
                    .iter()
                    .find(|g| g.name == name)
                    .ok_or_else(|| RoutingError::NoGroup(target.to_owned()))?
                    .members
                    .clone(),
                "role" => {
                    let role = match name {
                        "admin" => Role::Admin,
                        "recruiter" => Role::Recruiter,
                        "viewer" => Role::Viewer,
                        _ => return Err(RoutingError::Malformed(target.to_owned())),
                    };
                    users
                        .iter()
                        .filter(|(_, r)| *r == role)
                        .map(|(u, _)| u.clone())
                        .collect()
                }
                _ => return Err(RoutingError::Malformed(target.to_owned())),
            }
        };
        // Viewers cannot answer: a conversation is never theirs to answer.
        let pool: Vec<String> = pool
            .into_iter()
            .filter(|login| users.iter().any(|(u, r)| u == login && *r != Role::Viewer))
            .collect();
        if !target.is_empty() && pool.is_empty() {
            return Err(RoutingError::Empty(target.to_owned()));
        }
        Ok(Plan {
            unknown_senders: self.unknown_senders,
            pool,
            pool_name: target.to_owned(),
        })
    }
}

impl Plan {
    /// Whose turn it is, the `turn`-th time (counting from 0).
    pub fn pick(&self, turn: u64) -> Option<&str> {
        let n = u64::try_from(self.pool.len()).ok().filter(|n| *n > 0)?;
        let i = usize::try_from(turn % n).ok()?;
        self.pool.get(i).map(String::as_str)
    }

    /// Whether a new conversation takes the next turn of the pool: it has no owner (from its
    /// record) and the pool has someone. The key names the pool's turn counter.
    pub fn takes_a_turn(&self, conv: &Conversation) -> Option<String> {
        (conv.owner.is_none() && !self.pool.is_empty()).then(|| format!("turn:{}", self.pool_name))
    }

    /// The record a new conversation from an unknown sender creates, if the plan says so: named
    /// as WhatsApp names them (else by their number), owned by the conversation's owner.
    pub fn record_for_unknown(&self, conv: &Conversation) -> Option<Record> {
        let kind = match self.unknown_senders {
            UnknownSenders::None => return None,
            UnknownSenders::Candidate => RecordKind::Candidate,
            UnknownSenders::Contact => RecordKind::Contact,
        };
        let phone = conv.phone.clone().filter(|_| conv.record_id.is_none())?;
        let name = Some(conv.name.clone())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| phone.to_string());
        Some(Record {
            id: 0,
            kind,
            name,
            first_name: None,
            last_name: None,
            mobile: Some(phone),
            country: None,
            email: None,
            time_zone: None,
            owner: conv.owner.clone(),
            opted_out: false,
            consent: Vec::new(),
            custom: std::collections::BTreeMap::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_conversation_takes_a_turn_and_an_unknown_sender_gets_a_record() {
        let plan = Plan {
            unknown_senders: UnknownSenders::Candidate,
            pool: vec!["aiko".into(), "ken".into()],
            pool_name: "group:tokyo".into(),
        };
        let phone = crate::domain::phone::PhoneNumber::parse("+819012345678").unwrap();
        let mut conv = Conversation::new(1, Some(phone), None);
        assert_eq!(
            plan.takes_a_turn(&conv).as_deref(),
            Some("turn:group:tokyo")
        );
        assert_eq!((plan.pick(0), plan.pick(3)), (Some("aiko"), Some("ken")));
        conv.owner = plan.pick(1).map(str::to_owned);
        assert_eq!(plan.takes_a_turn(&conv), None, "an owner already");
        let record = plan.record_for_unknown(&conv).unwrap();
        assert_eq!(
            (record.kind, record.name.as_str(), record.owner.as_deref()),
            (RecordKind::Candidate, "+819012345678", Some("ken"))
        );
        conv.record_id = Some(4);
        assert_eq!(plan.record_for_unknown(&conv), None, "a record already");
    }

    fn team() -> (Vec<(String, Role)>, Vec<Group>) {
        (
            vec![
                ("aiko".into(), Role::Admin),
                ("ken".into(), Role::Recruiter),
                ("mika".into(), Role::Recruiter),
            ],
            vec![Group {
                name: "tokyo".into(),
                members: vec!["ken".into(), "aiko".into()],
            }],
        )
    }

    #[test]
    fn pools_take_turns() {
        let (users, groups) = team();
        let r = |to: &str| Routing {
            unknown_senders: UnknownSenders::Candidate,
            assign_to: to.into(),
        };
        let p = r("group:tokyo").plan(&users, &groups).unwrap();
        let turns: Vec<&str> = (0..3).filter_map(|t| p.pick(t)).collect();
        assert_eq!(turns, ["ken", "aiko", "ken"]);
        let p = r("role:recruiter").plan(&users, &groups).unwrap();
        assert_eq!(p.pool, ["ken", "mika"]);
        // Viewers cannot answer: never in a pool.
        let mut with_viewer = users.clone();
        with_viewer.push(("vic".into(), Role::Viewer));
        let mut groups_with_viewer = groups.clone();
        groups_with_viewer[0].members.push("vic".into());
        let p = r("group:tokyo")
            .plan(&with_viewer, &groups_with_viewer)
            .unwrap();
        assert_eq!(p.pool, ["ken", "aiko"]);
        assert!(matches!(
            r("user:vic").plan(&with_viewer, &groups),
            Err(RoutingError::Empty(_))
        ));
        let p = r("user:mika").plan(&users, &groups).unwrap();
        assert_eq!(p.pick(7), Some("mika"));
        assert_eq!(r("").plan(&users, &groups).unwrap().pick(0), None);
    }

    #[test]
    fn mistakes_are_named() {
        let (users, mut groups) = team();
        let r = |to: &str| Routing {
            assign_to: to.into(),
            ..Routing::default()
        };
        assert!(matches!(
            r("user:nobody").plan(&users, &groups),
            Err(RoutingError::NoUser(_))
        ));
        assert!(matches!(
            r("group:osaka").plan(&users, &groups),
            Err(RoutingError::NoGroup(_))
        ));
        assert!(matches!(
            r("role:viewer").plan(&users, &groups),
            Err(RoutingError::Empty(_))
        ));
        assert!(matches!(
            r("ken").plan(&users, &groups),
            Err(RoutingError::Malformed(_))
        ));
        groups[0].members.push("stranger".into());
        assert!(matches!(
            r("").plan(&users, &groups),
            Err(RoutingError::StrangerInGroup { .. })
        ));
    }
}
