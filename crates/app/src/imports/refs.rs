//! The reference data a feed's codes resolve against (customers, their collection points and
//! cost centres, products), loaded once per run: bounded by the reference data, not the file.

use crate::{App, error::AppResult};
use cs_domain::CustomerId;
use cs_store::repo::import_runs;
use std::collections::HashMap;

/// A kind of reference data a feed's rows name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    Customers,
    CollectionPoints,
    CostCentres,
    Products,
}

/// A reference a row names that does not resolve: the feed column, what is wrong, and the
/// values those words name (`reference`: which kind of reference; `value`, `customer`, …).
pub type RefProblem = (&'static str, String, Vec<(&'static str, String)>);

/// A transaction's or item's customer, collection point, cost centre (if any) and product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub customer: CustomerId,
    pub point: i64,
    pub centre: Option<i64>,
    pub product: i64,
}

/// What a transaction or a registered item names, as the file gives it.
pub struct SiteCodes<'a> {
    pub customer: &'a str,
    pub point: &'a str,
    pub centre: Option<&'a str>,
    pub product: &'a str,
    /// The product's kind the feed requires (`registered`), if any.
    pub product_kind: Option<&'a str>,
}

/// The keys a file's codes resolve to.
#[derive(Debug, Default)]
pub struct Refs {
    pub(super) customers: HashMap<String, i64>,
    pub(super) points: HashMap<(i64, String), i64>,
    pub(super) centres: HashMap<(i64, String), i64>,
    pub(super) products: HashMap<String, (i64, String)>,
}

impl Refs {
    /// Loads the references a feed needs, and only those.
    pub(super) async fn load(app: &App, needed: &[Reference]) -> AppResult<Self> {
        let mut refs = Refs::default();
        let mut conn = app.store.acquire().await?;
        let mut c = conn.conn();
        for r in needed {
            match r {
                Reference::Customers => {
                    refs.customers = import_runs::customer_keys(&mut c)
                        .await?
                        .into_iter()
                        .collect();
                }
                Reference::CollectionPoints => {
                    refs.points = import_runs::collection_point_keys(&mut c)
                        .await?
                        .into_iter()
                        .map(|(cust, code, id)| ((cust, code), id))
                        .collect();
                }
                Reference::CostCentres => {
                    refs.centres = import_runs::cost_centre_keys(&mut c)
                        .await?
                        .into_iter()
                        .map(|(cust, code, id)| ((cust, code), id))
                        .collect();
                }
                Reference::Products => {
                    refs.products = import_runs::product_keys(&mut c)
                        .await?
                        .into_iter()
                        .map(|(code, id, kind)| (code, (id, kind)))
                        .collect();
                }
            }
        }
        Ok(refs)
    }

    pub(super) fn customer(&self, number: &str) -> Result<i64, RefProblem> {
        self.customers.get(number).copied().ok_or_else(|| {
            (
                "customer_number",
                format!("no customer {number} (import it with the customers feed first)"),
                vec![
                    ("reference", "customer".into()),
                    ("value", number.to_owned()),
                ],
            )
        })
    }

    fn product(&self, code: &str, wanted: Option<&str>) -> Result<i64, RefProblem> {
        match self.products.get(code) {
            None => Err((
                "product_code",
                format!("no product {code} in the catalogue"),
                vec![("reference", "product".into()), ("value", code.to_owned())],
            )),
            Some((_, kind)) if wanted.is_some_and(|w| w != kind) => Err((
                "product_code",
                format!(
                    "product {code} is of kind {kind}, not {}",
                    wanted.unwrap_or_default()
                ),
                vec![
                    ("reference", "product_kind".into()),
                    ("value", code.to_owned()),
                    ("kind", kind.clone()),
                    ("wanted", wanted.unwrap_or_default().to_owned()),
                ],
            )),
            Some((id, _)) => Ok(*id),
        }
    }

    /// Resolves what a transaction or a registered item names; every problem at once, the
    /// customer's first.
    pub(super) fn site(&self, codes: &SiteCodes<'_>) -> Result<Site, Vec<RefProblem>> {
        let mut problems = Vec::new();
        let product = self
            .product(codes.product, codes.product_kind)
            .map_err(|p| problems.push(p))
            .ok();
        let customer = match self.customer(codes.customer) {
            Ok(id) => id,
            Err(e) => {
                problems.insert(0, e);
                return Err(problems);
            }
        };
        let point = self
            .points
            .get(&(customer, codes.point.to_owned()))
            .copied();
        if point.is_none() {
            problems.push((
                "collection_point",
                format!(
                    "no collection point {} for customer {}",
                    codes.point, codes.customer
                ),
                vec![
                    ("reference", "collection_point".into()),
                    ("value", codes.point.to_owned()),
                    ("customer", codes.customer.to_owned()),
                ],
            ));
        }
        let centre = match codes.centre {
            None => Some(None),
            Some(code) => match self.centres.get(&(customer, code.to_owned())) {
                Some(id) => Some(Some(*id)),
                None => {
                    problems.push((
                        "cost_centre",
                        format!("no cost centre {code} for customer {}", codes.customer),
                        vec![
                            ("reference", "cost_centre".into()),
                            ("value", code.to_owned()),
                            ("customer", codes.customer.to_owned()),
                        ],
                    ));
                    None
                }
            },
        };
        match (point, centre, product) {
            (Some(point), Some(centre), Some(product)) if problems.is_empty() => Ok(Site {
                customer: CustomerId::new(customer),
                point,
                centre,
                product,
            }),
            _ => Err(problems),
        }
    }
}
