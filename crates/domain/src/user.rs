//! What a portal user is made of, as typed: username, e-mail address, a new password's
//! length rule (NIST SP 800-63B: length only, no composition rules) and the account status.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A login name as the user chose it. Unique case-insensitively: compare and store the key
/// with [`Username::normalized`]; the derived `Eq` compares the spelling as typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("username is empty")]
    Empty,
    #[error("username may contain only letters, digits and . _ - @, found {0:?}")]
    InvalidCharacter(char),
    #[error("username must start with a letter or a digit, not {0:?}")]
    InvalidStart(char),
    #[error("username has {length} characters: at least 3 are needed")]
    TooShort { length: usize },
    #[error("username has {length} characters: at most 64 are allowed")]
    TooLong { length: usize },
}

impl UsernameError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "username_empty",
            Self::InvalidCharacter(_) => "username_invalid_character",
            Self::InvalidStart(_) => "username_invalid_start",
            Self::TooShort { .. } => "username_too_short",
            Self::TooLong { .. } => "username_too_long",
        }
    }
}

impl Username {
    /// Trims surrounding whitespace (pasted into a login form), nothing else.
    pub fn parse(s: &str) -> Result<Self, UsernameError> {
        let s = s.trim();
        let Some(first) = s.chars().next() else {
            return Err(UsernameError::Empty);
        };
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
        {
            return Err(UsernameError::InvalidCharacter(c));
        }
        if !first.is_ascii_alphanumeric() {
            return Err(UsernameError::InvalidStart(first));
        }
        // All ASCII from here: bytes are characters.
        match s.len() {
            length @ 0..3 => Err(UsernameError::TooShort { length }),
            length @ 65.. => Err(UsernameError::TooLong { length }),
            _ => Ok(Self(s.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The uniqueness key: ASCII lowercase (the name is ASCII only).
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// An e-mail address: trimmed, domain lowercased, the local part kept as typed (it may be
/// case-sensitive on the receiving server).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

const EMAIL_MAX_CHARS: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("e-mail address is empty")]
    Empty,
    #[error("e-mail address has {length} characters: at most 254 are allowed")]
    TooLong { length: usize },
    #[error("e-mail address {0:?} has no @")]
    MissingAt(String),
    #[error("e-mail address {0:?} has more than one @")]
    MultipleAt(String),
    #[error("e-mail address {0:?} needs a name before the @, without spaces")]
    LocalPart(String),
    #[error(
        "e-mail address {0:?} needs a domain after the @ such as example.be (letters, digits, hyphens and dots)"
    )]
    Domain(String),
}

impl EmailError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "email_empty",
            Self::TooLong { .. } => "email_too_long",
            Self::MissingAt(_) => "email_missing_at",
            Self::MultipleAt(_) => "email_multiple_at",
            Self::LocalPart(_) => "email_local_part",
            Self::Domain(_) => "email_domain",
        }
    }
}

/// A DNS label: 1–63 letters, digits or hyphens, not starting or ending with a hyphen.
fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

impl Email {
    /// A deliberately plain check: enough to catch typos and to keep the address safe in a
    /// mail header (no spaces or control characters); deliverability is proven by the
    /// invitation link, not by a grammar.
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        let length = s.chars().count();
        if length > EMAIL_MAX_CHARS {
            return Err(EmailError::TooLong { length });
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(if s.contains('@') {
                EmailError::MultipleAt(s.to_owned())
            } else {
                EmailError::MissingAt(s.to_owned())
            });
        };
        if local.is_empty() || local.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::LocalPart(s.to_owned()));
        }
        if !domain.contains('.') || !domain.split('.').all(is_dns_label) {
            return Err(EmailError::Domain(s.to_owned()));
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, as chosen by the user, before hashing. Never printed, never serialised;
/// deliberately without `PartialEq` (passwords are compared only through their hash).
#[derive(Clone)]
pub struct Password(String);

const PASSWORD_MIN_CHARS: usize = 12;
const PASSWORD_MAX_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password has {length} characters: at least 12 are needed")]
    TooShort { length: usize },
    #[error("password has {length} characters: at most 128 are allowed")]
    TooLong { length: usize },
    #[error("this password is among the most common ones and easy to guess: choose another")]
    Common,
}

impl PasswordError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "password_too_short",
            Self::TooLong { .. } => "password_too_long",
            Self::Common => "password_common",
        }
    }
}

impl Password {
    /// Length counted in Unicode scalar values, and not a common password; no composition
    /// rules. Kept exactly as typed (no trimming, no truncation: a silently shortened
    /// password is a weaker one).
    pub fn parse(s: &str) -> Result<Password, PasswordError> {
        let length = s.chars().count();
        if length < PASSWORD_MIN_CHARS {
            return Err(PasswordError::TooShort { length });
        }
        if length > PASSWORD_MAX_CHARS {
            return Err(PasswordError::TooLong { length });
        }
        if is_common_password(s) {
            return Err(PasswordError::Common);
        }
        Ok(Password(s.to_owned()))
    }

    /// The clear text, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The shipped list of common passwords (see `data/README.md`), lower case.
static COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| COMMON_PASSWORDS.lines().filter(|l| !l.is_empty()).collect())
}

/// True when `s` (case-insensitively) is on the list of common passwords.
pub fn is_common_password(s: &str) -> bool {
    common_passwords().contains(s.to_lowercase().as_str())
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Created, invitation sent, no password set yet.
    Invited,
    Active,
    /// Cannot sign in; can be re-enabled.
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserStatusError {
    #[error("unknown user status {0:?}: expected invited, active or disabled")]
    Unknown(String),
}

impl UserStatusError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown(_) => "user_status_unknown",
        }
    }
}

impl UserStatus {
    pub const ALL: [UserStatus; 3] = [
        UserStatus::Invited,
        UserStatus::Active,
        UserStatus::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

impl FromStr for UserStatus {
    type Err = UserStatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UserStatusError::Unknown(s.chars().take(20).collect()))
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! string_newtype_impls {
    ($t:ident, $err:ident) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $t {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_newtype_impls!(Username, UsernameError);
string_newtype_impls!(Email, EmailError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn usernames() {
        for s in [
            "jan",
            "Jan.Peeters",
            "j_peeters-2",
            "jan@vandamme.be",
            "007",
            &"a".repeat(64),
        ] {
            assert_eq!(Username::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            Username::parse("  Jan.Peeters ").unwrap().as_str(),
            "Jan.Peeters"
        );
        assert_eq!(
            Username::parse("Jan.Peeters").unwrap().normalized(),
            "jan.peeters"
        );
        let code = |s: &str| Username::parse(s).unwrap_err().code();
        assert_eq!(code(" "), "username_empty");
        assert_eq!(code("jp"), "username_too_short");
        assert_eq!(code(&"a".repeat(65)), "username_too_long");
        assert_eq!(code(".jan"), "username_invalid_start");
        assert_eq!(code("@jan"), "username_invalid_start");
        assert_eq!(code("jan peeters"), "username_invalid_character");
        assert_eq!(code("jösé"), "username_invalid_character");
        assert_eq!(code("jan/x"), "username_invalid_character");
        assert_eq!(
            Username::parse("jan peeters").unwrap_err().to_string(),
            "username may contain only letters, digits and . _ - @, found ' '"
        );
    }

    #[test]
    fn username_serde_and_text() {
        let u = Username::parse("Jan.Peeters").unwrap();
        assert_eq!(serde_json::to_string(&u).unwrap(), r#""Jan.Peeters""#);
        assert_eq!(
            serde_json::from_str::<Username>(r#""Jan.Peeters""#).unwrap(),
            u
        );
        assert!(serde_json::from_str::<Username>(r#""j""#).is_err());
        assert_eq!(
            "Jan.Peeters".parse::<Username>().unwrap().to_string(),
            "Jan.Peeters"
        );
    }

    #[test]
    fn emails() {
        let e = Email::parse("  Jan.Peeters@Leuven.BE ").unwrap();
        assert_eq!(e.as_str(), "Jan.Peeters@leuven.be");
        for s in [
            "a@b.co",
            "élodie@exemple.fr",
            "x+tag@mail-1.example.com",
            "1@2.3",
        ] {
            assert_eq!(Email::parse(s).unwrap().as_str(), s);
        }
        let code = |s: &str| Email::parse(s).unwrap_err().code();
        assert_eq!(code(""), "email_empty");
        assert_eq!(code("jan.leuven.be"), "email_missing_at");
        assert_eq!(code("jan@x@leuven.be"), "email_multiple_at");
        assert_eq!(code("@leuven.be"), "email_local_part");
        assert_eq!(code("jan peeters@leuven.be"), "email_local_part");
        assert_eq!(code("jan\r\nBcc:x@leuven.be"), "email_local_part");
        assert_eq!(code("jan@"), "email_domain");
        assert_eq!(code("jan@localhost"), "email_domain");
        assert_eq!(code("jan@leuven..be"), "email_domain");
        assert_eq!(code("jan@.leuven.be"), "email_domain");
        assert_eq!(code("jan@leuven.be."), "email_domain");
        assert_eq!(code("jan@leu_ven.be"), "email_domain");
        assert_eq!(code("jan@-leuven.be"), "email_domain");
        assert_eq!(code("jan@lëuven.be"), "email_domain");
        let long = format!("{}@leuven.be", "a".repeat(244));
        assert_eq!(long.len(), 254);
        assert!(Email::parse(&long).is_ok());
        assert_eq!(code(&format!("a{long}")), "email_too_long");
        assert_eq!(
            Email::parse("jan.leuven.be").unwrap_err().to_string(),
            "e-mail address \"jan.leuven.be\" has no @"
        );
    }

    #[test]
    fn email_serde() {
        let e = Email::parse("jan@Leuven.be").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), r#""jan@leuven.be""#);
        assert_eq!(
            serde_json::from_str::<Email>(r#""jan@LEUVEN.be""#).unwrap(),
            e
        );
        assert!(serde_json::from_str::<Email>(r#""jan""#).is_err());
    }

    #[test]
    fn passwords_are_checked_on_length_only() {
        assert_eq!(
            Password::parse("correct horse").unwrap().expose(),
            "correct horse"
        );
        // Twelve characters but more bytes: counted as characters.
        assert!(Password::parse("éééééééééééé").is_ok());
        assert_eq!(
            Password::parse("ééééééééééé").unwrap_err(),
            PasswordError::TooShort { length: 11 }
        );
        // Not trimmed: the spaces are part of it.
        assert_eq!(
            Password::parse("  abcdefghij  ").unwrap().expose(),
            "  abcdefghij  "
        );
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        let e = Password::parse(&"x".repeat(129)).unwrap_err();
        assert_eq!(e.code(), "password_too_long");
        assert_eq!(
            e.to_string(),
            "password has 129 characters: at most 128 are allowed"
        );
        let e = Password::parse("short").unwrap_err();
        assert_eq!(e.code(), "password_too_short");
        assert_eq!(
            e.to_string(),
            "password has 5 characters: at least 12 are needed"
        );
    }

    #[test]
    fn password_never_prints() {
        let p = Password::parse("my secret passphrase").unwrap();
        assert!(
            common_passwords().len() >= 10_000,
            "at least the 10,000 most common"
        );
        for common in [
            "password123456",
            "Password123456",
            "qwerty123456",
            "1qaz2wsx3edc",
            "administrator",
        ] {
            assert_eq!(
                Password::parse(common).unwrap_err(),
                PasswordError::Common,
                "{common}"
            );
        }
        assert_eq!(PasswordError::Common.code(), "password_common");
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(format!("{:?}", Some(p)), "Some(Password(***))");
    }

    #[test]
    fn user_status_text_and_serde() {
        for st in UserStatus::ALL {
            assert_eq!(st.as_str().parse::<UserStatus>(), Ok(st));
            assert_eq!(st.to_string(), st.as_str());
            assert_eq!(serde_json::to_string(&st).unwrap(), format!("\"{st}\""));
        }
        assert_eq!(UserStatus::Invited.as_str(), "invited");
        assert_eq!(UserStatus::Disabled.as_str(), "disabled");
        let e = "Active".parse::<UserStatus>().unwrap_err();
        assert_eq!(e.code(), "user_status_unknown");
        assert_eq!(
            e.to_string(),
            "unknown user status \"Active\": expected invited, active or disabled"
        );
        assert!(serde_json::from_str::<UserStatus>(r#""suspended""#).is_err());
    }

    proptest! {
        #[test]
        fn valid_usernames_parse_and_normalise(s in "[A-Za-z0-9][A-Za-z0-9._@-]{2,63}") {
            let u = Username::parse(&s).unwrap();
            prop_assert_eq!(u.as_str(), s.as_str());
            prop_assert_eq!(u.normalized(), s.to_ascii_lowercase());
        }

        #[test]
        fn password_length_rule_counts_characters(s in "\\PC{0,140}") {
            let n = s.chars().count();
            match Password::parse(&s) {
                Ok(p) => {
                    prop_assert!((12..=128).contains(&n));
                    prop_assert_eq!(p.expose(), s.as_str());
                }
                Err(e) => prop_assert!(!(12..=128).contains(&n), "{e}"),
            }
        }
    }
}
