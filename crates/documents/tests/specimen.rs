//! The specimen, checked by tools that are not ours: `qpdf --check` reads the file's
//! structure, `pdffonts` lists its fonts (embedded and subset), `pdftotext` reads the text
//! back. Under `CI=true` a missing tool fails the test; elsewhere the test says SKIP and passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]
#![allow(
    clippy::too_many_lines,
    clippy::cognitive_complexity,
    clippy::cast_possible_truncation,
    reason = "a test reads top to bottom as one scenario, on small data"
)]

use std::{path::Path, process::Command};
use time::macros::datetime;

fn tool_present(name: &str) -> bool {
    Command::new(name)
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
}

/// Runs `tool` with `args` and returns its standard output; the test fails on a non-zero
/// exit, with what the tool said.
fn run(tool: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{tool} {args:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_specimen_passes_qpdf_pdffonts_and_pdftotext() {
    let missing: Vec<&str> = ["qpdf", "pdffonts", "pdftotext"]
        .into_iter()
        .filter(|t| !tool_present(t))
        .collect();
    if !missing.is_empty() {
        let why = format!(
            "{} missing (Debian: qpdf, poppler-utils)",
            missing.join(", ")
        );
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI: {why}");
        eprintln!("SKIPPED the_specimen_passes_qpdf_pdffonts_and_pdftotext: {why}");
        return;
    }

    let document = cs_documents::pdf::specimen(3, datetime!(2026-11-26 10:00:00 UTC));
    let rendered = cs_documents::pdf::render(&document).expect("render the specimen");
    assert!(rendered.pages >= 3, "{} pages", rendered.pages);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("specimen.pdf");
    std::fs::write(&file, &rendered.bytes).unwrap();

    let check = run("qpdf", &["--check"], &file);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );

    // name type encoding emb sub uni object ID, after two header lines.
    let fonts = run("pdffonts", &[], &file);
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 2, "regular and bold:\n{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{row}");
        let (emb, sub, uni) = (cols[n - 5], cols[n - 4], cols[n - 3]);
        assert_eq!(
            (emb, sub, uni),
            ("yes", "yes", "yes"),
            "embedded, subset, mapped: {row}"
        );
        assert!(cols[0].contains("+DejaVuSans"), "{row}");
    }

    let text = run("pdftotext", &["-enc", "UTF-8"], &file);
    let text_file = std::fs::read_to_string(file.with_extension("txt")).unwrap_or(text);
    for needle in [
        "€",
        "ë",
        "ß",
        "œ",
        "ç",
        "é",
        "à",
        "ü",
        "Collect & Stamp SA",
        "BE0428759497",
    ] {
        assert!(text_file.contains(needle), "{needle:?} not read back");
    }
    let pages = rendered.pages;
    for page in 1..=pages {
        let number = format!("{page} / {pages}");
        assert!(text_file.contains(&number), "{number:?} not read back");
    }
    // The table's header row is repeated on every page it continues on.
    let headers = text_file.matches("Quantité").count();
    assert!(
        headers >= pages - 1,
        "{headers} header rows on {pages} pages"
    );
}
