//! The portal's calendar for use cases: "today" is the Brussels day of the injected clock, and
//! a filter's typed `from`/`to` become whole Brussels days ([`DateRange`]) or their instants.

use crate::{AppError, FieldError};
use cs_domain::{DateRange, calendar, dates};
use time::{Date, OffsetDateTime};

/// The calendar day in Brussels at instant `t` (the domain's one Brussels calendar).
pub fn brussels_day(t: OffsetDateTime) -> Date {
    calendar::day_of(t)
}

/// The calendar day and the hour (0–23) of the Brussels wall clock at instant `t`.
pub fn brussels_day_hour(t: OffsetDateTime) -> (Date, u8) {
    let hour = calendar::in_brussels(t)
        .unwrap_or_else(|| t.to_offset(time::UtcOffset::UTC))
        .hour();
    (brussels_day(t), hour)
}

impl crate::App {
    /// Today in Brussels, by the injected clock.
    pub fn today(&self) -> Date {
        brussels_day(self.now())
    }
}

fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// A typed day (`YYYY-MM-DD`, trimmed) or an error on its field.
fn day(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    match dates::parse_date(raw) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::field(field, e.code(), e.to_string()));
            None
        }
    }
}

/// What a list's `from` and `to` ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedDays {
    /// Neither is given: the list's own default applies.
    NotGiven,
    Given(DateRange),
    /// An error was noted on `from` or `to`.
    Invalid,
}

/// The days of a list's filter, the same rule for every list: `from` and `to` inclusive
/// (`YYYY-MM-DD`, blank: not given); `from` alone runs to the end of its month, `to` alone
/// from the start of its month. A bad date is an error on its field (the other end is then
/// not guessed); `to` before `from` is `range_reversed` on `to`.
pub fn typed_days(from: Option<&str>, to: Option<&str>, errors: &mut Vec<FieldError>) -> TypedDays {
    let from = given(from).map(|s| day("from", s, errors));
    let to = given(to).map(|s| day("to", s, errors));
    match (from, to) {
        (None, None) => TypedDays::NotGiven,
        (Some(Some(f)), None) => TypedDays::Given(DateRange::rest_of_month(f)),
        (None, Some(Some(t))) => TypedDays::Given(DateRange::month_until(t)),
        (Some(Some(f)), Some(Some(t))) => match DateRange::new(f, t) {
            Ok(r) => TypedDays::Given(r),
            Err(_) => {
                errors.push(FieldError::field(
                    "to",
                    "range_reversed",
                    "to must be on or after from",
                ));
                TypedDays::Invalid
            }
        },
        _ => TypedDays::Invalid,
    }
}

/// Inclusive Brussels days `from` and `to` (`YYYY-MM-DD`, blank: open) as the instants a
/// search of timestamps compares with: `from` at its midnight, `to` up to the next day's
/// midnight (exclusive), so both days are whole, summer time or not. A text that is not
/// such a date is a validation error on its field (`from`, `to`), both reported at once.
pub fn day_bounds(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<OffsetDateTime>, Option<OffsetDateTime>), AppError> {
    let mut errors = Vec::new();
    let mut bound = |field: &str, raw: Option<&str>, end: bool| {
        let d = day(field, given(raw)?, &mut errors)?;
        let days = DateRange::day(d);
        let at = if end { days.end() } else { days.start() };
        if at.is_none() {
            errors.push(FieldError::field(
                field,
                dates::CODE,
                dates::DateError::Year.to_string(),
            ));
        }
        at
    };
    let from = bound("from", from, false);
    let until = bound("to", to, true);
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
        assert_eq!(
            brussels_day(datetime!(2026-11-30 23:30:00 UTC)),
            date!(2026 - 12 - 01)
        );
        assert_eq!(
            brussels_day(datetime!(2026-07-31 21:59:59 UTC)),
            date!(2026 - 07 - 31)
        );
    }

    fn days(from: &str, to: &str) -> (TypedDays, Vec<FieldError>) {
        let mut e = Vec::new();
        let d = typed_days(Some(from), Some(to), &mut e);
        (d, e)
    }

    fn range(first: Date, last: Date) -> TypedDays {
        TypedDays::Given(DateRange::new(first, last).unwrap())
    }

    #[test]
    fn one_open_end_is_closed_by_its_month() {
        assert_eq!(days(" ", "").0, TypedDays::NotGiven);
        assert_eq!(
            days("2026-10-15", "").0,
            range(date!(2026 - 10 - 15), date!(2026 - 10 - 31))
        );
        assert_eq!(
            days("", "2026-09-10").0,
            range(date!(2026 - 09 - 01), date!(2026 - 09 - 10))
        );
        assert_eq!(
            days("2026-09-10", "2026-12-01").0,
            range(date!(2026 - 09 - 10), date!(2026 - 12 - 01))
        );
        assert_eq!(
            days("2028-02-10", "").0,
            range(date!(2028 - 02 - 10), date!(2028 - 02 - 29))
        );
    }

    #[test]
    fn bad_and_reversed_days_are_errors_on_their_field() {
        let (d, e) = days("2026-02-30", "tomorrow");
        assert_eq!(d, TypedDays::Invalid);
        let fields: Vec<_> = e.iter().filter_map(|f| f.field.as_deref()).collect();
        assert_eq!(fields, ["from", "to"]);
        assert!(e.iter().all(|f| f.code == "invalid_date"));
        // A bad date alone: the other end is not stretched to a month.
        let (d, e) = days("2026-02-30", "");
        assert_eq!((d, e.len()), (TypedDays::Invalid, 1));
        let (d, e) = days("2026-11-02", "2026-11-01");
        assert_eq!(d, TypedDays::Invalid);
        assert_eq!(
            (e[0].field.as_deref(), e[0].code.as_str()),
            (Some("to"), "range_reversed")
        );
    }

    #[test]
    fn day_bounds_are_brussels_midnights_in_winter_and_summer() {
        let b = |f, t| day_bounds(Some(f), Some(t)).unwrap();
        assert_eq!(
            b("2026-01-15", "2026-01-15"),
            (
                Some(datetime!(2026-01-14 23:00 UTC)),
                Some(datetime!(2026-01-15 23:00 UTC))
            )
        );
        assert_eq!(
            b("2026-07-01", "2026-07-31"),
            (
                Some(datetime!(2026-06-30 22:00 UTC)),
                Some(datetime!(2026-07-31 22:00 UTC))
            )
        );
        // The day summer time starts has 23 hours, the day it ends 25.
        assert_eq!(
            b("2026-03-29", "2026-03-29"),
            (
                Some(datetime!(2026-03-28 23:00 UTC)),
                Some(datetime!(2026-03-29 22:00 UTC))
            )
        );
        assert_eq!(
            b("2026-10-25", "2026-10-25"),
            (
                Some(datetime!(2026-10-24 22:00 UTC)),
                Some(datetime!(2026-10-25 23:00 UTC))
            )
        );
        assert_eq!(day_bounds(None, Some(" ")).unwrap(), (None, None));
    }

    #[test]
    fn bad_bounds_are_named_by_field() {
        let Err(AppError::Validation(d)) = day_bounds(Some("2026-02-30"), Some("tomorrow")) else {
            panic!("expected a validation error")
        };
        let fields: Vec<_> = d.iter().filter_map(|f| f.field.as_deref()).collect();
        assert_eq!(fields, ["from", "to"]);
        assert!(day_bounds(Some("26/11/2026"), Some("")).is_err());
    }
}
