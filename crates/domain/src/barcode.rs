//! Barcodes of registered items: the operator's 30-digit national code and the UPU S10
//! international code (whose check digit is verified, so a mistyped search fails early).

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BarcodeKind {
    /// 30 digits starting `010`; it carries no check digit.
    National,
    /// UPU S10: `RR473124829BE`.
    S10,
}

impl BarcodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BarcodeKind::National => "national",
            BarcodeKind::S10 => "s10",
        }
    }
}

/// A checked barcode, stored trimmed and uppercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Barcode {
    value: String,
    kind: BarcodeKind,
}

const NATIONAL_LEN: usize = 30;
const NATIONAL_PREFIX: &str = "010";
const S10_LEN: usize = 13;
const S10_WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("barcode is empty")]
    Empty,
    #[error("national barcode has {length} digits: it should have exactly 30")]
    NationalLength { length: usize },
    #[error("national barcode {0} should start with 010")]
    NationalPrefix(String),
    #[error(
        "barcode {0:?} looks like an international S10 barcode but is not 2 letters, 9 digits and 2 letters (like RR473124829BE)"
    )]
    S10Format(String),
    #[error("barcode {value}: check digit should be {expected}")]
    S10CheckDigit { value: String, expected: u8 },
    #[error(
        "barcode {0:?} is neither a national barcode (30 digits starting 010) nor an international S10 barcode (like RR473124829BE)"
    )]
    Format(String),
}

impl BarcodeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "barcode_empty",
            Self::NationalLength { .. } => "barcode_national_length",
            Self::NationalPrefix(_) => "barcode_national_prefix",
            Self::S10Format(_) => "barcode_s10_format",
            Self::S10CheckDigit { .. } => "barcode_check_digit",
            Self::Format(_) => "barcode_format",
        }
    }

    /// The values its message names, for a reader's language: `(name, value)`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Empty => Vec::new(),
            Self::NationalLength { length } => vec![("length", length.to_string())],
            Self::NationalPrefix(v) | Self::S10Format(v) | Self::Format(v) => {
                vec![("value", v.clone())]
            }
            Self::S10CheckDigit { value, expected } => {
                vec![("value", value.clone()), ("expected", expected.to_string())]
            }
        }
    }
}

/// The S10 check digit of the 8 serial digits (each 0–9): weights 8,6,4,2,3,5,9,7,
/// c = 11 − (sum mod 11), with 10 written as 0 and 11 as 5.
pub fn s10_check_digit(digits: [u8; 8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(S10_WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        // 1..=9 (a remainder of 11 subtracted from 11), so it fits a u8.
        c => u8::try_from(c).unwrap_or(0),
    }
}

/// At most the first 30 characters of a rejected input, so that an absurd value cannot
/// blow up an error listing.
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(NATIONAL_LEN) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

impl Barcode {
    /// Trims and uppercases (scanners and people type `rr473124829be`) before checking.
    pub fn parse(s: &str) -> Result<Self, BarcodeError> {
        let value = s.trim().to_ascii_uppercase();
        if value.is_empty() {
            return Err(BarcodeError::Empty);
        }
        let b = value.as_bytes();
        if b.iter().all(u8::is_ascii_digit) {
            if b.len() != NATIONAL_LEN {
                return Err(BarcodeError::NationalLength { length: b.len() });
            }
            if !value.starts_with(NATIONAL_PREFIX) {
                return Err(BarcodeError::NationalPrefix(value));
            }
            return Ok(Self {
                value,
                kind: BarcodeKind::National,
            });
        }
        // Two leading letters are what marks an attempt at an S10 code.
        if b.len() >= 2 && b[..2].iter().all(u8::is_ascii_uppercase) {
            if b.len() != S10_LEN
                || !b[2..11].iter().all(u8::is_ascii_digit)
                || !b[11..].iter().all(u8::is_ascii_uppercase)
            {
                return Err(BarcodeError::S10Format(excerpt(&value)));
            }
            let mut serial = [0u8; 8];
            for (d, c) in serial.iter_mut().zip(&b[2..10]) {
                *d = c - b'0';
            }
            let expected = s10_check_digit(serial);
            if b[10] - b'0' != expected {
                return Err(BarcodeError::S10CheckDigit { value, expected });
            }
            return Ok(Self {
                value,
                kind: BarcodeKind::S10,
            });
        }
        Err(BarcodeError::Format(excerpt(&value)))
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn kind(&self) -> BarcodeKind {
        self.kind
    }
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl FromStr for Barcode {
    type Err = BarcodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Barcode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.value)
    }
}

impl<'de> Deserialize<'de> for Barcode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NATIONAL: &str = "010000000000000000000000000017";

    fn code(s: &str) -> &'static str {
        Barcode::parse(s).unwrap_err().code()
    }

    #[test]
    fn known_good_barcodes() {
        let n = Barcode::parse(NATIONAL).unwrap();
        assert_eq!((n.as_str(), n.kind()), (NATIONAL, BarcodeKind::National));
        let s = Barcode::parse(" rr473124829be ").unwrap();
        assert_eq!((s.as_str(), s.kind()), ("RR473124829BE", BarcodeKind::S10));
        assert_eq!(s10_check_digit([4, 7, 3, 1, 2, 4, 8, 2]), 9);
    }

    #[test]
    fn check_digit_special_cases() {
        // sum 0: 11 − 0 = 11, written 5
        assert_eq!(s10_check_digit([0; 8]), 5);
        // sum 6 + 5 = 11 ≡ 0: written 5 too
        assert_eq!(s10_check_digit([0, 1, 0, 0, 0, 1, 0, 0]), 5);
        // sum 2 × 6 = 12 ≡ 1: 11 − 1 = 10, written 0
        assert_eq!(s10_check_digit([0, 2, 0, 0, 0, 0, 0, 0]), 0);
        // sum 8: 11 − 8 = 3
        assert_eq!(s10_check_digit([1, 0, 0, 0, 0, 0, 0, 0]), 3);
    }

    #[test]
    fn wrong_check_digit_is_refused_with_the_right_one() {
        let e = Barcode::parse("RR473124828BE").unwrap_err();
        assert_eq!(e.code(), "barcode_check_digit");
        assert_eq!(
            e.to_string(),
            "barcode RR473124828BE: check digit should be 9"
        );
    }

    #[test]
    fn malformed_barcodes_are_refused() {
        assert_eq!(code("  "), "barcode_empty");
        assert_eq!(code(&NATIONAL[1..]), "barcode_national_length");
        assert_eq!(code(&format!("{NATIONAL}0")), "barcode_national_length");
        assert_eq!(
            code("020000000000000000000000000017"),
            "barcode_national_prefix"
        );
        assert_eq!(code("RR47312482BE"), "barcode_s10_format");
        assert_eq!(code("RR4731248290BE"), "barcode_s10_format");
        assert_eq!(code("RR473124829B1"), "barcode_s10_format");
        assert_eq!(code("RRA73124829BE"), "barcode_s10_format");
        assert_eq!(code("1R473124829BE"), "barcode_format");
        assert_eq!(code("010 000"), "barcode_format");
        assert_eq!(code("ÉR473124829BE"), "barcode_format");
    }

    #[test]
    fn error_messages_quote_at_most_30_characters() {
        let long = format!("X{}", "9".repeat(1000));
        let e = Barcode::parse(&long).unwrap_err();
        assert_eq!(e.code(), "barcode_format");
        assert!(e.to_string().len() < 200, "{e}");
    }

    #[test]
    fn serde_is_the_string() {
        let b = Barcode::parse("RR473124829BE").unwrap();
        assert_eq!(serde_json::to_string(&b).unwrap(), r#""RR473124829BE""#);
        assert_eq!(
            serde_json::from_str::<Barcode>(r#""rr473124829be""#).unwrap(),
            b
        );
        assert!(serde_json::from_str::<Barcode>(r#""RR473124828BE""#).is_err());
        assert_eq!(NATIONAL.parse::<Barcode>().unwrap().to_string(), NATIONAL);
        assert_eq!(
            serde_json::to_string(&BarcodeKind::S10).unwrap(),
            format!("\"{}\"", BarcodeKind::S10.as_str())
        );
    }

    fn s10_parts() -> impl Strategy<Value = (String, [u8; 8], String)> {
        ("[A-Z]{2}", proptest::array::uniform8(0u8..=9), "[A-Z]{2}")
    }

    fn s10(service: &str, serial: [u8; 8], check: u8, country: &str) -> String {
        let digits: String = serial.iter().map(|d| char::from(b'0' + d)).collect();
        format!("{service}{digits}{check}{country}")
    }

    proptest! {
        #[test]
        fn generated_s10_barcodes_parse((service, serial, country) in s10_parts()) {
            let s = s10(&service, serial, s10_check_digit(serial), &country);
            let b = Barcode::parse(&s).unwrap();
            prop_assert_eq!(b.as_str(), s.as_str());
            prop_assert_eq!(b.kind(), BarcodeKind::S10);
        }

        #[test]
        fn a_changed_check_digit_fails((service, serial, country) in s10_parts(), delta in 1u8..=9) {
            let check = (s10_check_digit(serial) + delta) % 10;
            let s = s10(&service, serial, check, &country);
            prop_assert_eq!(code(&s), "barcode_check_digit");
        }

        #[test]
        fn national_barcodes_parse(rest in "[0-9]{27}") {
            let s = format!("010{rest}");
            prop_assert_eq!(Barcode::parse(&s).unwrap().kind(), BarcodeKind::National);
        }
    }
}
