//! Translations (Fluent files under `locales/`, one folder per language, one file per
//! feature) used by pages and e-mails. A test checks every key exists in all four languages.

use cs_domain::Language;
use fluent_templates::{Loader, static_loader};
use std::{borrow::Cow, collections::HashMap};
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn langid(lang: Language) -> LanguageIdentifier {
    match lang {
        Language::Fr => unic_langid::langid!("fr"),
        Language::Nl => unic_langid::langid!("nl"),
        Language::De => unic_langid::langid!("de"),
        Language::En => unic_langid::langid!("en"),
    }
}

/// Translates `key`; a missing key shows itself (and fails the completeness test).
pub fn t(lang: Language, key: &str) -> String {
    LOCALES
        .try_lookup(&langid(lang), key)
        .unwrap_or_else(|| key.to_owned())
}

/// Translates `key` with named arguments.
pub fn t_args(lang: Language, key: &str, args: &[(&str, &str)]) -> String {
    let map: HashMap<Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_owned()), (*v).to_owned().into()))
        .collect();
    LOCALES
        .try_lookup_with_args(&langid(lang), key, &map)
        .unwrap_or_else(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Keys per file of a language: `(file name, key)`.
    fn keys(lang: &str) -> BTreeSet<(String, String)> {
        let dir = format!("{}/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            for key in text
                .lines()
                .filter(|l| !l.starts_with(['#', ' ', '\t', '.']) && l.contains(" ="))
                .filter_map(|l| l.split(" =").next())
            {
                assert!(
                    out.insert((file.clone(), key.trim().to_owned())),
                    "{lang}/{file}: {key} twice"
                );
            }
        }
        out
    }

    #[test]
    fn every_key_is_translated_in_every_language() {
        let en = keys("en");
        assert!(en.len() > 20, "the English catalogue looks empty");
        for lang in ["fr", "nl", "de"] {
            let other = keys(lang);
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys English lacks: {extra:?}");
        }
    }

    #[test]
    fn lookups_answer_in_the_language_asked() {
        assert_eq!(t(Language::En, "sign-in"), "Sign in");
        assert_ne!(t(Language::Fr, "sign-in"), t(Language::En, "sign-in"));
        assert_ne!(t(Language::Nl, "sign-in"), t(Language::De, "sign-in"));
    }

    /// The French catalogue's `: ; ! ?` that lack the no-break space before them, as
    /// `file:line`. Placeables (`{ $x }`), URLs and times (`11:30`) are not prose.
    fn french_punctuation_without_space(text: &str) -> Vec<usize> {
        let mut bad = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') {
                continue;
            }
            // The message's text: after `key =` on its first line, all of a continuation.
            let body = match line.split_once(" = ") {
                Some((key, rest)) if !line.starts_with([' ', '\t']) && !key.contains(' ') => rest,
                _ => line,
            };
            let chars: Vec<char> = body.chars().collect();
            let mut depth = 0usize;
            for (i, &c) in chars.iter().enumerate() {
                match c {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    ':' | ';' | '!' | '?' if depth == 0 => {
                        let before = i.checked_sub(1).map(|j| chars[j]);
                        let after = chars.get(i + 1).copied();
                        let url = c == ':' && body[..].contains("://");
                        let time = before.is_some_and(|b| b.is_ascii_digit())
                            && after.is_some_and(|a| a.is_ascii_digit());
                        let spaced = matches!(before, Some('\u{a0}' | '\u{202f}'));
                        if !(spaced || url || time) {
                            bad.push(n + 1);
                        }
                    }
                    _ => {}
                }
            }
        }
        bad
    }

    #[test]
    fn french_puts_a_no_break_space_before_colons_and_the_like() {
        let dir = format!("{}/locales/fr", env!("CARGO_MANIFEST_DIR"));
        let mut bad = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            bad.extend(
                french_punctuation_without_space(&text)
                    .into_iter()
                    .map(|n| format!("{file}:{n}")),
            );
        }
        assert!(
            bad.is_empty(),
            "no no-break space before : ; ! ? at {bad:?}"
        );
        assert_eq!(
            french_punctuation_without_space("a = Client : x\nb = Client\u{a0}: { $x }, 11:30"),
            vec![1]
        );
    }
}
