//! Deciding, once per file, which date field is the day, the month and the year.
//! Evidence is gathered over every header line (values above 12 cannot be months, a 4-digit
//! field is the year); when it cannot decide, the order under which the dates run forward
//! wins, and the importer says what it assumed.

use chrono::NaiveDate;

use crate::error::{Error, Location, Result};
use crate::import::DateOrder;

/// Positions (0, 1, 2 in written order) of the year, month and day fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldOrder {
    pub year: usize,
    pub month: usize,
    pub day: usize,
}

const ALL: [FieldOrder; 6] = [
    FieldOrder {
        day: 0,
        month: 1,
        year: 2,
    },
    FieldOrder {
        month: 0,
        day: 1,
        year: 2,
    },
    FieldOrder {
        year: 0,
        month: 1,
        day: 2,
    },
    FieldOrder {
        year: 0,
        day: 1,
        month: 2,
    },
    FieldOrder {
        month: 0,
        year: 1,
        day: 2,
    },
    FieldOrder {
        day: 0,
        year: 1,
        month: 2,
    },
];

impl FieldOrder {
    /// `d/m/y`, `m/d/y`, `y/m/d`, ... as recorded on the source.
    pub fn pattern(self) -> String {
        let mut p = ['?'; 3];
        p[self.year] = 'y';
        p[self.month] = 'm';
        p[self.day] = 'd';
        format!("{}/{}/{}", p[0], p[1], p[2])
    }

    pub fn date(self, fields: [u32; 3]) -> Option<NaiveDate> {
        let y = fields[self.year];
        let year = if y < 100 { 2000 + y } else { y };
        NaiveDate::from_ymd_opt(year as i32, fields[self.month], fields[self.day])
    }

    fn key(self, fields: [u32; 3]) -> u64 {
        u64::from(fields[self.year]) * 10_000
            + u64::from(fields[self.month]) * 100
            + u64::from(fields[self.day])
    }

    pub fn as_date_order(self) -> Option<DateOrder> {
        match (self.year, self.month, self.day) {
            (2, 1, 0) => Some(DateOrder::Dmy),
            (2, 0, 1) => Some(DateOrder::Mdy),
            (0, 1, 2) => Some(DateOrder::Ymd),
            _ => None,
        }
    }
}

/// What the header lines of one layout say about their date fields.
#[derive(Debug, Clone, Default)]
pub struct DateEvidence {
    lines: u64,
    four_digit_at: [u64; 3],
    max: [u32; 3],
    /// First line where each field exceeded 12 (cannot be a month).
    over_12_at: [Option<u64>; 3],
    /// First line where each field exceeded 31 (cannot be a day).
    over_31_at: [Option<u64>; 3],
    last_key: [Option<u64>; 6],
    decreases: [u64; 6],
}

impl DateEvidence {
    pub fn add(&mut self, fields: [u32; 3], widths: [u8; 3], line: u64) {
        self.lines += 1;
        for i in 0..3 {
            if widths[i] == 4 {
                self.four_digit_at[i] += 1;
            }
            self.max[i] = self.max[i].max(fields[i]);
            if fields[i] > 12 && self.over_12_at[i].is_none() {
                self.over_12_at[i] = Some(line);
            }
            if fields[i] > 31 && self.over_31_at[i].is_none() {
                self.over_31_at[i] = Some(line);
            }
        }
        for (k, order) in ALL.iter().enumerate() {
            let key = order.key(fields);
            if let Some(last) = self.last_key[k] {
                if key < last {
                    self.decreases[k] += 1;
                }
            }
            self.last_key[k] = Some(key);
        }
    }

    fn fits(&self, o: FieldOrder) -> bool {
        self.max[o.month] <= 12 && self.max[o.day] <= 31
    }

    fn index(o: FieldOrder) -> usize {
        ALL.iter()
            .position(|x| *x == o)
            .expect("order is one of ALL")
    }
}

/// The decision and, when the file alone could not decide it, what was assumed and why.
#[derive(Debug, Clone)]
pub struct Decision {
    pub order: FieldOrder,
    pub assumed: Option<String>,
}

pub fn decide(ev: &DateEvidence, wanted: Option<DateOrder>, file: &str) -> Result<Decision> {
    let year = match ev.four_digit_at.iter().enumerate().max_by_key(|(_, n)| **n) {
        Some((pos, n)) if *n > 0 => pos,
        _ if wanted == Some(DateOrder::Ymd) => 0,
        _ if ev.over_31_at[0].is_some() => 0,
        _ => 2,
    };
    let rest: Vec<usize> = (0..3).filter(|p| *p != year).collect();
    let day_first = FieldOrder {
        year,
        day: rest[0],
        month: rest[1],
    };
    let month_first = FieldOrder {
        year,
        month: rest[0],
        day: rest[1],
    };
    let explain_misfit = |o: FieldOrder| -> String {
        if let Some(line) = ev.over_12_at[o.month] {
            format!(
                "line {line} has a month above 12 when read as {}",
                o.pattern()
            )
        } else if let Some(line) = ev.over_31_at[o.day] {
            format!(
                "line {line} has a day above 31 when read as {}",
                o.pattern()
            )
        } else {
            format!("the dates do not fit {}", o.pattern())
        }
    };

    if let Some(w) = wanted {
        let o = match w {
            DateOrder::Dmy => day_first,
            DateOrder::Mdy | DateOrder::Ymd => month_first,
        };
        if !ev.fits(o) {
            return Err(Error::bad_input(
                Location::file(file),
                format!(
                    "--date-order {} does not fit this file: {}",
                    w.name(),
                    explain_misfit(o)
                ),
            ));
        }
        return Ok(Decision {
            order: o,
            assumed: None,
        });
    }

    match (ev.fits(day_first), ev.fits(month_first)) {
        (true, false) => Ok(Decision {
            order: day_first,
            assumed: None,
        }),
        (false, true) => Ok(Decision {
            order: month_first,
            assumed: None,
        }),
        (false, false) => Err(Error::bad_input(
            Location::file(file),
            format!(
                "the dates fit no day/month order: {}; and {}",
                explain_misfit(day_first),
                explain_misfit(month_first)
            ),
        )),
        (true, true) => {
            let dec_day = ev.decreases[DateEvidence::index(day_first)];
            let dec_month = ev.decreases[DateEvidence::index(month_first)];
            let (order, why) = if dec_day < dec_month {
                (day_first, "it keeps the messages in date order")
            } else if dec_month < dec_day {
                (month_first, "it keeps the messages in date order")
            } else if year == 2 {
                (day_first, "day-first is the most common order")
            } else {
                (
                    month_first,
                    "year-month-day is the usual order when the year comes first",
                )
            };
            let other = if order == day_first {
                month_first
            } else {
                day_first
            };
            let flag = |o: FieldOrder| {
                o.as_date_order()
                    .map(|d| format!(" (--date-order {})", d.name()))
                    .unwrap_or_default()
            };
            Ok(Decision {
                order,
                assumed: Some(format!(
                    "date order is ambiguous: no day in this file is above 12, so every date reads \
                     as {} or as {}; assumed {}{} because {}; if the phone showed dates the other \
                     way, import with --date-order",
                    order.pattern(),
                    other.pattern(),
                    order.pattern(),
                    flag(order),
                    why
                )),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(dates: &[[u32; 3]], widths: [u8; 3]) -> DateEvidence {
        let mut ev = DateEvidence::default();
        for (i, d) in dates.iter().enumerate() {
            ev.add(*d, widths, i as u64 + 1);
        }
        ev
    }

    #[test]
    fn a_value_above_12_decides() {
        let ev = evidence(&[[1, 1, 19], [20, 1, 19], [30, 12, 21]], [2, 2, 2]);
        let d = decide(&ev, None, "f").unwrap();
        assert_eq!(d.order.pattern(), "d/m/y");
        assert!(d.assumed.is_none());
        let ev = evidence(&[[1, 1, 19], [1, 20, 19]], [2, 2, 2]);
        assert_eq!(decide(&ev, None, "f").unwrap().order.pattern(), "m/d/y");
    }

    #[test]
    fn four_digit_field_is_the_year_wherever_it_is() {
        let ev = evidence(&[[2019, 1, 1], [2021, 12, 30]], [4, 2, 2]);
        assert_eq!(decide(&ev, None, "f").unwrap().order.pattern(), "y/m/d");
        let ev = evidence(&[[6, 2018, 13]], [2, 4, 2]);
        assert_eq!(decide(&ev, None, "f").unwrap().order.pattern(), "m/y/d");
        let ev = evidence(&[[13, 6, 2018]], [2, 1, 4]);
        assert_eq!(decide(&ev, None, "f").unwrap().order.pattern(), "d/m/y");
    }

    #[test]
    fn ambiguous_file_prefers_chronological_reading_and_says_so() {
        // Pustur's short chat: 06/03, 06/03, 06/03, 08/05, 09/04 (2017).
        let ev = evidence(
            &[
                [6, 3, 2017],
                [6, 3, 2017],
                [6, 3, 2017],
                [8, 5, 2017],
                [9, 4, 2017],
            ],
            [2, 2, 4],
        );
        let d = decide(&ev, None, "short.txt").unwrap();
        assert_eq!(d.order.pattern(), "m/d/y");
        let why = d.assumed.unwrap();
        assert!(
            why.contains("ambiguous") && why.contains("--date-order"),
            "{why}"
        );
        // A tie falls back to day-first, still with a warning.
        let ev = evidence(&[[1, 2, 20]], [2, 2, 2]);
        let d = decide(&ev, None, "f").unwrap();
        assert_eq!(d.order.pattern(), "d/m/y");
        assert!(d.assumed.is_some());
    }

    #[test]
    fn the_user_decides_and_is_told_when_the_file_disagrees() {
        let ev = evidence(&[[6, 3, 2017], [9, 4, 2017]], [2, 2, 4]);
        let d = decide(&ev, Some(DateOrder::Dmy), "f").unwrap();
        assert_eq!((d.order.pattern(), d.assumed), ("d/m/y".to_string(), None));
        let ev = evidence(&[[6, 3, 2017], [30, 4, 2017]], [2, 2, 4]);
        let e = decide(&ev, Some(DateOrder::Mdy), "chat.txt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("chat.txt") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn impossible_dates_are_an_error_naming_lines() {
        let ev = evidence(&[[13, 1, 20], [1, 13, 20]], [2, 2, 2]);
        let e = decide(&ev, None, "x.txt").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("line 2"), "{e}");
    }
}
