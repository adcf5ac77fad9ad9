//! The four languages of the portal and how a preference is picked from a browser's
//! `Accept-Language` header.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Fr,
    Nl,
    De,
    #[default]
    En,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown language {0:?}: expected fr, nl, de or en")]
pub struct UnknownLanguage(pub String);

impl Language {
    pub const ALL: [Language; 4] = [Language::Fr, Language::Nl, Language::De, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::Nl => "nl",
            Language::De => "de",
            Language::En => "en",
        }
    }

    /// The language's own name, as shown in a language switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::Fr => "Français",
            Language::Nl => "Nederlands",
            Language::De => "Deutsch",
            Language::En => "English",
        }
    }

    /// Best match for an `Accept-Language` header, honouring q-values; `None` when nothing fits.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(Language, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Ok(lang) = primary.parse::<Language>()
                && q > 0.0
                && best.is_none_or(|(_, bq)| q > bq)
            {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(Language::Fr),
            "nl" => Ok(Language::Nl),
            "de" => Ok(Language::De),
            "en" => Ok(Language::En),
            _ => Err(UnknownLanguage(s.to_owned())),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_codes_case_insensitively() {
        for l in Language::ALL {
            assert_eq!(l.code().to_uppercase().parse::<Language>(), Ok(l));
        }
        assert!("es".parse::<Language>().is_err());
    }

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(
            Language::from_accept_language("es-ES, nl-BE;q=0.8, fr;q=0.9"),
            Some(Language::Fr)
        );
        assert_eq!(Language::from_accept_language("de-DE"), Some(Language::De));
        assert_eq!(Language::from_accept_language("es, it;q=0.5"), None);
        assert_eq!(Language::from_accept_language("fr;q=0"), None);
    }
}
