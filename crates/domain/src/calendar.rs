//! The portal's one calendar: Europe/Brussels (days, midnights and wall-clock times of UTC
//! instants), the Belgian public holidays and working-day arithmetic, and the `YYYY-MM-DD` form.

use std::sync::LazyLock;
use time::{Date, Month, OffsetDateTime, UtcOffset};

pub use crate::holidays::{
    add_working_days, easter_sunday, is_public_holiday, is_working_day, next_working_day,
    public_holidays, working_days_between,
};

/// Europe/Brussels from the time-zone database compiled into the binary (jiff's
/// `tzdb-bundle-always`), so the host's `/usr/share/zoneinfo` plays no part. The bundle
/// always has it; UTC is only there to need no `expect`, and a test below would see it.
static BRUSSELS: LazyLock<jiff::tz::TimeZone> = LazyLock::new(|| {
    jiff::tz::TimeZoneDatabase::bundled()
        .get("Europe/Brussels")
        .unwrap_or(jiff::tz::TimeZone::UTC)
});

fn zoned(t: OffsetDateTime) -> Option<jiff::ZonedDateTime> {
    jiff::Timestamp::from_second(t.unix_timestamp())
        .ok()
        .map(|ts| ts.to_zoned_datetime(BRUSSELS.clone()))
}

fn to_time_date(d: jiff::civil::Date) -> Option<Date> {
    let month = Month::try_from(u8::try_from(d.month()).ok()?).ok()?;
    Date::from_calendar_date(i32::from(d.year()), month, u8::try_from(d.day()).ok()?).ok()
}

/// Instant `t` as read on a Brussels wall clock: the same instant, at Brussels' offset of
/// that moment (UTC+1 in winter, UTC+2 in summer). `None` beyond the years ±9999, which no
/// stored time reaches.
pub fn in_brussels(t: OffsetDateTime) -> Option<OffsetDateTime> {
    let z = zoned(t)?;
    let offset = UtcOffset::from_whole_seconds(z.offset().seconds()).ok()?;
    Some(t.to_offset(offset))
}

/// The calendar day in Brussels at instant `t` ("today" for a Belgian customer: 23:30 UTC
/// on 30 November is already 1 December). Beyond jiff's years, the UTC day.
pub fn day_of(t: OffsetDateTime) -> Date {
    zoned(t)
        .and_then(|z| to_time_date(z.date()))
        .unwrap_or_else(|| t.to_offset(UtcOffset::UTC).date())
}

/// The instant a Brussels calendar day begins: its midnight, 23:00 or 22:00 UTC the day
/// before. Midnight always exists in Brussels (the clocks change at 02:00 and 03:00), so the
/// answer is one instant; `None` only beyond jiff's years.
pub fn day_start(d: Date) -> Option<OffsetDateTime> {
    let date = jiff::civil::Date::new(
        i16::try_from(d.year()).ok()?,
        i8::try_from(u8::from(d.month())).ok()?,
        i8::try_from(d.day()).ok()?,
    )
    .ok()?;
    let second = date
        .to_zoned_datetime(BRUSSELS.clone())
        .ok()?
        .timestamp()
        .as_second();
    OffsetDateTime::from_unix_timestamp(second).ok()
}

/// A day as URLs, files, date inputs and the API write it: `2026-11-26`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::{
        Duration, Weekday,
        macros::{date, datetime},
    };

    #[test]
    fn brussels_comes_from_the_bundled_database() {
        assert_eq!(BRUSSELS.iana_name(), Some("Europe/Brussels"));
    }

    #[test]
    fn the_day_is_the_brussels_day() {
        // 23:30 UTC on 30 November is already 1 December in Brussels (UTC+1).
        assert_eq!(
            day_of(datetime!(2026-11-30 23:30:00 UTC)),
            date!(2026 - 12 - 01)
        );
        assert_eq!(
            day_of(datetime!(2026-11-30 22:59:59 UTC)),
            date!(2026 - 11 - 30)
        );
        // 22:30 UTC on 31 July is 1 August (UTC+2).
        assert_eq!(
            day_of(datetime!(2026-07-31 22:30:00 UTC)),
            date!(2026 - 08 - 01)
        );
        assert_eq!(
            day_of(datetime!(2026-07-31 21:59:59 UTC)),
            date!(2026 - 07 - 31)
        );
    }

    #[test]
    fn days_start_at_brussels_midnight() {
        assert_eq!(
            day_start(date!(2026 - 01 - 15)),
            Some(datetime!(2026-01-14 23:00 UTC))
        );
        assert_eq!(
            day_start(date!(2026 - 07 - 15)),
            Some(datetime!(2026-07-14 22:00 UTC))
        );
        // The days the clocks change start at the offset of the night before.
        assert_eq!(
            day_start(date!(2026 - 03 - 29)),
            Some(datetime!(2026-03-28 23:00 UTC))
        );
        assert_eq!(
            day_start(date!(2026 - 10 - 25)),
            Some(datetime!(2026-10-24 22:00 UTC))
        );
    }

    #[test]
    fn wall_clock_times_change_on_the_last_sundays_of_march_and_october() {
        let local = |t| in_brussels(t).map(|l| (l.date(), l.hour(), l.minute()));
        // 29 March 2026: 02:00 CET becomes 03:00 CEST.
        assert_eq!(
            local(datetime!(2026-03-29 00:59:00 UTC)),
            Some((date!(2026 - 03 - 29), 1, 59))
        );
        assert_eq!(
            local(datetime!(2026-03-29 01:00:00 UTC)),
            Some((date!(2026 - 03 - 29), 3, 0))
        );
        // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
        assert_eq!(
            local(datetime!(2026-10-25 00:30:00 UTC)),
            Some((date!(2026 - 10 - 25), 2, 30))
        );
        assert_eq!(
            local(datetime!(2026-10-25 01:30:00 UTC)),
            Some((date!(2026 - 10 - 25), 2, 30))
        );
        // The same instant, only read differently.
        let t = datetime!(2026-07-01 22:30:00 UTC);
        assert_eq!(in_brussels(t), Some(t));
    }

    /// The last Sunday of `month`, found by walking back from its last day.
    fn last_sunday(year: i32, month: Month) -> Date {
        let mut d = Date::from_calendar_date(year, month, month.length(year)).unwrap();
        while d.weekday() != Weekday::Sunday {
            d = d.previous_day().unwrap();
        }
        d
    }

    #[test]
    fn the_short_and_long_days_are_the_last_sundays_of_march_and_october() {
        for year in 2024..=2030 {
            let mut day = Date::from_calendar_date(year, Month::January, 1).unwrap();
            let (mut short, mut long) = (Vec::new(), Vec::new());
            while day.year() == year {
                let next = day.next_day().unwrap();
                let hours = (day_start(next).unwrap() - day_start(day).unwrap()).whole_hours();
                match hours {
                    23 => short.push(day),
                    25 => long.push(day),
                    24 => {}
                    other => panic!("{day} has {other} hours"),
                }
                day = next;
            }
            assert_eq!(short, [last_sunday(year, Month::March)], "{year}");
            assert_eq!(long, [last_sunday(year, Month::October)], "{year}");
        }
    }

    #[test]
    fn holidays_are_part_of_the_calendar() {
        assert!(is_public_holiday(date!(2026 - 07 - 21)));
        assert_eq!(
            add_working_days(date!(2026 - 04 - 03), 1),
            Some(date!(2026 - 04 - 07))
        );
    }

    #[test]
    fn iso_is_the_one_spelling_of_a_day() {
        assert_eq!(iso(date!(2026 - 11 - 06)), "2026-11-06");
        assert_eq!(
            crate::dates::parse_date(&iso(date!(2000 - 01 - 01))),
            Ok(date!(2000 - 01 - 01))
        );
    }

    /// An instant between 2000 and 2100, to the second.
    fn any_instant() -> impl Strategy<Value = OffsetDateTime> {
        (946_684_800i64..4_133_980_800)
            .prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
    }

    proptest! {
        #[test]
        fn an_instant_falls_in_the_day_whose_midnights_surround_it(t in any_instant()) {
            let day = day_of(t);
            let start = day_start(day).unwrap();
            let end = day_start(day.next_day().unwrap()).unwrap();
            prop_assert!(start <= t && t < end, "{t} outside {start}..{end}");
            prop_assert!((23..=25).contains(&(end - start).whole_hours()));
            prop_assert_eq!(day_of(start), day);
            prop_assert_eq!(day_of(end - Duration::seconds(1)), day);
        }

        #[test]
        fn the_wall_clock_is_utc_plus_one_or_two(t in any_instant()) {
            let local = in_brussels(t).unwrap();
            prop_assert_eq!(local, t);
            prop_assert!([3600, 7200].contains(&local.offset().whole_seconds()));
            prop_assert_eq!(local.date(), day_of(t));
        }
    }
}
