//! Where a page may send the browser next (`next=` after sign-in, a language change, a
//! second factor): only a path of this site, judged by the browser's own URL rules.

/// The longest `next` followed; longer ones are not a page of the portal.
pub const MAX_NEXT_LEN: usize = 2048;

/// `raw` when a browser would read it as a path of this very origin, else `None`.
///
/// A browser removes tabs and line breaks anywhere in a URL, trims spaces and controls at
/// its ends and reads `\` as `/`; so `/%09/evil.example` arrives as `/\t/evil.example` and
/// lands on `//evil.example`, another site. Rather than imitate those rules, anything they
/// could apply to is refused: the value must start with one `/` followed by neither `/`
/// nor `\`, and hold only visible ASCII (no whitespace, no control character, no
/// backslash). Visible ASCII is also what a `Location` header can carry, so a value that
/// passes can never break the response. Percent-escapes stay as they are: the browser does
/// not decode them into an authority.
pub fn safe_next(raw: &str) -> Option<&str> {
    let bytes = raw.as_bytes();
    let local = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && raw.len() <= MAX_NEXT_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    local.then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_of_the_site_are_followed() {
        for ok in [
            "/",
            "/account",
            "/transactions?from=2026-11-01&to=2026-11-30",
            "/users/12/edit#rights",
            "/a%2F%2Fb",
        ] {
            assert_eq!(safe_next(ok), Some(ok));
        }
    }

    #[test]
    fn anything_a_browser_could_read_as_another_site_is_refused() {
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            " //evil.example",
            "/ /evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/\u{0}x",
            "/x\u{7f}",
            "/caf\u{e9}",
            "/\u{3000}/evil.example",
            "/a\\b",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT_LEN))), None);
    }

    /// What a browser does to a URL before it reads it (WHATWG URL: strip leading and
    /// trailing C0 controls and spaces, remove tabs and newlines, backslash is a slash).
    fn as_a_browser_reads_it(s: &str) -> String {
        s.trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .map(|c| if c == '\\' { '/' } else { c })
            .collect()
    }

    proptest! {
        #[test]
        fn a_followed_value_never_names_another_host(s in "[/\\\\\t\n\r a-z.%0-9:]{0,12}") {
            if let Some(next) = safe_next(&s) {
                let read = as_a_browser_reads_it(next);
                prop_assert!(read.starts_with('/') && !read.starts_with("//"), "{next:?}");
                prop_assert!(axum_free_header_value(next));
            }
        }
    }

    fn axum_free_header_value(s: &str) -> bool {
        s.bytes().all(|b| (0x21..0x7f).contains(&b))
    }
}
