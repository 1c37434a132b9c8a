//! Who is on the other end of the socket: the peer's Unix user, mapped to a `[[users]]` entry.

use std::os::unix::fs::MetadataExt;

use crate::{
    config::Config,
    domain::permission::{Actor, Role},
};

/// This process's user id (the owner of `/proc/self`).
pub fn current_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The login name of `uid`, from `/etc/passwd`.
pub fn login_of(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_owned())
    })
}

/// The hirechat user behind `uid`. With no `[[users]]` configured, only the user running
/// hirechat is admitted (as admin): a shared server must list its team explicitly.
pub fn actor_for(config: &Config, uid: u32, own_uid: Option<u32>) -> Result<Actor, String> {
    let login = login_of(uid).unwrap_or_else(|| format!("uid {uid}"));
    if config.users.is_empty() {
        return if Some(uid) == own_uid {
            Ok(Actor {
                name: login.clone(),
                login,
                role: Role::Admin,
            })
        } else {
            Err(format!(
                "{login} is not a hirechat user: no [[users]] are configured, so only the user running the daemon may connect"
            ))
        };
    }
    config
        .user_by_login(&login)
        .map(|u| Actor {
            login: u.login.clone(),
            name: u.name.clone(),
            role: u.role,
        })
        .ok_or_else(|| {
            format!(
                "{login} is not a hirechat user: ask an admin to add a [[users]] entry with login = \"{login}\"{}",
                config
                    .source
                    .as_ref()
                    .map(|p| format!(" to {}", p.display()))
                    .unwrap_or_default()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_uid_zero() {
        assert_eq!(login_of(0).as_deref(), Some("root"));
    }

    #[test]
    fn mapping() {
        let mut config = Config::default();
        let me = current_uid();
        assert_eq!(
            actor_for(&config, me.unwrap(), me).unwrap().role,
            Role::Admin
        );
        assert!(actor_for(&config, 4_000_000, me).is_err());
        config.users.push(crate::config::UserConfig {
            name: "Root".into(),
            login: "root".into(),
            role: Role::Viewer,
            email: None,
            phone: None,
            time_zone: None,
        });
        assert_eq!(actor_for(&config, 0, me).unwrap().role, Role::Viewer);
        let err = actor_for(&config, 4_000_000, me).unwrap_err();
        assert!(err.contains("not a hirechat user"), "{err}");
    }
}
