//! Working days: UK bank holidays of every nation (England, Wales, Scotland, Northern
//! Ireland) and US federal holidays, 2020–2030.
//!
//! The tables are built from the rules each government publishes (fixed dates with their
//! substitute days, Easter, "the first/last Monday of"), plus the one-off days proclaimed in
//! those years (VE Day moved the May holiday in 2020; the Platinum Jubilee in 2022; the Queen's
//! state funeral in 2022; the Coronation in 2023). Tests pin the published lists (gov.uk,
//! OPM) for several years. Outside 2020–2030 the rules still apply but one-off days are unknown:
//! [`covered`] says whether a date is inside the table.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

pub const FIRST_YEAR: i32 = 2020;
pub const LAST_YEAR: i32 = 2030;

/// A UK nation. England and Wales share one list (gov.uk publishes it as one); each is
/// listed so that tables and tests name all four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nation {
    England,
    Wales,
    Scotland,
    NorthernIreland,
}

impl Nation {
    pub const ALL: [Nation; 4] = [
        Nation::England,
        Nation::Wales,
        Nation::Scotland,
        Nation::NorthernIreland,
    ];
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Easter Sunday (the anonymous Gregorian algorithm).
pub fn easter(y: i32) -> NaiveDate {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(y, month as u32, day as u32)
}

/// The `n`th `weekday` of a month (n from 1), or the last one with `n = 0`.
fn nth_weekday(y: i32, m: u32, weekday: Weekday, n: u32) -> NaiveDate {
    if n == 0 {
        let next = if m == 12 {
            ymd(y + 1, 1, 1)
        } else {
            ymd(y, m + 1, 1)
        };
        let mut d = next - Duration::days(1);
        while d.weekday() != weekday {
            d -= Duration::days(1);
        }
        return d;
    }
    let mut d = ymd(y, m, 1);
    while d.weekday() != weekday {
        d += Duration::days(1);
    }
    d + Duration::weeks(i64::from(n - 1))
}

/// Adds fixed-date holidays in order, moving each that falls on a weekend (or on a day already
/// taken) to the next free weekday: the UK substitute-day rule.
fn add_with_substitutes(set: &mut BTreeSet<NaiveDate>, days: &[NaiveDate]) {
    let mut taken: Vec<NaiveDate> = Vec::new();
    // First the ones on weekdays (they keep their day), then the weekend ones, in order.
    for d in days.iter().filter(|d| !is_weekend(**d)) {
        taken.push(*d);
    }
    for d in days.iter().filter(|d| is_weekend(**d)) {
        let mut s = *d;
        while is_weekend(s) || taken.contains(&s) || set.contains(&s) {
            s += Duration::days(1);
        }
        taken.push(s);
    }
    set.extend(taken);
}

fn uk_year(nation: Nation, y: i32, set: &mut BTreeSet<NaiveDate>) {
    let easter = easter(y);
    // New Year (and 2 January in Scotland).
    let mut new_year = vec![ymd(y, 1, 1)];
    if nation == Nation::Scotland {
        new_year.push(ymd(y, 1, 2));
    }
    add_with_substitutes(set, &new_year);
    set.insert(easter - Duration::days(2)); // Good Friday
    if nation != Nation::Scotland {
        set.insert(easter + Duration::days(1)); // Easter Monday
    }
    if nation == Nation::NorthernIreland {
        add_with_substitutes(set, &[ymd(y, 3, 17)]); // St Patrick's Day
        add_with_substitutes(set, &[ymd(y, 7, 12)]); // Battle of the Boyne
    }
    // Early May: the first Monday, moved to Friday 8 May for VE Day in 2020.
    set.insert(if y == 2020 {
        ymd(2020, 5, 8)
    } else {
        nth_weekday(y, 5, Weekday::Mon, 1)
    });
    // Spring: the last Monday of May, moved to 2 June (with 3 June added) for the Platinum
    // Jubilee in 2022.
    if y == 2022 {
        set.insert(ymd(2022, 6, 2));
        set.insert(ymd(2022, 6, 3));
    } else {
        set.insert(nth_weekday(y, 5, Weekday::Mon, 0));
    }
    // Summer: the first Monday of August in Scotland, the last elsewhere.
    set.insert(if nation == Nation::Scotland {
        nth_weekday(y, 8, Weekday::Mon, 1)
    } else {
        nth_weekday(y, 8, Weekday::Mon, 0)
    });
    if nation == Nation::Scotland {
        add_with_substitutes(set, &[ymd(y, 11, 30)]); // St Andrew's Day
    }
    add_with_substitutes(set, &[ymd(y, 12, 25), ymd(y, 12, 26)]);
    // One-off days, every nation.
    match y {
        2022 => {
            set.insert(ymd(2022, 9, 19)); // State funeral of Queen Elizabeth II
        }
        2023 => {
            set.insert(ymd(2023, 5, 8)); // Coronation of King Charles III
        }
        _ => {}
    }
}

/// The bank holidays of one nation, 2020–2030.
pub fn uk_bank_holidays(nation: Nation) -> &'static BTreeSet<NaiveDate> {
    static TABLES: OnceLock<[BTreeSet<NaiveDate>; 4]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        Nation::ALL.map(|n| {
            let mut set = BTreeSet::new();
            for y in FIRST_YEAR..=LAST_YEAR {
                uk_year(n, y, &mut set);
            }
            set
        })
    });
    &tables[Nation::ALL
        .iter()
        .position(|n| *n == nation)
        .expect("listed")]
}

/// Bank holidays anywhere in the UK (what FOI working days exclude: records.md R1).
pub fn uk_any_nation() -> &'static BTreeSet<NaiveDate> {
    static ALL: OnceLock<BTreeSet<NaiveDate>> = OnceLock::new();
    ALL.get_or_init(|| {
        Nation::ALL
            .iter()
            .flat_map(|n| uk_bank_holidays(*n).iter().copied())
            .collect()
    })
}

/// US federal holidays (5 U.S.C. 6103), observed dates: a Saturday holiday is observed on the
/// Friday before, a Sunday one on the Monday after.
pub fn us_federal_holidays() -> &'static BTreeSet<NaiveDate> {
    static US: OnceLock<BTreeSet<NaiveDate>> = OnceLock::new();
    US.get_or_init(|| {
        let mut set = BTreeSet::new();
        let observed = |d: NaiveDate| match d.weekday() {
            Weekday::Sat => d - Duration::days(1),
            Weekday::Sun => d + Duration::days(1),
            _ => d,
        };
        for y in FIRST_YEAR..=LAST_YEAR + 1 {
            let mut fixed = vec![ymd(y, 1, 1), ymd(y, 7, 4), ymd(y, 11, 11), ymd(y, 12, 25)];
            if y >= 2021 {
                fixed.push(ymd(y, 6, 19)); // Juneteenth, from 2021
            }
            for d in fixed {
                set.insert(observed(d));
            }
            set.insert(nth_weekday(y, 1, Weekday::Mon, 3)); // Martin Luther King Jr.
            set.insert(nth_weekday(y, 2, Weekday::Mon, 3)); // Washington's Birthday
            set.insert(nth_weekday(y, 5, Weekday::Mon, 0)); // Memorial Day
            set.insert(nth_weekday(y, 9, Weekday::Mon, 1)); // Labor Day
            set.insert(nth_weekday(y, 10, Weekday::Mon, 2)); // Columbus Day
            set.insert(nth_weekday(y, 11, Weekday::Thu, 4)); // Thanksgiving
        }
        set.retain(|d| (FIRST_YEAR..=LAST_YEAR).contains(&d.year()));
        set
    })
}

/// Whether the tables cover this date.
pub fn covered(d: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

/// Which working days a clock counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    /// Weekdays that are not a bank holiday in any UK nation.
    Uk,
    /// Weekdays that are not a US federal holiday.
    UsFederal,
}

impl Calendar {
    pub fn is_working_day(self, d: NaiveDate) -> bool {
        if is_weekend(d) {
            return false;
        }
        match self {
            Calendar::Uk => !uk_any_nation().contains(&d),
            Calendar::UsFederal => !us_federal_holidays().contains(&d),
        }
    }

    /// The `n`th working day after `d` (`d` itself is day 0).
    pub fn add_working_days(self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// `d`, or the next working day after it.
    pub fn on_or_after(self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        while !self.is_working_day(day) {
            day += Duration::days(1);
        }
        day
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier.
    pub fn working_days_between(self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut n = 0;
        let mut d = a;
        while d < b {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        sign * n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(list: &[(i32, u32, u32)]) -> BTreeSet<NaiveDate> {
        list.iter().map(|(y, m, d)| ymd(*y, *m, *d)).collect()
    }

    fn year(nation: Nation, y: i32) -> BTreeSet<NaiveDate> {
        uk_bank_holidays(nation)
            .iter()
            .filter(|d| d.year() == y)
            .copied()
            .collect()
    }

    #[test]
    fn easter_sundays() {
        let known = [
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
        ];
        for (y, m, d) in known {
            assert_eq!(easter(y), ymd(y, m, d));
        }
    }

    /// The lists gov.uk publishes, nation by nation, for years with every kind of substitute.
    #[test]
    fn uk_bank_holidays_match_the_published_lists() {
        use Nation::*;
        type Published = (Nation, i32, Vec<(i32, u32, u32)>);
        let cases: Vec<Published> = vec![
            (
                England,
                2020,
                vec![
                    (2020, 1, 1),
                    (2020, 4, 10),
                    (2020, 4, 13),
                    (2020, 5, 8),
                    (2020, 5, 25),
                    (2020, 8, 31),
                    (2020, 12, 25),
                    (2020, 12, 28),
                ],
            ),
            (
                Wales,
                2021,
                vec![
                    (2021, 1, 1),
                    (2021, 4, 2),
                    (2021, 4, 5),
                    (2021, 5, 3),
                    (2021, 5, 31),
                    (2021, 8, 30),
                    (2021, 12, 27),
                    (2021, 12, 28),
                ],
            ),
            (
                England,
                2022,
                vec![
                    (2022, 1, 3),
                    (2022, 4, 15),
                    (2022, 4, 18),
                    (2022, 5, 2),
                    (2022, 6, 2),
                    (2022, 6, 3),
                    (2022, 8, 29),
                    (2022, 9, 19),
                    (2022, 12, 26),
                    (2022, 12, 27),
                ],
            ),
            (
                Wales,
                2023,
                vec![
                    (2023, 1, 2),
                    (2023, 4, 7),
                    (2023, 4, 10),
                    (2023, 5, 1),
                    (2023, 5, 8),
                    (2023, 5, 29),
                    (2023, 8, 28),
                    (2023, 12, 25),
                    (2023, 12, 26),
                ],
            ),
            (
                England,
                2026,
                vec![
                    (2026, 1, 1),
                    (2026, 4, 3),
                    (2026, 4, 6),
                    (2026, 5, 4),
                    (2026, 5, 25),
                    (2026, 8, 31),
                    (2026, 12, 25),
                    (2026, 12, 28),
                ],
            ),
            (
                Wales,
                2027,
                vec![
                    (2027, 1, 1),
                    (2027, 3, 26),
                    (2027, 3, 29),
                    (2027, 5, 3),
                    (2027, 5, 31),
                    (2027, 8, 30),
                    (2027, 12, 27),
                    (2027, 12, 28),
                ],
            ),
            (
                Scotland,
                2022,
                vec![
                    (2022, 1, 3),
                    (2022, 1, 4),
                    (2022, 4, 15),
                    (2022, 5, 2),
                    (2022, 6, 2),
                    (2022, 6, 3),
                    (2022, 8, 1),
                    (2022, 9, 19),
                    (2022, 11, 30),
                    (2022, 12, 26),
                    (2022, 12, 27),
                ],
            ),
            (
                Scotland,
                2023,
                vec![
                    (2023, 1, 2),
                    (2023, 1, 3),
                    (2023, 4, 7),
                    (2023, 5, 1),
                    (2023, 5, 8),
                    (2023, 5, 29),
                    (2023, 8, 7),
                    (2023, 11, 30),
                    (2023, 12, 25),
                    (2023, 12, 26),
                ],
            ),
            (
                Scotland,
                2026,
                vec![
                    (2026, 1, 1),
                    (2026, 1, 2),
                    (2026, 4, 3),
                    (2026, 5, 4),
                    (2026, 5, 25),
                    (2026, 8, 3),
                    (2026, 11, 30),
                    (2026, 12, 25),
                    (2026, 12, 28),
                ],
            ),
            (
                Scotland,
                2027,
                vec![
                    (2027, 1, 1),
                    (2027, 1, 4),
                    (2027, 3, 26),
                    (2027, 5, 3),
                    (2027, 5, 31),
                    (2027, 8, 2),
                    (2027, 11, 30),
                    (2027, 12, 27),
                    (2027, 12, 28),
                ],
            ),
            (
                Scotland,
                2025,
                vec![
                    (2025, 1, 1),
                    (2025, 1, 2),
                    (2025, 4, 18),
                    (2025, 5, 5),
                    (2025, 5, 26),
                    (2025, 8, 4),
                    (2025, 12, 1),
                    (2025, 12, 25),
                    (2025, 12, 26),
                ],
            ),
            (
                NorthernIreland,
                2020,
                vec![
                    (2020, 1, 1),
                    (2020, 3, 17),
                    (2020, 4, 10),
                    (2020, 4, 13),
                    (2020, 5, 8),
                    (2020, 5, 25),
                    (2020, 7, 13),
                    (2020, 8, 31),
                    (2020, 12, 25),
                    (2020, 12, 28),
                ],
            ),
            (
                NorthernIreland,
                2024,
                vec![
                    (2024, 1, 1),
                    (2024, 3, 18),
                    (2024, 4, 1),
                    (2024, 3, 29),
                    (2024, 5, 6),
                    (2024, 5, 27),
                    (2024, 7, 12),
                    (2024, 8, 26),
                    (2024, 12, 25),
                    (2024, 12, 26),
                ],
            ),
            (
                NorthernIreland,
                2027,
                vec![
                    (2027, 1, 1),
                    (2027, 3, 17),
                    (2027, 3, 26),
                    (2027, 3, 29),
                    (2027, 5, 3),
                    (2027, 5, 31),
                    (2027, 7, 12),
                    (2027, 8, 30),
                    (2027, 12, 27),
                    (2027, 12, 28),
                ],
            ),
        ];
        for (nation, y, list) in cases {
            assert_eq!(year(nation, y), dates(&list), "{nation:?} {y}");
        }
        // Every year of the table has its 8 (E&W), 9 (Scotland) or 10 (NI) days at least.
        for y in FIRST_YEAR..=LAST_YEAR {
            assert!(year(England, y).len() >= 8, "{y}");
            assert_eq!(year(England, y), year(Wales, y), "{y}");
            assert!(year(Scotland, y).len() >= 9, "{y}");
            assert!(year(NorthernIreland, y).len() >= 10, "{y}");
            for n in Nation::ALL {
                assert!(uk_bank_holidays(n).iter().all(|d| !is_weekend(*d)), "{n:?}");
            }
        }
    }

    #[test]
    fn us_federal_holidays_match_opm() {
        let y2021: BTreeSet<NaiveDate> = us_federal_holidays()
            .iter()
            .filter(|d| d.year() == 2021)
            .copied()
            .collect();
        assert_eq!(
            y2021,
            dates(&[
                (2021, 1, 1),
                (2021, 1, 18),
                (2021, 2, 15),
                (2021, 5, 31),
                (2021, 6, 18),
                (2021, 7, 5),
                (2021, 9, 6),
                (2021, 10, 11),
                (2021, 11, 11),
                (2021, 11, 25),
                (2021, 12, 24),
                (2021, 12, 31),
            ])
        );
        let y2027: BTreeSet<NaiveDate> = us_federal_holidays()
            .iter()
            .filter(|d| d.year() == 2027)
            .copied()
            .collect();
        assert_eq!(
            y2027,
            dates(&[
                (2027, 1, 1),
                (2027, 1, 18),
                (2027, 2, 15),
                (2027, 5, 31),
                (2027, 6, 18),
                (2027, 7, 5),
                (2027, 9, 6),
                (2027, 10, 11),
                (2027, 11, 11),
                (2027, 11, 25),
                (2027, 12, 24),
                (2027, 12, 31),
            ])
        );
    }

    #[test]
    fn working_days_skip_weekends_and_any_nations_holidays() {
        let uk = Calendar::Uk;
        // St Patrick's Day (NI only) and 2 January's substitute (Scotland only) are not working days.
        assert!(!uk.is_working_day(ymd(2027, 3, 17)));
        assert!(!uk.is_working_day(ymd(2027, 1, 4)));
        assert!(uk.is_working_day(ymd(2027, 1, 5)));
        assert_eq!(uk.add_working_days(ymd(2026, 12, 21), 20), ymd(2027, 1, 22));
        assert_eq!(
            uk.working_days_between(ymd(2026, 12, 21), ymd(2027, 1, 22)),
            20
        );
        assert_eq!(
            uk.working_days_between(ymd(2027, 1, 22), ymd(2026, 12, 21)),
            -20
        );
        assert_eq!(uk.on_or_after(ymd(2027, 2, 28)), ymd(2027, 3, 1));
        assert!(covered(ymd(2030, 12, 31)) && !covered(ymd(2031, 1, 1)));
    }
}
