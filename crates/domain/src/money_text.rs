//! Amounts and counts as people read them in each language of the portal, Belgian style: the
//! digits grouped (`1,234` en, `1 234` fr with a narrow no-break space, `1.234` nl and de), the
//! decimal comma outside English, `€` after the number outside English, the sign first.
//! Integer arithmetic only; the spaces are no-break, so an amount never wraps.

use crate::{Cents, Language, UnitPriceMillis};

/// Narrow no-break space: the French group separator. No-break space: before `€`.
const NNBSP: char = '\u{202F}';
const NBSP: char = '\u{A0}';

/// The digits of `n` grouped by thousands with `sep`.
fn group(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

fn separators(lang: Language) -> (char, char) {
    match lang {
        Language::En => (',', '.'),
        Language::Fr => (NNBSP, ','),
        Language::Nl | Language::De => ('.', ','),
    }
}

/// A count with grouped digits: `1,234` (en), `1 234` (fr), `1.234` (nl, de).
pub fn format_count(n: i64, lang: Language) -> String {
    let (sep, _) = separators(lang);
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group(n.unsigned_abs(), sep))
}

/// Cents as euros: `€1,234.56` (en), `1 234,56 €` (fr), `1.234,56 €` (nl, de, as in
/// Belgium); negative amounts start with `-`.
pub fn format_eur(cents: i64, lang: Language) -> String {
    let (sep, decimal) = separators(lang);
    let abs = cents.unsigned_abs();
    let number = format!("{}{decimal}{:02}", group(abs / 100, sep), abs % 100);
    let sign = if cents < 0 { "-" } else { "" };
    match lang {
        Language::En => format!("{sign}€{number}"),
        _ => format!("{sign}{number}{NBSP}€"),
    }
}

/// Like [`format_eur`], without the cents when there are none: `€10,000`, `10.000 €`. For a
/// chart's axis, whose ticks are round.
pub fn format_eur_round(cents: i64, lang: Language) -> String {
    if cents % 100 != 0 {
        return format_eur(cents, lang);
    }
    let (sep, _) = separators(lang);
    let sign = if cents < 0 { "-" } else { "" };
    let number = group(cents.unsigned_abs() / 100, sep);
    match lang {
        Language::En => format!("{sign}€{number}"),
        _ => format!("{sign}{number}{NBSP}€"),
    }
}

/// A difference: a `+` before a positive one, so a rise and a fall read apart.
pub fn with_sign(value: i64, formatted: String) -> String {
    if value > 0 {
        format!("+{formatted}")
    } else {
        formatted
    }
}

/// `cents` as euros for `lang` (see [`format_eur`]).
pub fn eur(cents: Cents, lang: Language) -> String {
    format_eur(cents.0, lang)
}

/// A unit price in euros with its three decimals: `1,450 €` (fr, nl, de), `€1.450` (en).
pub fn eur_millis(price: UnitPriceMillis, lang: Language) -> String {
    let (sep, decimal) = separators(lang);
    let abs = price.0.unsigned_abs();
    let number = format!("{}{decimal}{:03}", group(abs / 1000, sep), abs % 1000);
    let sign = if price.0 < 0 { "-" } else { "" };
    match lang {
        Language::En => format!("{sign}€{number}"),
        _ => format!("{sign}{number}{NBSP}€"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_and_unit_prices() {
        assert_eq!(eur(Cents(123_456), Language::En), "€1,234.56");
        assert_eq!(
            eur_millis(UnitPriceMillis(1450), Language::Fr),
            "1,450\u{A0}€"
        );
        assert_eq!(
            eur_millis(UnitPriceMillis(1_234_005), Language::En),
            "€1,234.005"
        );
        assert_eq!(eur_millis(UnitPriceMillis(7), Language::Nl), "0,007\u{A0}€");
    }

    #[test]
    fn euros_in_each_language() {
        assert_eq!(format_eur(123_456, Language::En), "€1,234.56");
        assert_eq!(format_eur(123_456, Language::Fr), "1\u{202F}234,56\u{A0}€");
        assert_eq!(format_eur(123_456, Language::Nl), "1.234,56\u{A0}€");
        assert_eq!(format_eur(123_456, Language::De), "1.234,56\u{A0}€");
    }

    #[test]
    fn small_large_and_negative_amounts() {
        assert_eq!(format_eur(0, Language::En), "€0.00");
        assert_eq!(format_eur(5, Language::En), "€0.05");
        assert_eq!(format_eur(100, Language::Nl), "1,00\u{A0}€");
        assert_eq!(format_eur(-1_050, Language::En), "-€10.50");
        assert_eq!(format_eur(-99, Language::De), "-0,99\u{A0}€");
        assert_eq!(
            format_eur(100_000_000_000, Language::En),
            "€1,000,000,000.00"
        );
        assert_eq!(
            format_eur(i64::MIN, Language::En),
            "-€92,233,720,368,547,758.08"
        );
    }

    #[test]
    fn round_amounts_drop_their_cents() {
        assert_eq!(format_eur_round(1_000_000, Language::En), "€10,000");
        assert_eq!(
            format_eur_round(1_000_000, Language::Fr),
            "10\u{202F}000\u{A0}€"
        );
        assert_eq!(format_eur_round(0, Language::De), "0\u{A0}€");
        assert_eq!(format_eur_round(-500, Language::Nl), "-5\u{A0}€");
        assert_eq!(format_eur_round(250, Language::En), "€2.50");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count(0, Language::En), "0");
        assert_eq!(format_count(999, Language::En), "999");
        assert_eq!(format_count(1000, Language::En), "1,000");
        assert_eq!(
            format_count(1_234_567, Language::Fr),
            "1\u{202F}234\u{202F}567"
        );
        assert_eq!(format_count(123_456, Language::De), "123.456");
        assert_eq!(format_count(-4_321, Language::Nl), "-4.321");
    }

    #[test]
    fn rises_carry_a_plus() {
        assert_eq!(with_sign(5, format_count(5, Language::En)), "+5");
        assert_eq!(with_sign(0, format_count(0, Language::En)), "0");
        assert_eq!(with_sign(-250, format_eur(-250, Language::En)), "-€2.50");
    }
}
