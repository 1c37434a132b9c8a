//! Whether a rule's waiting action still goes when its time comes. What fired it may have
//! changed since it was scheduled: the rule deleted or turned off, or the record no longer
//! one the rule is for (a candidate who withdrew is not sent the interview reminder).

use super::Rule;
use crate::domain::{record::Record, schedule::RuleFiring};

/// Why the action `firing` scheduled no longer goes, if it does not: `rule` is the rule as it
/// is now (none: deleted), `record` the record as it is now (none: not found, left to the
/// send itself).
pub fn why_not(
    firing: &RuleFiring,
    rule: Option<&Rule>,
    record: Option<&Record>,
) -> Option<String> {
    let Some(rule) = rule else {
        return Some(format!("the rule {} was deleted", firing.rule));
    };
    let name = &rule.rule.name;
    if !rule.rule.enabled {
        return Some(format!("the rule {name} is turned off"));
    }
    let record = record?;
    (!rule.rule.about(record.kind) || !rule.rule.which.matches(record))
        .then(|| format!("{} no longer fits the rule {name}", record.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::RecordInput;

    fn rule() -> Rule {
        let input = super::super::RuleInput::parse(
            r#"
name = "reminder"
[when]
event = "record_created"
module = "candidates"
[which]
criteria = [{ field = "Candidate Status", op = "is_not", value = "Withdrawn" }]
[[actions]]
send_template = "interview_reminder"
after = "1d"
"#,
        )
        .unwrap();
        Rule {
            id: 3,
            author: "aiko".into(),
            created_at: chrono::Utc::now(),
            rule: input,
        }
    }

    fn record(status: &str) -> Record {
        let mut input = RecordInput {
            name: "Haruto Sato".into(),
            ..RecordInput::default()
        };
        input
            .custom
            .insert("Candidate Status".into(), status.into());
        input.validate(9).unwrap()
    }

    #[test]
    fn a_waiting_action_goes_while_its_rule_and_record_still_fit() {
        let firing = RuleFiring {
            rule_id: 3,
            rule: "reminder".into(),
            record_id: 9,
            key: "k".into(),
        };
        let mut r = rule();
        assert_eq!(why_not(&firing, Some(&r), Some(&record("Screening"))), None);
        assert_eq!(why_not(&firing, Some(&r), None), None);
        assert_eq!(
            why_not(&firing, Some(&r), Some(&record("Withdrawn"))).as_deref(),
            Some("Haruto Sato no longer fits the rule reminder")
        );
        r.rule.enabled = false;
        assert_eq!(
            why_not(&firing, Some(&r), Some(&record("Screening"))).as_deref(),
            Some("the rule reminder is turned off")
        );
        assert_eq!(
            why_not(&firing, None, None).as_deref(),
            Some("the rule reminder was deleted")
        );
    }
}
