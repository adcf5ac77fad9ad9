//! Money in integers only: amounts in euro cents, unit prices in thousandths of a euro, and the
//! one rounding rule of SPEC §4 (quantity × unit price, half-up to the cent, per line).

use serde::{Deserialize, Serialize};
use std::{
    fmt,
    iter::Sum,
    ops::{Add, AddAssign, Neg, Sub, SubAssign},
    str::FromStr,
};

/// An amount in euro cents; negative for credits. Stored as `BIGINT` and serialised as a
/// plain integer, so it never passes through a float.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// A unit price in thousandths of a euro (the feeds carry 3 decimals: `0.985`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnitPriceMillis(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("price is empty")]
    Empty,
    #[error("price uses a comma: write the decimals after a dot, e.g. 0.985")]
    CommaDecimal,
    #[error("price has a sign: it must be a plain non-negative amount such as 0.985")]
    Sign,
    #[error("price uses an exponent: write it as a plain decimal such as 0.985")]
    Exponent,
    #[error("price may contain only digits and one dot, found {0:?}")]
    InvalidCharacter(char),
    #[error("price has more than one dot")]
    MultipleDots,
    #[error("price starts with a dot: write 0.5, not .5")]
    LeadingDot,
    #[error("price ends with a dot: write 12 or 12.0, not 12.")]
    TrailingDot,
    #[error("price has {decimals} decimals: at most 3 are allowed")]
    TooManyDecimals { decimals: usize },
    #[error("price is above the maximum of 1000000.000 EUR")]
    TooLarge,
    #[error("quantity {0} is negative")]
    NegativeQuantity(i64),
    #[error("unit price {0} is negative")]
    NegativePrice(String),
    #[error("amount of {quantity} × {unit_price} EUR is too large to compute")]
    Overflow { quantity: i64, unit_price: String },
}

impl MoneyError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "price_empty",
            Self::CommaDecimal => "price_comma_decimal",
            Self::Sign => "price_sign",
            Self::Exponent => "price_exponent",
            Self::InvalidCharacter(_) => "price_invalid_character",
            Self::MultipleDots => "price_multiple_dots",
            Self::LeadingDot => "price_leading_dot",
            Self::TrailingDot => "price_trailing_dot",
            Self::TooManyDecimals { .. } => "price_too_many_decimals",
            Self::TooLarge => "price_too_large",
            Self::NegativeQuantity(_) => "quantity_negative",
            Self::NegativePrice(_) => "price_negative",
            Self::Overflow { .. } => "amount_overflow",
        }
    }

    /// The values its message names, for a reader's language: `(name, value)`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::InvalidCharacter(c) => vec![("value", c.to_string())],
            Self::TooManyDecimals { decimals } => vec![("decimals", decimals.to_string())],
            Self::NegativeQuantity(q) => vec![("value", q.to_string())],
            Self::NegativePrice(p) => vec![("value", p.clone())],
            Self::Overflow {
                quantity,
                unit_price,
            } => vec![
                ("quantity", quantity.to_string()),
                ("unit_price", unit_price.clone()),
            ],
            Self::Empty
            | Self::CommaDecimal
            | Self::Sign
            | Self::Exponent
            | Self::MultipleDots
            | Self::LeadingDot
            | Self::TrailingDot
            | Self::TooLarge => Vec::new(),
        }
    }
}

/// `units` as `[-]whole.fraction` with `places` decimals, e.g. (12345, 2) → `123.45`.
fn decimal_string(units: i64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let sign = if units < 0 { "-" } else { "" };
    // unsigned_abs: even i64::MIN prints correctly.
    let abs = units.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = places as usize
    )
}

impl Cents {
    pub const ZERO: Cents = Cents(0);

    /// `1234.56`, `-0.05`: a dot and always two decimals, no currency, no grouping (for CSV
    /// and JSON; pages format for the reader's language).
    pub fn to_decimal_string(self) -> String {
        decimal_string(self.0, 2)
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }
}

// Plain operators: cents in an i64 overflow only beyond 92 million billion euros, far past
// any invoice; `checked_add` is there for sums of untrusted input.
impl Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}

impl AddAssign for Cents {
    fn add_assign(&mut self, rhs: Cents) {
        self.0 += rhs.0;
    }
}

impl Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        Cents(self.0 - rhs.0)
    }
}

impl SubAssign for Cents {
    fn sub_assign(&mut self, rhs: Cents) {
        self.0 -= rhs.0;
    }
}

impl Neg for Cents {
    type Output = Cents;
    fn neg(self) -> Cents {
        Cents(-self.0)
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        iter.fold(Cents::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Cents> for Cents {
    fn sum<I: Iterator<Item = &'a Cents>>(iter: I) -> Cents {
        iter.copied().sum()
    }
}

impl UnitPriceMillis {
    /// 1,000,000.000 EUR: far above any postal price, low enough that no line can overflow.
    pub const MAX: UnitPriceMillis = UnitPriceMillis(1_000_000_000);

    /// Parses a feed's price: digits, optionally a dot and 1 to 3 decimals (`0.985`, `12.5`,
    /// `12`). Surrounding whitespace is ignored; anything a spreadsheet might have turned the
    /// value into (comma decimals, signs, exponents) is refused rather than guessed at.
    pub fn parse_decimal(s: &str) -> Result<Self, MoneyError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.contains(',') {
            return Err(MoneyError::CommaDecimal);
        }
        if s.starts_with(['+', '-']) {
            return Err(MoneyError::Sign);
        }
        if s.contains(['e', 'E']) {
            return Err(MoneyError::Exponent);
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_digit() && *c != '.') {
            return Err(MoneyError::InvalidCharacter(c));
        }
        let (whole, fraction) = match s.split_once('.') {
            None => (s, ""),
            Some((_, f)) if f.contains('.') => return Err(MoneyError::MultipleDots),
            Some(("", _)) => return Err(MoneyError::LeadingDot),
            Some((_, "")) => return Err(MoneyError::TrailingDot),
            Some(parts) => parts,
        };
        if fraction.len() > 3 {
            return Err(MoneyError::TooManyDecimals {
                decimals: fraction.len(),
            });
        }
        let max = Self::MAX.0;
        let mut millis: i64 = 0;
        for d in whole.bytes() {
            millis = millis * 10 + i64::from(d - b'0');
            // Checked per digit, so a long run of digits stops here instead of overflowing.
            if millis > max / 1000 {
                return Err(MoneyError::TooLarge);
            }
        }
        // Pad the fraction to three places: "5" → 500.
        for i in 0..3 {
            let d = fraction.as_bytes().get(i).map_or(0, |d| d - b'0');
            millis = millis * 10 + i64::from(d);
        }
        if millis > max {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self(millis))
    }

    /// `0.985`, `12.500`: always three decimals, the form the feeds use.
    pub fn to_decimal_string(self) -> String {
        decimal_string(self.0, 3)
    }
}

impl fmt::Display for UnitPriceMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

impl FromStr for UnitPriceMillis {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_decimal(s)
    }
}

/// A transaction line's amount: quantity × unit price, rounded half-up to the cent (SPEC §4:
/// rounded per line, not on the invoice total). Negative inputs are refused: credits are
/// made by negating whole amounts, never by negative quantities or prices.
pub fn line_amount(quantity: i64, unit: UnitPriceMillis) -> Result<Cents, MoneyError> {
    if quantity < 0 {
        return Err(MoneyError::NegativeQuantity(quantity));
    }
    if unit.0 < 0 {
        return Err(MoneyError::NegativePrice(unit.to_decimal_string()));
    }
    // i128 holds any i64 × i64 product; a millis amount becomes cents by /10, +5 rounding the
    // half up (both operands non-negative, so integer division truncates towards zero).
    let millis = i128::from(quantity) * i128::from(unit.0);
    let cents = (millis + 5) / 10;
    i64::try_from(cents)
        .map(Cents)
        .map_err(|_| MoneyError::Overflow {
            quantity,
            unit_price: unit.to_decimal_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn price(s: &str) -> i64 {
        UnitPriceMillis::parse_decimal(s).unwrap().0
    }

    fn price_error(s: &str) -> &'static str {
        UnitPriceMillis::parse_decimal(s).unwrap_err().code()
    }

    #[test]
    fn cents_print_with_a_dot_and_two_decimals() {
        assert_eq!(Cents(123_456).to_decimal_string(), "1234.56");
        assert_eq!(Cents(-5).to_decimal_string(), "-0.05");
        assert_eq!(Cents(-150).to_decimal_string(), "-1.50");
        assert_eq!(Cents(0).to_decimal_string(), "0.00");
        assert_eq!(Cents(7).to_decimal_string(), "0.07");
        assert_eq!(Cents(i64::MIN).to_decimal_string(), "-92233720368547758.08");
    }

    #[test]
    fn cents_add_and_sum() {
        let mut c = Cents(150) + Cents(-50);
        c += Cents(1);
        assert_eq!(c, Cents(101));
        assert_eq!(c - Cents(1), Cents(100));
        assert_eq!(-c, Cents(-101));
        let v = [Cents(1), Cents(2), Cents(3)];
        assert_eq!(v.iter().sum::<Cents>(), Cents(6));
        assert_eq!(v.into_iter().sum::<Cents>(), Cents(6));
        assert_eq!(Cents::default(), Cents::ZERO);
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert!(Cents(-1) < Cents(0));
    }

    #[test]
    fn cents_serialise_as_a_bare_integer() {
        assert_eq!(serde_json::to_string(&Cents(-1234)).unwrap(), "-1234");
        assert_eq!(
            serde_json::from_str::<Cents>("31030").unwrap(),
            Cents(31030)
        );
        assert!(serde_json::from_str::<Cents>("310.30").is_err());
        assert_eq!(serde_json::to_string(&UnitPriceMillis(985)).unwrap(), "985");
    }

    #[test]
    fn feed_prices_parse() {
        assert_eq!(price("0.985"), 985);
        assert_eq!(price("12.5"), 12_500);
        assert_eq!(price("12"), 12_000);
        assert_eq!(price("1.450"), 1_450);
        assert_eq!(price("0"), 0);
        assert_eq!(price("0.001"), 1);
        assert_eq!(price(" 2.985 "), 2_985);
        assert_eq!(price("007.50"), 7_500);
        assert_eq!(price("1000000.000"), 1_000_000_000);
        assert_eq!("0.985".parse::<UnitPriceMillis>(), Ok(UnitPriceMillis(985)));
    }

    #[test]
    fn malformed_prices_are_refused() {
        assert_eq!(price_error(""), "price_empty");
        assert_eq!(price_error("   "), "price_empty");
        assert_eq!(price_error("0,985"), "price_comma_decimal");
        assert_eq!(price_error("1.000,50"), "price_comma_decimal");
        assert_eq!(price_error("-1.5"), "price_sign");
        assert_eq!(price_error("+1.5"), "price_sign");
        assert_eq!(price_error("1e3"), "price_exponent");
        assert_eq!(price_error("1.5E2"), "price_exponent");
        assert_eq!(price_error("€1.50"), "price_invalid_character");
        assert_eq!(price_error("1 000"), "price_invalid_character");
        assert_eq!(price_error("1-2"), "price_invalid_character");
        assert_eq!(price_error("NaN"), "price_invalid_character");
        assert_eq!(price_error(".5"), "price_leading_dot");
        assert_eq!(price_error("."), "price_leading_dot");
        assert_eq!(price_error("12."), "price_trailing_dot");
        assert_eq!(price_error("1.2.3"), "price_multiple_dots");
        assert_eq!(price_error("0.9855"), "price_too_many_decimals");
        assert_eq!(price_error("1.4500"), "price_too_many_decimals");
        assert_eq!(price_error("1000000.001"), "price_too_large");
        assert_eq!(price_error("1000001"), "price_too_large");
        assert_eq!(price_error(&"9".repeat(40)), "price_too_large");
    }

    #[test]
    fn messages_say_what_is_wrong() {
        assert_eq!(
            UnitPriceMillis::parse_decimal("0.9855")
                .unwrap_err()
                .to_string(),
            "price has 4 decimals: at most 3 are allowed"
        );
        assert_eq!(
            UnitPriceMillis::parse_decimal("0,985")
                .unwrap_err()
                .to_string(),
            "price uses a comma: write the decimals after a dot, e.g. 0.985"
        );
    }

    #[test]
    fn prices_print_with_three_decimals() {
        assert_eq!(UnitPriceMillis(985).to_decimal_string(), "0.985");
        assert_eq!(UnitPriceMillis(12_500).to_decimal_string(), "12.500");
        assert_eq!(UnitPriceMillis(0).to_decimal_string(), "0.000");
        assert_eq!(UnitPriceMillis(-5).to_decimal_string(), "-0.005");
    }

    #[test]
    fn line_amounts_round_half_up_per_line() {
        // The example feed's lines.
        assert_eq!(line_amount(214, UnitPriceMillis(1_450)), Ok(Cents(31_030)));
        assert_eq!(line_amount(37, UnitPriceMillis(2_985)), Ok(Cents(11_045))); // 110.445
        assert_eq!(line_amount(1, UnitPriceMillis(12_500)), Ok(Cents(1_250)));
        assert_eq!(line_amount(1, UnitPriceMillis(5)), Ok(Cents(1))); // 0.005 up
        assert_eq!(line_amount(1, UnitPriceMillis(4)), Ok(Cents(0))); // 0.004 down
        assert_eq!(line_amount(3, UnitPriceMillis(985)), Ok(Cents(296))); // 2.955
        assert_eq!(line_amount(0, UnitPriceMillis(985)), Ok(Cents(0)));
        assert_eq!(
            line_amount(1_000_000, UnitPriceMillis::MAX),
            Ok(Cents(100_000_000_000_000))
        );
    }

    #[test]
    fn line_amount_refuses_negatives_and_overflow() {
        let e = line_amount(-1, UnitPriceMillis(985)).unwrap_err();
        assert_eq!(e.code(), "quantity_negative");
        assert_eq!(e.to_string(), "quantity -1 is negative");
        assert_eq!(
            line_amount(1, UnitPriceMillis(-985)).unwrap_err().code(),
            "price_negative"
        );
        assert_eq!(
            line_amount(i64::MAX, UnitPriceMillis(i64::MAX))
                .unwrap_err()
                .code(),
            "amount_overflow"
        );
    }

    proptest! {
        #[test]
        fn price_text_round_trips(m in 0i64..=UnitPriceMillis::MAX.0) {
            let p = UnitPriceMillis(m);
            prop_assert_eq!(UnitPriceMillis::parse_decimal(&p.to_decimal_string()), Ok(p));
        }

        #[test]
        fn shorter_fractions_mean_the_same(whole in 0i64..=999_999, frac in 0i64..=999) {
            // "12.5" == "12.50" == "12.500"
            let full = format!("{whole}.{frac:03}");
            let trimmed = full.trim_end_matches('0');
            let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
            prop_assert_eq!(
                UnitPriceMillis::parse_decimal(trimmed),
                UnitPriceMillis::parse_decimal(&full)
            );
        }

        #[test]
        fn line_amount_matches_a_half_up_reference(
            q in 0i64..=1_000_000,
            m in 0i64..=UnitPriceMillis::MAX.0,
        ) {
            let product = i128::from(q) * i128::from(m);
            let (cents, tenths) = (product / 10, product % 10);
            let expected = cents + i128::from(tenths >= 5);
            let got = line_amount(q, UnitPriceMillis(m)).unwrap();
            prop_assert_eq!(i128::from(got.0), expected);
        }

        #[test]
        fn cents_text_has_two_decimals_and_the_right_value(c in any::<i64>()) {
            let s = Cents(c).to_decimal_string();
            let (whole, frac) = s.split_once('.').unwrap();
            prop_assert_eq!(frac.len(), 2);
            let digits: i128 = format!("{}{frac}", whole.trim_start_matches('-')).parse().unwrap();
            let sign = if whole.starts_with('-') { -1 } else { 1 };
            prop_assert_eq!(sign * digits, i128::from(c));
        }
    }
}
