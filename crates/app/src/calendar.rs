//! The portal's calendar: the day it is in Brussels. "This month" and "today" mean the
//! Belgian customers' day, not UTC's (they differ for an hour or two after midnight).

use std::sync::LazyLock;
use time::{Date, Month, OffsetDateTime};

/// Europe/Brussels from the time-zone database compiled into the binary; UTC only to need no
/// `expect` (the bundle always has it, and a test below would notice).
static BRUSSELS: LazyLock<jiff::tz::TimeZone> = LazyLock::new(|| {
    jiff::tz::TimeZoneDatabase::bundled()
        .get("Europe/Brussels")
        .unwrap_or(jiff::tz::TimeZone::UTC)
});

/// The calendar day in Brussels at instant `t`.
pub fn brussels_day(t: OffsetDateTime) -> Date {
    let local = jiff::Timestamp::from_second(t.unix_timestamp())
        .ok()
        .map(|ts| ts.to_zoned_datetime(BRUSSELS.clone()).date());
    local
        .and_then(|d| {
            let month = Month::try_from(u8::try_from(d.month()).ok()?).ok()?;
            Date::from_calendar_date(i32::from(d.year()), month, u8::try_from(d.day()).ok()?).ok()
        })
        .unwrap_or_else(|| t.to_offset(time::UtcOffset::UTC).date())
}

/// The calendar day and the hour (0–23) of the Brussels wall clock at instant `t`.
pub fn brussels_day_hour(t: OffsetDateTime) -> (Date, u8) {
    let hour = jiff::Timestamp::from_second(t.unix_timestamp())
        .ok()
        .and_then(|ts| u8::try_from(ts.to_zoned_datetime(BRUSSELS.clone()).hour()).ok())
        .unwrap_or_else(|| t.to_offset(time::UtcOffset::UTC).hour());
    (brussels_day(t), hour)
}

impl crate::App {
    /// Today in Brussels, by the injected clock.
    pub fn today(&self) -> Date {
        brussels_day(self.now())
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
    fn the_hour_is_the_brussels_hour() {
        assert_eq!(
            brussels_day_hour(datetime!(2026-11-30 23:30:00 UTC)),
            (date!(2026 - 12 - 01), 0)
        );
        assert_eq!(
            brussels_day_hour(datetime!(2026-07-31 21:59:59 UTC)),
            (date!(2026 - 07 - 31), 23)
        );
    }

    #[test]
    fn the_day_is_the_brussels_day() {
        // 23:30 UTC on 30 November is already 1 December in Brussels (UTC+1).
        assert_eq!(
            brussels_day(datetime!(2026-11-30 23:30:00 UTC)),
            date!(2026 - 12 - 01)
        );
        assert_eq!(
            brussels_day(datetime!(2026-11-30 22:59:59 UTC)),
            date!(2026 - 11 - 30)
        );
        // 22:30 UTC on 31 July is 1 August (UTC+2).
        assert_eq!(
            brussels_day(datetime!(2026-07-31 22:30:00 UTC)),
            date!(2026 - 08 - 01)
        );
        assert_eq!(
            brussels_day(datetime!(2026-07-31 21:59:59 UTC)),
            date!(2026 - 07 - 31)
        );
    }
}
