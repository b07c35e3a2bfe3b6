//! Turning the local wall-clock times that exports write (WhatsApp, Telegram's `date`,
//! signal-export) into UTC instants through an IANA zone, deterministically.
//!
//! DST rules (the same as JavaScript Temporal's "compatible" disambiguation):
//! - a time that occurs twice (the repeated hour when clocks go back) is read as the
//!   **earlier** instant;
//! - a time that never occurs (the skipped hour when clocks go forward) is read with the
//!   offset in force **before** the jump, which lands after the gap (02:30 -> 03:30 local).
//!
//! Both cases are counted so the importer can say how many times were affected.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// What happened when a local time was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Exact,
    /// In the repeated hour; the earlier instant was taken.
    Ambiguous,
    /// In the skipped hour; moved forward by the gap.
    Skipped,
}

pub fn parse_zone(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| {
        Error::InvalidArgument(format!(
            "unknown time zone '{name}': use an IANA name such as Europe/London or America/New_York"
        ))
    })
}

/// The system's zone, or UTC when it cannot be determined (the caller warns).
pub fn system_zone() -> Option<Tz> {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|n| n.parse().ok())
}

pub fn to_utc(tz: &Tz, local: NaiveDateTime) -> (DateTime<Utc>, Resolution) {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => (t.with_timezone(&Utc), Resolution::Exact),
        LocalResult::Ambiguous(earlier, _) => (earlier.with_timezone(&Utc), Resolution::Ambiguous),
        LocalResult::None => {
            // The offset in force a day earlier is the one before the jump (zones do not
            // change offset twice within a day).
            let probe = local - Duration::days(1);
            let offset = tz.offset_from_utc_datetime(&probe).fix();
            let utc = local - Duration::seconds(i64::from(offset.local_minus_utc()));
            (Utc.from_utc_datetime(&utc), Resolution::Skipped)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn ordinary_time_in_summer_and_winter() {
        let tz = parse_zone("Europe/London").unwrap();
        let (u, r) = to_utc(&tz, at(2024, 7, 1, 12, 0));
        assert_eq!(u.to_rfc3339(), "2024-07-01T11:00:00+00:00");
        assert_eq!(r, Resolution::Exact);
        let (u, _) = to_utc(&tz, at(2024, 1, 1, 12, 0));
        assert_eq!(u.to_rfc3339(), "2024-01-01T12:00:00+00:00");
    }

    #[test]
    fn repeated_hour_takes_the_earlier_instant() {
        let tz = parse_zone("Europe/London").unwrap();
        // 27 Oct 2024: 01:30 happens at 00:30Z (BST) and at 01:30Z (GMT).
        let (u, r) = to_utc(&tz, at(2024, 10, 27, 1, 30));
        assert_eq!(u.to_rfc3339(), "2024-10-27T00:30:00+00:00");
        assert_eq!(r, Resolution::Ambiguous);
    }

    #[test]
    fn skipped_hour_moves_forward_by_the_gap() {
        let tz = parse_zone("Europe/London").unwrap();
        // 31 Mar 2024: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist -> 01:30Z (= 02:30 BST).
        let (u, r) = to_utc(&tz, at(2024, 3, 31, 1, 30));
        assert_eq!(u.to_rfc3339(), "2024-03-31T01:30:00+00:00");
        assert_eq!(r, Resolution::Skipped);
        let tz = parse_zone("America/New_York").unwrap();
        let (u, _) = to_utc(&tz, at(2024, 3, 10, 2, 30));
        assert_eq!(u.to_rfc3339(), "2024-03-10T07:30:00+00:00");
    }

    #[test]
    fn unknown_zone_is_a_clear_error() {
        let e = parse_zone("Mars/Olympus").unwrap_err().to_string();
        assert!(e.contains("Mars/Olympus") && e.contains("IANA"), "{e}");
    }
}
