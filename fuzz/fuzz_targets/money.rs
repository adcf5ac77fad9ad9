//! Fuzz target: feed prices and line amounts. Never a panic; a parsed price prints with three
//! decimals and parses back to itself; a line amount never overflows silently.
#![no_main]

use cs_domain::{UnitPriceMillis, money};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, i64)| {
    let (text, quantity) = input;
    if let Ok(price) = UnitPriceMillis::parse_decimal(text) {
        assert!(price.0 >= 0 && price <= UnitPriceMillis::MAX);
        let shown = price.to_decimal_string();
        let again = UnitPriceMillis::parse_decimal(&shown).expect("a printed price parses again");
        assert_eq!(again, price);
        if let Ok(amount) = money::line_amount(quantity, price) {
            assert!(amount.0 >= 0);
            let exact = i128::from(quantity) * i128::from(price.0);
            assert!((i128::from(amount.0) * 10 - exact).abs() <= 5, "rounded by more than half a cent");
            // Cents print with two decimals, for any value.
            let text = amount.to_decimal_string();
            assert!(text.len() >= 4 && text.as_bytes()[text.len() - 3] == b'.');
        }
    }
});
