//! Journeys of the downloads for people (issue #10, item 4): a clerk clicks the XLSX link of
//! the transactions page, and the file the browser saved is read back with openpyxl: its
//! header in the clerk's language and frozen, dates as dates, and the totals row's value
//! equal to the total the page shows.

use super::{PASSWORD, Site, USERNAME, set_language, sign_in, text_of, wait_for};
use anyhow::{Context, bail, ensure};
use std::time::{Duration, Instant};

#[path = "../openpyxl/mod.rs"]
mod openpyxl;

/// Upper bound for the browser to finish saving a download.
const DOWNLOAD_WAIT: Duration = Duration::from_secs(20);

/// An amount as the page writes it, in cents: it always has two decimals, so its digits are
/// the cents, whatever the language's separators.
fn cents_of_text(text: &str) -> anyhow::Result<i64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .with_context(|| format!("no amount in {text:?}"))
}

/// The `.xlsx` files in the downloads folder (finished ones: Chromium writes `.crdownload`
/// first and renames).
fn xlsx_files(site: &Site<'_>) -> anyhow::Result<Vec<std::path::PathBuf>> {
    Ok(std::fs::read_dir(&site.downloads)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect())
}

/// The clerk (French-speaking) downloads the month's transactions as XLSX from the page;
/// openpyxl finds the French header frozen, dates, and the page's total in the totals row.
pub async fn clerk_downloads_the_xlsx(
    c: &fantoccini::Client,
    site: &Site<'_>,
) -> anyhow::Result<()> {
    let Some(python) = openpyxl::python("the browser's XLSX read-back") else {
        return Ok(());
    };
    let base = site.base.as_str();
    set_language(site, USERNAME, "fr").await?;
    c.goto(&format!("{base}/login")).await?;
    sign_in(c, USERNAME, PASSWORD).await?;
    wait_for(c, "header .who-name").await?;
    c.goto(&format!("{base}/transactions")).await?;
    let total = cents_of_text(&text_of(c, "#grand-total").await?)?;
    let before = xlsx_files(site)?;
    let link = wait_for(c, "a[href*='format=xlsx']").await?;
    ensure!(
        link.text().await?.contains("Excel"),
        "the XLSX link says what it is"
    );
    link.click().await?;
    // The file is written by the browser, outside the page: wait for it as for an element.
    let deadline = Instant::now() + DOWNLOAD_WAIT;
    let file = loop {
        if let Some(new) = xlsx_files(site)?.into_iter().find(|f| !before.contains(f)) {
            break new;
        }
        if Instant::now() > deadline {
            bail!("no XLSX saved within {DOWNLOAD_WAIT:?} of clicking the link");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let spec = serde_json::json!({
        "sheet": "Transactions",
        "headers": [
            "Transaction", "Date", "Point de collecte", "Centre de coûts", "Code produit",
            "Produit", "Format", "Poids", "Destination", "Quantité", "Prix unitaire", "Montant",
        ],
        "label": "Total",
        "dates": ["B"],
        "formats": {"L": "#,##0.00\\ \"€\""},
        "totals": {"L": {"function": "SUM", "value": total as f64 / 100.0}},
    });
    let summary = openpyxl::check(&python, &file, &spec)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    ensure!(
        summary["rows"].as_i64().unwrap_or(0) > 0,
        "the month's XLSX has no rows: {summary}"
    );
    Ok(())
}
