//! The Service Centre's contact as a reader gets it: opening hours said in the reader's
//! language, and the lines under every e-mail (texts in `locales/*/service_centre.ftl`).

use crate::i18n;
use cs_domain::{
    Language, ServiceCentre,
    service_centre::{Day, OpeningHours, Span, TimeOfDay},
};

/// The contact ready for a page: each detail as shown and, for the phone and the address,
/// as a link (`tel:`, `mailto:`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactText {
    /// `(as printed, tel: URI)`.
    pub phone: Option<(String, String)>,
    /// `(address, mailto: URI)`.
    pub email: Option<(String, String)>,
    pub hours: Option<String>,
}

impl ContactText {
    /// The contact of `centre` in `lang`.
    pub fn of(lang: Language, centre: &ServiceCentre) -> Self {
        Self {
            phone: centre
                .phone
                .as_ref()
                .map(|p| (p.shown().to_owned(), p.tel_uri())),
            email: centre
                .email
                .as_ref()
                .map(|e| (e.as_str().to_owned(), format!("mailto:{}", e.as_str()))),
            hours: centre.hours.as_ref().map(|h| hours_text(lang, h)),
        }
    }

    /// True when there is a way to reach the Service Centre to show.
    pub fn reachable(&self) -> bool {
        self.phone.is_some() || self.email.is_some()
    }
}

fn day(lang: Language, d: Day) -> String {
    i18n::t(lang, &format!("sc-day-{}", d.code()))
}

/// A time of day as the language writes it on a letterhead: `08:30` (en), `8 h 30` (fr),
/// `8.30` (nl), `8:30` (de).
fn time_text(lang: Language, t: TimeOfDay) -> String {
    let (h, m) = (t.hour, t.minute);
    match lang {
        Language::En => format!("{h:02}:{m:02}"),
        Language::Fr if m == 0 => format!("{h}\u{a0}h"),
        Language::Fr => format!("{h}\u{a0}h\u{a0}{m:02}"),
        Language::Nl => format!("{h}.{m:02}"),
        Language::De => format!("{h}:{m:02}"),
    }
}

fn span_text(lang: Language, s: &Span) -> String {
    let opens = time_text(lang, s.opens);
    let closes = time_text(lang, s.closes);
    if s.first == s.last {
        let d = day(lang, s.first);
        i18n::t_args(
            lang,
            "sc-hours-day",
            &[("day", &d), ("opens", &opens), ("closes", &closes)],
        )
    } else {
        let (first, last) = (day(lang, s.first), day(lang, s.last));
        i18n::t_args(
            lang,
            "sc-hours-days",
            &[
                ("first", &first),
                ("last", &last),
                ("opens", &opens),
                ("closes", &closes),
            ],
        )
    }
}

/// The opening hours in `lang`: `Monday to Friday, 08:00–18:00; Saturday, 09:00–12:00`.
pub fn hours_text(lang: Language, hours: &OpeningHours) -> String {
    // French typography: a no-break space before the semicolon.
    let separator = if lang == Language::Fr {
        "\u{a0}; "
    } else {
        "; "
    };
    hours
        .spans()
        .iter()
        .map(|s| span_text(lang, s))
        .collect::<Vec<_>>()
        .join(separator)
}

/// The lines an e-mail ends with under its signature: phone, address and hours, each
/// labelled; none when nothing is configured.
pub fn mail_lines(lang: Language, centre: &ServiceCentre) -> Vec<String> {
    let c = ContactText::of(lang, centre);
    let label = |key: &str, value: &str| i18n::t_args(lang, key, &[("value", value)]);
    let mut lines = Vec::new();
    if let Some((shown, _)) = &c.phone {
        lines.push(label("sc-line-phone", shown));
    }
    if let Some((address, _)) = &c.email {
        lines.push(label("sc-line-email", address));
    }
    if let Some(h) = c.hours.as_ref().filter(|_| c.reachable()) {
        lines.push(label("sc-line-hours", h));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_said_in_each_language() {
        let h = OpeningHours::parse("mon-fri 08:00-18:00, sat 09:30-12:00").unwrap();
        assert_eq!(
            hours_text(Language::En, &h),
            "Monday to Friday, 08:00–18:00; Saturday, 09:30–12:00"
        );
        assert_eq!(
            hours_text(Language::Fr, &h),
            "du lundi au vendredi de 8\u{a0}h à 18\u{a0}h\u{a0}; le samedi de 9\u{a0}h\u{a0}30 à 12\u{a0}h"
        );
        assert_eq!(
            hours_text(Language::Nl, &h),
            "maandag tot vrijdag van 8.00 tot 18.00 uur; zaterdag van 9.30 tot 12.00 uur"
        );
        assert_eq!(
            hours_text(Language::De, &h),
            "Montag bis Freitag 8:00–18:00 Uhr; Samstag 9:30–12:00 Uhr"
        );
    }

    #[test]
    fn an_email_ends_with_what_is_configured() {
        let demo = ServiceCentre::demo();
        let lines = mail_lines(Language::En, &demo);
        assert_eq!(lines[0], "Phone: +32 2 201 23 45");
        assert_eq!(lines[1], "E-mail: service-centre@collectstamp.example");
        assert!(
            lines[2].starts_with("Opening hours: Monday to Friday"),
            "{lines:?}"
        );
        assert!(mail_lines(Language::Fr, &demo)[0].starts_with("Téléphone\u{a0}: "));
        assert!(mail_lines(Language::En, &ServiceCentre::default()).is_empty());
        // Hours alone do not reach anyone.
        let hours_only = ServiceCentre::parse(None, None, Some("mon 08:00-09:00")).unwrap();
        assert!(mail_lines(Language::En, &hours_only).is_empty());
    }

    #[test]
    fn a_page_gets_links_to_call_and_to_write() {
        let c = ContactText::of(Language::Nl, &ServiceCentre::demo());
        assert_eq!(c.phone.unwrap().1, "tel:+3222012345");
        assert_eq!(
            c.email.unwrap().1,
            "mailto:service-centre@collectstamp.example"
        );
        assert!(!ContactText::default().reachable());
    }
}
