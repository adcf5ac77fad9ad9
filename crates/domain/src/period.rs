//! A calendar month (`2026-11`), the unit of invoices, closes and receipt ZIPs, and a range of
//! whole Brussels days ([`DateRange`]): the days a list covers and the UTC instants it spans.

use crate::dates::digits;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use time::{Date, Month, OffsetDateTime};

/// A year and month. Ordered chronologically (fields in that order, `Month` by calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    month: Month,
}

/// Typed years are held to the portal's one date range, which catches slips such as `0226-11`
/// or `2206-11`.
const YEARS: std::ops::RangeInclusive<i32> = crate::dates::YEARS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("period {0:?} should be a year and month written YYYY-MM, e.g. 2026-11")]
    Format(String),
    #[error("period year {0} is out of range: expected 2000 to 2100")]
    YearOutOfRange(i32),
    #[error("period month {0:02} does not exist: expected 01 to 12")]
    MonthOutOfRange(u8),
}

impl PeriodError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format(_) => "period_format",
            Self::YearOutOfRange(_) => "period_year_out_of_range",
            Self::MonthOutOfRange(_) => "period_month_out_of_range",
        }
    }
}

/// At most the first 20 characters of a rejected input, so an absurd value cannot blow up an
/// error listing.
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(20) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

impl Period {
    /// A period of a year in 2000–2100.
    pub fn new(year: i32, month: Month) -> Result<Self, PeriodError> {
        if !YEARS.contains(&year) {
            return Err(PeriodError::YearOutOfRange(year));
        }
        Ok(Self { year, month })
    }

    /// Exactly `YYYY-MM`: no trimming, no `2026-1`, no `202611`, so that a URL or a form field
    /// has one spelling per month.
    pub fn parse(s: &str) -> Result<Self, PeriodError> {
        let b = s.as_bytes();
        let shape = || PeriodError::Format(excerpt(s));
        if b.len() != 7 || b[4] != b'-' {
            return Err(shape());
        }
        let (Some(year), Some(month)) = (digits(&b[..4]), digits(&b[5..])) else {
            return Err(shape());
        };
        // At most 4 and 2 digits: both fit their target types.
        let (Ok(year), Ok(month)) = (i32::try_from(year), u8::try_from(month)) else {
            return Err(shape());
        };
        let month = Month::try_from(month).map_err(|_| PeriodError::MonthOutOfRange(month))?;
        Self::new(year, month)
    }

    /// The period a date falls in. Unlike `parse` this takes any year the date has: the date
    /// was already a valid date, and a period computed from it must contain it.
    pub fn containing(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> Month {
        self.month
    }

    pub fn first_day(self) -> Date {
        self.day(1)
    }

    pub fn last_day(self) -> Date {
        self.day(self.month.length(self.year))
    }

    pub fn contains(self, date: Date) -> bool {
        Self::containing(date) == self
    }

    /// Its days, first to last.
    pub fn days(self) -> DateRange {
        DateRange {
            first: self.first_day(),
            last: self.last_day(),
        }
    }

    /// The following month. Saturates at the last month `time::Date` can represent, so that
    /// every period keeps a first and last day.
    pub fn next(self) -> Self {
        if self.month == Month::December {
            if self.year >= Date::MAX.year() {
                return self;
            }
            Self {
                year: self.year + 1,
                month: Month::January,
            }
        } else {
            Self {
                year: self.year,
                month: self.month.next(),
            }
        }
    }

    /// The preceding month; saturates at the first month `time::Date` can represent.
    pub fn previous(self) -> Self {
        if self.month == Month::January {
            if self.year <= Date::MIN.year() {
                return self;
            }
            Self {
                year: self.year - 1,
                month: Month::December,
            }
        } else {
            Self {
                year: self.year,
                month: self.month.previous(),
            }
        }
    }

    fn day(self, day: u8) -> Date {
        // Every constructor keeps `year` within `Date`'s range and `day` is 1 or the month's
        // length, so this cannot fail; the fallback only avoids a panic path.
        Date::from_calendar_date(self.year, self.month, day).unwrap_or(Date::MAX)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month as u8)
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Whole Brussels calendar days, `first` to `last` both included, never reversed: what a
/// list's `from` and `to` cover. Storage compares dates with [`first`](Self::first) and
/// [`last`](Self::last), instants with the half-open [`start`](Self::start) ..
/// [`end`](Self::end), which are Brussels midnights in UTC (summer time or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    first: Date,
    last: Date,
}

/// A range whose last day comes before its first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the last day ({last}) is before the first ({first})")]
pub struct ReversedRange {
    pub first: Date,
    pub last: Date,
}

impl DateRange {
    /// `first` to `last`, both included.
    pub fn new(first: Date, last: Date) -> Result<Self, ReversedRange> {
        if last < first {
            return Err(ReversedRange { first, last });
        }
        Ok(Self { first, last })
    }

    /// One day.
    pub fn day(d: Date) -> Self {
        Self { first: d, last: d }
    }

    /// The month `d` falls in.
    pub fn month_of(d: Date) -> Self {
        Period::containing(d).days()
    }

    /// From `first` to the end of its month.
    pub fn rest_of_month(first: Date) -> Self {
        Self {
            first,
            last: Period::containing(first).last_day(),
        }
    }

    /// From the start of `last`'s month to `last`.
    pub fn month_until(last: Date) -> Self {
        Self {
            first: Period::containing(last).first_day(),
            last,
        }
    }

    pub fn first(self) -> Date {
        self.first
    }

    pub fn last(self) -> Date {
        self.last
    }

    /// How many days it covers (at least 1).
    pub fn day_count(self) -> i64 {
        (self.last - self.first).whole_days() + 1
    }

    pub fn contains(self, d: Date) -> bool {
        self.first <= d && d <= self.last
    }

    /// The first instant of the range: Brussels midnight starting its first day, in UTC.
    /// `None` only beyond the years the time-zone database covers.
    pub fn start(self) -> Option<OffsetDateTime> {
        crate::calendar::day_start(self.first)
    }

    /// The first instant after the range: Brussels midnight ending its last day, in UTC
    /// (exclusive). `None` past the last day `time` can hold.
    pub fn end(self) -> Option<OffsetDateTime> {
        crate::calendar::day_start(self.last.next_day()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::{
        Duration,
        macros::{date, datetime},
    };

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn code(s: &str) -> &'static str {
        Period::parse(s).unwrap_err().code()
    }

    #[test]
    fn parses_and_prints_yyyy_mm() {
        let nov = p("2026-11");
        assert_eq!((nov.year(), nov.month()), (2026, Month::November));
        assert_eq!(nov.to_string(), "2026-11");
        assert_eq!(p("2000-01").to_string(), "2000-01");
        assert_eq!(p("2100-12").to_string(), "2100-12");
        assert_eq!("2026-02".parse::<Period>(), Ok(p("2026-02")));
    }

    #[test]
    fn refuses_other_shapes_and_ranges() {
        for s in [
            "",
            "2026-1",
            "202611",
            "2026/11",
            " 2026-11",
            "2026-11 ",
            "26-11",
            "2026-011",
            "+026-11",
            "2026-+1",
            "２０２６-11",
        ] {
            assert_eq!(code(s), "period_format", "{s:?}");
        }
        assert_eq!(code("1999-12"), "period_year_out_of_range");
        assert_eq!(code("3000-01"), "period_year_out_of_range");
        assert_eq!(code("2026-00"), "period_month_out_of_range");
        assert_eq!(code("2026-13"), "period_month_out_of_range");
        assert_eq!(
            Period::parse("2026-13").unwrap_err().to_string(),
            "period month 13 does not exist: expected 01 to 12"
        );
        assert_eq!(
            Period::parse("11/2026").unwrap_err().to_string(),
            "period \"11/2026\" should be a year and month written YYYY-MM, e.g. 2026-11"
        );
        assert!(Period::new(1999, Month::May).is_err());
    }

    #[test]
    fn first_and_last_days() {
        assert_eq!(p("2026-11").first_day(), date!(2026 - 11 - 01));
        assert_eq!(p("2026-11").last_day(), date!(2026 - 11 - 30));
        assert_eq!(p("2026-12").last_day(), date!(2026 - 12 - 31));
        assert_eq!(p("2028-02").last_day(), date!(2028 - 02 - 29));
        assert_eq!(p("2100-02").last_day(), date!(2100 - 02 - 28));
        assert_eq!(p("2000-02").last_day(), date!(2000 - 02 - 29));
    }

    #[test]
    fn containing_and_contains() {
        let p = Period::containing(date!(2026 - 11 - 26));
        assert_eq!(p.to_string(), "2026-11");
        assert!(p.contains(date!(2026 - 11 - 01)));
        assert!(p.contains(date!(2026 - 11 - 30)));
        assert!(!p.contains(date!(2026 - 12 - 01)));
        assert!(!p.contains(date!(2025 - 11 - 15)));
    }

    #[test]
    fn next_and_previous_cross_years() {
        assert_eq!(p("2026-12").next(), p("2027-01"));
        assert_eq!(p("2027-01").previous(), p("2026-12"));
        assert_eq!(p("2026-05").next(), p("2026-06"));
        assert!(p("2026-12") < p("2027-01"));
        assert!(p("2026-02") < p("2026-10"));
        // The edges of `Date` saturate rather than produce a period without days.
        let last = Period::containing(Date::MAX);
        assert_eq!(last.next(), last);
        assert_eq!(last.next().last_day(), Date::MAX);
        let first = Period::containing(Date::MIN);
        assert_eq!(first.previous(), first);
        assert_eq!(first.first_day(), Date::MIN);
    }

    #[test]
    fn serde_is_the_string() {
        assert_eq!(
            serde_json::to_string(&p("2026-11")).unwrap(),
            r#""2026-11""#
        );
        assert_eq!(
            serde_json::from_str::<Period>(r#""2026-11""#).unwrap(),
            p("2026-11")
        );
        assert!(serde_json::from_str::<Period>(r#""2026-13""#).is_err());
    }

    #[test]
    fn a_range_is_never_reversed() {
        let r = DateRange::new(date!(2026 - 11 - 02), date!(2026 - 11 - 05)).unwrap();
        assert_eq!(
            (r.first(), r.last(), r.day_count()),
            (date!(2026 - 11 - 02), date!(2026 - 11 - 05), 4)
        );
        assert!(r.contains(date!(2026 - 11 - 05)) && !r.contains(date!(2026 - 11 - 06)));
        assert_eq!(DateRange::day(date!(2026 - 11 - 02)).day_count(), 1);
        assert_eq!(
            DateRange::new(date!(2026 - 11 - 02), date!(2026 - 11 - 01)),
            Err(ReversedRange {
                first: date!(2026 - 11 - 02),
                last: date!(2026 - 11 - 01)
            })
        );
    }

    #[test]
    fn months_and_their_parts() {
        let feb = DateRange::month_of(date!(2028 - 02 - 10));
        assert_eq!(
            (feb.first(), feb.last()),
            (date!(2028 - 02 - 01), date!(2028 - 02 - 29))
        );
        assert_eq!(feb, p("2028-02").days());
        let rest = DateRange::rest_of_month(date!(2026 - 10 - 15));
        assert_eq!(
            (rest.first(), rest.last()),
            (date!(2026 - 10 - 15), date!(2026 - 10 - 31))
        );
        let until = DateRange::month_until(date!(2026 - 09 - 10));
        assert_eq!(
            (until.first(), until.last()),
            (date!(2026 - 09 - 01), date!(2026 - 09 - 10))
        );
    }

    #[test]
    fn brussels_months_in_utc_winter_and_summer() {
        let jan = p("2026-01").days();
        assert_eq!(jan.start(), Some(datetime!(2025-12-31 23:00 UTC)));
        assert_eq!(jan.end(), Some(datetime!(2026-01-31 23:00 UTC)));
        let jul = p("2026-07").days();
        assert_eq!(jul.start(), Some(datetime!(2026-06-30 22:00 UTC)));
        assert_eq!(jul.end(), Some(datetime!(2026-07-31 22:00 UTC)));
    }

    #[test]
    fn the_months_the_clocks_change_lose_or_gain_an_hour() {
        // Summer time starts on the last Sunday of March (29 March 2026): 743 hours.
        let march = p("2026-03").days();
        assert_eq!(march.start(), Some(datetime!(2026-02-28 23:00 UTC)));
        assert_eq!(march.end(), Some(datetime!(2026-03-31 22:00 UTC)));
        assert_eq!(
            (march.end().unwrap() - march.start().unwrap()).whole_hours(),
            31 * 24 - 1
        );
        // It ends on the last Sunday of October (25 October 2026): 745 hours.
        let october = p("2026-10").days();
        assert_eq!(october.start(), Some(datetime!(2026-09-30 22:00 UTC)));
        assert_eq!(october.end(), Some(datetime!(2026-10-31 23:00 UTC)));
        assert_eq!(
            (october.end().unwrap() - october.start().unwrap()).whole_hours(),
            31 * 24 + 1
        );
        // The days themselves: 23 and 25 hours, starting at the night before's offset.
        let short = DateRange::day(date!(2026 - 03 - 29));
        assert_eq!(short.start(), Some(datetime!(2026-03-28 23:00 UTC)));
        assert_eq!(short.end(), Some(datetime!(2026-03-29 22:00 UTC)));
        let long = DateRange::day(date!(2026 - 10 - 25));
        assert_eq!(long.start(), Some(datetime!(2026-10-24 22:00 UTC)));
        assert_eq!(long.end(), Some(datetime!(2026-10-25 23:00 UTC)));
        // 2027: 28 March and 31 October.
        assert_eq!(
            DateRange::day(date!(2027 - 03 - 28)).end(),
            Some(datetime!(2027-03-28 22:00 UTC))
        );
        assert_eq!(
            DateRange::day(date!(2027 - 10 - 31)).end(),
            Some(datetime!(2027-10-31 23:00 UTC))
        );
    }

    #[test]
    fn the_last_day_time_can_hold_has_no_end() {
        assert_eq!(DateRange::day(Date::MAX).end(), None);
    }

    /// A day between 2000 and 2100.
    fn day() -> impl Strategy<Value = Date> {
        (0i64..36_890).prop_map(|n| date!(2000 - 01 - 01) + Duration::days(n))
    }

    fn period() -> impl Strategy<Value = Period> {
        (2000i32..=2100, 1u8..=12).prop_map(|(y, m)| Period {
            year: y,
            month: Month::try_from(m).unwrap(),
        })
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(p in period()) {
            let s = p.to_string();
            prop_assert_eq!(s.len(), 7);
            prop_assert_eq!(Period::parse(&s), Ok(p));
        }

        #[test]
        fn next_then_previous_is_identity(p in period()) {
            prop_assert_eq!(p.next().previous(), p);
            prop_assert_eq!(p.previous().next(), p);
            prop_assert!(p < p.next());
        }

        #[test]
        fn a_period_spans_its_days(p in period()) {
            prop_assert_eq!(Period::containing(p.first_day()), p);
            prop_assert_eq!(Period::containing(p.last_day()), p);
            prop_assert_eq!(p.last_day().next_day().map(Period::containing), Some(p.next()));
        }

        #[test]
        fn months_tile_time(p in period()) {
            let (this, next) = (p.days(), p.next().days());
            prop_assert_eq!(this.end(), next.start());
            prop_assert_eq!(this.day_count(), i64::from(p.month().length(p.year())));
            let hours = (this.end().unwrap() - this.start().unwrap()).whole_hours();
            prop_assert!((this.day_count() * 24 - 1..=this.day_count() * 24 + 1).contains(&hours));
        }

        #[test]
        fn an_instant_is_in_the_range_exactly_when_its_brussels_day_is(
            first in day(),
            len in 0i64..400,
            offset in -2i64 * 86_400..420 * 86_400,
        ) {
            let r = DateRange::new(first, first + Duration::days(len)).unwrap();
            let t = r.start().unwrap() + Duration::seconds(offset);
            let inside = r.start().unwrap() <= t && t < r.end().unwrap();
            prop_assert_eq!(inside, r.contains(crate::calendar::day_of(t)));
        }

        #[test]
        fn the_month_parts_stay_in_their_month(d in day()) {
            let month = DateRange::month_of(d);
            prop_assert!(month.contains(d));
            let (rest, until) = (DateRange::rest_of_month(d), DateRange::month_until(d));
            prop_assert_eq!((rest.first(), rest.last()), (d, month.last()));
            prop_assert_eq!((until.first(), until.last()), (month.first(), d));
            prop_assert_eq!(rest.day_count() + until.day_count() - 1, month.day_count());
        }
    }
}
