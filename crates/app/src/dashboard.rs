//! The home page's blocks: each feature contributes one block, shown only to the callers it
//! concerns. A block is a title and a body of one of a few kinds (figures, a monthly chart, a
//! comparison, the imports); a new feature writes one more contributor below and adds it to
//! [`blocks`], without touching the others.

use crate::{Actor, App, error::AppResult};
use cs_domain::{DateRange, FeedKind, Language, Module, Period};
use cs_store::{
    Conn,
    repo::{
        dashboard::{self as repo, MONTHS, Scope},
        import_runs,
    },
};
use time::{Date, OffsetDateTime};

/// A block of the home page, titled by a translation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub title: &'static str,
    pub body: BlockBody,
    /// Where to read more: a translation key and a path.
    pub more: Option<(&'static str, &'static str)>,
}

/// What a block shows; the page has one way of rendering each kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockBody {
    /// A few labelled figures, each linking to its list.
    Facts(Vec<Fact>),
    /// Volumes and amounts per month, oldest first.
    Monthly(Vec<MonthFigures>),
    /// This month against the one before.
    Comparison(Comparison),
    /// When the operator's feeds last came in.
    Imports(Imports),
}

/// One figure of a block: a translation key for its label, the number, and where to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: &'static str,
    pub value: i64,
    pub href: Option<&'static str>,
}

/// A quantity (items) and an amount (cents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub quantity: i64,
    pub amount_cents: i64,
}

impl From<repo::Totals> for Figures {
    fn from(t: repo::Totals) -> Self {
        Self {
            quantity: t.quantity,
            amount_cents: t.amount_cents,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigures {
    pub period: Period,
    pub figures: Figures,
}

/// One line of a comparison: what it is about, this month's and last month's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<K> {
    pub key: K,
    pub this: Figures,
    pub last: Figures,
}

impl<K> Change<K> {
    /// This month minus last month.
    pub fn difference(&self) -> Figures {
        Figures {
            quantity: self.this.quantity - self.last.quantity,
            amount_cents: self.this.amount_cents - self.last.amount_cents,
        }
    }
}

/// A product by code, named in the caller's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductName {
    pub code: String,
    pub name: String,
}

/// Month to date against the same days of last month (like with like): on 3 December,
/// 1–3 December against 1–3 November; on 31 March, 1–31 March against the whole of February.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The current month and the one before it.
    pub this_month: Period,
    pub last_month: Period,
    /// The days compared: the current month up to today, and the same days of last month
    /// (as many as it has).
    pub this_days: DateRange,
    pub last_days: DateRange,
    pub by_product: Vec<Change<ProductName>>,
    /// `None` is the services' lines, which have no destination.
    pub by_destination: Vec<Change<Option<String>>>,
}

/// A feed run as the home page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub finished_at: OffsetDateTime,
    pub imported: bool,
    pub rows_read: i64,
    pub inserted: i64,
    pub already_present: i64,
    pub updated: i64,
    pub error_count: i64,
}

/// One feed kind for the Service Centre: its latest run whatever the outcome, and when it
/// was last imported successfully (the same run when that one succeeded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedStatus {
    pub kind: FeedKind,
    pub latest: Option<RunSummary>,
    pub last_imported: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imports {
    /// Operators: every feed kind.
    AllFeeds(Vec<FeedStatus>),
    /// A customer's user: how recent its modules' data is, per feed (transactions,
    /// registered items).
    DataUpTo(Vec<DataFreshness>),
}

/// How recent one feed's data is for a customer's user: the latest day its rows carry (what
/// the lists can show), and when the feed last came in (any customer's file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFreshness {
    pub kind: FeedKind,
    pub latest_day: Option<Date>,
    pub last_import: Option<OffsetDateTime>,
}

/// Month to date and the same days of last month, as [`Comparison`] explains.
pub fn like_for_like(today: Date) -> (DateRange, DateRange) {
    let this_month = Period::containing(today);
    let last_month = this_month.previous();
    let this_days = DateRange::new(this_month.first_day(), today).unwrap_or(this_month.days());
    let same_day = Date::from_calendar_date(
        last_month.year(),
        last_month.month(),
        today.day().min(last_month.last_day().day()),
    )
    .unwrap_or(last_month.last_day());
    let last_days = DateRange::new(last_month.first_day(), same_day).unwrap_or(last_month.days());
    (this_days, last_days)
}

/// What every contributor may read: who asks, the Brussels day, a connection.
struct Cx<'a> {
    actor: &'a Actor,
    today: Date,
    conn: Conn<'a>,
}

/// The blocks for `actor`, in the order they are shown.
pub async fn blocks(app: &App, actor: &Actor) -> AppResult<Vec<Block>> {
    let mut pooled = app.store.acquire().await?;
    let mut cx = Cx {
        actor,
        today: app.today(),
        conn: pooled.conn(),
    };
    let mut out = Vec::new();
    out.extend(access_requests(&mut cx).await?);
    out.extend(monthly_transactions(&mut cx).await?);
    out.extend(this_month_against_last(&mut cx).await?);
    out.extend(latest_imports(&mut cx).await?);
    out.extend(users(&mut cx).await?);
    Ok(out)
}

/// Operators: access requests waiting for a decision.
async fn access_requests(cx: &mut Cx<'_>) -> AppResult<Option<Block>> {
    if !cx.actor.is_operator() {
        return Ok(None);
    }
    let pending = repo::pending_access_requests(&mut cx.conn).await?;
    Ok(Some(Block {
        title: "home-block-access-requests",
        body: BlockBody::Facts(vec![Fact {
            label: "home-fact-pending",
            value: pending,
            href: Some("/operator/access-requests"),
        }]),
        more: None,
    }))
}

/// Administrators: their company's users by status.
async fn users(cx: &mut Cx<'_>) -> AppResult<Option<Block>> {
    let Some(customer) = &cx.actor.customer else {
        return Ok(None);
    };
    if !cx.actor.can(Module::Users) {
        return Ok(None);
    }
    let (active, invited, disabled) = repo::user_counts(&mut cx.conn, customer.id.get()).await?;
    Ok(Some(Block {
        title: "home-block-users",
        body: BlockBody::Facts(vec![
            Fact {
                label: "home-fact-active",
                value: active,
                href: Some("/users?status=active"),
            },
            Fact {
                label: "home-fact-invited",
                value: invited,
                href: Some("/users?status=invited"),
            },
            Fact {
                label: "home-fact-disabled",
                value: disabled,
                href: Some("/users?status=disabled"),
            },
        ]),
        more: None,
    }))
}

/// The transactions a customer's user may see on the home page: its own customer's, limited
/// to its cost centres (and then never the rows without one), exactly as the transactions
/// list. Operators get no transaction blocks: their home page is the Service Centre's, which
/// names no customer.
fn transactions_scope(actor: &Actor) -> Option<Scope> {
    let customer = actor.customer.as_ref()?;
    actor.can(Module::Transactions).then(|| Scope {
        customer_id: customer.id.get(),
        limited_to_user: (!actor.cost_centres.is_empty()).then_some(actor.user_id.get()),
    })
}

/// The [`MONTHS`] months ending with the current one, oldest first.
fn last_months(today: Date) -> [Period; MONTHS] {
    let mut p = Period::containing(today);
    let mut out = [p; MONTHS];
    for slot in out.iter_mut().rev() {
        *slot = p;
        p = p.previous();
    }
    out
}

/// Users with `transactions`: items and amounts of the last twelve months (the current one
/// included), every month present, zero when empty.
async fn monthly_transactions(cx: &mut Cx<'_>) -> AppResult<Option<Block>> {
    let Some(scope) = transactions_scope(cx.actor) else {
        return Ok(None);
    };
    let months = last_months(cx.today);
    let after_last = months[MONTHS - 1].next().first_day();
    let bounds: [Date; MONTHS + 1] =
        std::array::from_fn(|i| months.get(i).map_or(after_last, |p| p.first_day()));
    let totals = repo::monthly_totals(&mut cx.conn, scope, &bounds).await?;
    let figures = months
        .iter()
        .zip(totals)
        .map(|(period, t)| MonthFigures {
            period: *period,
            figures: t.into(),
        })
        .collect();
    Ok(Some(Block {
        title: "dash-block-monthly",
        body: BlockBody::Monthly(figures),
        more: Some(("dash-transactions-more", "/transactions")),
    }))
}

/// Users with `transactions`: this month so far against last month, per product and per
/// destination.
async fn this_month_against_last(cx: &mut Cx<'_>) -> AppResult<Option<Block>> {
    let Some(scope) = transactions_scope(cx.actor) else {
        return Ok(None);
    };
    let this_month = Period::containing(cx.today);
    let last_month = this_month.previous();
    let (this_days, last_days) = like_for_like(cx.today);
    let periods = repo::Compared {
        last: last_days.first()..last_days.last().next_day().unwrap_or(this_days.first()),
        this: this_days.first()..this_days.last().next_day().unwrap_or(this_days.last()),
    };
    let lang = cx.actor.language;
    let by_product = repo::change_by_product(&mut cx.conn, scope, &periods)
        .await?
        .into_iter()
        .map(|c| Change {
            key: ProductName {
                name: match lang {
                    Language::Fr => c.key.name_fr,
                    Language::Nl => c.key.name_nl,
                    Language::De => c.key.name_de,
                    Language::En => c.key.name_en,
                },
                code: c.key.code,
            },
            this: c.this.into(),
            last: c.last.into(),
        })
        .collect();
    let by_destination = repo::change_by_destination(&mut cx.conn, scope, &periods)
        .await?
        .into_iter()
        .map(|c| Change {
            key: c.key,
            this: c.this.into(),
            last: c.last.into(),
        })
        .collect();
    Ok(Some(Block {
        title: "dash-block-comparison",
        body: BlockBody::Comparison(Comparison {
            this_month,
            last_month,
            this_days,
            last_days,
            by_product,
            by_destination,
        }),
        more: None,
    }))
}

/// When the feeds last came in. Operators: every kind, with the outcome and counts of its
/// latest run. Customer users: the feeds of their modules (`transactions`, `receipts`), by
/// the latest successful import; none of these modules, no block.
async fn latest_imports(cx: &mut Cx<'_>) -> AppResult<Option<Block>> {
    let kind_of = |s: &str| FeedKind::ALL.into_iter().find(|k| k.as_str() == s);
    if cx.actor.is_operator() {
        let latest = import_runs::latest_per_kind(&mut cx.conn, false).await?;
        let imported = import_runs::latest_per_kind(&mut cx.conn, true).await?;
        let feeds = FeedKind::ALL
            .into_iter()
            .map(|kind| FeedStatus {
                kind,
                latest: latest
                    .iter()
                    .find(|r| kind_of(&r.kind) == Some(kind))
                    .map(|r| RunSummary {
                        finished_at: r.finished_at,
                        imported: r.outcome == "imported",
                        rows_read: r.rows_read,
                        inserted: r.inserted,
                        already_present: r.already_present,
                        updated: r.updated,
                        error_count: r.error_count,
                    }),
                last_imported: imported
                    .iter()
                    .find(|r| kind_of(&r.kind) == Some(kind))
                    .map(|r| r.finished_at),
            })
            .collect();
        return Ok(Some(Block {
            title: "dash-block-imports",
            body: BlockBody::Imports(Imports::AllFeeds(feeds)),
            more: Some(("dash-imports-more", "/operator/imports")),
        }));
    }
    let Some(customer) = &cx.actor.customer else {
        return Ok(None);
    };
    let scope = Scope {
        customer_id: customer.id.get(),
        limited_to_user: (!cx.actor.cost_centres.is_empty()).then_some(cx.actor.user_id.get()),
    };
    let wanted: Vec<FeedKind> = [
        (Module::Transactions, FeedKind::Transactions),
        (Module::Receipts, FeedKind::RegisteredItems),
    ]
    .into_iter()
    .filter(|(m, _)| cx.actor.can(*m))
    .map(|(_, k)| k)
    .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let imported = import_runs::latest_per_kind(&mut cx.conn, true).await?;
    let mut feeds = Vec::with_capacity(wanted.len());
    for kind in wanted {
        let latest_day = match kind {
            FeedKind::Transactions => repo::latest_transaction_day(&mut cx.conn, scope).await?,
            _ => repo::latest_registered_item_day(&mut cx.conn, scope).await?,
        };
        let last_import = imported
            .iter()
            .find(|r| kind_of(&r.kind) == Some(kind))
            .map(|r| r.finished_at);
        feeds.push(DataFreshness {
            kind,
            latest_day,
            last_import,
        });
    }
    Ok(Some(Block {
        title: "dash-block-data-up-to",
        body: BlockBody::Imports(Imports::DataUpTo(feeds)),
        more: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Month, macros::date};

    #[test]
    fn twelve_months_end_with_the_current_one() {
        let months = last_months(date!(2026 - 11 - 26));
        assert_eq!(months[0], Period::new(2025, Month::December).unwrap());
        assert_eq!(months[11], Period::new(2026, Month::November).unwrap());
        assert!(months.windows(2).all(|w| w[0].next() == w[1]));
        let months = last_months(date!(2027 - 01 - 01));
        assert_eq!(months[0], Period::new(2026, Month::February).unwrap());
        assert_eq!(months[11], Period::new(2027, Month::January).unwrap());
    }

    #[test]
    fn like_for_like_compares_the_same_days() {
        let days = |d| {
            let (this, last) = like_for_like(d);
            (this.first(), this.last(), last.first(), last.last())
        };
        assert_eq!(
            days(date!(2026 - 12 - 03)),
            (
                date!(2026 - 12 - 01),
                date!(2026 - 12 - 03),
                date!(2026 - 11 - 01),
                date!(2026 - 11 - 03)
            )
        );
        // The first of the month: one day against one day.
        assert_eq!(
            days(date!(2026 - 01 - 01)),
            (
                date!(2026 - 01 - 01),
                date!(2026 - 01 - 01),
                date!(2025 - 12 - 01),
                date!(2025 - 12 - 01)
            )
        );
        // Past the end of a shorter month: all of it.
        assert_eq!(days(date!(2026 - 03 - 31)).3, date!(2026 - 02 - 28));
        assert_eq!(days(date!(2028 - 03 - 30)).3, date!(2028 - 02 - 29));
        assert_eq!(days(date!(2026 - 05 - 31)).3, date!(2026 - 04 - 30));
    }

    #[test]
    fn a_change_is_this_month_minus_last() {
        let c = Change {
            key: (),
            this: Figures {
                quantity: 3,
                amount_cents: 100,
            },
            last: Figures {
                quantity: 5,
                amount_cents: 40,
            },
        };
        assert_eq!(
            c.difference(),
            Figures {
                quantity: -2,
                amount_cents: 60
            }
        );
    }
}
