//! Fuzz target: barcodes. Never a panic; a parsed barcode displays as its normal form, which
//! parses back to the same barcode.
#![no_main]

use cs_domain::Barcode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(b) = Barcode::parse(s) {
        let shown = b.to_string();
        let again = Barcode::parse(&shown).expect("a displayed barcode parses again");
        assert_eq!(again, b);
        assert_eq!(again.to_string(), shown);
        assert_eq!(again.kind(), b.kind());
    }
});
