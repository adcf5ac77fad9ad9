//! The PDF base's own checks: line breaking and page flow with a fixed-width measure, and
//! what the rendered file declares (PDF/A-2b, metadata, one output for one input).

use super::fonts::{Measure, Weight};
use super::layout::{self, Frame, Item};
use super::*;
use time::macros::datetime;

/// Every character 5 points wide at any size: widths are easy to reason about.
struct Fixed;

impl Measure for Fixed {
    fn width(&self, _: Weight, text: &str, _: f32) -> f32 {
        5.0 * text.chars().count() as f32
    }
}

const FRAME: Frame = Frame {
    top: 100.0,
    bottom: 300.0,
    left: 50.0,
    width: 200.0,
};

fn texts(page: &[Item]) -> Vec<&str> {
    page.iter()
        .filter_map(|i| match i {
            Item::Text { text, .. } => Some(text.as_str()),
            Item::Fill { .. } => None,
        })
        .collect()
}

#[test]
fn lines_break_at_spaces_and_inside_words_only_when_they_must() {
    let lines = layout::wrap(&Fixed, Weight::Regular, 10.0, "aaaa bbbb cccc", 44.0);
    assert_eq!(
        lines,
        ["aaaa", "bbbb", "cccc"],
        "a space is one character too"
    );
    let lines = layout::wrap(&Fixed, Weight::Regular, 10.0, "aaaa bbbb cccc", 45.0);
    assert_eq!(lines, ["aaaa bbbb", "cccc"]);
    let lines = layout::wrap(&Fixed, Weight::Regular, 10.0, "aa bb cc", 25.0);
    assert_eq!(lines, ["aa bb", "cc"]);
    let lines = layout::wrap(&Fixed, Weight::Regular, 10.0, "x abcdefghijk y", 20.0);
    assert_eq!(lines, ["x", "abcd", "efgh", "ijk", "y"]);
    let lines = layout::wrap(&Fixed, Weight::Regular, 10.0, "one\n\ntwo  three", 200.0);
    assert_eq!(lines, ["one", "", "two three"]);
    assert_eq!(layout::wrap(&Fixed, Weight::Regular, 10.0, "", 10.0), [""]);
    // Narrower than one character: one character a line, never an endless loop.
    assert_eq!(
        layout::wrap(&Fixed, Weight::Regular, 10.0, "abc", 1.0),
        ["a", "b", "c"]
    );
}

fn table(rows: usize) -> PdfTable {
    PdfTable {
        columns: vec![
            Column::new("Name", 3.0, Align::Left),
            Column::new("Sum", 1.0, Align::Right),
        ],
        rows: (0..rows)
            .map(|i| vec![format!("row {i}"), format!("{i}")])
            .collect(),
    }
}

#[test]
fn a_long_table_breaks_between_rows_and_repeats_its_header() {
    let pages = layout::flow(&Fixed, FRAME, &[Block::Table(table(40))]);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let mut seen = Vec::new();
    for page in &pages {
        let t = texts(page);
        assert_eq!(&t[..2], ["Name", "Sum"], "the header first on every page");
        seen.extend(t.into_iter().skip(2).filter(|s| s.starts_with("row ")));
        for item in page {
            if let Item::Text { baseline, .. } = item {
                assert!(
                    *baseline > FRAME.top && *baseline < FRAME.bottom,
                    "inside the frame: {baseline}"
                );
            }
        }
    }
    let expected: Vec<String> = (0..40).map(|i| format!("row {i}")).collect();
    assert_eq!(seen, expected, "every row once, in order");
    // Right-aligned: the sum's text ends at the column's right edge less its padding.
    let sum = pages[0].iter().find_map(|i| match i {
        Item::Text { x, text, .. } if text == "0" => Some(*x),
        _ => None,
    });
    assert_eq!(sum, Some(FRAME.left + FRAME.width - 4.0 - 5.0));
}

#[test]
fn a_row_taller_than_a_page_is_cut_between_its_lines() {
    let tall = "word ".repeat(400);
    let t = PdfTable {
        rows: vec![vec!["first".into()], vec![tall], vec!["last".into()]],
        ..table(0)
    };
    let pages = layout::flow(&Fixed, FRAME, &[Block::Table(t)]);
    assert!(pages.len() > 3, "{} pages", pages.len());
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    let words = all.iter().map(|l| l.matches("word").count()).sum::<usize>();
    assert_eq!(words, 400, "no line lost");
    assert_eq!(all.last(), Some(&"last"));
    assert!(pages.iter().all(|p| texts(p)[0] == "Name"));
}

#[test]
fn a_heading_never_ends_a_page() {
    // 200 points of frame, 13.5 a paragraph line: the heading would fit on the first page
    // but the lines it introduces would not.
    let filler = (0..13)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let blocks = [
        Block::Paragraph(filler),
        Block::Heading("Next".into()),
        Block::Paragraph("after".into()),
    ];
    let pages = layout::flow(&Fixed, FRAME, &blocks);
    assert_eq!(pages.len(), 2);
    assert_eq!(texts(&pages[1]), ["Next", "after"]);
    assert_eq!(
        layout::flow(&Fixed, FRAME, &[]).len(),
        1,
        "an empty body has a page"
    );
}

#[test]
fn header_and_footer_carry_the_operator_and_the_page_number() {
    let operator = Operator {
        name: "Collect & Stamp SA".into(),
        address: vec!["Rue de la Loi 16".into(), "1000 Bruxelles".into()],
        vat_number: "BE0428759497".into(),
    };
    let (header, frame) = layout::header(&Fixed, &operator, Language::Nl);
    assert_eq!(
        texts(&header),
        [
            "btw BE0428759497",
            "Collect & Stamp SA",
            "Rue de la Loi 16",
            "1000 Bruxelles"
        ]
    );
    assert!(frame.top > 80.0 && frame.bottom < layout::PAGE_H - 40.0);
    let footer = layout::footer(&Fixed, "Factuur", Language::Nl, 2, 5);
    assert_eq!(texts(&footer), ["Factuur", "Pagina 2 / 5"]);
    let long = "x".repeat(500);
    let footer = layout::footer(&Fixed, &long, Language::De, 1, 1);
    let title = texts(&footer)[0];
    assert!(title.ends_with('…') && title.len() < 200, "{title}");
}

fn sample(created: time::OffsetDateTime) -> Document {
    specimen(3, created)
}

#[test]
fn the_file_is_pdf_a_2b_with_its_metadata_and_the_same_for_the_same_input() {
    let created = datetime!(2026-11-26 11:00:00 +01:00);
    let a = render(&sample(created)).unwrap();
    assert!(a.bytes.starts_with(b"%PDF-1.7"));
    assert!(a.pages >= 3);
    let text = String::from_utf8_lossy(&a.bytes);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "PDF/A-2");
    assert!(
        text.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "level B"
    );
    assert!(
        text.contains("<xmp:CreateDate>2026-11-26T10:00:00+00:00"),
        "the date given, in UTC"
    );
    assert!(text.contains("<rdf:li>fr</rdf:li>"), "the language");
    assert_eq!(render(&sample(created)).unwrap(), a, "deterministic");
    let later = render(&sample(datetime!(2026-11-27 10:00:00 UTC))).unwrap();
    assert_ne!(later.bytes, a.bytes);
}

#[test]
fn text_outside_the_fonts_is_drawn_as_a_question_mark_not_refused() {
    let mut doc = sample(datetime!(2026-11-26 10:00:00 UTC));
    doc.blocks = vec![
        Block::Paragraph("Emoji 🙂, CJK 中文, control \u{7}.".into()),
        Block::Table(PdfTable {
            columns: vec![],
            rows: vec![vec!["ignored".into()]],
        }),
    ];
    let r = render(&doc).unwrap();
    assert_eq!(r.pages, 1);
}
