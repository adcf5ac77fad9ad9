//! Belgian public holidays, computed from the year, and working-day arithmetic (weekends and
//! those holidays skipped): what service requests, collection calendars and due dates count in.

use time::{Date, Duration, Month, Weekday};

/// Easter Sunday of `year` (Gregorian calendar; the anonymous algorithm of Meeus, Jones and
/// Butcher), or `None` outside the years `time` can represent.
pub fn easter_sunday(year: i32) -> Option<Date> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// The ten Belgian public holidays of `year`, in date order: New Year, Easter Monday, Labour
/// Day, Ascension, Whit Monday, the National Day, the Assumption, All Saints, Armistice Day
/// and Christmas. Empty outside the years `time` can represent.
pub fn public_holidays(year: i32) -> Vec<Date> {
    let fixed = |month: Month, day: u8| Date::from_calendar_date(year, month, day).ok();
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let mut days: Vec<Date> = [
        fixed(Month::January, 1),
        easter.checked_add(Duration::days(1)),
        fixed(Month::May, 1),
        easter.checked_add(Duration::days(39)),
        easter.checked_add(Duration::days(50)),
        fixed(Month::July, 21),
        fixed(Month::August, 15),
        fixed(Month::November, 1),
        fixed(Month::November, 11),
        fixed(Month::December, 25),
    ]
    .into_iter()
    .flatten()
    .collect();
    days.sort();
    days
}

/// Whether `day` is a Belgian public holiday.
pub fn is_public_holiday(day: Date) -> bool {
    public_holidays(day.year()).contains(&day)
}

/// Whether `day` is a working day: Monday to Friday and not a public holiday.
pub fn is_working_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_public_holiday(day)
}

/// The working days from `from` to `to`, both included (0 when `to` is before `from`).
pub fn working_days_between(from: Date, to: Date) -> u32 {
    let mut count = 0;
    let mut day = from;
    while day <= to {
        if is_working_day(day) {
            count += 1;
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    count
}

/// The `n`th working day after `day` (`day` itself not counted): `add_working_days(friday,
/// 1)` is the next Monday unless that is a holiday. `None` past the end of the calendar.
pub fn add_working_days(day: Date, n: u32) -> Option<Date> {
    let mut left = n;
    let mut current = day;
    while left > 0 {
        current = current.next_day()?;
        if is_working_day(current) {
            left -= 1;
        }
    }
    Some(current)
}

/// The first working day on or after `day`.
pub fn next_working_day(day: Date) -> Option<Date> {
    let mut current = day;
    while !is_working_day(current) {
        current = current.next_day()?;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn the_published_belgian_holidays_of_2024_to_2030() {
        // Easter Monday, Ascension and Whit Monday as published for each year; the fixed
        // days are the same every year.
        let moving = [
            (
                2024,
                [
                    date!(2024 - 04 - 01),
                    date!(2024 - 05 - 09),
                    date!(2024 - 05 - 20),
                ],
            ),
            (
                2025,
                [
                    date!(2025 - 04 - 21),
                    date!(2025 - 05 - 29),
                    date!(2025 - 06 - 09),
                ],
            ),
            (
                2026,
                [
                    date!(2026 - 04 - 06),
                    date!(2026 - 05 - 14),
                    date!(2026 - 05 - 25),
                ],
            ),
            (
                2027,
                [
                    date!(2027 - 03 - 29),
                    date!(2027 - 05 - 06),
                    date!(2027 - 05 - 17),
                ],
            ),
            (
                2028,
                [
                    date!(2028 - 04 - 17),
                    date!(2028 - 05 - 25),
                    date!(2028 - 06 - 05),
                ],
            ),
            (
                2029,
                [
                    date!(2029 - 04 - 02),
                    date!(2029 - 05 - 10),
                    date!(2029 - 05 - 21),
                ],
            ),
            (
                2030,
                [
                    date!(2030 - 04 - 22),
                    date!(2030 - 05 - 30),
                    date!(2030 - 06 - 10),
                ],
            ),
        ];
        for (year, [easter_monday, ascension, whit_monday]) in moving {
            let fixed = |m: Month, d: u8| Date::from_calendar_date(year, m, d).unwrap();
            let mut expected = vec![
                fixed(Month::January, 1),
                easter_monday,
                fixed(Month::May, 1),
                ascension,
                whit_monday,
                fixed(Month::July, 21),
                fixed(Month::August, 15),
                fixed(Month::November, 1),
                fixed(Month::November, 11),
                fixed(Month::December, 25),
            ];
            expected.sort();
            assert_eq!(public_holidays(year), expected, "{year}");
            assert_eq!(easter_monday.weekday(), Weekday::Monday);
            assert_eq!(ascension.weekday(), Weekday::Thursday);
        }
    }

    #[test]
    fn weekends_and_holidays_are_skipped() {
        // Friday 3 April 2026, then the weekend and Easter Monday: the next working day is
        // Tuesday 7 April.
        assert_eq!(
            add_working_days(date!(2026 - 04 - 03), 1),
            Some(date!(2026 - 04 - 07))
        );
        assert!(!is_working_day(date!(2026 - 07 - 21)), "the National Day");
        assert!(!is_working_day(date!(2026 - 12 - 05)), "a Saturday");
        assert!(is_working_day(date!(2026 - 12 - 03)));
        assert_eq!(
            next_working_day(date!(2026 - 12 - 25)),
            Some(date!(2026 - 12 - 28))
        );
        // 1–5 June 2026 is a plain week; the week of Whit Monday 2026 has four working days.
        assert_eq!(
            working_days_between(date!(2026 - 06 - 01), date!(2026 - 06 - 05)),
            5
        );
        assert_eq!(
            working_days_between(date!(2026 - 05 - 25), date!(2026 - 05 - 29)),
            4
        );
        assert_eq!(
            working_days_between(date!(2026 - 05 - 29), date!(2026 - 05 - 25)),
            0
        );
        assert_eq!(
            add_working_days(date!(2026 - 12 - 03), 0),
            Some(date!(2026 - 12 - 03))
        );
    }

    /// A day between 2000 and 2100, the portal's years.
    fn any_day() -> impl Strategy<Value = Date> {
        (0i64..36_890).prop_map(|n| date!(2000 - 01 - 01) + Duration::days(n))
    }

    proptest! {
        #[test]
        fn adding_working_days_agrees_with_counting_day_by_day(day in any_day(), n in 0u32..60) {
            let end = add_working_days(day, n).unwrap();
            prop_assert!(n == 0 || is_working_day(end));
            // From the day after `day` to `end`, exactly `n` working days.
            let after = day.next_day().unwrap();
            prop_assert_eq!(if n == 0 { 0 } else { working_days_between(after, end) }, n);
        }

        #[test]
        fn the_count_over_a_range_is_the_sum_of_its_days(from in any_day(), len in 0i64..120) {
            let to = from + Duration::days(len);
            let by_day = (0..=len)
                .filter(|i| is_working_day(from + Duration::days(*i)))
                .count();
            prop_assert_eq!(working_days_between(from, to) as usize, by_day);
        }

        #[test]
        fn every_year_has_ten_holidays_and_easter_on_a_sunday(year in 2000i32..=2100) {
            prop_assert_eq!(public_holidays(year).len(), 10);
            prop_assert_eq!(easter_sunday(year).unwrap().weekday(), Weekday::Sunday);
        }
        #[test]
        fn counting_splits_at_any_day(from in any_day(), a in 0i64..90, b in 0i64..90) {
            let mid = from + Duration::days(a);
            let to = mid + Duration::days(b);
            let after_mid = mid.next_day().unwrap();
            prop_assert_eq!(
                working_days_between(from, to),
                working_days_between(from, mid) + working_days_between(after_mid, to)
            );
        }

        #[test]
        fn adding_is_stepwise_and_never_lands_on_a_closed_day(day in any_day(), n in 1u32..40) {
            let one_by_one = (0..n).try_fold(day, |d, _| add_working_days(d, 1));
            prop_assert_eq!(add_working_days(day, n), one_by_one);
            let before = add_working_days(day, n - 1).unwrap();
            let end = add_working_days(day, n).unwrap();
            prop_assert!(before < end);
            prop_assert!(is_working_day(end));
        }

        #[test]
        fn the_next_working_day_is_the_first_open_one(day in any_day()) {
            let next = next_working_day(day).unwrap();
            prop_assert!(next >= day && is_working_day(next));
            let skipped = (next - day).whole_days();
            prop_assert!((0..skipped).all(|i| !is_working_day(day + Duration::days(i))));
            // Belgium never closes for more than four days in a row (a long weekend at most).
            prop_assert!(skipped <= 4);
        }
    }
}
