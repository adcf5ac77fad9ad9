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
/// not decode them into an authority; but an escaped slash or backslash right after the
/// first `/` is refused too, since a proxy or server that decodes once before redirecting
/// would turn `/%2F/evil.example` into `//evil.example`.
pub fn safe_next(raw: &str) -> Option<&str> {
    let bytes = raw.as_bytes();
    let escaped_separator = bytes.get(1) == Some(&b'%')
        && bytes
            .get(2..4)
            .is_some_and(|h| h.eq_ignore_ascii_case(b"2f") || h.eq_ignore_ascii_case(b"5c"));
    let local = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && !escaped_separator
        && raw.len() <= MAX_NEXT_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    local.then_some(raw)
}

/// `next` as the value of a query parameter: a [`safe_next`] value with `?`, `&`, `=`, `#`,
/// `%` and `+` escaped, slashes kept (`/transactions%3Ffrom%3D2026-11-01`), so that it reads
/// back unchanged from `?next=…`. `None` when the value is not safe to follow.
pub fn next_query_value(next: &str) -> Option<String> {
    let next = safe_next(next)?;
    let mut out = String::with_capacity(next.len() + 8);
    for b in next.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:@!$'()*,;".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
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
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5C/evil.example",
            "/%5cevil.example",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT_LEN))), None);
    }

    #[test]
    fn a_return_path_is_escaped_for_a_query_and_reads_back_unchanged() {
        let next = "/transactions?from=2026-11-01&to=2026-11-30#top";
        let value = next_query_value(next).unwrap();
        assert_eq!(
            value,
            "/transactions%3Ffrom%3D2026-11-01%26to%3D2026-11-30%23top"
        );
        let back: String = form_decode(&value);
        assert_eq!(back, next);
        assert_eq!(next_query_value("//evil.example"), None);
        assert_eq!(next_query_value("/a+b%20c").unwrap(), "/a%2Bb%2520c");
    }

    /// `application/x-www-form-urlencoded` decoding of one value, as a query parser does.
    fn form_decode(s: &str) -> String {
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
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

        #[test]
        fn a_return_path_survives_the_query_string(s in "/[a-z0-9?&=#%+ /.:-]{0,20}") {
            if let Some(value) = next_query_value(&s) {
                prop_assert!(value.bytes().all(|b| b.is_ascii_graphic() && !b"?&=#+ ".contains(&b)));
                prop_assert_eq!(form_decode(&value), s);
            }
        }
    }

    fn axum_free_header_value(s: &str) -> bool {
        s.bytes().all(|b| (0x21..0x7f).contains(&b))
    }
}
