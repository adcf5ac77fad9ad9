//! EU VAT numbers: Belgian ones fully checked (format and mod-97 check digits), other EU
//! member states' numbers accepted as given after their prefix (SPEC §2).

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A VAT number, stored normalised: uppercase, without spaces, dots or dashes
/// (`BE 0428.759.497` is stored as `BE0428759497`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VatNumber(String);

/// VIES prefixes other than `BE`: Greece is `EL`, Northern Ireland `XI`.
const OTHER_EU_PREFIXES: [&str; 27] = [
    "AT", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// Longest accepted form: a prefix and 12 characters.
const MAX_LEN: usize = 14;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatNumberError {
    #[error("VAT number is empty")]
    Empty,
    // The offending character rather than the value: the input may be arbitrarily long.
    #[error(
        "VAT number may contain only letters and digits (spaces, dots and dashes are ignored), found {0:?}"
    )]
    InvalidCharacter(char),
    #[error("VAT number has {length} characters: at most {MAX_LEN} are allowed")]
    TooLong { length: usize },
    #[error("VAT number {0} should start with its country prefix, e.g. BE0428759497")]
    MissingPrefix(String),
    #[error("VAT number {value}: {prefix} is not the prefix of an EU VAT number")]
    UnknownCountry { value: String, prefix: String },
    #[error("VAT number {0}: a Belgian VAT number is BE followed by 10 digits")]
    BelgianFormat(String),
    #[error("VAT number {0}: a Belgian VAT number starts with 0 or 1 after BE")]
    BelgianFirstDigit(String),
    #[error("VAT number {value}: check digits should be {expected:02}")]
    Checksum { value: String, expected: u32 },
    #[error("VAT number {0}: the country prefix should be followed by 2 to 12 letters or digits")]
    Format(String),
}

impl VatNumberError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "vat_empty",
            Self::InvalidCharacter(_) => "vat_invalid_character",
            Self::TooLong { .. } => "vat_too_long",
            Self::MissingPrefix(_) => "vat_missing_prefix",
            Self::UnknownCountry { .. } => "vat_unknown_country",
            Self::BelgianFormat(_) => "vat_belgian_format",
            Self::BelgianFirstDigit(_) => "vat_belgian_first_digit",
            Self::Checksum { .. } => "vat_checksum",
            Self::Format(_) => "vat_format",
        }
    }

    /// The values its message names, for a reader's language: `(name, value)`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Empty => Vec::new(),
            Self::InvalidCharacter(c) => vec![("value", c.to_string())],
            Self::TooLong { length } => {
                vec![("length", length.to_string()), ("max", MAX_LEN.to_string())]
            }
            Self::MissingPrefix(v)
            | Self::BelgianFormat(v)
            | Self::BelgianFirstDigit(v)
            | Self::Format(v) => vec![("value", v.clone())],
            Self::UnknownCountry { value, prefix } => {
                vec![("value", value.clone()), ("prefix", prefix.clone())]
            }
            Self::Checksum { value, expected } => {
                vec![
                    ("value", value.clone()),
                    ("expected", format!("{expected:02}")),
                ]
            }
        }
    }
}

/// The two check digits of a Belgian enterprise number for its first eight digits.
/// A remainder of 0 gives 97, so the result is always two digits (1..=97).
pub fn belgian_check(first_eight: u32) -> u32 {
    97 - (first_eight % 97)
}

impl VatNumber {
    /// Removes whitespace, dots and dashes (as printed on letterheads) and uppercases before
    /// checking.
    pub fn parse(s: &str) -> Result<Self, VatNumberError> {
        let n: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if n.is_empty() {
            return Err(VatNumberError::Empty);
        }
        if let Some(c) = n.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(VatNumberError::InvalidCharacter(c));
        }
        if n.len() > MAX_LEN {
            return Err(VatNumberError::TooLong { length: n.len() });
        }
        // All ASCII from here on, so byte slicing is on character boundaries.
        let (prefix, body) = n.split_at(n.len().min(2));
        if !(prefix.len() == 2 && prefix.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(VatNumberError::MissingPrefix(n));
        }
        if prefix == "BE" {
            check_belgian(body, &n)?;
        } else if OTHER_EU_PREFIXES.contains(&prefix) {
            if !(2..=12).contains(&body.len()) {
                return Err(VatNumberError::Format(n));
            }
        } else {
            return Err(VatNumberError::UnknownCountry {
                prefix: prefix.to_owned(),
                value: n,
            });
        }
        Ok(Self(n))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_belgian(&self) -> bool {
        self.0.starts_with("BE")
    }
}

fn check_belgian(body: &str, value: &str) -> Result<(), VatNumberError> {
    if body.len() != 10 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VatNumberError::BelgianFormat(value.to_owned()));
    }
    if !body.starts_with(['0', '1']) {
        return Err(VatNumberError::BelgianFirstDigit(value.to_owned()));
    }
    let (first_eight, check) = body.split_at(8);
    // Both are all-digit and short enough for u32; a parse failure here would be a bug in the
    // checks above, and is reported as a format error rather than a panic.
    let (Ok(first_eight), Ok(check)) = (first_eight.parse::<u32>(), check.parse::<u32>()) else {
        return Err(VatNumberError::BelgianFormat(value.to_owned()));
    };
    let expected = belgian_check(first_eight);
    if check != expected {
        return Err(VatNumberError::Checksum {
            value: value.to_owned(),
            expected,
        });
    }
    Ok(())
}

impl fmt::Display for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for VatNumber {
    type Err = VatNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for VatNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for VatNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> &'static str {
        VatNumber::parse(s).unwrap_err().code()
    }

    #[test]
    fn known_belgian_numbers_are_valid() {
        for s in ["BE0428759497", "BE0207519226", "BE0835221171"] {
            let v = VatNumber::parse(s).unwrap();
            assert_eq!(v.as_str(), s);
            assert!(v.is_belgian());
        }
        assert_eq!(belgian_check(4_287_594), 97);
    }

    #[test]
    fn input_is_normalised() {
        let v = VatNumber::parse(" be 0428.759-497\t").unwrap();
        assert_eq!(v.as_str(), "BE0428759497");
        assert_eq!(v, VatNumber::parse("BE0428759497").unwrap());
    }

    #[test]
    fn wrong_check_digits_say_what_they_should_be() {
        let e = VatNumber::parse("BE0428759498").unwrap_err();
        assert_eq!(e.code(), "vat_checksum");
        assert_eq!(
            e.to_string(),
            "VAT number BE0428759498: check digits should be 97"
        );
        // Check digits below 10 are shown with their leading zero, as they are written.
        assert_eq!(
            VatNumberError::Checksum {
                value: "BE0000000000".into(),
                expected: 5
            }
            .to_string(),
            "VAT number BE0000000000: check digits should be 05"
        );
    }

    #[test]
    fn belgian_format_is_enforced() {
        assert_eq!(code("BE428759497"), "vat_belgian_format");
        assert_eq!(code("BE04287594970"), "vat_belgian_format");
        assert_eq!(code("BE04287594A7"), "vat_belgian_format");
        // Correct check digits for its first eight, but the first digit is 2.
        let n = format!("BE24287594{:02}", belgian_check(24_287_594));
        assert_eq!(code(&n), "vat_belgian_first_digit");
    }

    #[test]
    fn other_eu_numbers_are_taken_as_given() {
        for s in [
            "FR40303265045",
            "DE123456789",
            "NL123456789B01",
            "EL094259216",
            "XI12",
        ] {
            let v = VatNumber::parse(s).unwrap();
            assert_eq!(v.as_str(), s);
            assert!(!v.is_belgian());
        }
        assert_eq!(code("FR4"), "vat_format");
        assert_eq!(code("DE"), "vat_format");
        assert_eq!(code("NL1234567890123"), "vat_too_long");
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(code(""), "vat_empty");
        assert_eq!(code(" . - "), "vat_empty");
        assert_eq!(code("BE0428/759497"), "vat_invalid_character");
        assert_eq!(code("BÉ0428759497"), "vat_invalid_character");
        assert_eq!(code("BE042875949700000"), "vat_too_long");
        assert_eq!(code("0428759497"), "vat_missing_prefix");
        assert_eq!(code("B"), "vat_missing_prefix");
        assert_eq!(code("GB123456789"), "vat_unknown_country");
        assert_eq!(code("GR094259216"), "vat_unknown_country");
        assert_eq!(code("US123456789"), "vat_unknown_country");
        assert_eq!(
            VatNumber::parse("0428759497").unwrap_err().to_string(),
            "VAT number 0428759497 should start with its country prefix, e.g. BE0428759497"
        );
    }

    #[test]
    fn serde_is_the_normalised_string() {
        let v = VatNumber::parse("be0428.759.497").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#""BE0428759497""#);
        let back: VatNumber = serde_json::from_str(r#""BE 0428 759 497""#).unwrap();
        assert_eq!(back, v);
        assert!(serde_json::from_str::<VatNumber>(r#""BE0428759498""#).is_err());
        assert_eq!(
            "BE0428759497".parse::<VatNumber>().unwrap().to_string(),
            "BE0428759497"
        );
    }

    fn valid_belgian() -> impl Strategy<Value = String> {
        (0u32..=1, 0u32..=9_999_999).prop_map(|(first, rest)| {
            let eight = first * 10_000_000 + rest;
            format!("BE{eight:08}{:02}", belgian_check(eight))
        })
    }

    proptest! {
        #[test]
        fn generated_belgian_numbers_parse(s in valid_belgian()) {
            let v = VatNumber::parse(&s).unwrap();
            prop_assert_eq!(v.as_str(), s.as_str());
        }

        #[test]
        fn changing_any_one_digit_fails(s in valid_belgian(), pos in 2usize..12, delta in 1u8..=9) {
            let mut bytes = s.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(VatNumber::parse(&changed).is_err(), "{} was accepted", changed);
        }

        #[test]
        fn other_eu_bodies_of_2_to_12_alphanumerics_parse(
            i in 0usize..OTHER_EU_PREFIXES.len(),
            body in "[A-Z0-9]{2,12}",
        ) {
            let s = format!("{}{body}", OTHER_EU_PREFIXES[i]);
            let v = VatNumber::parse(&s).unwrap();
            prop_assert_eq!(v.as_str(), s.as_str());
        }
    }
}
