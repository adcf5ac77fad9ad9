//! The registered items page (`/registered-items`): the search form (barcode, deposit dates,
//! recipient, collection point, cost centre, acknowledgement of receipt) kept as typed, the
//! result table with the count of the whole filter, paging, and download links that carry
//! exactly the filter shown. Operators name the customer with `?customer_number=`.

use super::{Chrome, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    params::query_value,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::Response,
};
use cs_app::{
    AppError, FieldError,
    registered_items::{self, ItemQuery, RegisteredItem},
};
use cs_domain::{Language, Module};
use time::Date;

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Policy::Module(Module::Receipts), page)
}

const PATH: &str = "/registered-items";
const EXPORT_PATH: &str = "/api/v1/registered-items/export";

/// The filter fields of the form, in the order of the query string.
const FIELDS: [&str; 7] = [
    "barcode",
    "from",
    "to",
    "recipient",
    "collection_point",
    "cost_centre",
    "acknowledgement",
];

/// `path` with the non-empty parameters as a query string.
fn href(path: &str, params: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.trim().is_empty()) {
        q.append_pair(k, v.trim());
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

/// `2026-11-26`, for `<time datetime>`, links and date inputs.
fn iso_day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A day as people of each language write it: 26/11/2026, 26-11-2026, 26.11.2026.
fn day_text(lang: Language, d: Date) -> String {
    let sep = match lang {
        Language::Nl => '-',
        Language::De => '.',
        Language::Fr | Language::En => '/',
    };
    format!(
        "{:02}{sep}{:02}{sep}{:04}",
        d.day(),
        u8::from(d.month()),
        d.year()
    )
}

/// Field errors, translated (`ri-error-<code>`, else the use case's message), each shown
/// beside its field.
struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    fn from_details(lang: Language, details: &[FieldError]) -> Self {
        Self(
            details
                .iter()
                .map(|d| {
                    (
                        d.field.clone().unwrap_or_default(),
                        error_text(lang, "ri-error-", &d.code, &d.message),
                    )
                })
                .collect(),
        )
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Errors of parameters the form has no field for (a stale cursor, a bad limit).
    fn others(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|(f, _)| !FIELDS.contains(&f.as_str()))
            .map(|(_, m)| m.clone())
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One option of a select.
struct Choice {
    value: String,
    label: String,
    on: bool,
}

struct Row {
    barcode: String,
    date_iso: String,
    date: String,
    collection_point: String,
    cost_centre: String,
    product_code: String,
    acknowledgement: bool,
    acknowledgement_text: String,
    recipient_name: String,
    recipient_address: String,
}

fn row(chrome: &Chrome, i: RegisteredItem) -> Row {
    let address = [
        i.recipient_street.clone(),
        match (&i.recipient_postcode, &i.recipient_city) {
            (Some(p), Some(c)) => Some(format!("{p} {c}")),
            (p, c) => p.clone().or_else(|| c.clone()),
        },
        i.recipient_country.clone(),
    ];
    Row {
        date_iso: iso_day(i.deposit_date),
        date: day_text(chrome.lang, i.deposit_date),
        acknowledgement_text: chrome.t(if i.acknowledgement { "ri-yes" } else { "ri-no" }),
        acknowledgement: i.acknowledgement,
        recipient_name: i.recipient_name.unwrap_or_default(),
        recipient_address: address.into_iter().flatten().collect::<Vec<_>>().join(", "),
        cost_centre: i.cost_centre.unwrap_or_default(),
        barcode: i.barcode,
        collection_point: i.collection_point,
        product_code: i.product_code,
    }
}

#[derive(Template)]
#[template(path = "registered_items.html")]
struct ItemsPage {
    chrome: Chrome,
    operator: bool,
    /// The customer number an operator named, kept in every link and form.
    cn: String,
    customer: String,
    /// The form's values: as typed, or the dates the search applied by default.
    v: Typed,
    collection_points: Vec<Choice>,
    cost_centres: Vec<Choice>,
    acknowledgements: Vec<Choice>,
    limited: bool,
    errors: FormErrors,
    other_errors: Vec<String>,
    rows: Vec<Row>,
    total_text: String,
    next_href: Option<String>,
    first_href: Option<String>,
    csv_href: Option<String>,
    xlsx_href: Option<String>,
}

#[derive(Template)]
#[template(path = "registered_items_customer.html")]
struct CustomerChooser {
    chrome: Chrome,
    value: String,
    error: Option<String>,
}

/// What the form holds, as typed.
#[derive(Debug, Clone, Default)]
struct Typed {
    barcode: String,
    from: String,
    to: String,
    recipient: String,
    collection_point: String,
    cost_centre: String,
    acknowledgement: String,
}

impl Typed {
    fn read(raw: &Option<String>) -> Self {
        let v = |k: &str| query_value(raw, k).unwrap_or_default();
        Self {
            barcode: v("barcode"),
            from: v("from"),
            to: v("to"),
            recipient: v("recipient"),
            collection_point: v("collection_point"),
            cost_centre: v("cost_centre"),
            acknowledgement: v("acknowledgement"),
        }
    }

    fn query(&self, cursor: &str) -> ItemQuery {
        let o = |s: &str| Some(s.to_owned());
        ItemQuery {
            barcode: o(&self.barcode),
            from: o(&self.from),
            to: o(&self.to),
            recipient: o(&self.recipient),
            collection_point: o(&self.collection_point),
            cost_centre: o(&self.cost_centre),
            acknowledgement: o(&self.acknowledgement),
            cursor: o(cursor),
            limit: None,
        }
    }

    /// The filter as link parameters (with the operator's customer first).
    fn params<'a>(&'a self, cn: &'a str) -> Vec<(&'static str, &'a str)> {
        vec![
            ("customer_number", cn),
            ("barcode", &self.barcode),
            ("from", &self.from),
            ("to", &self.to),
            ("recipient", &self.recipient),
            ("collection_point", &self.collection_point),
            ("cost_centre", &self.cost_centre),
            ("acknowledgement", &self.acknowledgement),
        ]
    }
}

/// The chooser an operator sees without (or with a wrong) customer number.
fn chooser(ctx: &RequestCtx, value: String, error: Option<String>, status: StatusCode) -> Response {
    let mut r = render(&CustomerChooser {
        chrome: Chrome::new(ctx, PATH),
        value,
        error,
    });
    *r.status_mut() = status;
    r
}

async fn page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let operator = actor.is_operator();
    let cn = if operator {
        query_value(&raw, "customer_number")
            .unwrap_or_default()
            .trim()
            .to_owned()
    } else {
        String::new()
    };
    if operator && cn.is_empty() {
        return Ok(chooser(&ctx, cn, None, StatusCode::OK));
    }
    let scope = match registered_items::scope(&s.app, actor, Some(&cn)).await {
        Ok(scope) => scope,
        Err(AppError::Validation(d)) if operator => {
            let text = d
                .first()
                .map(|d| error_text(ctx.lang, "ri-error-", &d.code, &d.message));
            return Ok(chooser(&ctx, cn, text, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(AppError::NotFound) if operator => {
            let text = cs_app::i18n::t(ctx.lang, "ri-error-unknown-customer");
            return Ok(chooser(&ctx, cn, Some(text), StatusCode::NOT_FOUND));
        }
        Err(e) => return Err(e.into()),
    };
    let chrome = Chrome::new(&ctx, PATH);
    let mut typed = Typed::read(&raw);
    let cursor = query_value(&raw, "cursor").unwrap_or_default();
    let result = registered_items::search(&s.app, &scope, &typed.query(&cursor)).await;
    let (page, errors, status) = match result {
        Ok(page) => (Some(page), Vec::new(), StatusCode::OK),
        Err(AppError::Validation(d)) => (None, d, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e.into()),
    };
    let errors = FormErrors::from_details(chrome.lang, &errors);
    if let Some(p) = &page {
        // The dates the search applied by default are shown, and kept by every link.
        if typed.from.trim().is_empty() {
            typed.from = p.filter.from.map(iso_day).unwrap_or_default();
        }
        if typed.to.trim().is_empty() {
            typed.to = p.filter.to.map(iso_day).unwrap_or_default();
        }
    }
    let filter = typed.params(&cn);
    let download = |format: &'static str| {
        let mut all = vec![("format", format)];
        all.extend(filter.iter().copied());
        href(EXPORT_PATH, &all)
    };
    let next_href = page
        .as_ref()
        .and_then(|p| p.next_cursor.as_deref())
        .map(|c| {
            let mut p = filter.clone();
            p.push(("cursor", c));
            href(PATH, &p)
        });
    let first_href = (page.is_some() && !cursor.trim().is_empty()).then(|| href(PATH, &filter));
    let downloads = page
        .as_ref()
        .filter(|p| p.total > 0)
        .map(|_| (download("csv"), download("xlsx")));
    let total_text = match page.as_ref().map_or(0, |p| p.total) {
        0 => String::new(),
        1 => chrome.t("ri-count-one"),
        n => cs_app::i18n::t_args(chrome.lang, "ri-count-other", &[("count", &n.to_string())]),
    };
    let choices = |list: &[registered_items::Choice], chosen: &str, any: &str| {
        let mut out = vec![Choice {
            value: String::new(),
            label: chrome.t(any),
            on: chosen.trim().is_empty(),
        }];
        out.extend(list.iter().map(|c| Choice {
            label: format!("{} – {}", c.code, c.name),
            on: c.code == chosen.trim(),
            value: c.code.clone(),
        }));
        out
    };
    let collection_points = choices(
        scope.collection_points(),
        &typed.collection_point,
        "ri-any-collection-point",
    );
    let cost_centres = choices(
        scope.cost_centres(),
        &typed.cost_centre,
        "ri-any-cost-centre",
    );
    let acknowledgements = [
        ("", "ri-ar-any"),
        ("true", "ri-ar-yes"),
        ("false", "ri-ar-no"),
    ]
    .into_iter()
    .map(|(value, key)| Choice {
        value: value.to_owned(),
        label: chrome.t(key),
        on: typed.acknowledgement.trim() == value,
    })
    .collect();
    let rows = page
        .map(|p| p.items.into_iter().map(|i| row(&chrome, i)).collect())
        .unwrap_or_default();
    let (csv_href, xlsx_href) = downloads.unzip();
    let mut r = render(&ItemsPage {
        operator,
        customer: format!("{} ({})", scope.customer_name(), scope.customer_number()),
        limited: scope.limited(),
        collection_points,
        cost_centres,
        acknowledgements,
        other_errors: errors.others(),
        errors,
        rows,
        total_text,
        next_href,
        first_href,
        csv_href,
        xlsx_href,
        v: typed,
        cn,
        chrome,
    });
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn days_are_written_the_way_of_each_language() {
        let d = date!(2026 - 11 - 06);
        assert_eq!(day_text(Language::Fr, d), "06/11/2026");
        assert_eq!(day_text(Language::En, d), "06/11/2026");
        assert_eq!(day_text(Language::Nl, d), "06-11-2026");
        assert_eq!(day_text(Language::De, d), "06.11.2026");
        assert_eq!(iso_day(d), "2026-11-06");
    }

    #[test]
    fn links_carry_only_the_filters_given() {
        let typed = Typed {
            recipient: "50% off".into(),
            from: "2026-11-01".into(),
            ..Typed::default()
        };
        assert_eq!(
            href(PATH, &typed.params("")),
            "/registered-items?from=2026-11-01&recipient=50%25+off"
        );
        assert_eq!(
            href(PATH, &typed.params("8800001")),
            "/registered-items?customer_number=8800001&from=2026-11-01&recipient=50%25+off"
        );
    }
}
