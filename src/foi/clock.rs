//! Statutory deadlines (records.md R1), as the regulators describe them:
//!
//! - **FOI** (FOIA 2000 s10) and **EIR** (reg 5(2)): the 20th working day after receipt (the
//!   day of receipt is day 0); working days exclude weekends and bank holidays anywhere in the
//!   UK. EIR may be extended by 20 more working days when the request is complex (reg 7). A
//!   clarification request stops the clock; the clarification's arrival is treated as a new
//!   receipt (s1(3)): 20 working days from that day.
//! - **SAR** (UK GDPR Art 12(3)): one calendar month from the day of receipt, to the
//!   corresponding date of the next month, or that month's last day when it has no such date;
//!   a deadline on a weekend or bank holiday moves to the next working day. Extended by two
//!   further months when complex. A clarification pauses the clock: the days it was waiting
//!   are added back.
//! - **US FOIA** (5 U.S.C. 552(a)(6)): 20 business days, excluding US federal holidays; 10 more
//!   in unusual circumstances; a clarification tolls (pauses) the clock.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::calendar::Calendar;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum CaseKind {
    Foi,
    Eir,
    Sar,
    Foia,
}

impl CaseKind {
    pub fn parse(s: &str) -> Result<CaseKind> {
        match s.to_ascii_lowercase().as_str() {
            "foi" => Ok(CaseKind::Foi),
            "eir" => Ok(CaseKind::Eir),
            "sar" => Ok(CaseKind::Sar),
            "foia" | "us-foia" => Ok(CaseKind::Foia),
            _ => Err(Error::InvalidArgument(format!(
                "request kind {s:?}: use foi, eir, sar or foia"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Foi => "foi",
            CaseKind::Eir => "eir",
            CaseKind::Sar => "sar",
            CaseKind::Foia => "foia",
        }
    }

    pub fn calendar(self) -> Calendar {
        match self {
            CaseKind::Foia => Calendar::UsFederal,
            _ => Calendar::Uk,
        }
    }
}

/// A clarification: asked on one day, answered (or not yet) on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clarification {
    pub asked: NaiveDate,
    pub answered: Option<NaiveDate>,
}

/// The clock's state on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// None while the clock is stopped for a clarification.
    pub due: Option<NaiveDate>,
    /// Working days left (calendar days for a SAR) until `due`; negative when overdue.
    pub days_left: Option<i64>,
    pub stopped: bool,
}

/// One calendar month (or `months`) after `d`: the same day number, or the month's last day.
fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    // chrono clamps to the last day of the month, which is the ICO's rule.
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

/// The due date of a request received on `received` (after any clarifications).
pub fn due_date(
    kind: CaseKind,
    received: NaiveDate,
    complex: bool,
    clarifications: &[Clarification],
) -> Option<NaiveDate> {
    let cal = kind.calendar();
    match kind {
        CaseKind::Foi | CaseKind::Eir | CaseKind::Foia => {
            // FOI/EIR: a clarification's arrival is a new receipt; FOIA: tolled (paused).
            let mut start = received;
            let mut paused_days = 0i64;
            for c in clarifications {
                let answered = c.answered?;
                if kind == CaseKind::Foia {
                    // The business days used before the question count; the rest resume.
                    paused_days += cal.working_days_between(c.asked, answered);
                } else {
                    start = answered;
                }
            }
            let base = match kind {
                CaseKind::Foia => 20 + if complex { 10 } else { 0 },
                CaseKind::Eir if complex => 40,
                _ => 20,
            };
            Some(cal.add_working_days(start, base + paused_days as u32))
        }
        CaseKind::Sar => {
            let months = if complex { 3 } else { 1 };
            let mut due = add_months(received, months);
            for c in clarifications {
                let answered = c.answered?;
                due += answered - c.asked;
            }
            Some(cal.on_or_after(due))
        }
    }
}

/// The clock as of `today`.
pub fn deadline(
    kind: CaseKind,
    received: NaiveDate,
    complex: bool,
    clarifications: &[Clarification],
    today: NaiveDate,
) -> Deadline {
    let due = due_date(kind, received, complex, clarifications);
    let cal = kind.calendar();
    Deadline {
        due,
        days_left: due.map(|d| match kind {
            CaseKind::Sar => (d - today).num_days(),
            _ => cal.working_days_between(today, d),
        }),
        stopped: due.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn statutory_deadlines() {
        // (kind, received, complex, expected due, why)
        let cases = [
            (
                CaseKind::Foi,
                "2026-12-21",
                false,
                "2027-01-22",
                "Christmas, Boxing Day's substitute, New Year, Scotland's 2 January substitute",
            ),
            (
                CaseKind::Foi,
                "2027-03-15",
                false,
                "2027-04-15",
                "St Patrick's Day (NI), Good Friday, Easter Monday",
            ),
            (
                CaseKind::Foi,
                "2027-07-01",
                false,
                "2027-07-30",
                "the Boyne (NI, 12 July)",
            ),
            (
                CaseKind::Foi,
                "2027-07-26",
                false,
                "2027-08-24",
                "Scotland's 2 August, then England's 30 August is after the due date",
            ),
            (
                CaseKind::Foi,
                "2027-11-15",
                false,
                "2027-12-14",
                "St Andrew's Day (Scotland)",
            ),
            (
                CaseKind::Foi,
                "2027-05-01",
                false,
                "2027-06-01",
                "received on a Saturday; both May holidays",
            ),
            (
                CaseKind::Eir,
                "2027-03-15",
                false,
                "2027-04-15",
                "EIR as FOI",
            ),
            (
                CaseKind::Eir,
                "2027-03-15",
                true,
                "2027-05-14",
                "EIR complex: 40 working days (3 and 31 May are after)",
            ),
            (
                CaseKind::Sar,
                "2027-01-31",
                false,
                "2027-03-01",
                "no 31 February: 28th, a Sunday, so Monday",
            ),
            (
                CaseKind::Sar,
                "2027-03-03",
                false,
                "2027-04-05",
                "3 April 2027 is a Saturday",
            ),
            (
                CaseKind::Sar,
                "2026-11-26",
                false,
                "2026-12-29",
                "26 December is a Saturday, 28th its substitute",
            ),
            (
                CaseKind::Sar,
                "2027-01-31",
                true,
                "2027-04-30",
                "complex: three months, 30 April",
            ),
            (
                CaseKind::Foia,
                "2027-11-01",
                false,
                "2027-12-01",
                "Veterans Day and Thanksgiving",
            ),
            (
                CaseKind::Foia,
                "2027-11-01",
                true,
                "2027-12-15",
                "unusual circumstances: 30 business days",
            ),
        ];
        for (kind, received, complex, due, why) in cases {
            assert_eq!(
                due_date(kind, d(received), complex, &[]),
                Some(d(due)),
                "{kind:?} received {received}: {why}"
            );
        }
    }

    #[test]
    fn clarification_stops_and_restarts_the_clock() {
        // FOI received 2027-03-15; on day 5 (23 March) the officer asks what is meant; the
        // answer comes 10 days later (2 April): 20 working days from then.
        let asked = Clarification {
            asked: d("2027-03-23"),
            answered: None,
        };
        assert_eq!(
            super::super::calendar::Calendar::Uk
                .working_days_between(d("2027-03-15"), d("2027-03-23")),
            5
        );
        let stopped = deadline(
            CaseKind::Foi,
            d("2027-03-15"),
            false,
            &[asked],
            d("2027-03-25"),
        );
        assert!(stopped.stopped && stopped.due.is_none());
        let answered = Clarification {
            answered: Some(d("2027-04-02")),
            ..asked
        };
        assert_eq!(
            due_date(CaseKind::Foi, d("2027-03-15"), false, &[answered]),
            Some(d("2027-04-30"))
        );
        // A SAR pauses instead: 10 days added to 1 March, then the next working day.
        assert_eq!(
            due_date(
                CaseKind::Sar,
                d("2027-01-31"),
                false,
                &[Clarification {
                    asked: d("2027-02-04"),
                    answered: Some(d("2027-02-14"))
                }]
            ),
            Some(d("2027-03-10"))
        );
        // US FOIA tolls: the business days waiting are added back.
        assert_eq!(
            due_date(
                CaseKind::Foia,
                d("2027-11-01"),
                false,
                &[Clarification {
                    asked: d("2027-11-03"),
                    answered: Some(d("2027-11-10"))
                }]
            ),
            Some(d("2027-12-08"))
        );
    }

    #[test]
    fn days_left_counts_working_days_or_calendar_days() {
        let k = deadline(CaseKind::Foi, d("2026-12-21"), false, &[], d("2027-01-18"));
        assert_eq!(k.days_left, Some(4));
        let overdue = deadline(CaseKind::Foi, d("2026-12-21"), false, &[], d("2027-01-26"));
        assert_eq!(overdue.days_left, Some(-2));
        let sar = deadline(CaseKind::Sar, d("2027-01-31"), false, &[], d("2027-02-20"));
        assert_eq!(sar.days_left, Some(9));
    }
}
