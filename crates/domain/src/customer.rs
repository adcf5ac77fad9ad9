//! The operator's customer number ("PRS"): the key that ties every feed row to a customer.
//! Kept exactly as given, leading zeros included, because the operator's systems print it so.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// 1 to 10 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerNumberError {
    #[error("customer number is empty")]
    Empty,
    // Only the offending character is echoed: the input may be arbitrarily long.
    #[error("customer number may contain only digits 0-9, found {0:?}")]
    NotDigits(char),
    #[error("customer number has {length} digits: at most {max} are allowed", max = CustomerNumber::MAX_DIGITS)]
    TooLong { length: usize },
}

impl CustomerNumberError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "customer_number_empty",
            Self::NotDigits(_) => "customer_number_not_digits",
            Self::TooLong { .. } => "customer_number_too_long",
        }
    }

    /// The values its message names, for a reader's language: `(name, value)`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Empty => Vec::new(),
            Self::NotDigits(c) => vec![("value", c.to_string())],
            Self::TooLong { length } => vec![
                ("length", length.to_string()),
                ("max", CustomerNumber::MAX_DIGITS.to_string()),
            ],
        }
    }
}

impl CustomerNumber {
    pub const MAX_DIGITS: usize = 10;

    /// Trims surrounding whitespace (feeds and forms carry stray blanks), nothing else.
    pub fn parse(s: &str) -> Result<Self, CustomerNumberError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(CustomerNumberError::Empty);
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_digit()) {
            return Err(CustomerNumberError::NotDigits(c));
        }
        if s.len() > Self::MAX_DIGITS {
            return Err(CustomerNumberError::TooLong { length: s.len() });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CustomerNumber {
    type Err = CustomerNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CustomerNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CustomerNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_one_to_ten_digits_keeping_leading_zeros() {
        assert_eq!(
            CustomerNumber::parse("8800456").unwrap().as_str(),
            "8800456"
        );
        assert_eq!(CustomerNumber::parse("0").unwrap().as_str(), "0");
        assert_eq!(
            CustomerNumber::parse(" 0012345678 ").unwrap().as_str(),
            "0012345678"
        );
    }

    #[test]
    fn rejects_what_is_not_a_customer_number() {
        assert_eq!(CustomerNumber::parse("  "), Err(CustomerNumberError::Empty));
        assert_eq!(
            CustomerNumber::parse("12345678901"),
            Err(CustomerNumberError::TooLong { length: 11 })
        );
        assert_eq!(
            CustomerNumber::parse("88 00456"),
            Err(CustomerNumberError::NotDigits(' '))
        );
        assert_eq!(
            CustomerNumber::parse("-1"),
            Err(CustomerNumberError::NotDigits('-'))
        );
        // Non-ASCII digits are digits to Unicode, not to the operator.
        assert_eq!(
            CustomerNumber::parse("١٢٣"),
            Err(CustomerNumberError::NotDigits('١'))
        );
    }

    #[test]
    fn errors_have_stable_codes_and_clear_messages() {
        let e = CustomerNumber::parse("12345678901").unwrap_err();
        assert_eq!(e.code(), "customer_number_too_long");
        assert_eq!(
            e.to_string(),
            "customer number has 11 digits: at most 10 are allowed"
        );
        let e = CustomerNumber::parse("88A").unwrap_err();
        assert_eq!(e.code(), "customer_number_not_digits");
        assert_eq!(
            e.to_string(),
            "customer number may contain only digits 0-9, found 'A'"
        );
        assert_eq!(CustomerNumberError::Empty.code(), "customer_number_empty");
    }

    #[test]
    fn serde_is_a_string_checked_on_the_way_in() {
        let n = CustomerNumber::parse("0088").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), r#""0088""#);
        assert_eq!(
            serde_json::from_str::<CustomerNumber>(r#""0088""#).unwrap(),
            n
        );
        assert!(serde_json::from_str::<CustomerNumber>(r#""88x""#).is_err());
        assert!(serde_json::from_str::<CustomerNumber>("88").is_err());
        assert_eq!(
            "0088".parse::<CustomerNumber>().unwrap().to_string(),
            "0088"
        );
    }

    proptest! {
        #[test]
        fn any_one_to_ten_digits_round_trip(s in "[0-9]{1,10}") {
            let n = CustomerNumber::parse(&s).unwrap();
            prop_assert_eq!(n.as_str(), s.as_str());
            prop_assert_eq!(n.to_string().parse::<CustomerNumber>().unwrap(), n);
        }

        #[test]
        fn eleven_or_more_digits_fail(s in "[0-9]{11,30}") {
            prop_assert_eq!(
                CustomerNumber::parse(&s).unwrap_err().code(),
                "customer_number_too_long"
            );
        }
    }
}
