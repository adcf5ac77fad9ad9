//! The layout at every screen size: the phone-width journey (no page wider than a 390 px or a
//! 320 px screen, a header of at most 120 px) and the screenshots of `docs/screens/`.

use super::{
    ADMIN, ADMIN_PASSWORD, Browser, Chromedriver, LANGUAGES, OPERATOR, OPERATOR_PASSWORD, PASSWORD,
    Site, USERNAME, browser_tools, click, page_routes, set_language, sign_in, wait_for,
};
use anyhow::{Context, bail, ensure};
use cs_app::passwords::Cost;
use cs_cli::{config::Config, server};
use fantoccini::{Client, Locator};
use serde::Deserialize;
use std::{path::Path, sync::Arc, time::Duration};
use tempfile::TempDir;

/// Upper bound for the phone-width walk (some fifty pages at two widths, four sign-ins).
pub const LIMIT: Duration = Duration::from_secs(300);
/// The phone of the issue's decision, in CSS px.
const PHONE: (u32, u32) = (390, 844);
/// WCAG 2.1 reflow (1.4.10): 1280 px at 400 % zoom.
const REFLOW: (u32, u32) = (320, 640);
/// The laptop, where the navigation is a bar with no menu button.
const LAPTOP: (u32, u32) = (1280, 900);
/// The most the header with its navigation may take at the top of a phone's page.
const HEADER_MAX: f64 = 120.0;

/// What the browser measures on a page.
#[derive(Debug, Deserialize)]
struct Measure {
    path: String,
    scroll_width: f64,
    inner_width: f64,
    /// The bottom edge of the header (with the navigation) at the top of the page.
    header_bottom: Option<f64>,
    /// The outermost elements that reach past the right edge, outside any scrolling box.
    too_wide: Vec<String>,
}

const MEASURE: &str = r"
const inner = window.innerWidth;
const clipped = el => {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return true;
  }
  return false;
};
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
  + (el.classList.length ? '.' + [...el.classList].join('.') : '');
const wide = [...document.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > inner + 0.5)
  .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= inner + 0.5)
  .filter(el => !clipped(el))
  .slice(0, 3)
  .map(el => name(el) + ' (' + Math.round(el.getBoundingClientRect().width) + ' px)');
const header = document.querySelector('header.top');
return {
  path: location.pathname + location.search,
  scroll_width: document.documentElement.scrollWidth,
  inner_width: inner,
  header_bottom: header ? header.getBoundingClientRect().bottom + window.scrollY : null,
  too_wide: wide,
};
";

/// Sets the window so that the page's viewport is `width` × `height` CSS px (headless
/// Chromium keeps some of the window's height for itself).
pub async fn set_viewport(c: &Client, (width, height): (u32, u32)) -> anyhow::Result<()> {
    c.set_window_size(width, height).await?;
    let (w, h) = viewport(c).await?;
    if (w, h) != (width, height) {
        let fix = |want: u32, got: u32| (2 * i64::from(want) - i64::from(got)).max(1);
        let (w2, h2) = (fix(width, w), fix(height, h));
        c.set_window_size(u32::try_from(w2)?, u32::try_from(h2)?)
            .await?;
    }
    let (w, h) = viewport(c).await?;
    ensure!(
        w == width,
        "the viewport is {w} × {h} px, asked for {width} × {height}"
    );
    Ok(())
}

async fn viewport(c: &Client) -> anyhow::Result<(u32, u32)> {
    let v = c
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await?;
    let dim = |i: usize| {
        v[i].as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .with_context(|| format!("the viewport's size: {v}"))
    };
    Ok((dim(0)?, dim(1)?))
}

async fn measure(c: &Client) -> anyhow::Result<Measure> {
    Ok(serde_json::from_value(c.execute(MEASURE, vec![]).await?)?)
}

/// Signs `who` in on a fresh set of cookies ("anonymous" only clears them).
async fn sign_in_as(c: &Client, site: &Site<'_>, who: &str) -> anyhow::Result<()> {
    c.goto(&format!("{}/login", site.base)).await?;
    c.delete_all_cookies().await?;
    if who == "anonymous" {
        return Ok(());
    }
    let password = match who {
        OPERATOR => OPERATOR_PASSWORD,
        ADMIN => ADMIN_PASSWORD,
        USERNAME => PASSWORD,
        _ => bail!("no demo password for {who}"),
    };
    c.goto(&format!("{}/login", site.base)).await?;
    sign_in(c, who, password).await?;
    wait_for(c, "header .who-name")
        .await
        .with_context(|| format!("{who} signs in"))?;
    Ok(())
}

/// The pages each caller visits: every page route of the policy table with the caller its
/// policy lets in, the clerk on the customer pages of the decision (those refused answer with
/// an error page, which must fit too), and the operator on a customer's lists as well.
async fn visits(site: &Site<'_>) -> anyhow::Result<Vec<(&'static str, Vec<String>)>> {
    let routes = page_routes(site).await?;
    let of = |who: &str| -> Vec<String> {
        routes
            .iter()
            .filter(|(_, w)| *w == who)
            .map(|(p, _)| p.clone())
            .collect()
    };
    let clerk = [
        "/",
        "/transactions",
        "/registered-items",
        "/users",
        "/account",
        "/audit",
    ];
    let mut operator = of(OPERATOR);
    for p in [
        "/",
        "/account",
        "/transactions",
        "/transactions?customer_number=8800123",
        "/registered-items?customer_number=8800123",
        "/users?customer_number=8800123",
    ] {
        operator.push(p.to_owned());
    }
    Ok(vec![
        ("anonymous", of("anonymous")),
        (ADMIN, of(ADMIN)),
        (USERNAME, clerk.iter().map(|p| (*p).to_owned()).collect()),
        (OPERATOR, operator),
    ])
}

/// The journey: at 390 × 844 every page fits the width and its header stays within 120 px;
/// at 320 px every page still fits (reflow); the folded menu opens and shows the navigation
/// on a phone, and a laptop shows the navigation with no menu button. Every offending page
/// is reported at once.
pub async fn phone_width_fits(c: &Client, site: &Site<'_>) -> anyhow::Result<()> {
    let base = site.base.as_str();
    let mut wrong = Vec::new();
    let mut checked = 0;
    let mut highest = 0.0_f64;
    for (who, paths) in visits(site).await? {
        sign_in_as(c, site, who).await?;
        for size in [PHONE, REFLOW] {
            set_viewport(c, size).await?;
            for path in &paths {
                c.goto(&format!("{base}{path}")).await?;
                let m = measure(c)
                    .await
                    .with_context(|| format!("measuring {path}"))?;
                let at = format!("{} as {who} at {} px", m.path, size.0);
                if m.scroll_width > m.inner_width {
                    wrong.push(format!(
                        "{at}: {} px wide in a {} px viewport; too wide: {:?}",
                        m.scroll_width, m.inner_width, m.too_wide
                    ));
                }
                if size == PHONE {
                    match m.header_bottom {
                        Some(b) if b > HEADER_MAX => wrong.push(format!(
                            "{at}: the header ends at {b} px, more than {HEADER_MAX}"
                        )),
                        Some(b) => highest = highest.max(b),
                        None => wrong.push(format!("{at}: no header.top")),
                    }
                }
                checked += 1;
            }
        }
        if who != "anonymous" {
            menus_work(c, base)
                .await
                .with_context(|| format!("the menu of {who}"))?;
        }
    }
    // The header's words differ per language: the home page in all four, on a phone.
    for who in [ADMIN, OPERATOR] {
        sign_in_as(c, site, who).await?;
        set_viewport(c, PHONE).await?;
        for lang in LANGUAGES {
            set_language(site, who, lang).await?;
            c.goto(&format!("{base}/")).await?;
            let m = measure(c).await?;
            let at = format!("/ as {who} in {lang} at {} px", PHONE.0);
            if m.scroll_width > m.inner_width {
                wrong.push(format!(
                    "{at}: {} px wide; too wide: {:?}",
                    m.scroll_width, m.too_wide
                ));
            }
            if m.header_bottom.is_none_or(|b| b > HEADER_MAX) {
                wrong.push(format!("{at}: the header ends at {:?} px", m.header_bottom));
            }
            checked += 1;
        }
    }
    // The demo's languages are put back for the journeys that follow.
    set_language(site, ADMIN, "fr").await?;
    set_language(site, OPERATOR, "en").await?;
    eprintln!(
        "layout: {checked} page views measured; the highest phone header ends at {highest} px"
    );
    ensure!(
        wrong.is_empty(),
        "{} page views do not fit:\n    {}",
        wrong.len(),
        wrong.join("\n    ")
    );
    Ok(())
}

/// On a phone the navigation is folded behind the menu button, which opens it and whose sheet
/// closes again (a popover: no script); on a laptop it is a bar, with no button.
async fn menus_work(c: &Client, base: &str) -> anyhow::Result<()> {
    let account = "header nav.main-nav a[href='/account']";
    let shown = |css: &'static str| async move {
        anyhow::Ok(c.find(Locator::Css(css)).await?.is_displayed().await?)
    };
    set_viewport(c, PHONE).await?;
    c.goto(&format!("{base}/")).await?;
    ensure!(
        shown("header button.menu-button").await?,
        "no menu button on a phone"
    );
    ensure!(
        !shown(account).await?,
        "the navigation is not folded on a phone"
    );
    click(c, "header button.menu-button").await?;
    ensure!(
        shown(account).await?,
        "the open menu does not show the navigation"
    );
    let m = measure(c).await?;
    ensure!(
        m.scroll_width <= m.inner_width,
        "the open menu is wider than the phone: {:?}",
        m.too_wide
    );
    click(c, "header button.menu-close").await?;
    ensure!(
        !shown(account).await?,
        "the menu's close button leaves it open"
    );
    click(c, "header button.menu-button").await?;
    click(c, account).await?;
    wait_for(c, "form[action='/account/password']")
        .await
        .context("the account page, reached through the phone's menu")?;
    set_viewport(c, LAPTOP).await?;
    c.goto(&format!("{base}/")).await?;
    ensure!(shown(account).await?, "no navigation bar on a laptop");
    ensure!(
        !shown("header button.menu-button").await?,
        "a menu button on a laptop"
    );
    Ok(())
}

/// The pages of `docs/screens/`: file name, who, path.
const SCREENS: [(&str, &str, &str); 14] = [
    ("login", "anonymous", "/login"),
    ("access-request", "anonymous", "/access-request"),
    ("home", ADMIN, "/"),
    ("transactions", ADMIN, "/transactions"),
    ("registered-items", ADMIN, "/registered-items"),
    ("users", ADMIN, "/users"),
    ("audit", ADMIN, "/audit"),
    ("account", ADMIN, "/account"),
    (
        "operator-access-requests",
        OPERATOR,
        "/operator/access-requests",
    ),
    ("operator-customers", OPERATOR, "/operator/customers"),
    ("operator-customer", OPERATOR, "/operator/customers/8800123"),
    ("operator-imports", OPERATOR, "/operator/imports"),
    ("operator-audit", OPERATOR, "/operator/audit"),
    ("operator-jobs", OPERATOR, "/operator/jobs"),
];
/// A screenshot shows at most this much of a long page (the files stay small): about three
/// phone screens, or two laptop screens.
fn shot_max_height(width: u32) -> u32 {
    if width < 640 { 2400 } else { 1800 }
}

/// Refreshes `docs/screens/*.png`: each main page at 390 and 1280 px wide, and the phone's
/// open menu, on the demo data. Run by `scripts/screens.sh`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/screens/*.png; run it with scripts/screens.sh"]
async fn screenshots() {
    let Some(chromedriver) = browser_tools() else {
        return;
    };
    let data = TempDir::new().unwrap();
    let config = Config::for_data_dir(data.path().to_path_buf(), None).unwrap();
    let options = server::Options {
        clock: Arc::new(cs_domain::SystemClock),
        cost: Cost::Fast,
        background_jobs: false,
    };
    let portal = server::launch(&config, options, Some(Box::new(|_| {})))
        .await
        .expect("the portal starts with the demo");
    let downloads = TempDir::new().unwrap();
    let site = Site {
        base: portal.url(),
        portal: &portal,
        outbox: config.data_dir.join("outbox"),
        downloads: downloads.path().to_path_buf(),
    };
    let driver = Chromedriver::start(&chromedriver)
        .await
        .expect("chromedriver starts");
    let browser = Browser::open(&driver, &site.downloads).await.unwrap();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screens");
    let outcome = take_screenshots(&browser.client, &site, &out).await;
    browser.close().await;
    drop(driver);
    portal.stop().await.expect("the portal stops");
    let written = outcome.unwrap();
    eprintln!("{written} screenshots written to {}", out.display());
}

async fn take_screenshots(c: &Client, site: &Site<'_>, out: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(out)?;
    let mut written = 0;
    let mut current = "";
    for (file, who, path) in SCREENS {
        if who != current {
            sign_in_as(c, site, who).await?;
            current = who;
        }
        for size in [PHONE, LAPTOP] {
            c.goto(&format!("{}{path}", site.base)).await?;
            shoot(c, size, &out.join(format!("{file}-{}.png", size.0))).await?;
            written += 1;
        }
        if file == "home" {
            c.goto(&format!("{}{path}", site.base)).await?;
            set_viewport(c, PHONE).await?;
            click(c, "header button.menu-button").await?;
            shoot_viewport(c, &out.join("home-menu-390.png")).await?;
            written += 1;
        }
    }
    Ok(written)
}

/// The whole page (up to [`shot_max_height`]) at `width`: the viewport is made as tall as
/// the page, then captured.
async fn shoot(c: &Client, (width, height): (u32, u32), file: &Path) -> anyhow::Result<()> {
    set_viewport(c, (width, height)).await?;
    let tall = c
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await?
        .as_u64()
        .context("the page's height")?;
    let tall = u32::try_from(tall)?.clamp(height, shot_max_height(width));
    set_viewport(c, (width, tall)).await?;
    shoot_viewport(c, file).await
}

async fn shoot_viewport(c: &Client, file: &Path) -> anyhow::Result<()> {
    let png = c.screenshot().await?;
    std::fs::write(file, png).with_context(|| format!("writing {}", file.display()))?;
    Ok(())
}
