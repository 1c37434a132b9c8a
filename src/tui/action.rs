//! What a key press means. The keymap maps keys to these; `App::update` carries them out.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave hirechat.
    Quit,
    /// Show or hide the list of keys.
    Help,
    /// Move up: the previous conversation or message.
    Up,
    /// Move down: the next conversation or message.
    Down,
    /// Move a screen up.
    PageUp,
    /// Move a screen down.
    PageDown,
    /// Go to the first item.
    Top,
    /// Then `g`: the first item; then 1–9: a view of the list.
    GoTo,
    /// After `g`: a digit picks a view of the list.
    View,
    /// Go to the last item.
    Bottom,
    /// Open the selected conversation.
    Open,
    /// Write a reply in the open conversation.
    Reply,
    /// Go back: close the popup, leave the compose box, return to the list.
    Back,
    /// Switch between the conversation list and the chat.
    SwitchPane,
    /// Pick a template to send (the only way to write after the 24-hour window).
    Templates,
    /// Open or close the notifications.
    Notifications,
    /// Clear the notifications already seen.
    ClearSeen,
    /// Mark the selected conversation unread again.
    MarkUnread,
    /// Filter the list (`unreplied>3d owner:me`, or a view's name).
    Filter,
    /// Send what is in the compose box.
    Send,
    /// Start a new line in the compose box.
    NewLine,
    /// Write the reply (or a template's body) in `$VISUAL` / `$EDITOR`.
    Editor,
    /// Copy the selected message to the clipboard.
    Copy,
    /// Open the selected message's link.
    OpenLink,
    /// Use the highlighted value (one of several interviews, job openings…).
    Pick,
    /// Candidates and contacts: search them, open one's conversation (starting it if needed).
    Records,
    /// Search every conversation's messages and names.
    Search,
    /// The template manager: every template and its WhatsApp status.
    ManageTemplates,
    /// Write a new template.
    New,
    /// Give the selected template a new body.
    Edit,
    /// Delete the selected template (asks first).
    Delete,
    /// Yes, delete it.
    Confirm,
    /// Save the template (an approved-type one goes to WhatsApp for review).
    Save,
    /// The next field of the form.
    NextField,
    /// The previous field of the form.
    PrevField,
    /// The previous module's merge fields.
    TabLeft,
    /// The next module's merge fields.
    TabRight,
    /// Insert the highlighted merge field.
    Insert,
    /// A saved view: for me alone, or for everyone (admins).
    ToggleShared,
    /// The chat's two sections: Messages and Attachments.
    Attachments,
    /// Attach a file to the reply.
    Attach,
    /// Remove the last file attached to the reply.
    Unattach,
    /// The connection and the routing (admins).
    Settings,
    /// What a message from an unknown number creates: a candidate, a contact, nothing.
    UnknownSenders,
    /// Who new conversations go to.
    AssignTo,
    /// Disconnect the number (typing its nickname to confirm).
    Disconnect,
    /// Hand the conversation to someone.
    Assign,
    /// Put labels on the conversation, or take them off.
    Labels,
    /// The contact's record beside the chat.
    RecordCard,
    /// Send the reply later: asks when.
    SendLater,
    /// The conversation's sends waiting for their time.
    ScheduledList,
    /// Send the failed message under the cursor again.
    Retry,
    /// Resolve the conversation (or reopen a resolved one).
    Resolve,
    /// Set the conversation pending: waiting on the contact.
    Pending,
    /// Snooze the conversation until a time.
    Snooze,
    /// Connect a number (the token, the account, the app secret; then which number).
    Connect,
    /// Connect although another app takes the account's webhooks.
    TakeOver,
    /// Mark the conversation for a bulk send (or unmark it).
    Mark,
    /// Mark every conversation of the view (or clear the marks).
    MarkAll,
    /// A bulk send of an approved template to what is marked (or the one going).
    Bulk,
    /// Take a bulk send back, or stop what has not gone.
    Undo,
    /// The workflow rules and what they did.
    Rules,
    /// Turn the rule on or off.
    Toggle,
    /// The credits: balance, spend, ledger (admins).
    Credits,
}

impl Action {
    /// The words the help overlay and the status bar use.
    pub fn label(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::Help => "help",
            Self::Up => "up",
            Self::Down => "down",
            Self::PageUp => "page up",
            Self::PageDown => "page down",
            Self::Top => "first",
            Self::GoTo => "then g: first · then 1-9: view",
            Self::View => {
                "a view: 1 all, 2 my unreplied, 3 sent today, 4 all unreplied, then saved ones"
            }
            Self::Bottom => "last",
            Self::Open => "open",
            Self::Reply => "reply",
            Self::Back => "back",
            Self::SwitchPane => "switch pane",
            Self::Templates => "templates",
            Self::Notifications => "notifications",
            Self::ClearSeen => "clear the seen ones",
            Self::MarkUnread => "mark unread",
            Self::Filter => "filter the list",
            Self::Send => "send",
            Self::NewLine => "new line",
            Self::Editor => "write it in $EDITOR",
            Self::Copy => "copy the message",
            Self::OpenLink => "open its link",
            Self::Pick => "use this value",
            Self::Records => "candidates and contacts",
            Self::Search => "search all messages",
            Self::ManageTemplates => "manage templates",
            Self::New => "new template",
            Self::Edit => "edit its body",
            Self::Delete => "delete (asks first)",
            Self::Confirm => "yes, delete",
            Self::Save => "save",
            Self::NextField => "next field",
            Self::PrevField => "previous field",
            Self::TabLeft => "previous module",
            Self::TabRight => "next module",
            Self::Insert => "insert the field",
            Self::ToggleShared => "mine / shared with everyone",
            Self::Attachments => "messages / attachments",
            Self::Attach => "attach a file",
            Self::Unattach => "remove the last file",
            Self::Settings => "settings (admins)",
            Self::UnknownSenders => "what unknown senders create",
            Self::AssignTo => "who new conversations go to",
            Self::Disconnect => "disconnect (asks for the nickname)",
            Self::Connect => "connect a number",
            Self::Resolve => "resolve / reopen",
            Self::Retry => "send a failed message again",
            Self::Mark => "mark for a bulk send",
            Self::MarkAll => "mark all in the view / clear",
            Self::Bulk => "bulk send to the marked",
            Self::Undo => "take it back",
            Self::Rules => "workflow rules",
            Self::Toggle => "turn it on or off (admins)",
            Self::Credits => "credits and spend (admins)",
            Self::Assign => "assign to someone",
            Self::Labels => "labels",
            Self::RecordCard => "their record and interviews",
            Self::SendLater => "send it later (asks when)",
            Self::ScheduledList => "scheduled messages",
            Self::Pending => "pending (waiting on them)",
            Self::Snooze => "snooze until a time",
            Self::TakeOver => "take over from another app receiving the account's webhooks",
        }
    }
}
