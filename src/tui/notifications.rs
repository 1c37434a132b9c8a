//! Notifications: a contact's new messages, grouped by conversation ("Haruto Sato · 3 new"),
//! for the conversations that are the recruiter's (their record's owner or assignee, or no
//! owner yet), and what rules and the credits tell the recruiter (about a conversation, a
//! record without one yet, or neither). The bell in the header counts the unseen ones. They
//! outlive the session: at start the unread conversations bring theirs back (unread state is
//! stored).

use chrono::{DateTime, Utc};

/// What a notification is about: what `Enter` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Conversation(u64),
    /// A record without a conversation yet: its conversation is opened (started).
    Record(u64),
    /// Nothing to open (the credits' balance).
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub about: About,
    pub name: String,
    pub last_text: String,
    /// New messages since the recruiter last looked at this conversation.
    pub count: u32,
    pub at: DateTime<Utc>,
    /// The recruiter opened the conversation since.
    pub seen: bool,
}

#[derive(Debug, Default)]
pub struct Notifications {
    /// Newest first.
    pub items: Vec<Notification>,
    /// How many notifications have arrived in this session (the run loop rings on a change).
    pub arrived: u64,
}

impl Notifications {
    /// Whether a message in a conversation owned by `owner` is for `me`.
    pub fn is_for(owner: Option<&str>, me: Option<&str>) -> bool {
        match (owner, me) {
            (None, _) => true,
            (Some(o), Some(m)) => o == m,
            (Some(_), None) => false,
        }
    }

    /// Brings back what waited while hirechat was closed: an unread conversation, counted by
    /// its unread messages (without ringing: nothing arrived just now).
    pub fn restore(
        &mut self,
        conversation_id: u64,
        name: &str,
        text: &str,
        unread: u32,
        at: DateTime<Utc>,
    ) {
        let about = About::Conversation(conversation_id);
        if self.items.iter().any(|n| n.about == about) {
            return;
        }
        self.items.push(Notification {
            about,
            name: name.to_owned(),
            last_text: text.to_owned(),
            count: unread,
            at,
            seen: false,
        });
        self.items.sort_by_key(|n| std::cmp::Reverse(n.at));
    }

    /// News of a conversation: a message, or a rule's note.
    pub fn add(&mut self, conversation_id: u64, name: &str, text: &str, at: DateTime<Utc>) {
        self.add_about(About::Conversation(conversation_id), name, text, at);
    }

    /// News about `about`, counted with what came before it unseen; each one about nothing
    /// stands alone.
    pub fn add_about(&mut self, about: About, name: &str, text: &str, at: DateTime<Utc>) {
        let before = (about != About::Nothing)
            .then(|| self.items.iter().position(|n| n.about == about))
            .flatten();
        let mut n = match before {
            Some(i) => self.items.remove(i),
            None => Notification {
                about,
                name: String::new(),
                last_text: String::new(),
                count: 0,
                at,
                seen: true,
            },
        };
        if n.seen {
            n.count = 0;
        }
        n.count += 1;
        n.seen = false;
        name.clone_into(&mut n.name);
        text.clone_into(&mut n.last_text);
        n.at = at;
        self.items.insert(0, n);
        self.arrived += 1;
    }

    /// The recruiter looked at the conversation.
    pub fn seen(&mut self, conversation_id: u64) {
        self.seen_about(About::Conversation(conversation_id));
    }

    /// The recruiter opened the notification about `about`.
    pub fn seen_about(&mut self, about: About) {
        for n in self.items.iter_mut().filter(|n| n.about == about) {
            n.seen = true;
        }
    }

    /// How many conversations have news the recruiter has not seen.
    pub fn unseen(&self) -> usize {
        self.items.iter().filter(|n| !n.seen).count()
    }

    /// Drops the ones already seen.
    pub fn clear_seen(&mut self) {
        self.items.retain(|n| !n.seen);
    }

    /// The cursor moved by `delta`, kept on a notification.
    pub fn moved(&self, cursor: usize, delta: isize) -> usize {
        super::popup::moved(cursor, delta, self.items.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_by_conversation_newest_first() {
        let mut n = Notifications::default();
        let t = Utc::now();
        n.add(1, "Haruto Sato", "a", t);
        n.add(2, "Emily", "b", t);
        n.add(1, "Haruto Sato", "c", t);
        n.add(1, "Haruto Sato", "d", t);
        assert_eq!(n.items[0].about, About::Conversation(1));
        assert_eq!(n.items[0].count, 3);
        assert_eq!(n.unseen(), 2);
        n.seen(1);
        assert_eq!(n.unseen(), 1);
        // News after a look starts a new count.
        n.add(1, "Haruto Sato", "e", t);
        assert_eq!(n.items[0].count, 1);
        n.seen(1);
        n.clear_seen();
        assert_eq!(n.items.len(), 1);
    }

    #[test]
    fn a_record_s_notes_count_together_and_each_about_nothing_stands_alone() {
        let mut n = Notifications::default();
        let t = Utc::now();
        n.add_about(About::Record(7), "Haruto Sato", "offer made", t);
        n.add(7, "Emily", "hello", t);
        n.add_about(About::Record(7), "Haruto Sato", "offer signed", t);
        n.add_about(About::Nothing, "Credits", "balance low", t);
        n.add_about(About::Nothing, "Credits", "recharged", t);
        let items: Vec<_> = n.items.iter().map(|i| (i.about, i.count)).collect();
        assert_eq!(
            items,
            [
                (About::Nothing, 1),
                (About::Nothing, 1),
                (About::Record(7), 2),
                (About::Conversation(7), 1)
            ]
        );
        n.seen_about(About::Record(7));
        assert_eq!(n.unseen(), 3);
    }

    #[test]
    fn only_for_the_owner_or_when_no_one_owns_it() {
        assert!(Notifications::is_for(None, Some("aiko")));
        assert!(Notifications::is_for(Some("aiko"), Some("aiko")));
        assert!(!Notifications::is_for(Some("ken"), Some("aiko")));
    }
}
