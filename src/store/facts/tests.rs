//! The facts' rows and table against the conversations they are made from.

use chrono::TimeZone;

use super::*;

fn listed(id: u64, at: DateTime<Utc>) -> Conversation {
    let mut c = Conversation::new(id, None, None);
    c.last_message_at = Some(at);
    c
}

/// Built at once, the table is what rows put one at a time make, a conversation seen
/// twice in its last place.
#[test]
fn a_table_built_at_once_is_the_one_built_a_row_at_a_time() {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    let mut rows: Vec<(u64, Row)> = (1..=50)
        .map(|id| {
            let mut c = listed(
                id,
                t0 + chrono::Duration::minutes(i64::try_from(id).unwrap()),
            );
            c.owner = Some(if id % 2 == 0 { "aiko" } else { "ben" }.into());
            (id, Row::of(&c).unwrap())
        })
        .collect();
    let moved = listed(7, t0 + chrono::Duration::days(1));
    rows.push((7, Row::of(&moved).unwrap()));
    let mut one_by_one = Table::default();
    for (id, row) in &rows {
        one_by_one.put(*id, row);
    }
    let mut at_once = Table::default();
    at_once.put_all(|sink| {
        for (id, row) in &rows {
            sink(*id, row);
        }
    });
    let all = |t: &Table| pick(t, |_| true, false, 0, usize::MAX);
    assert_eq!(all(&at_once), all(&one_by_one));
    assert_eq!(all(&at_once).1[0], 7);
    assert_eq!(at_once.rows.len(), 50);
    assert_eq!(at_once.places, one_by_one.places);
}

/// A row answers a filter exactly as the conversation it was made from.
#[test]
fn a_row_is_the_conversations_subject() {
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap()
        + chrono::Duration::nanoseconds(123_456_789);
    let mut full = listed(1, at);
    full.last_inbound_at = Some(at - chrono::Duration::minutes(3));
    full.last_outbound_at = Some(at);
    full.snoozed_until = Some(at + chrono::Duration::days(2));
    full.unread = 4;
    full.failed = 1;
    full.owner = Some("aiko".into());
    full.last_replied_by = Some("ben".into());
    full.labels = vec!["visa".into(), "tokyo".into()];
    full.status = ConversationStatus::Pending;
    let mut sparse = listed(2, Utc.with_ymd_and_hms(1965, 1, 1, 0, 0, 0).unwrap());
    sparse.owner = Some("aiko".into());
    let mut table = Table::default();
    for c in [&full, &sparse] {
        table.upsert(c);
    }
    for c in [&full, &sparse] {
        let place = (Reverse(table.places[&c.id]), Reverse(c.id));
        let row = table.subject(place.0.0, &table.rows[&place]);
        assert_eq!(format!("{row:?}"), format!("{:?}", c.subject()));
    }
    // One name for both owners; two label sets (none and one).
    assert_eq!(table.names.values.len(), 3);
    assert_eq!(table.label_sets.values.len(), 2);
}

/// A conversation written again moves to its new place; a merged one leaves the list.
#[test]
fn rows_move_and_leave() {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut table = Table::default();
    table.upsert(&listed(1, t));
    table.upsert(&listed(2, t + chrono::Duration::hours(1)));
    table.upsert(&listed(1, t + chrono::Duration::hours(2)));
    let (total, ids) = pick(&table, |_| true, false, 0, 10);
    assert_eq!((total, ids), (2, vec![1, 2]));
    let mut merged = listed(2, t + chrono::Duration::hours(3));
    merged.merged_into = Some(1);
    table.upsert(&merged);
    assert_eq!(pick(&table, |_| true, false, 0, 10), (1, vec![1]));
    assert_eq!(table.rows.len(), table.places.len());
}
