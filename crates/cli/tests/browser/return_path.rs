//! Journeys of issue #10, item 7: signing in brings the user back to the page that was
//! asked for, with its query.

use super::{PASSWORD, USERNAME, expect_path, field_value, sign_in, wait_for};
use anyhow::{Context, ensure};
use fantoccini::Client;

/// A clerk opens a bookmarked, filtered transactions page while signed out: the sign-in
/// page comes first, then the very page with its filter.
pub(super) async fn sign_in_returns_to_asked_page(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!(
        "{base}/transactions?from=2026-01-05&to=2026-01-20"
    ))
    .await?;
    wait_for(c, "form[action='/login'] input[name='next']")
        .await
        .context("signed out, the portal asks to sign in first")?;
    expect_path(c, "/login").await?;
    let url = c.current_url().await?;
    ensure!(
        url.query()
            .is_some_and(|q| q.starts_with("next=/transactions")),
        "the sign-in page does not carry the page asked for: {url}"
    );
    sign_in(c, USERNAME, PASSWORD).await?;
    // The attribute exists only on the page the server sends with the filter applied.
    wait_for(c, "input#from[value='2026-01-05']")
        .await
        .context("after signing in, the filtered transactions page")?;
    expect_path(c, "/transactions").await?;
    ensure!(
        field_value(c, "#to").await? == "2026-01-20",
        "the query of the page asked for is lost"
    );
    let url = c.current_url().await?;
    ensure!(
        url.query() == Some("from=2026-01-05&to=2026-01-20"),
        "landed on {url}"
    );
    Ok(())
}
