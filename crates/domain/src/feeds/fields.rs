//! The feeds' field values: limits, the small enumerations (format, destination, product
//! kind) and one parser per kind of value, each failure with its message and stable code.

use super::*;
use crate::{
    Language, barcode::BarcodeError, customer::CustomerNumberError, money::MoneyError,
    vat::VatNumberError,
};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use time::Date;

/// Maximum lengths, in characters, of the text fields.
pub mod limits {
    pub const COST_CENTRE_CODE: usize = 20;
    pub const COLLECTION_POINT_CODE: usize = 20;
    pub const PRODUCT_CODE: usize = 32;
    pub const TRANSACTION_ID: usize = 64;
    pub const WEIGHT_CLASS: usize = 20;
    pub const NAME: usize = 200;
    pub const STREET: usize = 200;
    pub const POSTCODE: usize = 16;
    pub const CITY: usize = 100;
    pub const QUANTITY_MAX: i64 = 1_000_000;
    pub const VAT_RATE_MAX: u8 = 100;
}

/// A mail piece's format; empty in the feed for services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Small,
    Large,
    Cumbersome,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Small => "small",
            Format::Large => "large",
            Format::Cumbersome => "cumbersome",
        }
    }
}

impl FromStr for Format {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "small" => Ok(Format::Small),
            "large" => Ok(Format::Large),
            "cumbersome" => Ok(Format::Cumbersome),
            _ => Err(FieldError::Format(excerpt(s))),
        }
    }
}

/// A destination zone; empty in the feed for services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Destination {
    Be,
    Eu,
    World,
}

impl Destination {
    pub fn as_str(self) -> &'static str {
        match self {
            Destination::Be => "BE",
            Destination::Eu => "EU",
            Destination::World => "WORLD",
        }
    }
}

impl FromStr for Destination {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "BE" => Ok(Destination::Be),
            "EU" => Ok(Destination::Eu),
            "WORLD" => Ok(Destination::World),
            _ => Err(FieldError::Destination(excerpt(s))),
        }
    }
}

/// A catalogue product's kind (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductKind {
    Postage,
    Registered,
    Parcel,
    Service,
}

impl ProductKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Postage => "postage",
            ProductKind::Registered => "registered",
            ProductKind::Parcel => "parcel",
            ProductKind::Service => "service",
        }
    }
}

impl FromStr for ProductKind {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "postage" => Ok(ProductKind::Postage),
            "registered" => Ok(ProductKind::Registered),
            "parcel" => Ok(ProductKind::Parcel),
            "service" => Ok(ProductKind::Service),
            _ => Err(FieldError::ProductKind(excerpt(s))),
        }
    }
}

/// What is wrong with one field, beyond what the newtypes (customer number, VAT number,
/// barcode, price) already say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("a value is required")]
    Required,
    #[error("has {length} characters: at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("contains a control character (such as a line break or a tab)")]
    ControlCharacter,
    #[error("date {0:?} should be written YYYY-MM-DD, e.g. 2026-11-03")]
    DateFormat(String),
    #[error("date {0} does not exist")]
    DateInvalid(String),
    #[error("date {0}: the year should be 2000 to 2100")]
    DateYear(String),
    #[error("quantity {0:?} should be a whole number such as 214")]
    Quantity(String),
    #[error("quantity {0} is out of range: expected 1 to 1000000")]
    QuantityRange(String),
    #[error("{0:?} should be true or false")]
    Boolean(String),
    #[error("format {0:?} should be small, large, cumbersome or empty")]
    Format(String),
    #[error("destination {0:?} should be BE, EU, WORLD or empty")]
    Destination(String),
    #[error("product kind {0:?} should be postage, registered, parcel or service")]
    ProductKind(String),
    #[error("VAT rate {0:?} should be a whole percentage from 0 to 100, such as 21")]
    VatRate(String),
    #[error("language {0:?} should be fr, nl, de or en")]
    Language(String),
    #[error("country {0:?} should be a 2-letter code such as BE")]
    Country(String),
    #[error("country {0:?} is not an assigned ISO 3166 code")]
    UnknownCountry(String),
    #[error("the row has {found} fields but the header has {expected} columns")]
    FieldCount { found: usize, expected: usize },
    #[error("the header was checked for a {mapped} file, not a {asked} file")]
    KindMismatch { mapped: FeedKind, asked: FeedKind },
}

impl FieldError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "field_required",
            Self::TooLong { .. } => "field_too_long",
            Self::ControlCharacter => "field_control_character",
            Self::DateFormat(_) => "date_format",
            Self::DateInvalid(_) => "date_invalid",
            Self::DateYear(_) => "date_year_out_of_range",
            Self::Quantity(_) => "quantity_format",
            Self::QuantityRange(_) => "quantity_out_of_range",
            Self::Boolean(_) => "boolean_format",
            Self::Format(_) => "format_unknown",
            Self::Destination(_) => "destination_unknown",
            Self::ProductKind(_) => "product_kind_unknown",
            Self::VatRate(_) => "vat_rate_format",
            Self::Language(_) => "language_unknown",
            Self::Country(_) => "country_format",
            Self::UnknownCountry(_) => "country_unknown",
            Self::FieldCount { .. } => "row_field_count",
            Self::KindMismatch { .. } => "feed_kind_mismatch",
        }
    }

    /// The values its message names, for a reader's language: `(name, value)`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Required | Self::ControlCharacter => Vec::new(),
            Self::TooLong { length, max } => {
                vec![("length", length.to_string()), ("max", max.to_string())]
            }
            Self::DateFormat(v)
            | Self::DateInvalid(v)
            | Self::DateYear(v)
            | Self::Quantity(v)
            | Self::QuantityRange(v)
            | Self::Boolean(v)
            | Self::Format(v)
            | Self::Destination(v)
            | Self::ProductKind(v)
            | Self::VatRate(v)
            | Self::Language(v)
            | Self::Country(v)
            | Self::UnknownCountry(v) => vec![("value", v.clone())],
            Self::FieldCount { found, expected } => vec![
                ("found", found.to_string()),
                ("expected", expected.to_string()),
            ],
            Self::KindMismatch { mapped, asked } => vec![
                ("mapped", mapped.as_str().to_owned()),
                ("asked", asked.as_str().to_owned()),
            ],
        }
    }
}

/// An error of any field parser: its message, stable code and the values the message names.
pub(super) trait Coded: fmt::Display {
    fn code(&self) -> &'static str;
    fn args(&self) -> Vec<(&'static str, String)>;
}

macro_rules! coded {
    ($($t:ty),*) => {$(
        impl Coded for $t {
            fn code(&self) -> &'static str {
                <$t>::code(self)
            }
            fn args(&self) -> Vec<(&'static str, String)> {
                <$t>::args(self)
            }
        }
    )*};
}
coded!(
    FieldError,
    CustomerNumberError,
    VatNumberError,
    BarcodeError,
    MoneyError
);

/// A required text: trimmed, non-empty, at most `max` characters, no control characters.
pub(super) fn text(s: &str, max: usize) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::Required);
    }
    optional_text(s, max).map(|t| t.unwrap_or_default())
}

/// An optional text: empty (after trimming) is `None`.
pub(super) fn optional_text(s: &str, max: usize) -> Result<Option<String>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let length = s.chars().count();
    if length > max {
        return Err(FieldError::TooLong { length, max });
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::ControlCharacter);
    }
    Ok(Some(s.to_owned()))
}

pub(super) fn optional<T: FromStr<Err = FieldError>>(s: &str) -> Result<Option<T>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        Ok(None)
    } else {
        s.parse().map(Some)
    }
}

/// A feed's date: the portal's one date rule ([`crate::dates::parse_date`]) after trimming,
/// its failures named in the feed's own words (and codes).
pub fn parse_date(s: &str) -> Result<Date, FieldError> {
    let s = s.trim();
    crate::dates::parse_date(s).map_err(|e| match e {
        crate::dates::DateError::Year => FieldError::DateYear(s.to_owned()),
        crate::dates::DateError::NoSuchDay => FieldError::DateInvalid(s.to_owned()),
        _ => FieldError::DateFormat(excerpt(s)),
    })
}

/// A whole number of pieces, 1 to 1,000,000: digits only, no sign, no decimals.
pub fn parse_quantity(s: &str) -> Result<i64, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::Required);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::Quantity(excerpt(s)));
    }
    let mut q: i64 = 0;
    for d in s.bytes() {
        q = q * 10 + i64::from(d - b'0');
        if q > limits::QUANTITY_MAX {
            return Err(FieldError::QuantityRange(excerpt(s)));
        }
    }
    if q < 1 {
        return Err(FieldError::QuantityRange(excerpt(s)));
    }
    Ok(q)
}

/// `true` or `false`, exactly.
pub fn parse_bool(s: &str) -> Result<bool, FieldError> {
    match s.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(FieldError::Boolean(excerpt(other))),
    }
}

/// A whole percentage 0..=100 (`0`, `6`, `12`, `21`).
pub fn parse_vat_rate(s: &str) -> Result<u8, FieldError> {
    let s = s.trim();
    let bad = || FieldError::VatRate(excerpt(s));
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let rate = s
        .bytes()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    u8::try_from(rate)
        .ok()
        .filter(|r| *r <= limits::VAT_RATE_MAX)
        .ok_or_else(bad)
}

/// An assigned ISO 3166-1 alpha-2 code, any case, stored uppercase (`BE`, `FR`); the same
/// table as the access request form ([`crate::country`]).
pub fn parse_country(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::Required);
    }
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(FieldError::Country(excerpt(s)));
    }
    let code = s.to_ascii_uppercase();
    if crate::country::is_assigned(&code) {
        Ok(code)
    } else {
        Err(FieldError::UnknownCountry(code))
    }
}

pub(super) fn parse_language(s: &str) -> Result<Language, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::Required);
    }
    t.parse().map_err(|_| FieldError::Language(excerpt(t)))
}
