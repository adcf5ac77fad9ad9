//! SECURITY row 21 as a test: SQL text is `&'static str` everywhere except in the few places
//! listed here, whose dynamic parts come from fixed tables in the code, never from input.

use std::path::{Path, PathBuf};

/// The production files (or folders, ending in `/`) allowed to build SQL text at run time, and why.
const ALLOWED: &[(&str, &str)] = &[
    (
        "crates/store/src/staging/",
        "staging tables' DDL, checks and copy statements, from the fixed table descriptions",
    ),
    (
        "crates/store/src/scratch.rs",
        "scratch databases' names: a checked prefix and a generated suffix",
    ),
    (
        "crates/cli/src/bench.rs",
        "the bench's reference tables, named by the bench itself",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_under(relative: &str, allowed: &str) -> bool {
    allowed.ends_with('/') && relative.starts_with(allowed)
}

#[test]
fn dynamic_sql_only_where_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates"))
        .into_iter()
        .flatten()
        .flatten()
    {
        rust_files(&krate.path().join("src"), &mut files);
    }
    assert!(
        files.len() > 50,
        "the walk found the sources ({} files)",
        files.len()
    );
    let marker = ["Assert", "SqlSafe"].concat();
    let mut offenders = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        // Code under `#[cfg(test)]` sits at the end of a file by the team's habit.
        let production = text.split("#[cfg(test)]").next().unwrap_or("");
        if !production.contains(&marker) {
            continue;
        }
        let relative = file
            .strip_prefix(&root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if !ALLOWED
            .iter()
            .any(|(allowed, _)| relative.ends_with(allowed) || is_under(&relative, allowed))
        {
            offenders.push(relative);
        }
    }
    assert!(
        offenders.is_empty(),
        "dynamic SQL outside the listed files: {offenders:?}; bind values instead, or add the \
         file to ALLOWED with the reason its text cannot come from input"
    );
}
