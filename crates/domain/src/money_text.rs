//! Amounts in euro as a reader of each language expects them on screen: `1 234,56 €` in
//! French, Dutch and German, `€1,234.56` in English. Integer arithmetic only. The spaces
//! are no-break spaces (U+00A0), so an amount never wraps across two lines.

use crate::{Cents, Language, UnitPriceMillis};

/// The no-break space that groups thousands and separates the sign `€` in fr/nl/de.
pub const NBSP: char = '\u{a0}';

/// `cents` as euros for `lang`: `1 234,56 €` (fr, nl, de) or `€1,234.56` (en); a minus
/// sign first for a credit.
pub fn eur(cents: Cents, lang: Language) -> String {
    format(cents.0, 2, lang)
}

/// A unit price in euros with its three decimals: `1,450 €` (fr, nl, de), `€1.450` (en).
pub fn eur_millis(price: UnitPriceMillis, lang: Language) -> String {
    format(price.0, 3, lang)
}

fn format(units: i64, places: u32, lang: Language) -> String {
    let sign = if units < 0 { "-" } else { "" };
    // unsigned_abs: even i64::MIN formats correctly.
    let abs = units.unsigned_abs();
    let scale = 10u64.pow(places);
    let (whole, fraction) = (abs / scale, abs % scale);
    let (group, decimal) = match lang {
        Language::En => (',', '.'),
        Language::Fr | Language::Nl | Language::De => (NBSP, ','),
    };
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(d);
    }
    let width = places as usize;
    match lang {
        Language::En => format!("{sign}€{grouped}{decimal}{fraction:0width$}"),
        Language::Fr | Language::Nl | Language::De => {
            format!("{sign}{grouped}{decimal}{fraction:0width$}{NBSP}€")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: String) -> String {
        s.replace(NBSP, " ")
    }

    #[test]
    fn continental_languages_group_with_spaces_and_put_the_sign_after() {
        for lang in [Language::Fr, Language::Nl, Language::De] {
            assert_eq!(plain(eur(Cents(123_456), lang)), "1 234,56 €");
            assert_eq!(plain(eur(Cents(5), lang)), "0,05 €");
            assert_eq!(plain(eur(Cents(100_000_000), lang)), "1 000 000,00 €");
            assert_eq!(plain(eur(Cents(-99_999), lang)), "-999,99 €");
        }
        assert!(eur(Cents(123_456), Language::Fr).contains(NBSP));
        assert!(!eur(Cents(123_456), Language::Fr).contains(' '));
    }

    #[test]
    fn english_puts_the_sign_first_and_groups_with_commas() {
        assert_eq!(eur(Cents(123_456), Language::En), "€1,234.56");
        assert_eq!(eur(Cents(0), Language::En), "€0.00");
        assert_eq!(eur(Cents(99_900), Language::En), "€999.00");
        assert_eq!(eur(Cents(12_345_678_901), Language::En), "€123,456,789.01");
        assert_eq!(eur(Cents(-1_000), Language::En), "-€10.00");
    }

    #[test]
    fn unit_prices_keep_three_decimals() {
        assert_eq!(
            plain(eur_millis(UnitPriceMillis(1450), Language::Fr)),
            "1,450 €"
        );
        assert_eq!(eur_millis(UnitPriceMillis(2_985), Language::En), "€2.985");
        assert_eq!(
            eur_millis(UnitPriceMillis(1_234_005), Language::En),
            "€1,234.005"
        );
        assert_eq!(
            plain(eur_millis(UnitPriceMillis(7), Language::Nl)),
            "0,007 €"
        );
    }

    #[test]
    fn the_extremes_do_not_overflow() {
        assert_eq!(
            eur(Cents(i64::MIN), Language::En),
            "-€92,233,720,368,547,758.08"
        );
        assert_eq!(
            plain(eur(Cents(i64::MAX), Language::De)),
            "92 233 720 368 547 758,07 €"
        );
    }
}
