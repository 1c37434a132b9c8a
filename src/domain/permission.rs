//! Roles and what each may do. The engine checks these for every command from every transport.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Connects the number, edits settings, templates and rules; also reads and replies.
    Admin,
    /// Reads and replies.
    Recruiter,
    /// Reads only.
    Viewer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Read,
    Reply,
    Administer,
}

impl Role {
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Reply => matches!(self, Self::Admin | Self::Recruiter),
            Permission::Administer => self == Self::Admin,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Admin => "admin",
            Self::Recruiter => "recruiter",
            Self::Viewer => "viewer",
        })
    }
}

/// The person behind a command, as the engine sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub login: String,
    pub name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert!(Role::Viewer.allows(Permission::Read));
        assert!(!Role::Viewer.allows(Permission::Reply));
        assert!(Role::Recruiter.allows(Permission::Reply));
        assert!(!Role::Recruiter.allows(Permission::Administer));
        assert!(Role::Admin.allows(Permission::Administer));
    }
}
