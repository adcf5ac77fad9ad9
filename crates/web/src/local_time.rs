//! Time as people in Belgium read it: instants on the Brussels wall clock and days in each
//! language's usual form, on top of the domain's one calendar (`cs_domain::calendar`).

use cs_app::i18n;
use cs_domain::{Language, Period, calendar};
use time::{Date, OffsetDateTime};

/// `t` on the Brussels wall clock, or in UTC and marked so for an instant beyond the
/// calendar's years (±9999), which no stored time reaches.
fn wall_clock(t: OffsetDateTime) -> (OffsetDateTime, &'static str) {
    match calendar::in_brussels(t) {
        Some(local) => (local, ""),
        None => (t.to_offset(time::UtcOffset::UTC), " UTC"),
    }
}

/// To the minute, the day as the language writes it ([`day_text`]): `06/11/2026 11:00`
/// (fr, en), `6/11/2026 11:00` (nl), `06.11.2026 11:00` (de).
pub fn minute(lang: Language, t: OffsetDateTime) -> String {
    let (l, utc) = wall_clock(t);
    format!(
        "{} {:02}:{:02}{utc}",
        day_text(lang, l.date()),
        l.hour(),
        l.minute()
    )
}

/// To the second, where events follow each other closely (the activity log):
/// `26/11/2026 11:00:00`.
pub fn second(lang: Language, t: OffsetDateTime) -> String {
    let (l, utc) = wall_clock(t);
    format!(
        "{} {:02}:{:02}:{:02}{utc}",
        day_text(lang, l.date()),
        l.hour(),
        l.minute(),
        l.second()
    )
}

/// The Brussels day of an instant, as the language writes it: `27/11/2026`.
pub fn date(lang: Language, t: OffsetDateTime) -> String {
    let (l, _) = wall_clock(t);
    day_text(lang, l.date())
}

/// The instant as machines read it, for `<time datetime>`: RFC 3339 in UTC.
pub fn machine(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A day as people of each language write it (Belgian usage): fr and en `06/11/2026`,
/// nl `6/11/2026`, de `06.11.2026`.
pub fn day_text(lang: Language, d: Date) -> String {
    let (day, month, year) = (d.day(), u8::from(d.month()), d.year());
    match lang {
        Language::Nl => format!("{day}/{month:02}/{year:04}"),
        Language::De => format!("{day:02}.{month:02}.{year:04}"),
        Language::Fr | Language::En => format!("{day:02}/{month:02}/{year:04}"),
    }
}

/// A month in words, where a month is meant: `décembre 2026`, `december 2026`,
/// `Dezember 2026`, `December 2026`.
pub fn month_text(lang: Language, p: Period) -> String {
    format!("{} {}", month_name(lang, p.month()), p.year())
}

/// The month's name alone (`décembre`), for labels that put the year elsewhere.
pub fn month_name(lang: Language, m: time::Month) -> String {
    i18n::t(lang, &format!("dash-month-{}", u8::from(m)))
}

/// A period of days in words: `du 01/12/2026 au 03/12/2026`, the single day, or the month
/// (`décembre 2026`) when it is exactly one.
pub fn days_text(lang: Language, from: Date, to: Date) -> String {
    if from == to {
        return day_text(lang, from);
    }
    let month = Period::containing(from);
    if from == month.first_day() && to == month.last_day() {
        return month_text(lang, month);
    }
    i18n::t_args(
        lang,
        "period-days",
        &[("from", &day_text(lang, from)), ("to", &day_text(lang, to))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn times_show_in_brussels_summer_and_winter() {
        assert_eq!(
            minute(Language::Fr, datetime!(2026-11-26 10:00:00 UTC)),
            "26/11/2026 11:00"
        );
        assert_eq!(
            minute(Language::Fr, datetime!(2026-07-01 10:00:00 UTC)),
            "01/07/2026 12:00"
        );
        assert_eq!(
            minute(Language::Fr, datetime!(2026-07-01 22:30:00 UTC)),
            "02/07/2026 00:30"
        );
        assert_eq!(
            second(Language::Fr, datetime!(2026-11-26 10:00:00 UTC)),
            "26/11/2026 11:00:00"
        );
        assert_eq!(
            second(Language::Fr, datetime!(2026-07-01 22:30:00 UTC)),
            "02/07/2026 00:30:00"
        );
    }

    #[test]
    fn clocks_change_on_the_last_sundays_of_march_and_october() {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST.
        assert_eq!(
            second(Language::Fr, datetime!(2026-03-29 00:59:59 UTC)),
            "29/03/2026 01:59:59"
        );
        assert_eq!(
            minute(Language::Fr, datetime!(2026-03-29 01:00:00 UTC)),
            "29/03/2026 03:00"
        );
        // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
        assert_eq!(
            minute(Language::Fr, datetime!(2026-10-25 00:30:00 UTC)),
            "25/10/2026 02:30"
        );
        assert_eq!(
            minute(Language::Fr, datetime!(2026-10-25 01:30:00 UTC)),
            "25/10/2026 02:30"
        );
    }

    #[test]
    fn dates_are_brussels_days() {
        // 23:30 UTC on 26 November is already the 27th in Brussels (UTC+1).
        assert_eq!(
            date(Language::Fr, datetime!(2026-11-26 23:30:00 UTC)),
            "27/11/2026"
        );
        // 22:30 UTC on 30 June is already 1 July in Brussels (UTC+2).
        assert_eq!(
            date(Language::Fr, datetime!(2026-06-30 22:30:00 UTC)),
            "01/07/2026"
        );
        assert_eq!(
            date(Language::Fr, datetime!(2026-06-30 21:59:59 UTC)),
            "30/06/2026"
        );
    }

    #[test]
    fn datetimes_follow_the_language() {
        let t = datetime!(2026-12-03 09:05:00 UTC);
        assert_eq!(minute(Language::Fr, t), "03/12/2026 10:05");
        assert_eq!(minute(Language::Nl, t), "3/12/2026 10:05");
        assert_eq!(minute(Language::De, t), "03.12.2026 10:05");
        assert_eq!(machine(t), "2026-12-03T09:05:00Z");
    }

    #[test]
    fn months_are_words() {
        let p = Period::containing(date!(2026 - 12 - 03));
        assert_eq!(month_text(Language::Fr, p), "décembre 2026");
        assert_eq!(month_text(Language::Nl, p), "december 2026");
        assert_eq!(month_text(Language::De, p), "Dezember 2026");
        assert_eq!(month_text(Language::En, p), "December 2026");
    }

    #[test]
    fn periods_are_days_a_day_or_a_month() {
        let (first, third, last) = (
            date!(2026 - 12 - 01),
            date!(2026 - 12 - 03),
            date!(2026 - 12 - 31),
        );
        assert_eq!(
            days_text(Language::Fr, first, third),
            "du 01/12/2026 au 03/12/2026"
        );
        assert_eq!(
            days_text(Language::Nl, first, third),
            "van 1/12/2026 tot 3/12/2026"
        );
        assert_eq!(days_text(Language::De, third, third), "03.12.2026");
        assert_eq!(days_text(Language::En, first, last), "December 2026");
    }

    #[test]
    fn instants_beyond_the_calendar_are_marked_utc() {
        // jiff's last instant is 9999-12-30 22:00 UTC (so that every offset stays in range).
        let far = datetime!(9999-12-31 23:05:00 UTC);
        assert_eq!(minute(Language::Fr, far), "31/12/9999 23:05 UTC");
    }

    #[test]
    fn days_are_written_the_way_of_each_language() {
        let d = date!(2026 - 11 - 06);
        assert_eq!(day_text(Language::Fr, d), "06/11/2026");
        assert_eq!(day_text(Language::En, d), "06/11/2026");
        assert_eq!(day_text(Language::Nl, d), "6/11/2026");
        assert_eq!(day_text(Language::Nl, date!(2026 - 12 - 03)), "3/12/2026");
        assert_eq!(day_text(Language::De, d), "06.11.2026");
    }
}
