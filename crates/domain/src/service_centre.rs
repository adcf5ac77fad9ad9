//! How customers reach the operator's Service Centre (`SERVICE_CENTRE_PHONE`, `_EMAIL`,
//! `_HOURS`): a telephone number as printed and as dialled, an address, opening hours by day.

use crate::{Email, Phone};
use std::fmt;

/// The Service Centre's contact details; each may be missing (a deployment that has not
/// configured it), and pages then show what there is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceCentre {
    pub phone: Option<ContactPhone>,
    pub email: Option<Email>,
    pub hours: Option<OpeningHours>,
}

/// Nothing known: for answers made before any configuration is at hand.
pub static UNKNOWN: ServiceCentre = ServiceCentre {
    phone: None,
    email: None,
    hours: None,
};

/// What is wrong with one of the three settings, named by its variable's suffix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceCentreError {
    #[error("{0}")]
    Phone(crate::phone::PhoneError),
    #[error("{0}")]
    Email(crate::user::EmailError),
    #[error("{0}")]
    Hours(HoursError),
}

impl ServiceCentreError {
    /// The setting at fault: `SERVICE_CENTRE_PHONE`, `_EMAIL` or `_HOURS`.
    pub fn setting(&self) -> &'static str {
        match self {
            Self::Phone(_) => "SERVICE_CENTRE_PHONE",
            Self::Email(_) => "SERVICE_CENTRE_EMAIL",
            Self::Hours(_) => "SERVICE_CENTRE_HOURS",
        }
    }
}

impl ServiceCentre {
    /// Parses the three settings; an empty or absent one is `None`.
    pub fn parse(
        phone: Option<&str>,
        email: Option<&str>,
        hours: Option<&str>,
    ) -> Result<Self, ServiceCentreError> {
        Ok(Self {
            phone: given(phone)
                .map(ContactPhone::parse)
                .transpose()
                .map_err(ServiceCentreError::Phone)?,
            email: given(email)
                .map(Email::parse)
                .transpose()
                .map_err(ServiceCentreError::Email)?,
            hours: given(hours)
                .map(OpeningHours::parse)
                .transpose()
                .map_err(ServiceCentreError::Hours)?,
        })
    }

    /// The values of `serve --demo`: a fictitious number and a reserved domain.
    pub fn demo() -> Self {
        Self::parse(Some(DEMO_PHONE), Some(DEMO_EMAIL), Some(DEMO_HOURS)).unwrap_or_default()
    }

    /// This contact with each missing detail taken from `other`.
    pub fn or(self, other: Self) -> Self {
        Self {
            phone: self.phone.or(other.phone),
            email: self.email.or(other.email),
            hours: self.hours.or(other.hours),
        }
    }

    /// Office hours ([`DEFAULT_HOURS`]) when a number or an address is given without hours.
    pub fn with_default_hours(mut self) -> Self {
        if self.hours.is_none() && self.reachable() {
            self.hours = OpeningHours::parse(DEFAULT_HOURS).ok();
        }
        self
    }

    /// True when a page has a way to reach the Service Centre to show (hours alone are none).
    pub fn reachable(&self) -> bool {
        self.phone.is_some() || self.email.is_some()
    }
}

/// A setting as given, `None` when absent or blank.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

pub const DEMO_PHONE: &str = "+32 2 201 23 45";
pub const DEMO_EMAIL: &str = "service-centre@collectstamp.example";
pub const DEMO_HOURS: &str = "mon-fri 08:00-18:00, sat 09:00-12:00";
/// The hours assumed when only a number or an address is configured: office hours.
pub const DEFAULT_HOURS: &str = "mon-fri 09:00-17:00";

/// A telephone number as the operator prints it (`+32 2 201 23 45`) and as a phone dials it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPhone {
    shown: String,
    dial: Phone,
}

impl ContactPhone {
    pub fn parse(s: &str) -> Result<Self, crate::phone::PhoneError> {
        let dial = Phone::parse(s)?;
        Ok(Self {
            shown: s.split_whitespace().collect::<Vec<_>>().join(" "),
            dial,
        })
    }

    /// As printed, spaces and all.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The `tel:` URI (RFC 3966): `+` and digits only, so any phone can dial it.
    pub fn tel_uri(&self) -> String {
        format!("tel:{}", self.dial.as_str())
    }
}

/// A day of the week, Monday first (the Belgian week).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    /// The three-letter English code used in the setting (`mon` … `sun`).
    pub fn code(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    fn parse(s: &str) -> Option<Day> {
        Day::ALL
            .into_iter()
            .find(|d| d.code().eq_ignore_ascii_case(s))
    }
}

/// A time of day to the minute, `00:00` to `24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    fn parse(s: &str) -> Option<TimeOfDay> {
        let (h, m) = s.split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let hour: u8 = h.parse().ok()?;
        let minute: u8 = m.parse().ok()?;
        let ok = (hour < 24 && minute < 60) || (hour == 24 && minute == 0);
        ok.then_some(TimeOfDay { hour, minute })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// Days `first` to `last` (the same day for one), open from `opens` to `closes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: Day,
    pub last: Day,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
}

/// Opening hours, written in the setting as `mon-fri 08:00-18:00, sat 09:00-12:00`: a
/// language-neutral form, so that each page says them in its own language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours(Vec<Span>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error(
        "{0:?} is not like \"mon-fri 08:00-18:00\" (days mon to sun, a range of days or one day, then opening and closing times; several separated by commas)"
    )]
    Form(String),
    #[error("{0:?}: the days of a range must run from Monday towards Sunday")]
    DayOrder(String),
    #[error("{0:?}: the closing time must come after the opening time")]
    TimeOrder(String),
    #[error("{0:?}: a day appears in two ranges")]
    Overlap(String),
}

impl OpeningHours {
    pub fn parse(s: &str) -> Result<Self, HoursError> {
        let mut spans: Vec<Span> = Vec::new();
        for part in s.split(',').map(str::trim) {
            let span = parse_span(part)?;
            let overlaps = spans
                .iter()
                .any(|o| span.first <= o.last && o.first <= span.last);
            if overlaps {
                return Err(HoursError::Overlap(part.to_owned()));
            }
            spans.push(span);
        }
        spans.sort_by_key(|s| s.first);
        Ok(Self(spans))
    }

    pub fn spans(&self) -> &[Span] {
        &self.0
    }
}

fn parse_span(part: &str) -> Result<Span, HoursError> {
    let form = || HoursError::Form(part.to_owned());
    let mut words = part.split_whitespace();
    let (Some(days), Some(times), None) = (words.next(), words.next(), words.next()) else {
        return Err(form());
    };
    let (first, last) = match days.split_once('-') {
        Some((a, b)) => (Day::parse(a), Day::parse(b)),
        None => (Day::parse(days), Day::parse(days)),
    };
    let (Some(first), Some(last)) = (first, last) else {
        return Err(form());
    };
    let (opens, closes) = times.split_once('-').ok_or_else(form)?;
    let (Some(opens), Some(closes)) = (TimeOfDay::parse(opens), TimeOfDay::parse(closes)) else {
        return Err(form());
    };
    if last < first {
        return Err(HoursError::DayOrder(part.to_owned()));
    }
    if closes <= opens {
        return Err(HoursError::TimeOrder(part.to_owned()));
    }
    Ok(Span {
        first,
        last,
        opens,
        closes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_demo_values_parse() {
        let demo = ServiceCentre::demo();
        assert_eq!(demo.phone.as_ref().unwrap().shown(), "+32 2 201 23 45");
        assert_eq!(demo.phone.as_ref().unwrap().tel_uri(), "tel:+3222012345");
        assert_eq!(
            demo.email.as_ref().unwrap().as_str(),
            "service-centre@collectstamp.example"
        );
        assert_eq!(demo.hours.as_ref().unwrap().spans().len(), 2);
        assert!(demo.reachable());
        let phone_only = ServiceCentre::parse(Some("02 201 00 00"), None, None).unwrap();
        let defaulted = phone_only.with_default_hours();
        assert_eq!(defaulted.hours, OpeningHours::parse(DEFAULT_HOURS).ok());
        assert!(defaulted.hours.is_some());
        assert_eq!(ServiceCentre::default().with_default_hours().hours, None);
    }

    #[test]
    fn a_national_number_dials_as_typed() {
        let p = ContactPhone::parse("02/201.23.45").unwrap();
        assert_eq!(p.tel_uri(), "tel:022012345");
        assert_eq!(p.shown(), "02/201.23.45");
        assert_eq!(
            ContactPhone::parse(" 0800  12 345 ").unwrap().shown(),
            "0800 12 345"
        );
    }

    #[test]
    fn empty_settings_are_absent_and_bad_ones_name_their_variable() {
        let none = ServiceCentre::parse(Some(" "), None, Some("")).unwrap();
        assert_eq!(none, ServiceCentre::default());
        assert!(!none.reachable());
        for (phone, email, hours, setting) in [
            (Some("call us"), None, None, "SERVICE_CENTRE_PHONE"),
            (None, Some("nobody"), None, "SERVICE_CENTRE_EMAIL"),
            (None, None, Some("weekdays 9 to 5"), "SERVICE_CENTRE_HOURS"),
        ] {
            let e = ServiceCentre::parse(phone, email, hours).unwrap_err();
            assert_eq!(e.setting(), setting);
        }
    }

    #[test]
    fn missing_details_are_filled_from_another_contact() {
        let own = ServiceCentre::parse(Some("02 201 00 00"), None, None).unwrap();
        let both = own.or(ServiceCentre::demo());
        assert_eq!(both.phone.unwrap().shown(), "02 201 00 00");
        assert_eq!(both.email, ServiceCentre::demo().email);
    }

    #[test]
    fn hours_read_ranges_single_days_and_midnight() {
        let h = OpeningHours::parse("sat 09:00-12:00, Mon-Fri 8:30-17:00").unwrap();
        let spans = h.spans();
        assert_eq!((spans[0].first, spans[0].last), (Day::Mon, Day::Fri));
        assert_eq!(spans[0].opens.to_string(), "08:30");
        assert_eq!((spans[1].first, spans[1].last), (Day::Sat, Day::Sat));
        let night = OpeningHours::parse("sun 20:00-24:00").unwrap();
        assert_eq!(night.spans()[0].closes.to_string(), "24:00");
    }

    #[test]
    fn hours_refuse_what_a_page_could_not_say() {
        for (bad, what) in [
            ("", "form"),
            ("mon-fri", "form"),
            ("mon-fri 08:00", "form"),
            ("mon-fri 8-17", "form"),
            ("weekdays 08:00-17:00", "form"),
            ("mon-fri 08:00-17:00 daily", "form"),
            ("mon-fri 25:00-26:00", "form"),
            ("mon-fri 08:60-17:00", "form"),
            ("mon-fri 24:30-24:45", "form"),
            ("fri-mon 08:00-17:00", "days"),
            ("mon 17:00-08:00", "times"),
            ("mon 08:00-08:00", "times"),
            ("mon-fri 08:00-12:00, wed 13:00-17:00", "overlap"),
        ] {
            let e = OpeningHours::parse(bad).unwrap_err();
            let kind = match e {
                HoursError::Form(_) => "form",
                HoursError::DayOrder(_) => "days",
                HoursError::TimeOrder(_) => "times",
                HoursError::Overlap(_) => "overlap",
            };
            assert_eq!(kind, what, "{bad:?}: {e}");
        }
    }

    proptest! {
        #[test]
        fn parsed_hours_are_ordered_and_disjoint(s in "(mon|tue|wed|fri|sun)(-(tue|thu|sat))? [0-2][0-9]:[0-5]0-[0-2][0-9]:[0-5]0(, (mon|thu|sat) [0-2][0-9]:00-[0-2][0-9]:30)?") {
            if let Ok(h) = OpeningHours::parse(&s) {
                for span in h.spans() {
                    prop_assert!(span.first <= span.last);
                    prop_assert!(span.opens < span.closes);
                }
                for pair in h.spans().windows(2) {
                    prop_assert!(pair[0].last < pair[1].first);
                }
            }
        }

        #[test]
        fn a_dialled_number_holds_only_plus_and_digits(s in "[+0-9 ./-]{0,30}") {
            if let Ok(p) = ContactPhone::parse(&s) {
                let uri = p.tel_uri();
                let number = uri.strip_prefix("tel:").unwrap();
                prop_assert!(number.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || (i == 0 && c == '+')));
            }
        }
    }
}
