//! The one rule for every date the portal reads (query, form, JSON body, CSV feed, command
//! line): exactly `YYYY-MM-DD`, or `YYYY-MM` for a month, a real day, years 2000 to 2100.
//!
//! Why a range at all: a year such as `0000` or `-9999` is a valid `time::Date` but breaks
//! formatting (a 500 on SQLite) and compares oddly on PostgreSQL; and the portal's data
//! starts long after 2000. Every caller answers a failure as `invalid_date` ([`CODE`]).

use std::ops::RangeInclusive;
use time::{Date, Month};

/// The years any date read by the portal may have.
pub const YEARS: RangeInclusive<i32> = 2000..=2100;

/// The error code of a date that breaks the rule, wherever it is read.
pub const CODE: &str = "invalid_date";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("expected a date written YYYY-MM-DD, with a year from 2000 to 2100")]
    Format,
    #[error("expected a month written YYYY-MM, with a year from 2000 to 2100")]
    MonthFormat,
    #[error("this day does not exist in the calendar")]
    NoSuchDay,
    #[error("the year must be from 2000 to 2100")]
    Year,
}

impl DateError {
    pub fn code(&self) -> &'static str {
        CODE
    }
}

/// The value of ASCII digits only (`None` for anything else); callers bound the length.
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

fn year(y: u32) -> Result<i32, DateError> {
    // At most four digits: fits an i32.
    let y = y as i32;
    if YEARS.contains(&y) {
        Ok(y)
    } else {
        Err(DateError::Year)
    }
}

/// Exactly `YYYY-MM-DD` (no sign, no spaces, no other separator), a day that exists, in
/// [`YEARS`]. Callers trim what people type first.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(DateError::Format);
    }
    let (Some(y), Some(m), Some(d)) = (digits(&b[..4]), digits(&b[5..7]), digits(&b[8..])) else {
        return Err(DateError::Format);
    };
    let y = year(y)?;
    let (Ok(m), Ok(d)) = (u8::try_from(m), u8::try_from(d)) else {
        return Err(DateError::NoSuchDay);
    };
    let month = Month::try_from(m).map_err(|_| DateError::NoSuchDay)?;
    Date::from_calendar_date(y, month, d).map_err(|_| DateError::NoSuchDay)
}

/// Exactly `YYYY-MM`, a month of a year in [`YEARS`].
pub fn parse_month(s: &str) -> Result<(i32, Month), DateError> {
    let b = s.as_bytes();
    if b.len() != 7 || b[4] != b'-' {
        return Err(DateError::MonthFormat);
    }
    let (Some(y), Some(m)) = (digits(&b[..4]), digits(&b[5..])) else {
        return Err(DateError::MonthFormat);
    };
    let y = year(y)?;
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(DateError::MonthFormat)?;
    Ok((y, month))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn dates_within_the_range_parse_and_others_do_not() {
        assert_eq!(parse_date("2026-11-03"), Ok(date!(2026 - 11 - 03)));
        assert_eq!(parse_date("2000-01-01"), Ok(date!(2000 - 01 - 01)));
        assert_eq!(parse_date("2100-12-31"), Ok(date!(2100 - 12 - 31)));
        assert_eq!(parse_date("2024-02-29"), Ok(date!(2024 - 02 - 29)));
        for (bad, why) in [
            ("0000-01-01", DateError::Year),
            ("1999-12-31", DateError::Year),
            ("2101-01-01", DateError::Year),
            ("-9999-01-01", DateError::Format),
            ("+2026-01-01", DateError::Format),
            ("2026-1-01", DateError::Format),
            (" 2026-01-01", DateError::Format),
            ("2026/01/01", DateError::Format),
            ("2026-02-29", DateError::NoSuchDay),
            ("2026-13-01", DateError::NoSuchDay),
            ("2026-00-10", DateError::NoSuchDay),
            ("", DateError::Format),
        ] {
            assert_eq!(parse_date(bad), Err(why), "{bad}");
        }
        assert!(DateError::Year.to_string().contains("2000 to 2100"));
        assert!(DateError::Format.to_string().contains("2000 to 2100"));
    }

    #[test]
    fn months_within_the_range_parse() {
        assert_eq!(parse_month("2026-11"), Ok((2026, Month::November)));
        for bad in [
            "1999-12", "2101-01", "2026-13", "2026-1", "-2026-01", "202611",
        ] {
            assert_eq!(parse_month(bad).map_err(|e| e.code()), Err(CODE), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_day_of_the_range_round_trips(days in 0i32..=(101 * 366)) {
            let first = date!(2000 - 01 - 01);
            if let Some(d) = first.checked_add(time::Duration::days(i64::from(days)))
                && YEARS.contains(&d.year())
            {
                let text = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
                prop_assert_eq!(parse_date(&text), Ok(d));
            }
        }

        #[test]
        fn a_parsed_date_is_always_in_the_range_and_never_panics(s in "\\PC{0,12}|[-+0-9]{0,11}") {
            if let Ok(d) = parse_date(&s) {
                prop_assert!(YEARS.contains(&d.year()));
                prop_assert_eq!(s.len(), 10);
            }
        }

        #[test]
        fn years_outside_the_range_are_refused(y in 0u32..=9999, m in 1u8..=12, d in 1u8..=28) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            let inside = YEARS.contains(&(y as i32));
            prop_assert_eq!(parse_date(&text).is_ok(), inside);
            prop_assert_eq!(parse_month(&text[..7]).is_ok(), inside);
        }
    }
}
