//! The browser suite: the main journeys in headless Chromium driven through chromedriver,
//! against the real portal started in-process on port 0 with the demo loaded.
//!
//! Each journey gets its own browser (fresh profile, no shared cookies); all journeys run
//! even when one fails, and every browser is closed before the verdict. E-mail is not sent
//! in the background: a journey that needs a message runs the queued jobs itself and reads
//! the `.eml` files of `DATA_DIR/outbox/`.
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

use anyhow::{Context, anyhow, bail, ensure};
use cs_app::passwords::Cost;
use cs_cli::{config::Config, server};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};
use tempfile::TempDir;
use tokio::sync::oneshot;

#[path = "browser/downloads.rs"]
mod downloads;
#[path = "browser/layout.rs"]
mod layout;
#[path = "browser/operator.rs"]
mod operator;

const CHROMIUM: &str = "/usr/bin/chromium";
/// Upper bound for chromedriver to announce that it listens.
const DRIVER_START: Duration = Duration::from_secs(20);
/// Upper bound for an element to appear after a navigation or a form post.
const ELEMENT_WAIT: Duration = Duration::from_secs(10);
/// Upper bound for a whole journey, whatever hangs (the browser, chromedriver, the portal).
const JOURNEY_LIMIT: Duration = Duration::from_secs(90);
/// Upper bound for the accessibility walk (every page × 4 languages × 2 widths).
const A11Y_LIMIT: Duration = Duration::from_secs(600);

/// The demo customer user of Imprimerie Van Damme (French-speaking).
const USERNAME: &str = "vandamme.user";
const PASSWORD: &str = "vandamme.user-demo-2026";
const FULL_NAME: &str = "Luc Dubois";
const CUSTOMER: &str = "Imprimerie Van Damme & Fils SA";

/// The demo operator (Service Centre).
const OPERATOR: &str = "operator";
const OPERATOR_PASSWORD: &str = "operator-demo-2026";

/// The company that asks for access in the onboarding journey, and its first two users.
const NEWCO_NAME: &str = "NewCo Logistics BV";
const NEWCO_VAT: &str = "BE0403170701";
const NEWCO_NUMBER: &str = "8809999";
const NEWCO_ADMIN: &str = "newco.admin";
const NEWCO_ADMIN_NAME: &str = "Anne Peeters";
const NEWCO_ADMIN_EMAIL: &str = "anne.peeters@newco-logistics.example.com";
const NEWCO_CLERK: &str = "newco.clerk";
const NEWCO_CLERK_NAME: &str = "Bart Claes";
const NEWCO_CLERK_EMAIL: &str = "bart.claes@newco-logistics.example.com";
/// The password each of them chooses through the one-time link.
const NEWCO_PASSWORD: &str = "a long and unusual passphrase 42";

#[path = "browser/return_path.rs"]
mod return_path;

#[derive(Debug, Clone, Copy)]
enum Journey {
    SignInAndOut,
    WrongPassword,
    AnonymousLanguageSwitch,
    NewCustomerOnboarding,
    OperatorUploadsAFeed,
    ClerkFiltersTransactions,
    ClerkFindsABarcodeOfAnotherMonth,
    EveryPageAccessible,
    KeyboardOnlySignInAndDownload,
    SignInReturnsToAskedPage,
    OperatorUploadRedirects,
    OperatorConfirmsSuspend,
    ClerkDownloadsTheXlsx,
    PhoneWidthFits,
}

impl Journey {
    const ALL: [Self; 14] = [
        Self::SignInAndOut,
        Self::WrongPassword,
        Self::AnonymousLanguageSwitch,
        Self::NewCustomerOnboarding,
        Self::OperatorUploadsAFeed,
        Self::ClerkFiltersTransactions,
        Self::ClerkFindsABarcodeOfAnotherMonth,
        Self::EveryPageAccessible,
        Self::KeyboardOnlySignInAndDownload,
        Self::SignInReturnsToAskedPage,
        Self::OperatorUploadRedirects,
        Self::OperatorConfirmsSuspend,
        Self::ClerkDownloadsTheXlsx,
        Self::PhoneWidthFits,
    ];

    /// Every journey, or those named in `COLLECTSTAMP_JOURNEYS` (comma-separated, as in
    /// `SignInAndOut,WrongPassword`) when a developer runs a few. CI never sets it.
    fn selected() -> Vec<Self> {
        let wanted = std::env::var("COLLECTSTAMP_JOURNEYS").unwrap_or_default();
        let wanted: Vec<&str> = wanted
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        if wanted.is_empty() {
            return Self::ALL.to_vec();
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "COLLECTSTAMP_JOURNEYS is for local runs: CI runs every journey"
        );
        let chosen: Vec<Self> = Self::ALL
            .into_iter()
            .filter(|j| wanted.contains(&format!("{j:?}").as_str()))
            .collect();
        assert_eq!(chosen.len(), wanted.len(), "unknown journey in {wanted:?}");
        eprintln!("running only the journeys {chosen:?} (COLLECTSTAMP_JOURNEYS)");
        chosen
    }

    /// The accessibility walk visits every page in four languages at two widths.
    fn limit(self) -> Duration {
        match self {
            Self::EveryPageAccessible => A11Y_LIMIT,
            Self::PhoneWidthFits => layout::LIMIT,
            _ => JOURNEY_LIMIT,
        }
    }

    async fn run(self, c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
        let base = site.base.as_str();
        match self {
            Self::SignInAndOut => sign_in_and_out(c, base).await,
            Self::WrongPassword => wrong_password(c, base).await,
            Self::AnonymousLanguageSwitch => anonymous_language_switch(c, base).await,
            Self::NewCustomerOnboarding => new_customer_onboarding(c, site).await,
            Self::OperatorUploadsAFeed => operator_uploads_a_feed(c, site).await,
            Self::ClerkFiltersTransactions => clerk_filters_transactions(c, base).await,
            Self::ClerkFindsABarcodeOfAnotherMonth => barcode_of_another_month(c, base).await,
            Self::EveryPageAccessible => every_page_accessible(c, site).await,
            Self::KeyboardOnlySignInAndDownload => keyboard_only(c, site).await,
            Self::SignInReturnsToAskedPage => {
                return_path::sign_in_returns_to_asked_page(c, base).await
            }
            Self::OperatorUploadRedirects => operator::operator_upload_redirects(c, site).await,
            Self::OperatorConfirmsSuspend => operator::operator_confirms_suspend(c, site).await,
            Self::ClerkDownloadsTheXlsx => downloads::clerk_downloads_the_xlsx(c, site).await,
            Self::PhoneWidthFits => layout::phone_width_fits(c, site).await,
        }
    }
}

/// The portal under test, as the journeys see it.
struct Site<'a> {
    base: String,
    portal: &'a server::Running,
    /// Where the portal writes its e-mail (no SMTP configured).
    outbox: PathBuf,
    /// Where the browsers save downloaded files.
    downloads: PathBuf,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_journeys_in_chromium() {
    let Some(chromedriver) = browser_tools() else {
        return;
    };
    let started = Instant::now();

    let data = TempDir::new().unwrap();
    // As `serve --demo` runs it, the Service Centre's demo contact included.
    let config = Config::for_data_dir(data.path().to_path_buf(), None)
        .unwrap()
        .with_demo_service_centre();
    let options = server::Options {
        clock: Arc::new(cs_domain::SystemClock),
        cost: Cost::Fast,
        // Jobs (e-mail) run only when a journey drains them: the outbox is deterministic.
        background_jobs: false,
    };
    let portal = server::launch(&config, options, Some(Box::new(|_| {})))
        .await
        .expect("the portal starts with the demo");
    let downloads_dir = TempDir::new().unwrap();
    let site = Site {
        base: portal.url(),
        portal: &portal,
        outbox: config.data_dir.join("outbox"),
        downloads: downloads_dir.path().to_path_buf(),
    };
    eprintln!(
        "portal with demo ready at {} after {:?}",
        site.base,
        started.elapsed()
    );

    let downloads = site.downloads.clone();
    let driver = Chromedriver::start(&chromedriver)
        .await
        .expect("chromedriver starts");

    let mut failures = Vec::new();
    for journey in Journey::selected() {
        let t = Instant::now();
        let outcome = match Browser::open(&driver, &downloads).await {
            Ok(browser) => {
                let outcome = match tokio::time::timeout(
                    journey.limit(),
                    journey.run(&browser.client, &site),
                )
                .await
                {
                    Ok(outcome) => outcome,
                    Err(_) => Err(anyhow!(
                        "the journey did not end within {:?}",
                        journey.limit()
                    )),
                };
                browser.close().await;
                outcome
            }
            Err(e) => Err(e),
        };
        eprintln!(
            "journey {journey:?}: {} in {:?}",
            if outcome.is_ok() { "ok" } else { "FAILED" },
            t.elapsed()
        );
        if let Err(e) = outcome {
            failures.push(format!("{journey:?}: {e:#}"));
        }
    }

    drop(driver);
    drop(site);
    portal.stop().await.expect("the portal stops");
    eprintln!("browser suite finished in {:?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "browser journeys failed:\n  {}",
        failures.join("\n  ")
    );
}

/// Journey 1: sign in as a customer user, see who you are in your own language, sign out.
async fn sign_in_and_out(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/login")).await?;
    expect_lang(c, "en")
        .await
        .context("the anonymous login page")?;

    sign_in(c, USERNAME, PASSWORD).await?;
    // Only the page after a successful sign-in is French: the user's language wins.
    wait_for(c, "html[lang='fr']")
        .await
        .context("after signing in, the page is in the user's language (fr)")?;
    expect_path(c, "/").await?;
    let who = text_of(c, "header .who-name").await?;
    ensure!(
        who.trim() == FULL_NAME,
        "the header names {who:?}, expected {FULL_NAME:?}"
    );
    let customer = text_of(c, "header .who-customer").await?;
    ensure!(
        customer.contains(CUSTOMER),
        "the header shows the customer {customer:?}, expected it to contain {CUSTOMER:?}"
    );
    let lead = text_of(c, "main").await?;
    ensure!(
        lead.contains(FULL_NAME),
        "the home page does not welcome {FULL_NAME:?}: {lead:?}"
    );

    c.find(Locator::Css(
        "header form[action='/logout'] button[type='submit']",
    ))
    .await
    .context("the sign-out button in the header")?
    .click()
    .await?;
    // The signed-out notice only exists on the page reached by signing out.
    wait_for(c, "p.notice[role='status']")
        .await
        .context("after signing out, the login page says so")?;
    expect_path(c, "/login").await?;
    ensure!(
        c.find_all(Locator::Css("header .who-name"))
            .await?
            .is_empty(),
        "the header still names a user after signing out"
    );

    c.goto(&format!("{base}/")).await?;
    expect_path(c, "/login")
        .await
        .context("opening / after signing out")?;
    Ok(())
}

/// Journey 5: the Service Centre uploads a feed file through the page (a multipart form whose
/// token is its first field), lands on the run's report, then sends a file with a bad row and
/// reads which line and column are wrong; nothing of the bad file is imported.
async fn operator_uploads_a_feed(c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
    let base = site.base.as_str();
    let files = TempDir::new()?;
    let good = files.path().join("collection-points.csv");
    std::fs::write(
        &good,
        "customer_number,code,name,street,postcode,city\n\
         8800123,QUAI,Quai de l'Industrie,Quai de l'Industrie 170,1070,Anderlecht\n",
    )?;
    let bad = files.path().join("collection-points-bad.csv");
    std::fs::write(
        &bad,
        "customer_number,code,name,street,postcode,city\n\
         8800123,GARE,,Rue de la Gare 1,1070,Anderlecht\n",
    )?;

    c.goto(&format!("{base}/login")).await?;
    sign_in(c, OPERATOR, OPERATOR_PASSWORD).await?;
    wait_for(c, "header .who-name").await?;
    c.goto(&format!("{base}/operator/imports")).await?;
    let upload = |file: PathBuf| async move {
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
        .await
    };
    upload(good).await?;
    wait_for(c, "p.notice[role='status']")
        .await
        .context("the report of a good file")?;
    let url = c.current_url().await?;
    ensure!(
        url.path().starts_with("/operator/imports/") && url.query().is_none(),
        "the upload answered at {url}, expected the run's report"
    );
    let report = text_of(c, "main").await?;
    ensure!(
        report.contains("The file was imported."),
        "the report says {report:?}"
    );

    c.goto(&format!("{base}/operator/imports")).await?;
    upload(bad).await?;
    wait_for(c, "p.error[role='alert']")
        .await
        .context("the report of a bad file")?;
    let row = text_of(c, "main table tbody tr").await?;
    ensure!(
        row.contains('2') && row.contains("name"),
        "the first problem reads {row:?}, expected line 2, column name"
    );

    let mut conn = site.portal.app.store.acquire().await?;
    let points: i64 = cs_store::on_conn!(&mut conn.conn(), |x| sqlx::query_scalar(
        "SELECT COUNT(*) FROM collection_points WHERE code IN ('QUAI', 'GARE')"
    )
    .fetch_one(x)
    .await)?;
    ensure!(
        points == 1,
        "{points} of QUAI and GARE stored, expected QUAI only"
    );
    Ok(())
}

/// Journey 6: a clerk narrows the transactions to a range, keeps the filter on screen, sees
/// the totals, and the downloads carry exactly that filter.
async fn clerk_filters_transactions(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/login")).await?;
    sign_in(c, USERNAME, PASSWORD).await?;
    wait_for(c, "header .who-name").await?;
    c.goto(&format!("{base}/transactions")).await?;
    wait_for(c, "#grand-total").await?;
    let whole_month = text_of(c, "#grand-total").await?;

    // A date input takes the digits in the browser's locale order; set it directly.
    c.execute(
        "document.getElementById('from').value = arguments[0];\
         document.getElementById('to').value = arguments[1];",
        vec![json!("2026-01-05"), json!("2026-01-20")],
    )
    .await?;
    click(
        c,
        "form.filters[action='/transactions'] button[type='submit']",
    )
    .await?;
    // The attribute (not the property set above) exists only on the page the server sends
    // back with the filter applied.
    wait_for(c, "input#from[value='2026-01-05']")
        .await
        .context("the filtered page")?;
    ensure!(
        field_value(c, "#from").await? == "2026-01-05"
            && field_value(c, "#to").await? == "2026-01-20",
        "the range typed is not kept on the page"
    );
    let range_total = text_of(c, "#grand-total").await?;
    ensure!(
        range_total != whole_month,
        "the total did not change with the range ({range_total})"
    );
    let csv = c
        .find(Locator::XPath("//a[contains(@href, 'format=csv')]"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    ensure!(
        csv.contains("from=2026-01-05") && csv.contains("to=2026-01-20"),
        "the CSV download does not carry the filter: {csv}"
    );
    Ok(())
}

/// A clerk types the barcode of an item deposited before this month into the search form,
/// which shows this month's dates: the item is found (a barcode ignores the dates).
async fn barcode_of_another_month(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/login")).await?;
    sign_in(c, USERNAME, PASSWORD).await?;
    wait_for(c, "header .who-name").await?;
    c.goto(&format!("{base}/registered-items")).await?;
    wait_for(c, "input#barcode").await?;
    // The form shows the month it searched: its first day tells where last month ends.
    let first = field_value(c, "#from").await?;
    let first = time::Date::parse(
        &first,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .with_context(|| format!("the page's from date {first:?}"))?;
    let before = first.previous_day().context("a day before the month")?;
    c.goto(&format!(
        "{base}/registered-items?from=2000-01-01&to={before}"
    ))
    .await?;
    let barcode = text_of(c, "table tbody th[scope='row'] code")
        .await
        .context("an item deposited before this month")?;
    c.goto(&format!("{base}/registered-items")).await?;
    ensure!(
        field_value(c, "#from").await? == first.to_string(),
        "the form shows this month again"
    );
    c.find(Locator::Css("#barcode"))
        .await?
        .send_keys(&barcode)
        .await?;
    click(
        c,
        "form.filters[action='/registered-items'] button[type='submit']",
    )
    .await?;
    wait_for(c, &format!("input#barcode[value='{barcode}']"))
        .await
        .context("the page of the barcode's search")?;
    let found = text_of(c, "table tbody th[scope='row'] code")
        .await
        .context("the item of the barcode, whatever the dates the form sent")?;
    ensure!(found == barcode, "found {found:?} for {barcode:?}");
    Ok(())
}

/// Journey 2: a wrong password keeps the username, empties the password and says why.
async fn wrong_password(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/login")).await?;
    sign_in(c, USERNAME, "not-the-password-2026").await?;
    let alert = wait_for(c, "[role='alert']")
        .await
        .context("after a wrong password, an error with role=alert")?;
    let message = alert.text().await?;
    ensure!(!message.trim().is_empty(), "the role=alert error is empty");
    expect_path(c, "/login").await?;
    let username = c
        .find(Locator::Css("#username"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        username == USERNAME,
        "the username field holds {username:?}, expected the typed {USERNAME:?}"
    );
    let password = c
        .find(Locator::Css("#password"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        password.is_empty(),
        "the password field is not empty after a failed sign-in"
    );
    ensure!(
        c.find_all(Locator::Css("header .who-name"))
            .await?
            .is_empty(),
        "a failed sign-in shows a signed-in header"
    );
    Ok(())
}

/// Journey 3: an anonymous visitor switches the language from the login page.
async fn anonymous_language_switch(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/login")).await?;
    expect_lang(c, "en")
        .await
        .context("the anonymous login page")?;
    c.find(Locator::XPath(
        "//form[contains(concat(' ', normalize-space(@class), ' '), ' languages ')]\
         //button[normalize-space(.)='Nederlands']",
    ))
    .await
    .context("the button \"Nederlands\" in the language switch")?
    .click()
    .await?;
    wait_for(c, "html[lang='nl']")
        .await
        .context("after choosing Nederlands, the page is in Dutch")?;
    expect_path(c, "/login").await?;
    let current = c
        .find(Locator::Css("form.languages button[aria-current='true']"))
        .await
        .context("the language switch marks the current language")?
        .text()
        .await?;
    ensure!(
        current.trim() == "Nederlands",
        "the language switch marks {current:?} as current, expected \"Nederlands\""
    );
    Ok(())
}

/// Journey 4: a new company asks for access, the operator approves it with a new customer
/// number, its first administrator sets a password through the invitation e-mail, signs in
/// and invites a user, who sets a password in turn and signs in.
async fn new_customer_onboarding(c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
    let base = site.base.as_str();

    // 1. An anonymous visitor fills the public form.
    c.goto(&format!("{base}/access-request")).await?;
    wait_for(c, "form[action='/access-request']")
        .await
        .context("the access-request form")?;
    for (field, value) in [
        ("company_name", NEWCO_NAME),
        ("vat_number", NEWCO_VAT),
        ("street", "Kunstlaan 1"),
        ("postcode", "1000"),
        ("city", "Brussel"),
        ("contact_name", NEWCO_ADMIN_NAME),
        ("email", NEWCO_ADMIN_EMAIL),
        ("phone", "+32 2 123 45 67"),
        ("username", NEWCO_ADMIN),
    ] {
        type_into(c, &format!("#{field}"), value).await?;
    }
    ensure!(
        field_value(c, "#customer_number").await?.is_empty(),
        "the customer number of the access-request form is not empty on a fresh form"
    );
    click(c, "form[action='/access-request'] button[type='submit']").await?;
    // The confirmation is the only page of the flow with a role=status notice.
    wait_for(c, "main p.notice[role='status']")
        .await
        .context("after sending the access request, the confirmation page")?;
    expect_path(c, "/access-request/sent").await?;

    // 2. The operator approves it with a new customer number.
    c.goto(&format!("{base}/login")).await?;
    wait_for(c, "form[action='/login']").await?;
    sign_in(c, OPERATOR, OPERATOR_PASSWORD).await?;
    wait_for(c, "header .who-name")
        .await
        .context("after the operator signs in")?;
    click(c, "nav.main-nav a[href='/operator/access-requests']")
        .await
        .context("the access-request queue in the navigation")?;
    let row_link = format!(
        "//table//tr[td[normalize-space(.)='{NEWCO_ADMIN}']]\
         //a[starts-with(@href, '/operator/access-requests/')]"
    );
    wait_for_xpath(c, &row_link)
        .await
        .with_context(|| format!("the pending request of {NEWCO_ADMIN} in the queue"))?
        .click()
        .await?;
    let number = wait_for(c, "form[action$='/approve'] #customer_number")
        .await
        .context("the approve form of the request")?;
    let detail = c.current_url().await?;
    number.send_keys(NEWCO_NUMBER).await?;
    click(c, "form[action$='/approve'] button[type='submit']").await?;
    wait_for(c, "main p.notice[role='status']")
        .await
        .context("after approving, the request says so")?;
    expect_path(c, detail.path()).await?;
    ensure!(
        c.find_all(Locator::Css("form[action$='/approve']"))
            .await?
            .is_empty(),
        "the approved request still offers to approve it; {}",
        where_we_are(c).await
    );
    let shown = text_of(c, "main").await?;
    ensure!(
        shown.contains(NEWCO_NUMBER),
        "the approved request does not show the customer {NEWCO_NUMBER}: {shown:?}"
    );
    sign_out(c).await.context("the operator signs out")?;

    // 3. The first administrator sets a password through the invitation and signs in.
    let link = link_sent_to(site, NEWCO_ADMIN_EMAIL)
        .await
        .context("the invitation of the new administrator")?;
    set_password_through(c, &link)
        .await
        .context("the new administrator's invitation link")?;
    sign_in(c, NEWCO_ADMIN, NEWCO_PASSWORD).await?;
    let who = wait_for(c, "header .who-name")
        .await
        .context("after the new administrator signs in")?
        .text()
        .await?;
    ensure!(
        who.trim() == NEWCO_ADMIN_NAME,
        "the header names {who:?}, expected {NEWCO_ADMIN_NAME:?}"
    );
    let customer = text_of(c, "header .who-customer").await?;
    ensure!(
        customer.contains(NEWCO_NAME),
        "the header shows the customer {customer:?}, expected it to contain {NEWCO_NAME:?}"
    );
    expect_path(c, "/").await?;

    // 4. The administrator invites a user with the module Transactions.
    click(c, "nav.main-nav a[href='/users']")
        .await
        .context("Users in the navigation")?;
    wait_for(c, "main a[href='/users/new']")
        .await
        .context("the link to add a user on the user list")?
        .click()
        .await?;
    let form = "form[method='post'][action='/users']";
    wait_for(c, &format!("{form} #username"))
        .await
        .context("the new-user form")?;
    type_into(c, "#username", NEWCO_CLERK).await?;
    type_into(c, "#full_name", NEWCO_CLERK_NAME).await?;
    type_into(c, "#email", NEWCO_CLERK_EMAIL).await?;
    let role = c
        .find(Locator::Css("input[name='role'][value='user']"))
        .await
        .context("the role \"user\"")?;
    if role.prop("checked").await?.as_deref() != Some("true") {
        role.click().await?;
    }
    click(c, "input[name='modules'][value='transactions']")
        .await
        .context("the module Transactions")?;
    click(c, &format!("{form} button[type='submit']")).await?;
    // Only the edit page of an existing user has the disable button.
    wait_for(c, "form[action$='/disable']")
        .await
        .context("after creating the user, its page")?;
    let notice = text_of(c, "main p.notice[role='status']")
        .await
        .context("the notice that the user was created")?;
    ensure!(
        notice.contains(NEWCO_CLERK_EMAIL),
        "the creation notice does not name {NEWCO_CLERK_EMAIL:?}: {notice:?}"
    );
    sign_out(c)
        .await
        .context("the new administrator signs out")?;

    // 5. The invited user sets a password and signs in.
    let link = link_sent_to(site, NEWCO_CLERK_EMAIL)
        .await
        .context("the invitation of the new user")?;
    set_password_through(c, &link)
        .await
        .context("the new user's invitation link")?;
    sign_in(c, NEWCO_CLERK, NEWCO_PASSWORD).await?;
    let who = wait_for(c, "header .who-name")
        .await
        .context("after the new user signs in")?
        .text()
        .await?;
    ensure!(
        who.trim() == NEWCO_CLERK_NAME,
        "the header names {who:?}, expected {NEWCO_CLERK_NAME:?}"
    );
    expect_path(c, "/").await?;
    let home = text_of(c, "main").await?;
    ensure!(
        home.contains(NEWCO_CLERK_NAME),
        "the home page does not welcome {NEWCO_CLERK_NAME:?}: {home:?}"
    );
    let rights = text_of(c, "main section[aria-labelledby='rights-heading']").await?;
    ensure!(
        rights.contains("Transactions"),
        "the new user's rights do not list Transactions: {rights:?}"
    );
    Ok(())
}

/// Opens a one-time link, types the new password twice and expects the sign-in page.
async fn set_password_through(c: &Client, link: &str) -> anyhow::Result<()> {
    c.goto(link).await?;
    wait_for(c, "form[action='/password/set'] #password")
        .await
        .context("the set-password form")?;
    type_into(c, "#password", NEWCO_PASSWORD).await?;
    type_into(c, "#confirm", NEWCO_PASSWORD).await?;
    click(c, "form[action='/password/set'] button[type='submit']").await?;
    wait_for(c, "form[action='/login']")
        .await
        .context("after setting the password, the sign-in page")?;
    expect_path(c, "/login").await?;
    wait_for(c, "main p.notice[role='status']")
        .await
        .context("the sign-in page says the password is saved")?;
    Ok(())
}

/// Signs out with the header's button and waits for the sign-in page.
async fn sign_out(c: &Client) -> anyhow::Result<()> {
    click(c, "header form[action='/logout'] button[type='submit']")
        .await
        .context("the sign-out button in the header")?;
    wait_for(c, "form[action='/login']")
        .await
        .context("after signing out, the sign-in page")?;
    Ok(())
}

/// Runs the queued jobs, then returns the one-time link of the only message to `to` that
/// has one; the link must lead to this portal.
async fn link_sent_to(site: &Site<'_>, to: &str) -> anyhow::Result<String> {
    cs_app::jobs::drain(&site.portal.app)
        .await
        .map_err(|e| anyhow!("running the queued jobs failed: {e}"))?;
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&site.outbox) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .with_context(|| format!("listing {}", site.outbox.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("opening {}", site.outbox.display())),
    };
    files.retain(|p| p.extension().is_some_and(|x| x == "eml"));
    files.sort();
    let marker = "/password/set?token=";
    let mut links = Vec::new();
    let mut to_them = Vec::new();
    for path in &files {
        let eml =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        if !eml.contains(&format!("<{to}>")) {
            continue;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        to_them.push(name.clone().into_owned());
        // The text part has the link alone on its line (the HTML part has it in markup).
        let mut in_this: Vec<&str> = eml
            .lines()
            .map(str::trim)
            .filter(|l| l.contains(marker) && !l.contains(['<', '>', '"', ' ']))
            .collect();
        in_this.dedup();
        links.extend(
            in_this
                .into_iter()
                .map(|l| (name.clone().into_owned(), l.to_owned())),
        );
    }
    let [(file, link)] = links.as_slice() else {
        bail!(
            "expected exactly one one-time link sent to {to}, found {}: {links:?} \
             (messages to {to}: {to_them:?}; {} messages in the outbox)",
            links.len(),
            files.len()
        );
    };
    let expected = format!("{}{marker}", site.base);
    ensure!(
        link.starts_with(&expected),
        "the link of {file} is {link:?}, expected it to start with {expected:?}"
    );
    Ok(link.clone())
}

async fn wait_for_xpath(c: &Client, xpath: &str) -> anyhow::Result<fantoccini::elements::Element> {
    match c
        .wait()
        .at_most(ELEMENT_WAIT)
        .for_element(Locator::XPath(xpath))
        .await
    {
        Ok(element) => Ok(element),
        Err(e) => bail!(
            "no element matching {xpath:?} within {ELEMENT_WAIT:?} ({e}); {}",
            where_we_are(c).await
        ),
    }
}

/// Types into the field of the current page, which must be there.
async fn type_into(c: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let field = match c.find(Locator::Css(css)).await {
        Ok(f) => f,
        Err(e) => bail!("no field {css:?} ({e}); {}", where_we_are(c).await),
    };
    field.send_keys(text).await?;
    Ok(())
}

async fn field_value(c: &Client, css: &str) -> anyhow::Result<String> {
    let field = c
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("no field {css:?}"))?;
    Ok(field.prop("value").await?.unwrap_or_default())
}

/// Clicks an element of the current page, which must be there.
async fn click(c: &Client, css: &str) -> anyhow::Result<()> {
    let element = match c.find(Locator::Css(css)).await {
        Ok(e) => e,
        Err(e) => bail!(
            "nothing to click at {css:?} ({e}); {}",
            where_we_are(c).await
        ),
    };
    element.click().await?;
    Ok(())
}

/// Fills and submits the login form of the current page.
async fn sign_in(c: &Client, username: &str, password: &str) -> anyhow::Result<()> {
    c.find(Locator::Css("#username"))
        .await
        .context("the username field")?
        .send_keys(username)
        .await?;
    c.find(Locator::Css("#password"))
        .await
        .context("the password field")?
        .send_keys(password)
        .await?;
    c.find(Locator::Css("form[action='/login'] button[type='submit']"))
        .await
        .context("the sign-in button")?
        .click()
        .await?;
    Ok(())
}

async fn wait_for(c: &Client, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    match c
        .wait()
        .at_most(ELEMENT_WAIT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => Ok(element),
        Err(e) => bail!(
            "no element matching {css:?} within {ELEMENT_WAIT:?} ({e}); {}",
            where_we_are(c).await
        ),
    }
}

/// The current address and the start of the visible text, to explain a failed wait.
async fn where_we_are(c: &Client) -> String {
    let url = match c.current_url().await {
        Ok(u) => u.to_string(),
        Err(e) => format!("(unknown: {e})"),
    };
    let text = match c.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(e) => format!("(no body: {e})"),
    };
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = text.chars().take(400).collect();
    format!("the browser is at {url} showing {text:?}")
}

async fn text_of(c: &Client, css: &str) -> anyhow::Result<String> {
    let element = c
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("no element matching {css:?}"))?;
    Ok(element.text().await?)
}

async fn expect_lang(c: &Client, lang: &str) -> anyhow::Result<()> {
    let actual = c
        .find(Locator::Css("html"))
        .await?
        .attr("lang")
        .await?
        .unwrap_or_default();
    ensure!(actual == lang, "<html lang={actual:?}>, expected {lang:?}");
    Ok(())
}

async fn expect_path(c: &Client, path: &str) -> anyhow::Result<()> {
    let url = c.current_url().await?;
    ensure!(url.path() == path, "at {url}, expected the path {path}");
    Ok(())
}

/// One Chromium with a profile of its own, deleted once the browser is closed.
struct Browser {
    client: Client,
    _profile: TempDir,
}

impl Browser {
    async fn open(driver: &Chromedriver, downloads: &Path) -> anyhow::Result<Self> {
        let profile = TempDir::new().context("a temporary Chromium profile")?;
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
            "--lang=en-GB".to_owned(),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities must be a JSON object");
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .context("cannot open a Chromium session through chromedriver")?;
        Ok(Self {
            client,
            _profile: profile,
        })
    }

    async fn close(self) {
        if let Err(e) = self.client.close().await {
            eprintln!("closing the browser session failed: {e}");
        }
    }
}

/// chromedriver on a free local port, killed when dropped.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    async fn start(program: &Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let stdout = child.stdout.take().context("chromedriver's stdout")?;
        // From here on the guard kills chromedriver whatever happens.
        let driver = Self { child, port };

        // Read stdout on a thread until the readiness line, then keep draining it so that
        // chromedriver never blocks on a full pipe.
        let (ready_tx, ready_rx) = oneshot::channel::<Result<(), String>>();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            let mut seen = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match ready_tx.take() {
                    Some(tx) if line.contains("started successfully") => {
                        let _ = tx.send(Ok(()));
                    }
                    Some(tx) => {
                        seen.push(line);
                        ready_tx = Some(tx);
                    }
                    None => {}
                }
            }
            if let Some(tx) = ready_tx {
                let _ = tx.send(Err(format!(
                    "chromedriver closed its output before it was ready: {seen:?}"
                )));
            }
        });
        match tokio::time::timeout(DRIVER_START, ready_rx).await {
            Ok(Ok(Ok(()))) => Ok(driver),
            Ok(Ok(Err(why))) => bail!(why),
            Ok(Err(_)) => bail!("chromedriver's output reader stopped"),
            Err(_) => bail!("chromedriver did not say it started within {DRIVER_START:?}"),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The chromedriver to use, or `None` when the suite must be skipped (never on CI).
fn browser_tools() -> Option<PathBuf> {
    let chromium = Path::new(CHROMIUM);
    let chromedriver = find_on_path("chromedriver");
    let missing: Vec<&str> = [
        (!chromium.is_file()).then_some(CHROMIUM),
        chromedriver.is_none().then_some("chromedriver (on PATH)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return chromedriver;
    }
    let why = format!(
        "missing {} (Debian packages chromium and chromium-driver)",
        missing.join(" and ")
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the browser suite cannot run on CI: {why}");
    }
    // Written to the real stderr: libtest would swallow `eprintln!` of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED browser suite: {why} ***\n"
    );
    None
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

// ---- Accessibility: axe-core over every page, and a keyboard-only walk ----

/// The four languages of the portal, as stored on a user and in the `cs_lang` cookie.
const LANGUAGES: [&str; 4] = ["fr", "nl", "de", "en"];
/// A phone's and a laptop's viewport width (with a height that fits either).
const WIDTHS: [(u32, u32); 2] = [(390, 844), (1280, 900)];
/// The demo customer administrator, who reaches every customer page.
const ADMIN: &str = "vandamme.admin";
const ADMIN_PASSWORD: &str = "vandamme.admin-demo-2026";

/// axe-core's script, installed by `npm ci` at the workspace root (pinned by package-lock.json).
fn axe_source() -> anyhow::Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "axe-core is missing at {} (run `npm ci` at the workspace root)",
            path.display()
        )
    })
}

/// One axe violation as the walk reports it.
#[derive(Debug, serde::Deserialize)]
struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    nodes: usize,
    targets: Vec<String>,
}

/// The page routes of the policy table (GET, not the API, the probes or static files), each
/// with a concrete path from the demo data and the caller its policy lets in. A new page is
/// walked by itself; a new path parameter fails here until it is given a demo value.
async fn page_routes(site: &Site<'_>) -> anyhow::Result<Vec<(String, &'static str)>> {
    let mut conn = site.portal.app.store.acquire().await?;
    let user: i64 = cs_store::on_conn!(&mut conn.conn(), |x| sqlx::query_scalar(
        "SELECT id FROM users WHERE username = 'vandamme.user'"
    )
    .fetch_one(x)
    .await)?;
    let access_request: i64 = cs_store::on_conn!(&mut conn.conn(), |x| sqlx::query_scalar(
        "SELECT MIN(id) FROM access_requests"
    )
    .fetch_one(x)
    .await)?;
    let import_run: i64 = cs_store::on_conn!(&mut conn.conn(), |x| sqlx::query_scalar(
        "SELECT MIN(id) FROM import_runs"
    )
    .fetch_one(x)
    .await)?;
    let mut pages = Vec::new();
    for route in cs_web::routes().table() {
        let p = route.path;
        if route.method != reqwest::Method::GET
            || p.starts_with("/api/")
            || p.starts_with("/static/")
            || ["/healthz", "/readyz", "/metrics"].contains(&p)
        {
            continue;
        }
        let path = match p {
            "/users/{id}" => format!("/users/{user}"),
            "/operator/access-requests/{id}" => {
                format!("/operator/access-requests/{access_request}")
            }
            "/operator/imports/{id}" => format!("/operator/imports/{import_run}"),
            "/operator/customers/{number}" => "/operator/customers/8800123".to_owned(),
            "/operator/customers/{number}/suspend" => {
                "/operator/customers/8800123/suspend".to_owned()
            }
            "/users/{id}/disable" => format!("/users/{user}/disable"),
            "/operator/access-requests/{id}/reject" => {
                format!("/operator/access-requests/{access_request}/reject")
            }
            p if p.contains('{') => bail!("the accessibility walk has no demo value for {p}"),
            p => p.to_owned(),
        };
        let who = match route.policy {
            cs_web::Policy::Public => "anonymous",
            cs_web::Policy::Operator => OPERATOR,
            _ => ADMIN,
        };
        pages.push((path, who));
    }
    ensure!(
        pages.len() >= 15,
        "only {} pages found: {pages:?}",
        pages.len()
    );
    Ok(pages)
}

/// Puts a signed-in user's language (the user's own language wins over the cookie).
async fn set_language(site: &Site<'_>, username: &str, lang: &str) -> anyhow::Result<()> {
    let mut conn = site.portal.app.store.acquire().await?;
    cs_store::on_conn!(&mut conn.conn(), |x| sqlx::query(
        "UPDATE users SET language = $1 WHERE username = $2"
    )
    .bind(lang)
    .bind(username)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Runs axe-core on the current page (injected through the driver, so the page's CSP, which
/// forbids inline and foreign scripts, stays as it is).
async fn axe_violations(c: &Client, axe: &str) -> anyhow::Result<Vec<Violation>> {
    c.execute(&format!("{axe}\n;return typeof window.axe;"), vec![])
        .await
        .context("injecting axe-core")?;
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.axe.run(document, { resultTypes: ['violations'] })\
               .then(r => done({ passes: r.passes.length, violations: r.violations.map(v => ({\
                 id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,\
                 targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')) })) }))\
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .context("running axe-core")?;
    if let Some(e) = found.get("error") {
        bail!("axe-core failed: {e}");
    }
    // A run that passed no rule at all did not look at the page.
    let passes = found["passes"].as_u64().unwrap_or(0);
    ensure!(passes > 10, "axe-core passed only {passes} rules: {found}");
    Ok(serde_json::from_value(found["violations"].clone())?)
}

/// Journey 7: axe-core over every page route in the four languages at 390 and 1280 px wide:
/// no serious or critical violation; the moderate and minor ones are printed.
async fn every_page_accessible(c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
    let base = site.base.as_str();
    let axe = match axe_source() {
        Ok(axe) => axe,
        // Mandatory on CI; elsewhere a machine without `npm ci` skips it, loudly.
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED accessibility walk: {e:#} ***\n"
            );
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let pages = page_routes(site).await?;
    // The gate sees what it must: an image without a text alternative is a critical violation.
    c.goto(&format!("{base}/login")).await?;
    c.execute(
        "document.querySelector('main').appendChild(document.createElement('img'));",
        vec![],
    )
    .await?;
    let planted = axe_violations(c, &axe).await?;
    ensure!(
        planted
            .iter()
            .any(|v| v.id == "image-alt" && v.impact.as_deref() == Some("critical")),
        "axe-core did not report a planted image without alt: {planted:?}"
    );
    let mut serious = Vec::new();
    let mut minor = std::collections::BTreeMap::<String, usize>::new();
    let mut checked = 0;
    for who in ["anonymous", ADMIN, OPERATOR] {
        c.goto(&format!("{base}/login")).await?;
        c.delete_all_cookies().await?;
        if who != "anonymous" {
            c.goto(&format!("{base}/login")).await?;
            let password = if who == OPERATOR {
                OPERATOR_PASSWORD
            } else {
                ADMIN_PASSWORD
            };
            sign_in(c, who, password).await?;
            wait_for(c, "header .who-name").await?;
        }
        for lang in LANGUAGES {
            if who == "anonymous" {
                // The page's own origin (a driver cookie needs a domain that 127.0.0.1 lacks).
                c.execute(
                    "document.cookie = 'cs_lang=' + arguments[0] + '; path=/; SameSite=Lax';",
                    vec![json!(lang)],
                )
                .await?;
            } else {
                set_language(site, who, lang).await?;
            }
            for (width, height) in WIDTHS {
                c.set_window_size(width, height).await?;
                for (path, _) in pages.iter().filter(|(_, w)| *w == who) {
                    c.goto(&format!("{base}{path}")).await?;
                    let html = c
                        .execute("return document.contentType;", vec![])
                        .await?
                        .as_str()
                        .is_some_and(|t| t == "text/html");
                    ensure!(html, "{path} is not an HTML page");
                    expect_lang(c, lang)
                        .await
                        .with_context(|| format!("{path} as {who}"))?;
                    for v in axe_violations(c, &axe).await? {
                        let impact = v.impact.clone().unwrap_or_default();
                        let at = format!("{path} as {who}, {lang}, {width}px");
                        if impact == "serious" || impact == "critical" {
                            serious.push(format!(
                                "{at}: {impact} {} ({}; {} nodes: {:?})",
                                v.id, v.help, v.nodes, v.targets
                            ));
                        } else {
                            *minor
                                .entry(format!("{impact} {}: {}", v.id, v.help))
                                .or_default() += v.nodes;
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    for (what, nodes) in &minor {
        eprintln!("axe (not failing): {what} ({nodes} nodes over all pages)");
    }
    eprintln!("axe: {checked} page views checked");
    // The demo's languages are put back for the journeys that follow.
    set_language(site, ADMIN, "fr").await?;
    set_language(site, OPERATOR, "en").await?;
    ensure!(
        serious.is_empty(),
        "{} serious or critical accessibility violations:\n    {}",
        serious.len(),
        serious.join("\n    ")
    );
    Ok(())
}

/// Presses Tab until the focused element matches `css` (at most `max` presses).
async fn tab_to(c: &Client, css: &str, max: usize) -> anyhow::Result<()> {
    let tab = String::from(char::from(fantoccini::key::Key::Tab));
    for _ in 0..max {
        c.active_element().await?.send_keys(&tab).await?;
        let here = c
            .execute(
                "return document.activeElement.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await?;
        if here.as_bool() == Some(true) {
            return Ok(());
        }
    }
    bail!(
        "{css:?} not reached with {max} presses of Tab; {}",
        where_we_are(c).await
    )
}

/// Journey 8: with the keyboard only (Tab, typing, Enter): sign in, reach the transactions
/// through the navigation and download them as CSV.
async fn keyboard_only(c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
    let base = site.base.as_str();
    let enter = String::from(char::from(fantoccini::key::Key::Enter));
    c.goto(&format!("{base}/login")).await?;
    tab_to(c, "#username", 30).await?;
    c.active_element().await?.send_keys(USERNAME).await?;
    tab_to(c, "#password", 5).await?;
    c.active_element().await?.send_keys(PASSWORD).await?;
    c.active_element().await?.send_keys(&enter).await?;
    wait_for(c, "header .who-name")
        .await
        .context("signed in with the keyboard")?;
    tab_to(c, "a[href='/transactions']", 40).await?;
    c.active_element().await?.send_keys(&enter).await?;
    wait_for(c, "#grand-total")
        .await
        .context("the transactions, opened with the keyboard")?;
    tab_to(c, "a[href*='format=csv']", 80).await?;
    let before = std::fs::read_dir(&site.downloads)?.count();
    c.active_element().await?.send_keys(&enter).await?;
    // The file is written by the browser, outside the page: wait for it as for an element.
    let deadline = Instant::now() + ELEMENT_WAIT;
    loop {
        let done: Vec<_> = std::fs::read_dir(&site.downloads)?
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".csv"))
            .collect();
        if done.len() > before {
            let text = std::fs::read_to_string(done[0].path())?;
            ensure!(
                text.lines().count() > 1,
                "the downloaded CSV is empty: {text:?}"
            );
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "no CSV downloaded within {ELEMENT_WAIT:?} of pressing Enter on the link"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
