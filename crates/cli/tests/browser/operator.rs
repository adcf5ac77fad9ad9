//! Journeys of the Service Centre's daily work: an upload that lands on its report (a reload
//! imports nothing again), and a suspension asked on a page of its own.

use super::{OPERATOR, OPERATOR_PASSWORD, Site, click, sign_in, text_of, type_into, wait_for};
use anyhow::{Context, ensure};
use fantoccini::{Client, Locator};
use tempfile::TempDir;

/// A count of the portal's database.
async fn count(site: &Site<'_>, sql: &'static str) -> anyhow::Result<i64> {
    let mut conn = site.portal.app.store.acquire().await?;
    Ok(cs_store::on_conn!(&mut conn.conn(), |x| {
        sqlx::query_scalar(sql).fetch_one(x).await
    })?)
}

async fn signed_in_operator(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/login")).await?;
    sign_in(c, OPERATOR, OPERATOR_PASSWORD).await?;
    wait_for(c, "header .who-name").await?;
    Ok(())
}

/// The operator uploads a feed, lands on the run's own report page (POST-redirect-GET), and
/// reloads it: the report shows again and nothing is imported a second time.
pub async fn operator_upload_redirects(c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
    let base = site.base.as_str();
    let files = TempDir::new()?;
    let file = files.path().join("points-prg.csv");
    std::fs::write(
        &file,
        "customer_number,code,name,street,postcode,city\n\
         8800456,PRG1,Bibliotheek,Ladeuzeplein 21,3000,Leuven\n",
    )?;
    signed_in_operator(c, base).await?;
    let runs_before = count(site, "SELECT COUNT(*) FROM import_runs").await?;

    c.goto(&format!("{base}/operator/imports")).await?;
    c.find(Locator::Css("#kind"))
        .await
        .context("the feed select")?
        .select_by_value("collection-points")
        .await?;
    c.find(Locator::Css("#file"))
        .await
        .context("the file field")?
        .send_keys(&file.display().to_string())
        .await?;
    click(
        c,
        "form[enctype='multipart/form-data'] button[type='submit']",
    )
    .await?;
    wait_for(c, "p.notice[role='status']")
        .await
        .context("the report of the upload")?;
    let url = c.current_url().await?;
    let id = url
        .path()
        .strip_prefix("/operator/imports/")
        .unwrap_or_default()
        .to_owned();
    ensure!(
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
        "the upload landed at {url}, expected the run's report /operator/imports/ID"
    );
    ensure!(
        url.query().is_none(),
        "the report's address carries a query: {url}"
    );
    let runs_after = count(site, "SELECT COUNT(*) FROM import_runs").await?;
    ensure!(
        runs_after == runs_before + 1,
        "{runs_before} runs before the upload, {runs_after} after: expected one more"
    );

    // A reload asks for the report again, not for the upload.
    c.refresh().await?;
    wait_for(c, "p.notice[role='status']")
        .await
        .context("the report after a reload")?;
    let report = text_of(c, "main").await?;
    ensure!(
        report.contains("points-prg.csv"),
        "the reloaded report reads {report:?}"
    );
    let runs_reloaded = count(site, "SELECT COUNT(*) FROM import_runs").await?;
    ensure!(
        runs_reloaded == runs_after,
        "a reload recorded another run ({runs_after} → {runs_reloaded})"
    );
    let points = count(
        site,
        "SELECT COUNT(*) FROM collection_points WHERE code = 'PRG1'",
    )
    .await?;
    ensure!(points == 1, "{points} collection points PRG1, expected 1");
    Ok(())
}

/// The operator suspends a customer: the button on the customer's page leads to a page of
/// its own, which says what will happen; only its confirmation suspends. The customer is
/// reactivated at the end, as other journeys found it.
pub async fn operator_confirms_suspend(c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
    let base = site.base.as_str();
    let status = "SELECT COUNT(*) FROM customers WHERE customer_number = '8800789' \
                  AND status = 'suspended'";
    signed_in_operator(c, base).await?;
    c.goto(&format!("{base}/operator/customers/8800789"))
        .await?;
    click(
        c,
        "form[method='get'][action='/operator/customers/8800789/suspend'] button",
    )
    .await
    .context("the suspend button of the customer's page")?;
    let confirm = "form[method='post'][action='/operator/customers/8800789/suspend']";
    wait_for(c, &format!("{confirm} input[name='confirm'][value='yes']"))
        .await
        .context("the confirmation page")?;
    super::expect_path(c, "/operator/customers/8800789/suspend").await?;
    let heading = text_of(c, "main h1").await?;
    ensure!(
        heading.contains("Kessler"),
        "the confirmation names {heading:?}"
    );
    ensure!(
        count(site, status).await? == 0,
        "the customer is suspended before the confirmation"
    );
    type_into(c, "#reason", "Unpaid invoices (browser journey)").await?;
    click(c, &format!("{confirm} button[type='submit']")).await?;
    wait_for(c, "form[action='/operator/customers/8800789/reactivate']")
        .await
        .context("the customer's page after the suspension")?;
    ensure!(
        count(site, status).await? == 1,
        "the confirmed suspension did not suspend the customer"
    );

    // Reactivating needs no confirmation: it gives access back.
    click(
        c,
        "form[action='/operator/customers/8800789/reactivate'] button[type='submit']",
    )
    .await?;
    wait_for(
        c,
        "form[method='get'][action='/operator/customers/8800789/suspend']",
    )
    .await
    .context("the customer's page after the reactivation")?;
    ensure!(
        count(site, status).await? == 0,
        "the customer is still suspended"
    );
    Ok(())
}
