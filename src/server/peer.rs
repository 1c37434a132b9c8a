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

/// Who is on the other end of the socket, as the kernel says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub uid: u32,
    pub gid: u32,
}

/// The daemon reads the files a caller sends with its own rights; it only does so for a file
/// the caller could read themselves (owned with read permission, readable by the caller's
/// group, or by anyone), so the socket never lends the daemon's access to a team member.
/// Paths come back resolved (links followed), as they were checked.
pub fn own_files_only(
    request: crate::engine::Request,
    caller: Caller,
    own_uid: Option<u32>,
) -> Result<crate::engine::Request, String> {
    use crate::engine::Request;
    let Request::SendFiles {
        to,
        files,
        caption,
        text,
    } = request
    else {
        return Ok(request);
    };
    let trusted = caller.uid == 0 || Some(caller.uid) == own_uid;
    let files = files
        .into_iter()
        .map(|f| {
            if trusted || crate::domain::attachment::is_link(&f) {
                return Ok(f);
            }
            let shown = crate::domain::attachment::display_name(&f);
            let resolved =
                std::fs::canonicalize(&f).map_err(|e| format!("{shown}: cannot be read ({e})"))?;
            let meta = std::fs::metadata(&resolved)
                .map_err(|e| format!("{shown}: cannot be read ({e})"))?;
            let mode = meta.mode();
            let readable = (meta.uid() == caller.uid && mode & 0o400 != 0)
                || (meta.gid() == caller.gid && mode & 0o040 != 0)
                || mode & 0o004 != 0;
            if readable {
                Ok(resolved.to_string_lossy().into_owned())
            } else {
                Err(format!(
                    "{shown}: you may not read this file, so it is not sent for you"
                ))
            }
        })
        .collect::<Result<_, String>>()?;
    Ok(Request::SendFiles {
        to,
        files,
        caption,
        text,
    })
}
