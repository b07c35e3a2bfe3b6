//! Which retention outcome an item gets when several policies and holds cover it: the
//! principles records officers know from Microsoft Purview, in this order (records.md):
//!
//! 1. **A hold beats everything**: a held item is never disposed of, whatever its dates say.
//! 2. **Retention wins over deletion**: every policy *retains* for its period, so nothing is
//!    deleted while any policy that covers the item still retains it; a `keep` policy retains
//!    for ever.
//! 3. **The longest retention period wins**: the item is kept until the latest end date among
//!    the policies that cover it.
//! 4. **An explicit label beats a broad policy**: what happens when that date comes is decided
//!    by the policies selecting a tag put on the item (or its conversation), when there are
//!    any, and by all the policies otherwise.
//! 5. **Otherwise the shortest deletion wins**: among the deciding policies a `review` keeps
//!    the item for a person to decide (retention over deletion again); when they all delete,
//!    the deletion is credited to the one with the shortest period.
//!
//! Pure functions over plain values, so the table-driven test below can state each case.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// What happens when a policy's period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Action {
    Delete,
    Review,
    Keep,
}

impl Action {
    pub fn parse(s: &str) -> Result<Action> {
        match s {
            "delete" => Ok(Action::Delete),
            "review" => Ok(Action::Review),
            "keep" => Ok(Action::Keep),
            _ => Err(Error::InvalidArgument(format!(
                "unknown action {s:?}: use delete, review or keep"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::Review => "review",
            Action::Keep => "keep",
        }
    }
}

/// A retention period as records schedules write it: `30d`, `18m`, `6y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    Months(u32),
    Years(u32),
}

impl Period {
    pub fn parse(s: &str) -> Result<Period> {
        let s = s.trim();
        let bad = || {
            Error::InvalidArgument(format!(
                "retention period {s:?}: write a number and d, m or y (30d, 18m, 6y)"
            ))
        };
        let (n, unit) = s.split_at(s.len().checked_sub(1).ok_or_else(bad)?);
        let n: u32 = n.parse().map_err(|_| bad())?;
        if n == 0 || n > 100_000 {
            return Err(bad());
        }
        match unit {
            "d" | "D" => Ok(Period::Days(n)),
            "m" | "M" => Ok(Period::Months(n)),
            "y" | "Y" => Ok(Period::Years(n)),
            _ => Err(bad()),
        }
    }

    /// The end of the period that starts at `from` (calendar months and years: a period that
    /// ends on a day the month lacks ends on its last day).
    pub fn end_from(self, from: DateTime<Utc>) -> DateTime<Utc> {
        let far = DateTime::<Utc>::MAX_UTC;
        match self {
            Period::Days(d) => from
                .checked_add_signed(chrono::Duration::days(d.into()))
                .unwrap_or(far),
            Period::Months(m) => from.checked_add_months(Months::new(m)).unwrap_or(far),
            Period::Years(y) => from
                .checked_add_months(Months::new(y.saturating_mul(12)))
                .unwrap_or(far),
        }
    }

    /// Approximate length in days, to compare periods ("the shortest deletion").
    pub fn approx_days(self) -> u64 {
        match self {
            Period::Days(d) => d.into(),
            Period::Months(m) => u64::from(m) * 30 + u64::from(m) * 44 / 100,
            Period::Years(y) => u64::from(y) * 365 + u64::from(y) / 4,
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Days(n) => write!(f, "{n}d"),
            Period::Months(n) => write!(f, "{n}m"),
            Period::Years(n) => write!(f, "{n}y"),
        }
    }
}

/// One policy as it applies to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applicable {
    /// The caller's handle on the policy (an index into its list).
    pub policy: usize,
    /// When the policy's period ends for this item (unix ms).
    pub end: i64,
    pub action: Action,
    /// Whether the policy selects a tag put on the item (a label) rather than a broad scope.
    pub explicit: bool,
    /// The period's approximate length, for "the shortest deletion".
    pub days: u64,
}

/// Until when an item is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// No policy covers it: kept until someone decides.
    NoPolicy,
    Date(i64),
    Forever,
}

/// The outcome for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub until: Until,
    /// What happens at `until` (None when kept for ever or no policy applies).
    pub action: Option<Action>,
    /// The policy whose retention sets `until`.
    pub retained_by: Option<usize>,
    /// The policy whose action applies at `until`.
    pub action_by: Option<usize>,
    /// Which principle decided the action (for `retention explain`).
    pub reason: &'static str,
    pub held: bool,
}

impl Resolution {
    /// Whether the item is due for `action` at `as_of` (held items never are).
    pub fn due(&self, as_of: i64) -> Option<Action> {
        match (self.until, self.action) {
            _ if self.held => None,
            (Until::Date(d), Some(a)) if d <= as_of && a != Action::Keep => Some(a),
            _ => None,
        }
    }
}

/// Resolves the policies covering one item, and whether any hold covers it.
pub fn resolve(applicable: &[Applicable], held: bool) -> Resolution {
    let mut r = Resolution {
        until: Until::NoPolicy,
        action: None,
        retained_by: None,
        action_by: None,
        reason: "no retention policy covers it",
        held,
    };
    if applicable.is_empty() {
        return r;
    }
    // 2/3: retention wins over deletion, the longest retention wins; `keep` is for ever.
    let explicit_first = |a: &&Applicable| (!a.explicit, a.policy);
    if let Some(keep) = applicable
        .iter()
        .filter(|a| a.action == Action::Keep)
        .min_by_key(explicit_first)
    {
        r.until = Until::Forever;
        r.action = Some(Action::Keep);
        r.retained_by = Some(keep.policy);
        r.action_by = Some(keep.policy);
        r.reason = "a policy keeps it permanently (retention wins over deletion)";
        return r;
    }
    let longest = applicable
        .iter()
        .max_by_key(|a| (a.end, a.explicit, std::cmp::Reverse(a.policy)))
        .expect("not empty");
    r.until = Until::Date(longest.end);
    r.retained_by = Some(longest.policy);
    // 4: explicit labels decide over broad policies.
    let explicit = applicable.iter().any(|a| a.explicit);
    let deciding = applicable.iter().filter(|a| a.explicit || !explicit);
    let deciding: Vec<&Applicable> = deciding.collect();
    // 5: a review keeps it for a person; otherwise the shortest deletion.
    let decider = if let Some(review) = deciding
        .iter()
        .filter(|a| a.action == Action::Review)
        .max_by_key(|a| (a.end, std::cmp::Reverse(a.policy)))
    {
        r.reason = if explicit {
            "a label asks for review (an explicit label beats a broad policy)"
        } else {
            "a policy asks for review (retention wins over deletion)"
        };
        review
    } else {
        r.reason = if explicit {
            "a label deletes it (an explicit label beats a broad policy)"
        } else {
            "the shortest deletion period wins"
        };
        deciding
            .iter()
            .min_by_key(|a| (a.days, a.end, a.policy))
            .expect("deciding holds every policy or every label")
    };
    r.action = Some(decider.action);
    r.action_by = Some(decider.policy);
    if decider.policy != longest.policy && longest.end > decider.end {
        r.reason = if explicit {
            "kept for the longest retention, then the label decides"
        } else {
            "kept for the longest retention, then the shortest deletion decides"
        };
    }
    r
}

/// `2031-03-01` for a unix ms time.
pub fn date_label(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|d| d.date_naive())
        .unwrap_or(NaiveDate::MAX)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn periods_parse_and_count_calendar_months() {
        assert_eq!(Period::parse("6y").unwrap(), Period::Years(6));
        assert_eq!(Period::parse("18m").unwrap(), Period::Months(18));
        assert_eq!(Period::parse("30d").unwrap(), Period::Days(30));
        for bad in ["", "y", "6", "0d", "6w", "-3d", "1.5y"] {
            let e = Period::parse(bad).unwrap_err().to_string();
            assert!(e.contains("30d, 18m, 6y"), "{bad}: {e}");
        }
        assert_eq!(Period::Years(6).end_from(at(2024, 2, 29)), at(2030, 2, 28));
        assert_eq!(Period::Months(1).end_from(at(2024, 1, 31)), at(2024, 2, 29));
        assert_eq!(Period::Days(30).end_from(at(2024, 3, 1)), at(2024, 3, 31));
    }

    /// A policy in a case: name, period, action, explicit label?
    struct P(&'static str, &'static str, Action, bool);

    struct Case {
        name: &'static str,
        policies: Vec<P>,
        held: bool,
        /// Expected: until (None = no policy, Some("forever"), or a date), action, decided by.
        until: Option<&'static str>,
        action: Option<Action>,
        retained_by: Option<&'static str>,
        action_by: Option<&'static str>,
        due_on_2040: bool,
    }

    use Action::{Delete, Keep, Review};

    fn cases() -> Vec<Case> {
        let c = |name, policies, held, until, action, retained_by, action_by, due_on_2040| Case {
            name,
            policies,
            held,
            until,
            action,
            retained_by,
            action_by,
            due_on_2040,
        };
        vec![
            c(
                "no policy at all",
                vec![],
                false,
                None,
                None,
                None,
                None,
                false,
            ),
            c(
                "one deletion policy",
                vec![P("Transitory", "30d", Delete, false)],
                false,
                Some("2024-04-30"),
                Some(Delete),
                Some("Transitory"),
                Some("Transitory"),
                true,
            ),
            c(
                "hold beats everything: a due deletion is not due while held",
                vec![P("Transitory", "30d", Delete, false)],
                true,
                Some("2024-04-30"),
                Some(Delete),
                Some("Transitory"),
                Some("Transitory"),
                false,
            ),
            c(
                "retention wins over deletion: keep beats a short deletion",
                vec![
                    P("Transitory", "30d", Delete, false),
                    P("Permanent", "1y", Keep, false),
                ],
                false,
                Some("forever"),
                Some(Keep),
                Some("Permanent"),
                Some("Permanent"),
                false,
            ),
            c(
                "longest retention wins between two deletions",
                vec![
                    P("Short", "1y", Delete, false),
                    P("Long", "6y", Delete, false),
                ],
                false,
                Some("2030-03-31"),
                Some(Delete),
                Some("Long"),
                Some("Short"),
                true,
            ),
            c(
                "longest retention wins over a shorter review",
                vec![
                    P("Review 2y", "2y", Review, false),
                    P("Delete 7y", "7y", Delete, false),
                ],
                false,
                Some("2031-03-31"),
                Some(Review),
                Some("Delete 7y"),
                Some("Review 2y"),
                true,
            ),
            c(
                "a review beside an equally long deletion keeps it for a person",
                vec![
                    P("Delete 6y", "6y", Delete, false),
                    P("Review 6y", "6y", Review, false),
                ],
                false,
                Some("2030-03-31"),
                Some(Review),
                Some("Delete 6y"),
                Some("Review 6y"),
                true,
            ),
            c(
                "explicit label beats a broad policy's review",
                vec![
                    P("Broad review 7y", "7y", Review, false),
                    P("Label delete 6y", "6y", Delete, true),
                ],
                false,
                Some("2031-03-31"),
                Some(Delete),
                Some("Broad review 7y"),
                Some("Label delete 6y"),
                true,
            ),
            c(
                "explicit label's review beats a broad deletion",
                vec![
                    P("Broad delete 1y", "1y", Delete, false),
                    P("Label review 3y", "3y", Review, true),
                ],
                false,
                Some("2027-03-31"),
                Some(Review),
                Some("Label review 3y"),
                Some("Label review 3y"),
                true,
            ),
            c(
                "explicit label beats a broad policy even when the broad one is shorter",
                vec![
                    P("Broad 30d", "30d", Delete, false),
                    P("Label 2y", "2y", Delete, true),
                ],
                false,
                Some("2026-03-31"),
                Some(Delete),
                Some("Label 2y"),
                Some("Label 2y"),
                true,
            ),
            c(
                "shortest deletion among labels",
                vec![
                    P("Label 3y", "3y", Delete, true),
                    P("Label 1y", "1y", Delete, true),
                ],
                false,
                Some("2027-03-31"),
                Some(Delete),
                Some("Label 3y"),
                Some("Label 1y"),
                true,
            ),
            c(
                "keep permanently beats every label and deletion",
                vec![
                    P("Label 1y", "1y", Delete, true),
                    P("Board minutes", "10y", Keep, false),
                    P("Broad 30d", "30d", Delete, false),
                ],
                false,
                Some("forever"),
                Some(Keep),
                Some("Board minutes"),
                Some("Board minutes"),
                false,
            ),
            c(
                "held and kept for ever: still never due",
                vec![P("Board minutes", "10y", Keep, true)],
                true,
                Some("forever"),
                Some(Keep),
                Some("Board minutes"),
                Some("Board minutes"),
                false,
            ),
            c(
                "a long period not yet over is not due",
                vec![P("Business 20y", "20y", Delete, true)],
                false,
                Some("2044-03-31"),
                Some(Delete),
                Some("Business 20y"),
                Some("Business 20y"),
                false,
            ),
        ]
    }

    #[test]
    fn precedence_table() {
        let sent = at(2024, 3, 31);
        let as_of_2040 = at(2040, 1, 1).timestamp_millis();
        let cases = cases();
        assert!(cases.len() >= 12);
        for case in cases {
            let applicable: Vec<Applicable> = case
                .policies
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let period = Period::parse(p.1).unwrap();
                    Applicable {
                        policy: i,
                        end: period.end_from(sent).timestamp_millis(),
                        action: p.2,
                        explicit: p.3,
                        days: period.approx_days(),
                    }
                })
                .collect();
            let r = resolve(&applicable, case.held);
            let until = match r.until {
                Until::NoPolicy => None,
                Until::Forever => Some("forever".to_string()),
                Until::Date(ms) => Some(date_label(ms)),
            };
            let name = |i: Option<usize>| i.map(|i| case.policies[i].0);
            assert_eq!(until.as_deref(), case.until, "{}: until", case.name);
            assert_eq!(r.action, case.action, "{}: action", case.name);
            assert_eq!(
                name(r.retained_by),
                case.retained_by,
                "{}: retained by",
                case.name
            );
            assert_eq!(
                name(r.action_by),
                case.action_by,
                "{}: action by",
                case.name
            );
            assert_eq!(
                r.due(as_of_2040).is_some(),
                case.due_on_2040,
                "{}: due in 2040",
                case.name
            );
            assert_eq!(r.held, case.held);
        }
    }

    #[test]
    fn nothing_is_due_before_its_date() {
        let r = resolve(
            &[Applicable {
                policy: 0,
                end: 1_000,
                action: Action::Delete,
                explicit: false,
                days: 1,
            }],
            false,
        );
        assert_eq!(r.due(999), None);
        assert_eq!(r.due(1_000), Some(Action::Delete));
    }
}
