//! Unix users of a team for the tests of one daemon shared by several people: created for a
//! test (as root, with useradd and runuser), given a shared data directory, removed after.

use std::{
    fmt::Write as _,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use hirechat::server::peer;

/// Unix users and a group made for one test, removed after it.
pub struct Team {
    pub group: String,
    pub users: Vec<String>,
}

impl Team {
    /// Creates the group and the users in it; `None` when this machine cannot (not root, or
    /// no useradd/runuser).
    pub fn create(tag: &str, names: &[&str]) -> Option<Self> {
        let root = peer::current_uid() == Some(0);
        let tools = ["useradd", "groupadd", "runuser", "userdel", "groupdel"]
            .iter()
            .all(|t| {
                Command::new("sh")
                    .args(["-c", &format!("command -v {t}")])
                    .output()
                    .is_ok_and(|o| o.status.success())
            });
        if !root || !tools {
            return None;
        }
        let group = format!("hc{tag}");
        assert!(
            Command::new("groupadd")
                .arg(&group)
                .status()
                .unwrap()
                .success()
        );
        let mut team = Self {
            group,
            users: Vec::new(),
        };
        for n in names {
            let login = format!("hc{n}{tag}");
            let ok = Command::new("useradd")
                .args(["-M", "-N", "-g", &team.group, "-s", "/bin/sh", &login])
                .status()
                .unwrap()
                .success();
            assert!(ok, "useradd {login}");
            team.users.push(login);
        }
        Some(team)
    }

    /// The team's directory `dir`: a config naming the users (`(name, role)` in the order of
    /// `users`) that every user may read, the data directory the group's (setgid, so what is
    /// created in it is the group's too), and the binary where every user can run it, which
    /// is returned.
    pub fn directory(
        &self,
        dir: &Path,
        api_base: &str,
        port: u16,
        roles: &[(&str, &str)],
    ) -> PathBuf {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let data = dir.join("data");
        std::fs::create_dir(&data).unwrap();
        assert!(
            Command::new("chgrp")
                .arg(&self.group)
                .arg(&data)
                .status()
                .unwrap()
                .success()
        );
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o2770)).unwrap();
        let bin = dir.join("hirechat");
        std::fs::copy(env!("CARGO_BIN_EXE_hirechat"), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut users = String::new();
        for ((name, role), login) in roles.iter().zip(&self.users) {
            let _ = writeln!(
                users,
                "[[users]]\nname = \"{name}\"\nlogin = \"{login}\"\nrole = \"{role}\""
            );
        }
        super::daemon::write_config(dir, api_base, port, &users);
        std::fs::set_permissions(
            dir.join("config.toml"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        bin
    }

    /// The shell command of user `who`'s inbox on the team's daemon.
    pub fn tui(&self, who: usize, bin: &Path, dir: &Path) -> String {
        format!(
            "runuser -u {} -- env HOME={} TERM=xterm-256color {} --config {} --data-dir {} tui",
            self.users[who],
            dir.display(),
            bin.display(),
            dir.join("config.toml").display(),
            dir.join("data").display()
        )
    }

    pub fn run_as(&self, who: usize, bin: &Path, dir: &Path, args: &[&str]) -> Output {
        Command::new("runuser")
            .args(["-u", &self.users[who], "--"])
            .arg(bin)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--config")
            .arg(dir.join("config.toml"))
            .args(args)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", dir)
            .output()
            .unwrap()
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        for u in &self.users {
            let _ = Command::new("userdel").arg(u).status();
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}
