//! Telephone numbers as people type them on a form: digits with the separators of a
//! letterhead (`+32 2 123.45.67`, `0475/12-34-56`), kept in one normalised form.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A telephone number, normalised: `+` and the digits for an international number (a leading
/// `00` counts as `+`), the digits alone for a national one (`+3221234567`, `0475123456`).
/// No calling-code table: the form's country does not tell which network a number is on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

/// E.164 allows 15 digits; the shortest national numbers in Europe have 8.
const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 15;
/// Longest input read at all, separators included.
const MAX_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number is empty")]
    Empty,
    #[error("phone number has {length} characters: at most 40 are allowed")]
    TooLong { length: usize },
    // Only the offending character is echoed: the input may be anything.
    #[error(
        "phone number may contain only digits, a leading +, spaces, dots, slashes and dashes, found {0:?}"
    )]
    InvalidCharacter(char),
    #[error("phone number: + may only come first")]
    PlusNotFirst,
    #[error("phone number has {digits} digits: at least 8 are needed")]
    TooFewDigits { digits: usize },
    #[error("phone number has {digits} digits: at most 15 are allowed")]
    TooManyDigits { digits: usize },
}

impl PhoneError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "phone_empty",
            Self::TooLong { .. } => "phone_too_long",
            Self::InvalidCharacter(_) => "phone_invalid_character",
            Self::PlusNotFirst => "phone_plus_position",
            Self::TooFewDigits { .. } => "phone_too_short",
            Self::TooManyDigits { .. } => "phone_too_many_digits",
        }
    }
}

impl Phone {
    pub fn parse(s: &str) -> Result<Self, PhoneError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let length = s.chars().count();
        if length > MAX_CHARS {
            return Err(PhoneError::TooLong { length });
        }
        let mut digits = String::with_capacity(MAX_DIGITS);
        let mut plus = false;
        for (i, c) in s.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '/' | '-' => {}
                '+' if i == 0 => plus = true,
                '+' => return Err(PhoneError::PlusNotFirst),
                other => return Err(PhoneError::InvalidCharacter(other)),
            }
        }
        // `00` is the international prefix typed from Belgium and most of Europe.
        let international = plus || digits.starts_with("00");
        let significant = if !plus && international {
            &digits[2..]
        } else {
            &digits[..]
        };
        let count = significant.len();
        if count < MIN_DIGITS {
            return Err(PhoneError::TooFewDigits { digits: count });
        }
        if count > MAX_DIGITS {
            return Err(PhoneError::TooManyDigits { digits: count });
        }
        Ok(Self(if international {
            format!("+{significant}")
        } else {
            significant.to_owned()
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the number carries its country calling code.
    pub fn is_international(&self) -> bool {
        self.0.starts_with('+')
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
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
        Phone::parse(s).unwrap_err().code()
    }

    #[test]
    fn letterhead_forms_are_normalised() {
        for (typed, stored) in [
            ("+32 2 123 45 67", "+3221234567"),
            ("0032 2 123.45.67", "+3221234567"),
            ("02/123.45.67", "021234567"),
            ("0475 12-34-56", "0475123456"),
        ] {
            let p = Phone::parse(typed).unwrap();
            assert_eq!(p.as_str(), stored, "{typed}");
        }
        assert!(Phone::parse("+32 475 12 34 56").unwrap().is_international());
        assert!(!Phone::parse("0475 12 34 56").unwrap().is_international());
    }

    #[test]
    fn what_is_not_a_phone_number_is_refused() {
        assert_eq!(code(""), "phone_empty");
        assert_eq!(code("   "), "phone_empty");
        assert_eq!(code("call me"), "phone_invalid_character");
        assert_eq!(code("+32 (2) 123 45 67"), "phone_invalid_character");
        assert_eq!(code("02 123 45 67 ext 5"), "phone_invalid_character");
        assert_eq!(code("32+21234567"), "phone_plus_position");
        assert_eq!(code("++3221234567"), "phone_plus_position");
        assert_eq!(code("1234567"), "phone_too_short");
        assert_eq!(code("+32 123"), "phone_too_short");
        assert_eq!(code("0032 12345"), "phone_too_short");
        assert_eq!(code("+1234567890123456"), "phone_too_many_digits");
        assert_eq!(code(&"1".repeat(41)), "phone_too_long");
        assert_eq!(
            Phone::parse("call me").unwrap_err().to_string(),
            "phone number may contain only digits, a leading +, spaces, dots, slashes and dashes, found 'c'"
        );
        // Other scripts' digits are not telephone digits.
        assert_eq!(code("٠٤٧٥١٢٣٤٥٦"), "phone_invalid_character");
    }

    #[test]
    fn serde_is_the_normalised_string() {
        let p = Phone::parse("+32 2 123 45 67").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), r#""+3221234567""#);
        assert_eq!(
            serde_json::from_str::<Phone>(r#""0032 2 123 45 67""#).unwrap(),
            p
        );
        assert!(serde_json::from_str::<Phone>(r#""123""#).is_err());
        assert_eq!(
            "+3221234567".parse::<Phone>().unwrap().to_string(),
            "+3221234567"
        );
    }

    proptest! {
        #[test]
        fn separated_digits_keep_their_digits(
            groups in proptest::collection::vec("[0-9]{1,4}", 2..6),
            sep in "[ ./-]",
        ) {
            let typed = format!("+{}", groups.join(&sep));
            let digits: String = groups.concat();
            match Phone::parse(&typed) {
                Ok(p) => prop_assert_eq!(p.as_str(), format!("+{digits}")),
                Err(e) => prop_assert!(
                    digits.len() < MIN_DIGITS || digits.len() > MAX_DIGITS,
                    "{} refused: {}", typed, e
                ),
            }
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,60}") {
            let _ = Phone::parse(&s);
        }

        #[test]
        fn a_normalised_number_parses_to_itself(s in "\\+?[1-9][0-9]{7,14}") {
            let p = Phone::parse(&s).unwrap();
            prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p);
        }
    }
}
