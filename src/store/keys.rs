//! Key encodings. Big-endian so that sled's byte order is the order screens read in.

use chrono::{DateTime, Utc};

use crate::domain::related::{Related, RelatedData, RelatedKind};

/// The trees, in the order of a transaction's tuple (see `apply.rs`). A tree's name is what
/// sled stores: renaming one here would orphan its data.
#[derive(Clone, Copy)]
#[repr(usize)]
pub enum T {
    Meta,
    Conversations,
    ConvByPhone,
    ConvByBsuid,
    ConvByActivity,
    Messages,
    /// wamid → messages key, in buckets (`wamid_index.rs`).
    WamidIndex,
    Outbox,
    DeadLetters,
    Records,
    RecordByPhone,
    Templates,
    TemplateIndex,
    RecordByEmail,
    ConvUnreplied,
    ConvUnrepliedByOwner,
    Related,
    RelatedIndex,
    SearchIndex,
    SearchQueue,
    Views,
    MediaQueue,
    Files,
    Trail,
    ConvSnoozed,
    FailedSends,
    Labels,
    /// Sends for later, by id.
    Scheduled,
    /// The waiting ones, by due time then id.
    ScheduledDue,
    /// The waiting ones, by conversation then id.
    ScheduledByConv,
    /// A rule's firing key → the send it scheduled: each firing schedules once.
    ScheduledKeys,
    /// What rules did: (rule id, time, sequence) → an entry of the rule's log.
    RuleLog,
    /// Bulk sends, by id.
    Batches,
    /// Every send of a bulk send, waiting or not: (batch, send id).
    ScheduledByBatch,
    /// Credits bought and spent: entry id → `LedgerEntry`.
    Ledger,
    /// A queued send's price: outbox id → `Hold` (until WhatsApp's pricing settles it).
    Holds,
    /// The month's spend: (month, dimension, value) → `Spent`.
    Usage,
}

impl T {
    pub const ALL: [T; 37] = [
        T::Meta,
        T::Conversations,
        T::ConvByPhone,
        T::ConvByBsuid,
        T::ConvByActivity,
        T::Messages,
        T::WamidIndex,
        T::Outbox,
        T::DeadLetters,
        T::Records,
        T::RecordByPhone,
        T::Templates,
        T::TemplateIndex,
        T::RecordByEmail,
        T::ConvUnreplied,
        T::ConvUnrepliedByOwner,
        T::Related,
        T::RelatedIndex,
        T::SearchIndex,
        T::SearchQueue,
        T::Views,
        T::MediaQueue,
        T::Files,
        T::Trail,
        T::ConvSnoozed,
        T::FailedSends,
        T::Labels,
        T::Scheduled,
        T::ScheduledDue,
        T::ScheduledByConv,
        T::ScheduledKeys,
        T::RuleLog,
        T::Batches,
        T::ScheduledByBatch,
        T::Ledger,
        T::Holds,
        T::Usage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            T::Meta => "meta",
            T::Conversations => "conversations",
            T::ConvByPhone => "conv_by_phone",
            T::ConvByBsuid => "conv_by_bsuid",
            T::ConvByActivity => "conv_by_activity",
            T::Messages => "messages",
            T::WamidIndex => "wamid_index",
            T::Outbox => "outbox",
            T::DeadLetters => "dead_letters",
            T::Records => "records",
            T::RecordByPhone => "record_by_phone",
            T::Templates => "templates",
            T::TemplateIndex => "template_index",
            T::RecordByEmail => "record_by_email",
            T::ConvUnreplied => "conv_unreplied",
            T::ConvUnrepliedByOwner => "conv_unreplied_by_owner",
            T::Related => "related",
            T::RelatedIndex => "related_index",
            T::SearchIndex => "search_index",
            T::SearchQueue => "search_queue",
            T::Views => "views",
            T::MediaQueue => "media_queue",
            T::Files => "files",
            T::Trail => "trail",
            T::ConvSnoozed => "conv_snoozed",
            T::FailedSends => "failed_sends",
            T::Labels => "labels",
            T::Scheduled => "scheduled",
            T::ScheduledDue => "scheduled_due",
            T::ScheduledByConv => "scheduled_by_conv",
            T::ScheduledKeys => "scheduled_keys",
            T::RuleLog => "rule_log",
            T::Batches => "batches",
            T::ScheduledByBatch => "scheduled_by_batch",
            T::Ledger => "ledger",
            T::Holds => "holds",
            T::Usage => "usage",
        }
    }
}

/// Keys of the `meta` tree: the layout's version, the counters (kept on every write, never
/// computed by scanning), and the routing.
pub const SCHEMA_VERSION_KEY: &str = "schema_version";
/// What every id sled generates is raised by (`compaction.rs`); absent: zero.
pub const ID_FLOOR: &str = "id_floor";
/// The database's bytes on disk right after its last compaction (`compaction.rs`).
pub const COMPACTED_BYTES: &str = "compacted_bytes";
pub const CONVERSATIONS_COUNTER: &str = "count:conversations";
pub const MESSAGES_COUNTER: &str = "count:messages";
pub const UNREPLIED_COUNTER: &str = "count:unreplied";
/// The credits' balance: the sum of the ledger, kept with each entry.
pub const BALANCE: &str = "credits:balance";
/// The rate cards, every one imported (few and small: a transaction reads them).
pub const RATE_CARDS: &str = "rate_cards";

/// What auto-recharge added in the month of `at`.
pub fn recharged(at: DateTime<Utc>) -> String {
    format!("credits:recharged:{}", at.format("%Y-%m"))
}

/// How many free-form messages were sent in the month of `at` (the free allowance).
pub fn service_count(at: DateTime<Utc>) -> String {
    format!("count:service:{}", at.format("%Y-%m"))
}

/// A cell of the month's usage: `YYYY-MM`, the dimension, its value.
pub fn usage(at: DateTime<Utc>, by: crate::domain::credits::By, value: &str) -> Vec<u8> {
    let mut k = usage_prefix(&at.format("%Y-%m").to_string(), by);
    k.extend_from_slice(value.as_bytes());
    k
}

pub fn usage_prefix(month: &str, by: crate::domain::credits::By) -> Vec<u8> {
    format!("{month}\u{1f}{}\u{1f}", by.name()).into_bytes()
}

/// The routing settings as an admin set them, and the plan they resolve to.
pub const ROUTING_SETTINGS: &str = "routing:settings";
pub const ROUTING_PLAN: &str = "routing:plan";
/// The workflow rules, whole: few and small, and read inside the transaction that saves a
/// record.
pub const RULES: &str = "rules";

/// The counter of one owner's unreplied conversations.
pub fn owner_counter(owner: &str) -> String {
    format!("count:unreplied:{owner}")
}

/// Where the counters of unreplied conversations by the day (UTC) they have waited since
/// begin, for everyone (`None`) or one owner: `unreplied>5d` counts whole days from these and
/// scans only the day the cutoff falls in.
pub fn unreplied_days(owner: Option<&str>) -> String {
    format!("{UNREPLIED_DAYS}{}\u{1f}", owner.unwrap_or(""))
}

/// What every counter of `unreplied_days` begins with.
pub const UNREPLIED_DAYS: &str = "count:unreplied-day\u{1f}";

/// The counter of the day `since` falls in (`unreplied_days` then `YYYY-MM-DD`).
pub fn unreplied_day(owner: Option<&str>, since: DateTime<Utc>) -> String {
    format!("{}{}", unreplied_days(owner), since.format("%Y-%m-%d"))
}

pub fn id(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub fn read_id(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(b)
}

/// Milliseconds since the epoch with the sign bit flipped, so negative times sort first.
fn time(at: DateTime<Utc>) -> [u8; 8] {
    #[expect(
        clippy::cast_sign_loss,
        reason = "the flip maps i64 order onto u64 order"
    )]
    let flipped = (at.timestamp_millis() as u64) ^ (1 << 63);
    flipped.to_be_bytes()
}

/// A message: (conversation, time, message id). The newest page of a chat is one reverse
/// prefix scan.
pub fn message(conversation: u64, at: DateTime<Utc>, message: u64) -> [u8; 24] {
    let mut k = [0u8; 24];
    k[..8].copy_from_slice(&id(conversation));
    k[8..16].copy_from_slice(&time(at));
    k[16..].copy_from_slice(&id(message));
    k
}

/// A conversation in the list, newest activity last: (last activity, conversation id).
pub fn activity(at: DateTime<Utc>, conversation: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&time(at));
    k[8..].copy_from_slice(&id(conversation));
    k
}

/// A trail entry: its conversation, when, then a sequence number (two in one millisecond).
pub fn trail(conversation: u64, at: DateTime<Utc>, seq: u64) -> [u8; 24] {
    let mut k = [0u8; 24];
    k[..8].copy_from_slice(&id(conversation));
    k[8..16].copy_from_slice(&time(at));
    k[16..].copy_from_slice(&id(seq));
    k
}

/// An entry of a rule's log: the rule, the time, a sequence.
pub fn rule_log(rule: u64, at: DateTime<Utc>, seq: u64) -> [u8; 24] {
    trail(rule, at, seq)
}

/// A waiting scheduled send of a conversation: the conversation, then the send.
pub fn scheduled_of(conversation: u64, send: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&id(conversation));
    k[8..].copy_from_slice(&id(send));
    k
}

/// An index key inside one owner's partition: the owner, a zero byte, then `key`.
pub fn owned(owner: &str, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(owner.len() + 1 + key.len());
    k.extend_from_slice(owner.as_bytes());
    k.push(0);
    k.extend_from_slice(key);
    k
}

/// The key that makes a job opening, interview, client or booking the same one on re-import.
pub fn related_natural(data: &RelatedData) -> Vec<u8> {
    format!("k:{}:{}", tag(data.kind()), data.natural_key()).into_bytes()
}

/// Each kind's tag in keys: spelled out, so renaming a variant cannot orphan stored data.
fn tag(kind: RelatedKind) -> &'static str {
    match kind {
        RelatedKind::JobOpening => "JobOpening",
        RelatedKind::Interview => "Interview",
        RelatedKind::Client => "Client",
        RelatedKind::Booking => "Booking",
    }
}

/// A lookup prefix: interviews by candidate, job openings by title, clients by name, bookings
/// by owner (empty for shared ones). Each entry is the prefix followed by the item's id.
pub fn related_prefix(kind: RelatedKind, by: &str) -> Vec<u8> {
    format!("l:{}:{}\u{1f}", tag(kind), by.trim().to_lowercase()).into_bytes()
}

/// The lookup entries of one item.
pub fn related_lookups(r: &Related) -> Vec<Vec<u8>> {
    let by = match &r.data {
        RelatedData::Interview(i) => format!("{:016x}", i.candidate_id),
        RelatedData::JobOpening(j) => j.title.clone(),
        RelatedData::Client(c) => c.name.clone(),
        RelatedData::Booking(b) => b.owner.clone().unwrap_or_default(),
    };
    let mut k = related_prefix(r.data.kind(), &by);
    k.extend_from_slice(&id(r.id));
    vec![k]
}

/// A search posting list: conversation ids, ascending, each written as its difference from
/// the one before in LEB128 (a word in 100,000 conversations takes about 200 KB, not 800).
pub fn encode_postings(ids: &std::collections::BTreeSet<u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() * 2);
    let mut last = 0u64;
    for &id in ids {
        let mut d = id - last;
        last = id;
        loop {
            let byte = u8::try_from(d & 0x7f).unwrap_or(0);
            d >>= 7;
            if d == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

pub fn decode_postings(bytes: &[u8], into: &mut std::collections::BTreeSet<u64>) {
    let (mut last, mut d, mut shift) = (0u64, 0u64, 0u32);
    for &b in bytes {
        d |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            last += d;
            into.insert(last);
            (d, shift) = (0, 0);
        } else {
            shift += 7;
        }
    }
}

/// The time part of an activity-shaped key, for range bounds.
pub fn time_bound(at: DateTime<Utc>) -> [u8; 8] {
    time(at)
}

/// The time a key's first eight bytes hold (as `time` wrote it).
pub fn read_time(bytes: &[u8]) -> DateTime<Utc> {
    #[expect(
        clippy::cast_possible_wrap,
        reason = "the flip maps u64 order back onto i64"
    )]
    let millis = (read_id(bytes) ^ (1 << 63)) as i64;
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_time_then_id() {
        let t = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let before = DateTime::from_timestamp(-5, 0).unwrap();
        assert!(message(1, t, 9) < message(1, t, 10));
        assert!(message(1, before, 99) < message(1, t, 1));
        assert!(message(1, t, 99) < message(2, before, 1));
        assert!(activity(before, 7) < activity(t, 1));
        assert_eq!(read_id(&id(77)), 77);
        let ids: std::collections::BTreeSet<u64> = [1, 2, 300, 70_000, u64::MAX / 3].into();
        let mut back = std::collections::BTreeSet::new();
        decode_postings(&encode_postings(&ids), &mut back);
        assert_eq!(back, ids);
    }
}
