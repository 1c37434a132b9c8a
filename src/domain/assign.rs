//! Handing a conversation to someone: to a user, to a group (its members in turn, as routing
//! does), or to nobody. Admins assign any conversation; a recruiter takes one for themselves
//! or hands over their own.

use super::permission::{Actor, Role};

/// What `--to` (or the TUI's picker) names, as routing's `assign_to` reads it: `LOGIN` or
/// `user:LOGIN`, `group:NAME`, `role:ROLE`, and `none` (or empty) for nobody.
pub fn target(to: &str) -> String {
    let to = to.trim();
    if to.is_empty() || to.eq_ignore_ascii_case("none") || to.eq_ignore_ascii_case("nobody") {
        String::new()
    } else if to.contains(':') {
        to.to_owned()
    } else {
        format!("user:{to}")
    }
}

/// Whether `actor` may hand the conversation owned by `owner` to the logins of `pool`.
pub fn may_assign(actor: &Actor, owner: Option<&str>, pool: &[String]) -> Result<(), String> {
    if actor.role == Role::Admin {
        return Ok(());
    }
    let taking = pool.len() == 1 && pool[0] == actor.login;
    let own = owner == Some(actor.login.as_str());
    if taking || own {
        return Ok(());
    }
    Err(format!(
        "{} ({}) may take a conversation or hand over their own, not assign someone else's: ask an admin",
        actor.login, actor.role
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recruiter() -> Actor {
        Actor {
            login: "ken".into(),
            name: "Ken".into(),
            role: Role::Recruiter,
        }
    }

    #[test]
    fn targets_read_as_routing_reads_them() {
        assert_eq!(target("ken"), "user:ken");
        assert_eq!(target("group:tokyo"), "group:tokyo");
        assert_eq!(target("none"), "");
        assert_eq!(target(" "), "");
    }

    #[test]
    fn recruiters_take_or_hand_over_their_own_and_admins_assign_any() {
        let ken = recruiter();
        let to = |l: &str| vec![l.to_owned()];
        assert!(may_assign(&ken, None, &to("ken")).is_ok(), "taking it");
        assert!(
            may_assign(&ken, Some("aiko"), &to("ken")).is_ok(),
            "taking it over"
        );
        assert!(
            may_assign(&ken, Some("ken"), &to("mei")).is_ok(),
            "handing over"
        );
        assert!(may_assign(&ken, Some("ken"), &[]).is_ok(), "letting it go");
        assert!(may_assign(&ken, Some("aiko"), &to("mei")).is_err());
        assert!(may_assign(&ken, None, &[]).is_err());
        let admin = Actor {
            role: Role::Admin,
            ..recruiter()
        };
        assert!(may_assign(&admin, Some("aiko"), &to("mei")).is_ok());
    }
}
