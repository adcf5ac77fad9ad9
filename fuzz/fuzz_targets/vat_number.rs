//! Fuzz target: VAT numbers. Never a panic; a parsed number displays in its normal form,
//! which parses back to the same number.
#![no_main]

use cs_domain::vat::VatNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(v) = VatNumber::parse(s) {
        let shown = v.to_string();
        let again = VatNumber::parse(&shown).expect("a displayed VAT number parses again");
        assert_eq!(again, v);
        assert_eq!(again.as_str(), shown);
        assert_eq!(again.is_belgian(), v.is_belgian());
    }
});
