//! Fuzz target: the one date rule of every date parameter. Never a panic; an accepted day
//! or month is in 2000–2100 and prints back as exactly the text it came from.
#![no_main]

use cs_domain::dates::{YEARS, parse_date, parse_month};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(d) = parse_date(s) {
        assert!(YEARS.contains(&d.year()), "{s:?}");
        let shown = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        assert_eq!(shown, s);
        assert_eq!(parse_date(&shown).ok(), Some(d));
    }
    if let Ok((year, month)) = parse_month(s) {
        assert!(YEARS.contains(&year), "{s:?}");
        assert_eq!(format!("{year:04}-{:02}", u8::from(month)), s);
    }
});
