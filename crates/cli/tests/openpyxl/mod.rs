//! The XLSX read-back of the test suites: `scripts/xlsx-check.py` run by a Python that has
//! openpyxl (the environment `scripts/openpyxl-venv.sh` makes, which `.ci/run` calls).
//! Mandatory on CI; elsewhere a machine without it skips the check, loudly.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
};

/// openpyxl's version that `scripts/openpyxl-venv.sh` pins (its environment's folder name).
const OPENPYXL_VERSION: &str = "3.1.5";

/// The candidates, in order: `COLLECTSTAMP_TEST_OPENPYXL_PYTHON`, the environment the script makes
/// in the cache, the `python3` on the path.
fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("COLLECTSTAMP_TEST_OPENPYXL_PYTHON") {
        out.push(PathBuf::from(p));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")));
    if let Some(cache) = cache {
        out.push(cache.join(format!(
            "collectstamp/openpyxl-{OPENPYXL_VERSION}/bin/python"
        )));
    }
    out.push(PathBuf::from("python3"));
    out
}

/// A Python with openpyxl, or `None` when the check must be skipped (never on CI, where it
/// panics instead).
pub fn python(what: &str) -> Option<PathBuf> {
    let found = candidates().into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import openpyxl"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_some() {
        return found;
    }
    let why = "no Python with openpyxl (run scripts/openpyxl-venv.sh, or set \
               COLLECTSTAMP_TEST_OPENPYXL_PYTHON)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{what} cannot run on CI: {why}");
    }
    // Written to the real stderr: libtest would swallow `eprintln!` of a passing test.
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED {what}: {why} ***\n");
    None
}

/// Runs `scripts/xlsx-check.py` on `file` with `spec` (see the script): its JSON summary, or
/// what differs.
pub fn check(
    python: &Path,
    file: &Path,
    spec: &serde_json::Value,
) -> Result<serde_json::Value, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/xlsx-check.py");
    let spec_file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    std::fs::write(spec_file.path(), spec.to_string()).map_err(|e| e.to_string())?;
    let out = Command::new(python)
        .arg(&script)
        .arg(file)
        .arg(spec_file.path())
        .output()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{e}: {:?}", out.stdout))
}
