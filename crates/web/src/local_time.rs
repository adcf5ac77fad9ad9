//! Time as people in Belgium read it: instants shown in Europe/Brussels, and Brussels calendar
//! days turned into the UTC instants that storage compares with (winter and summer time alike).

use cs_app::{AppError, FieldError};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use std::sync::LazyLock;
use time::OffsetDateTime;

/// Europe/Brussels from the time-zone database compiled into the binary (jiff's
/// `tzdb-bundle-always`), so the host's `/usr/share/zoneinfo` plays no part. The bundle
/// always has it; UTC is only there to need no `expect`, and the tests below would see it.
static BRUSSELS: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZoneDatabase::bundled()
        .get("Europe/Brussels")
        .unwrap_or(TimeZone::UTC)
});

/// An instant formatted on the Brussels wall clock; in UTC, marked so, for an instant
/// beyond jiff's range (years ±9999), which no stored time reaches.
fn format(t: OffsetDateTime, pattern: &str) -> String {
    match jiff::Timestamp::from_second(t.unix_timestamp()) {
        Ok(ts) => ts
            .to_zoned_datetime(BRUSSELS.clone())
            .strftime(pattern)
            .to_string(),
        Err(_) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
    }
}

/// To the minute: `2026-11-26 11:00`.
pub fn minute(t: OffsetDateTime) -> String {
    format(t, "%Y-%m-%d %H:%M")
}

/// To the second, where events follow each other closely (the audit trail):
/// `2026-11-26 11:00:00`.
pub fn second(t: OffsetDateTime) -> String {
    format(t, "%Y-%m-%d %H:%M:%S")
}

/// The Brussels day, day first: `27/11/2026`.
pub fn date(t: OffsetDateTime) -> String {
    format(t, "%d/%m/%Y")
}

/// The instant a Brussels calendar day begins (its midnight, 23:00 or 22:00 UTC the day
/// before); `None` outside jiff's range.
pub fn day_start(d: time::Date) -> Option<OffsetDateTime> {
    let date =
        jiff::civil::Date::new(d.year().try_into().ok()?, d.month() as i8, d.day() as i8).ok()?;
    let second = date
        .to_zoned_datetime(BRUSSELS.clone())
        .ok()?
        .timestamp()
        .as_second();
    OffsetDateTime::from_unix_timestamp(second).ok()
}

/// Inclusive Brussels days `from` and `to` (`YYYY-MM-DD`, blank: open) as the instants a
/// search compares with: `from` at its midnight, `to` up to the next day's midnight
/// (exclusive), so both days are whole, summer time or not. A text that is not such a date
/// is a validation error on its field (`from`, `to`), both reported at once.
pub fn day_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<OffsetDateTime>, Option<OffsetDateTime>), AppError> {
    let mut errors = Vec::new();
    let mut day = |field: &str, raw: Option<&str>, next: bool| {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
        match cs_domain::dates::parse_date(raw) {
            Ok(d) => {
                let at = if next { d.next_day() } else { Some(d) }.and_then(day_start);
                if at.is_none() {
                    errors.push(FieldError::field(
                        field,
                        cs_domain::dates::CODE,
                        cs_domain::dates::DateError::Year.to_string(),
                    ));
                }
                at
            }
            Err(e) => {
                errors.push(FieldError::field(field, e.code(), e.to_string()));
                None
            }
        }
    };
    let from = day("from", from, false);
    let until = day("to", to, true);
    if errors.is_empty() {
        Ok((from, until))
    } else {
        Err(AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn brussels_comes_from_the_bundled_database() {
        assert_eq!(BRUSSELS.iana_name(), Some("Europe/Brussels"));
    }

    #[test]
    fn times_show_in_brussels_summer_and_winter() {
        assert_eq!(
            minute(datetime!(2026-11-26 10:00:00 UTC)),
            "2026-11-26 11:00"
        );
        assert_eq!(
            minute(datetime!(2026-07-01 10:00:00 UTC)),
            "2026-07-01 12:00"
        );
        assert_eq!(
            minute(datetime!(2026-07-01 22:30:00 UTC)),
            "2026-07-02 00:30"
        );
        assert_eq!(
            second(datetime!(2026-11-26 10:00:00 UTC)),
            "2026-11-26 11:00:00"
        );
        assert_eq!(
            second(datetime!(2026-07-01 22:30:00 UTC)),
            "2026-07-02 00:30:00"
        );
    }

    #[test]
    fn clocks_change_on_the_last_sundays_of_march_and_october() {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST.
        assert_eq!(
            second(datetime!(2026-03-29 00:59:59 UTC)),
            "2026-03-29 01:59:59"
        );
        assert_eq!(
            minute(datetime!(2026-03-29 01:00:00 UTC)),
            "2026-03-29 03:00"
        );
        // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
        assert_eq!(
            minute(datetime!(2026-10-25 00:30:00 UTC)),
            "2026-10-25 02:30"
        );
        assert_eq!(
            minute(datetime!(2026-10-25 01:30:00 UTC)),
            "2026-10-25 02:30"
        );
    }

    #[test]
    fn dates_are_brussels_days() {
        // 23:30 UTC on 26 November is already the 27th in Brussels (UTC+1).
        assert_eq!(date(datetime!(2026-11-26 23:30:00 UTC)), "27/11/2026");
        // 22:30 UTC on 30 June is already 1 July in Brussels (UTC+2).
        assert_eq!(date(datetime!(2026-06-30 22:30:00 UTC)), "01/07/2026");
        assert_eq!(date(datetime!(2026-06-30 21:59:59 UTC)), "30/06/2026");
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
    fn brussels_days_are_whole_in_winter_and_summer() {
        let (from, until) = day_range(Some("2026-01-15"), Some("2026-01-15")).unwrap();
        assert_eq!(from, Some(datetime!(2026-01-14 23:00 UTC)));
        assert_eq!(until, Some(datetime!(2026-01-15 23:00 UTC)));
        let (from, until) = day_range(Some("2026-07-01"), Some("2026-07-31")).unwrap();
        assert_eq!(from, Some(datetime!(2026-06-30 22:00 UTC)));
        assert_eq!(until, Some(datetime!(2026-07-31 22:00 UTC)));
        // The day summer time starts has 23 hours.
        let (from, until) = day_range(Some("2026-03-29"), Some("2026-03-29")).unwrap();
        assert_eq!(from, Some(datetime!(2026-03-28 23:00 UTC)));
        assert_eq!(until, Some(datetime!(2026-03-29 22:00 UTC)));
        // The day it ends has 25.
        let (from, until) = day_range(Some("2026-10-25"), Some("2026-10-25")).unwrap();
        assert_eq!(from, Some(datetime!(2026-10-24 22:00 UTC)));
        assert_eq!(until, Some(datetime!(2026-10-25 23:00 UTC)));
    }

    #[test]
    fn page_dates_are_brussels_days() {
        let (from, until) = day_range(Some("2026-11-26"), Some("2026-11-26")).unwrap();
        assert_eq!(from, Some(datetime!(2026-11-25 23:00 UTC)));
        assert_eq!(until, Some(datetime!(2026-11-26 23:00 UTC)));
        assert!(day_range(Some("26/11/2026"), Some("")).is_err());
    }

    #[test]
    fn bad_dates_are_named_by_field() {
        let Err(AppError::Validation(d)) = day_range(Some("2026-02-30"), Some("tomorrow")) else {
            panic!("expected a validation error")
        };
        let fields: Vec<_> = d.iter().filter_map(|f| f.field.as_deref()).collect();
        assert_eq!(fields, ["from", "to"]);
        assert_eq!(day_range(None, Some(" ")).unwrap(), (None, None));
    }
}
