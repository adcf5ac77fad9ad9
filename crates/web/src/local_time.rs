//! Time as people in Belgium read it: instants on the Brussels wall clock and days in each
//! language's usual form, on top of the domain's one calendar (`cs_domain::calendar`).

use cs_domain::{Language, calendar};
use time::{Date, OffsetDateTime};

/// `t` on the Brussels wall clock, or in UTC and marked so for an instant beyond the
/// calendar's years (±9999), which no stored time reaches.
fn wall_clock(t: OffsetDateTime) -> (OffsetDateTime, &'static str) {
    match calendar::in_brussels(t) {
        Some(local) => (local, ""),
        None => (t.to_offset(time::UtcOffset::UTC), " UTC"),
    }
}

/// To the minute: `2026-11-26 11:00`.
pub fn minute(t: OffsetDateTime) -> String {
    let (l, utc) = wall_clock(t);
    format!(
        "{} {:02}:{:02}{utc}",
        calendar::iso(l.date()),
        l.hour(),
        l.minute()
    )
}

/// To the second, where events follow each other closely (the audit trail):
/// `2026-11-26 11:00:00`.
pub fn second(t: OffsetDateTime) -> String {
    let (l, utc) = wall_clock(t);
    format!(
        "{} {:02}:{:02}:{:02}{utc}",
        calendar::iso(l.date()),
        l.hour(),
        l.minute(),
        l.second()
    )
}

/// The Brussels day, day first: `27/11/2026`.
pub fn date(t: OffsetDateTime) -> String {
    let (l, _) = wall_clock(t);
    day_text(Language::Fr, l.date())
}

/// A day as people of each language write it: 26/11/2026, 26-11-2026, 26.11.2026.
pub fn day_text(lang: Language, d: Date) -> String {
    let sep = match lang {
        Language::Nl => '-',
        Language::De => '.',
        Language::Fr | Language::En => '/',
    };
    format!(
        "{:02}{sep}{:02}{sep}{:04}",
        d.day(),
        u8::from(d.month()),
        d.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

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
    fn instants_beyond_the_calendar_are_marked_utc() {
        // jiff's last instant is 9999-12-30 22:00 UTC (so that every offset stays in range).
        let far = datetime!(9999-12-31 23:05:00 UTC);
        assert_eq!(minute(far), "9999-12-31 23:05 UTC");
    }

    #[test]
    fn days_are_written_the_way_of_each_language() {
        let d = date!(2026 - 11 - 06);
        assert_eq!(day_text(Language::Fr, d), "06/11/2026");
        assert_eq!(day_text(Language::En, d), "06/11/2026");
        assert_eq!(day_text(Language::Nl, d), "06-11-2026");
        assert_eq!(day_text(Language::De, d), "06.11.2026");
    }
}
