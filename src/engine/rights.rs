//! Who may make each request: the right it needs, named for every request (no default), and
//! what the caller tried to do, for a refusal.

use super::Request;
use crate::domain::permission::Permission;

impl Request {
    /// The right a request needs, named for every request (no default): a new request does
    /// not compile until someone decides who may make it. Finer checks (a shared view, a
    /// record that never wrote) are the handlers'.
    pub fn permission(&self) -> Permission {
        match self {
            Self::SendText { .. }
            | Self::SendFiles { .. }
            | Self::SaveRecord { .. }
            | Self::SendTemplate { .. }
            | Self::ImportRecords { .. }
            | Self::ImportRelated { .. }
            // Read state is the team's: whether a conversation is read (and, with
            // `unreplied_until = "read"`, still unreplied) is for those who answer.
            | Self::MarkRead { .. }
            | Self::MarkUnread { .. }
            | Self::SetState { .. }
            | Self::Retry { .. }
            | Self::Assign { .. }
            | Self::Label { .. }
            | Self::Schedule { .. }
            | Self::CancelScheduled { .. }
            | Self::EditScheduled { .. }
            | Self::BulkPreflight { .. }
            | Self::BulkSend { .. }
            | Self::CancelBatch { .. }
            | Self::Answering { .. } => Permission::Reply,
            Self::CreateTemplate { .. }
            | Self::EditTemplate { .. }
            | Self::SetRouting { .. }
            | Self::SyncTemplates
            | Self::DeleteTemplate { .. }
            | Self::Disconnect { .. }
            | Self::SaveLabel { .. }
            | Self::DeleteLabel { .. }
            | Self::SaveRule { .. }
            | Self::EnableRule { .. }
            | Self::DeleteRule { .. }
            | Self::AccountNumbers { .. }
            | Self::Connect { .. }
            | Self::ImportRates { .. }
            | Self::Credits { .. }
            | Self::AddCredits { .. }
            | Self::Usage { .. }
            | Self::Doctor => Permission::Administer,
            Self::Conversations { .. }
            | Self::Attachments { .. }
            | Self::ReadAttachment { .. }
            | Self::Messages { .. }
            | Self::Settle { .. }
            | Self::Records { .. }
            | Self::OpenRecord { .. }
            | Self::RecordCard { .. }
            | Self::Thread { .. }
            | Self::Search { .. }
            | Self::Views
            | Self::SaveView { .. }
            | Self::DeleteView { .. }
            | Self::Settings
            | Self::Outbox
            | Self::Scheduled { .. }
            | Self::Batches
            | Self::Batch { .. }
            | Self::Rules
            | Self::RuleLog { .. }
            | Self::Rates
            | Self::Team
            | Self::Labels
            | Self::Templates
            | Self::PreviewTemplate { .. }
            | Self::Subscribe
            | Self::Whoami => Permission::Read,
        }
    }

    /// What the caller tried to do, for a refusal.
    pub fn action(&self) -> &'static str {
        match self {
            Self::SendText { .. }
            | Self::SendFiles { .. }
            | Self::SendTemplate { .. }
            | Self::Retry { .. }
            | Self::Schedule { .. }
            | Self::CancelScheduled { .. }
            | Self::EditScheduled { .. }
            | Self::BulkPreflight { .. }
            | Self::BulkSend { .. }
            | Self::CancelBatch { .. } => "send messages",
            Self::SaveRecord { .. } => "change records",
            Self::ImportRecords { .. } | Self::ImportRelated { .. } => "import",
            Self::MarkRead { .. } | Self::MarkUnread { .. } => "mark conversations read or unread",
            Self::Answering { .. } => "answer conversations",
            Self::SetState { .. } => "resolve, reopen or snooze conversations",
            Self::Assign { .. } => "assign conversations",
            Self::Label { .. } => "label conversations",
            Self::SaveLabel { .. } | Self::DeleteLabel { .. } => "define labels",
            Self::SaveRule { .. } | Self::EnableRule { .. } | Self::DeleteRule { .. } => {
                "manage rules"
            }
            Self::CreateTemplate { .. }
            | Self::EditTemplate { .. }
            | Self::SyncTemplates
            | Self::DeleteTemplate { .. } => "manage templates",
            Self::SetRouting { .. } => "change the routing",
            Self::Doctor => "see the daemon's health",
            Self::Disconnect { .. } => "disconnect the number",
            Self::AccountNumbers { .. } | Self::Connect { .. } => "connect a number",
            Self::ImportRates { .. } => "import rate cards",
            Self::Credits { .. } | Self::AddCredits { .. } | Self::Usage { .. } => "manage credits",
            _ => "read",
        }
    }
}
