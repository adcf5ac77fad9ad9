//! The home page: who you are, what you can reach, and one block per feature that concerns
//! you (`cs_app::dashboard`), each rendered by the kind of its body: figures, a monthly chart
//! (server-drawn SVG with its table), a comparison, the latest imports.

use super::{Chrome, render};
use crate::{
    AppState,
    chart::{self, Bar, BarChart},
    context::RequestCtx,
    error::WebError,
    local_time,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{extract::State, response::Response};
use cs_app::{
    dashboard::{Block, BlockBody, Change, Comparison, FeedStatus, Figures, Imports, MonthFigures},
    i18n,
};
use cs_domain::{
    FeedKind,
    calendar::iso,
    money_text::{format_count, format_eur, format_eur_round, with_sign},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/", Policy::SignedIn, home)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    blocks: Vec<BlockView>,
    modules: Vec<(String, &'static str)>,
    cost_centres: Vec<String>,
    operator: bool,
}

struct BlockView {
    title: String,
    body: BodyView,
    more: Option<(String, &'static str)>,
}

enum BodyView {
    Facts(Vec<(String, i64, Option<&'static str>)>),
    Monthly(MonthlyView),
    Comparison(ComparisonView),
    AllFeeds(Vec<FeedRow>),
    DataUpTo(Vec<FreshnessRow>),
}

/// One feed of "how recent your data is": its name, its latest day (machine and person
/// forms) and when its last file came in.
struct FreshnessRow {
    label: String,
    latest: Option<(String, String)>,
    imported: Option<String>,
}

/// A figure as a table cell: the exact integer (in `data-value`) and its text.
type Cell = (i64, String);

struct MonthlyView {
    charts: Vec<String>,
    rows: Vec<MonthRow>,
}

struct MonthRow {
    /// `YYYY-MM`.
    key: String,
    label: String,
    quantity: Cell,
    amount: Cell,
}

struct ComparisonView {
    this_label: String,
    last_label: String,
    note: String,
    /// Per product, then per destination; none when neither month has a transaction.
    tables: Vec<ChangeTable>,
}

struct ChangeTable {
    id: &'static str,
    caption: String,
    /// The heading of the first column (product, destination).
    head: String,
    rows: Vec<ChangeRow>,
}

struct ChangeRow {
    label: String,
    /// This month's, last month's and the difference's quantity, then the same for amounts.
    cells: Vec<Cell>,
}

struct FeedRow {
    kind: &'static str,
    label: String,
    latest: Option<LatestRun>,
    last_imported: String,
}

struct LatestRun {
    at: String,
    outcome: String,
    imported: bool,
    rows_read: String,
    inserted: String,
}

async fn home(State(s): State<AppState>, ctx: RequestCtx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let chrome = Chrome::new(&ctx, "/");
    let blocks = cs_app::dashboard::blocks(&s.app, actor)
        .await?
        .into_iter()
        .map(|b| block_view(&chrome, b))
        .collect();
    // What the user can open here: the pages of its rights that exist, as the navigation
    // shows them (a granted module whose pages are not built yet is not promised).
    let modules = chrome
        .nav
        .iter()
        .filter(|n| !matches!(n.href, "/" | "/account"))
        .map(|n| (n.label.clone(), n.href))
        .collect();
    Ok(render(&HomePage {
        blocks,
        modules,
        cost_centres: actor.cost_centres.clone(),
        operator: actor.is_operator(),
        chrome,
    }))
}

fn block_view(chrome: &Chrome, b: Block) -> BlockView {
    let body = match b.body {
        BlockBody::Facts(facts) => BodyView::Facts(
            facts
                .into_iter()
                .map(|f| (chrome.t(f.label), f.value, f.href))
                .collect(),
        ),
        BlockBody::Monthly(months) => BodyView::Monthly(monthly(chrome, &months)),
        BlockBody::Comparison(c) => BodyView::Comparison(comparison(chrome, &c)),
        BlockBody::Imports(Imports::AllFeeds(feeds)) => {
            BodyView::AllFeeds(feeds.into_iter().map(|f| feed_row(chrome, f)).collect())
        }
        BlockBody::Imports(Imports::DataUpTo(feeds)) => BodyView::DataUpTo(
            feeds
                .into_iter()
                .map(|f| FreshnessRow {
                    label: chrome.t(&format!("dash-data-{}", f.kind.as_str())),
                    latest: f.latest_day.map(|d| {
                        let text = local_time::day_text(chrome.lang, d);
                        (
                            iso(d),
                            chrome.t_args("dash-data-latest", &[("day", text.as_str())]),
                        )
                    }),
                    imported: f.last_import.map(|t| {
                        let at = local_time::minute(chrome.lang, t);
                        chrome.t_args("dash-data-imported", &[("at", at.as_str())])
                    }),
                })
                .collect(),
        ),
    };
    BlockView {
        title: chrome.t(b.title),
        body,
        more: b.more.map(|(label, href)| (chrome.t(label), href)),
    }
}

fn money(chrome: &Chrome, cents: i64) -> Cell {
    (cents, format_eur(cents, chrome.lang))
}

fn count(chrome: &Chrome, n: i64) -> Cell {
    (n, format_count(n, chrome.lang))
}

fn quantity_of(f: &Figures) -> i64 {
    f.quantity
}

fn amount_of(f: &Figures) -> i64 {
    f.amount_cents
}

/// A chart's description: the months it spans, the total, and the highest month (the first
/// of equal ones).
fn describe(
    chrome: &Chrome,
    months: &[MonthFigures],
    key: &str,
    value: fn(&Figures) -> i64,
    format: &dyn Fn(i64) -> String,
) -> String {
    let span = match (months.first(), months.last()) {
        (Some(first), Some(last)) => (
            local_time::month_text(chrome.lang, first.period),
            local_time::month_text(chrome.lang, last.period),
        ),
        _ => (String::new(), String::new()),
    };
    let total: i64 = months.iter().map(|m| value(&m.figures)).sum();
    let top = months
        .iter()
        .rev()
        .max_by_key(|m| value(&m.figures))
        .map(|m| {
            (
                local_time::month_text(chrome.lang, m.period),
                value(&m.figures),
            )
        })
        .unwrap_or_default();
    i18n::t_args(
        chrome.lang,
        key,
        &[
            ("from", &span.0),
            ("to", &span.1),
            ("total", &format(total)),
            ("max_month", &top.0),
            ("max", &format(top.1)),
        ],
    )
}

fn monthly(chrome: &Chrome, months: &[MonthFigures]) -> MonthlyView {
    let lang = chrome.lang;
    let bars = |value: fn(&Figures) -> i64| -> Vec<Bar> {
        months
            .iter()
            .enumerate()
            .map(|(i, m)| Bar {
                label: chrome.t(&format!("dash-month-short-{}", u8::from(m.period.month()))),
                sublabel: (i == 0 || u8::from(m.period.month()) == 1)
                    .then(|| m.period.year().to_string()),
                name: local_time::month_text(chrome.lang, m.period),
                value: value(&m.figures),
            })
            .collect()
    };
    let fmt_count = move |n: i64| format_count(n, lang);
    let fmt_eur = move |c: i64| format_eur(c, lang);
    let fmt_eur_round = move |c: i64| format_eur_round(c, lang);
    // (id, translation keys' prefix, value, exact format, axis format)
    type Spec<'f> = (
        &'static str,
        &'static str,
        fn(&Figures) -> i64,
        &'f dyn Fn(i64) -> String,
        &'f dyn Fn(i64) -> String,
    );
    let specs: [Spec<'_>; 2] = [
        (
            "chart-quantity",
            "dash-chart-quantity",
            quantity_of,
            &fmt_count,
            &fmt_count,
        ),
        (
            "chart-amount",
            "dash-chart-amount",
            amount_of,
            &fmt_eur,
            &fmt_eur_round,
        ),
    ];
    let charts = specs
        .into_iter()
        .map(|(id, key, value, format, format_tick)| {
            chart::bar_chart(&BarChart {
                id,
                title: &chrome.t(&format!("{key}-title")),
                description: &describe(chrome, months, &format!("{key}-desc"), value, format),
                value_axis: &chrome.t(&format!("{key}-axis")),
                bars: &bars(value),
                format,
                format_tick,
            })
        })
        .collect();
    let rows = months
        .iter()
        .rev()
        .map(|m| MonthRow {
            key: m.period.to_string(),
            label: local_time::month_text(chrome.lang, m.period),
            quantity: count(chrome, m.figures.quantity),
            amount: money(chrome, m.figures.amount_cents),
        })
        .collect();
    MonthlyView { charts, rows }
}

fn change_cells(chrome: &Chrome, this: Figures, last: Figures, diff: Figures) -> Vec<Cell> {
    vec![
        count(chrome, this.quantity),
        count(chrome, last.quantity),
        (
            diff.quantity,
            with_sign(diff.quantity, format_count(diff.quantity, chrome.lang)),
        ),
        money(chrome, this.amount_cents),
        money(chrome, last.amount_cents),
        (
            diff.amount_cents,
            with_sign(
                diff.amount_cents,
                format_eur(diff.amount_cents, chrome.lang),
            ),
        ),
    ]
}

fn change_row<K>(chrome: &Chrome, c: &Change<K>, label: String) -> ChangeRow {
    ChangeRow {
        label,
        cells: change_cells(chrome, c.this, c.last, c.difference()),
    }
}

fn comparison(chrome: &Chrome, c: &Comparison) -> ComparisonView {
    let this_label = local_time::month_text(chrome.lang, c.this_month);
    let last_label = local_time::month_text(chrome.lang, c.last_month);
    let days = |d: cs_domain::DateRange| local_time::days_text(chrome.lang, d.first(), d.last());
    let note = i18n::t_args(
        chrome.lang,
        "dash-comparison-note",
        &[("this", &days(c.this_days)), ("last", &days(c.last_days))],
    );
    let by_product = c
        .by_product
        .iter()
        .map(|p| change_row(chrome, p, format!("{} ({})", p.key.name, p.key.code)))
        .collect();
    let by_destination = c
        .by_destination
        .iter()
        .map(|d| {
            let key = match d.key.as_deref() {
                Some("BE") => "destination-be",
                Some("EU") => "destination-eu",
                Some("WORLD") => "destination-world",
                Some(_) => "dash-destination-other",
                None => "dash-destination-none",
            };
            change_row(chrome, d, chrome.t(key))
        })
        .collect();
    let tables = if c.by_product.is_empty() {
        Vec::new()
    } else {
        vec![
            ChangeTable {
                id: "by-product",
                caption: chrome.t("dash-by-product"),
                head: chrome.t("dash-col-product"),
                rows: by_product,
            },
            ChangeTable {
                id: "by-destination",
                caption: chrome.t("dash-by-destination"),
                head: chrome.t("dash-col-destination"),
                rows: by_destination,
            },
        ]
    };
    ComparisonView {
        this_label,
        last_label,
        note,
        tables,
    }
}

fn feed_label(chrome: &Chrome, kind: FeedKind) -> String {
    chrome.t(&format!("dash-feed-{}", kind.as_str()))
}

fn feed_row(chrome: &Chrome, f: FeedStatus) -> FeedRow {
    FeedRow {
        kind: f.kind.as_str(),
        label: feed_label(chrome, f.kind),
        latest: f.latest.map(|r| LatestRun {
            at: local_time::minute(chrome.lang, r.finished_at),
            outcome: chrome.t(if r.imported {
                "dash-outcome-imported"
            } else {
                "dash-outcome-rejected"
            }),
            imported: r.imported,
            rows_read: format_count(r.rows_read, chrome.lang),
            inserted: format_count(r.inserted, chrome.lang),
        }),
        last_imported: f
            .last_imported
            .map(|t| local_time::minute(chrome.lang, t))
            .unwrap_or_else(|| chrome.t("dash-never")),
    }
}
