//! Fuzz target: one CSV feed row of any kind, split as the importer splits it, through the
//! header mapping and `parse_row`: never a panic, and every problem names a real column.
#![no_main]

use cs_domain::{FeedKind, feeds};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = FeedKind::ALL[usize::from(selector) % FeedKind::ALL.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // First line: a header (or the spec's own when the input has a single line); the others: rows.
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("");
    let spec_header = kind.columns().join(",");
    let (header, rows): (&str, Vec<&str>) = if text.contains('\n') {
        (first, lines.collect())
    } else {
        (spec_header.as_str(), vec![first])
    };
    let header: Vec<&str> = header.split(',').collect();
    let Ok(map) = feeds::map_header(kind, &header) else {
        return;
    };
    for row in rows {
        let fields: Vec<&str> = row.split(',').collect();
        match feeds::parse_row(kind, &map, &fields) {
            Ok(record) => assert_eq!(record.kind(), kind),
            Err(problems) => {
                assert!(!problems.is_empty(), "a refused row names no problem");
                for p in &problems {
                    let _ = p.to_line_error(2);
                }
            }
        }
    }
});
