//! Fuzz target: the `next` parameter. Never a panic; a followed value is a path of this
//! origin once a browser has cleaned it (tabs and line breaks dropped, ends trimmed,
//! backslashes read as slashes), and it can stand in a `Location` header.
#![no_main]

use cs_domain::redirect::safe_next;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Some(next) = safe_next(s) {
        assert_eq!(next, s, "a followed value is followed as given");
        let read: String = next
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .map(|c| if c == '\\' { '/' } else { c })
            .collect();
        assert!(read.starts_with('/') && !read.starts_with("//"), "{next:?}");
        assert!(next.bytes().all(|b| (0x21..0x7f).contains(&b)), "{next:?}");
    }
});
