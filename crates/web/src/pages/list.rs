//! The parts every list page shares, so that a new list is a few lines: links that keep the
//! filter, the pager (`_pager.html`), select options, the form's errors beside their fields
//! (`_fields.html`), and the customer chooser an operator sees first (`list_customer.html`).

use super::{Chrome, error_text, render};
use crate::{context::RequestCtx, local_time};
use askama::Template;
use axum::{http::StatusCode, response::Response};
use cs_app::{AppError, FieldError, paging::query_value};
use cs_domain::{DateRange, Language, Period, calendar, dates};
use time::Date;

/// `path` with the non-empty parameters as a query string.
pub fn href(path: &str, params: &[(&str, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

/// The links of one list's page: the operator's customer first, then the filter as applied,
/// then what the link adds (the cursor, the download's format).
pub struct Links {
    path: &'static str,
    base: Vec<(&'static str, String)>,
}

impl Links {
    pub fn new(
        path: &'static str,
        customer_number: &str,
        filter: Vec<(&'static str, String)>,
    ) -> Self {
        let mut base = vec![("customer_number", customer_number.to_owned())];
        base.extend(filter);
        Self { path, base }
    }

    fn with(&self, path: &str, extra: (&'static str, &str)) -> String {
        let mut all = self.base.clone();
        all.push((extra.0, extra.1.to_owned()));
        href(path, &all)
    }

    /// The list's first page.
    pub fn first(&self) -> String {
        href(self.path, &self.base)
    }

    /// The page after `cursor`.
    pub fn next(&self, cursor: &str) -> String {
        self.with(self.path, ("cursor", cursor))
    }

    /// The export of exactly this filter, as `format`.
    pub fn download(&self, export_path: &str, format: &str) -> String {
        self.with(export_path, ("format", format))
    }

    /// The downloads a page offers of exactly this filter, in `lang`: the XLSX and the CSV for
    /// Belgian Excel (for people), then the plain CSV (the API's, for software).
    pub fn downloads(&self, export_path: &str, lang: Language) -> Vec<Link> {
        [
            ("xlsx", "export-download-xlsx"),
            ("csv-excel", "export-download-csv-excel"),
            ("csv", "export-download-csv"),
        ]
        .into_iter()
        .map(|(format, key)| Link {
            href: self.download(export_path, format),
            text: cs_app::i18n::t(lang, key),
        })
        .collect()
    }
}

/// A link and its words.
pub struct Link {
    pub href: String,
    pub text: String,
}

/// The paging links under a list (`_pager.html`): back to the first page once paged, and
/// the next page when there is one. The words are the list's own (`<prefix>-paging`,
/// `<prefix>-first-page`, `<prefix>-next-page`).
pub struct Pager {
    pub label: String,
    pub first: Option<Link>,
    pub next: Option<Link>,
}

impl Pager {
    pub fn new(
        chrome: &Chrome,
        prefix: &str,
        links: &Links,
        paged: bool,
        next: Option<&str>,
    ) -> Self {
        let t = |key: &str| chrome.t(&format!("{prefix}-{key}"));
        Self {
            label: t("paging"),
            first: paged.then(|| Link {
                href: links.first(),
                text: t("first-page"),
            }),
            next: next.map(|c| Link {
                href: links.next(c),
                text: t("next-page"),
            }),
        }
    }

    /// No links: a page with errors, or the first and only page.
    pub fn none() -> Self {
        Self {
            label: String::new(),
            first: None,
            next: None,
        }
    }

    pub fn shown(&self) -> bool {
        self.first.is_some() || self.next.is_some()
    }
}

/// The quick period choices above a dated list (`_periods.html`): this month, last month,
/// this year as links, and a month picker (a select of the last 24 months sending `month`,
/// which [`month_param`] turns into the month's days). The list's other filters are kept.
pub struct QuickPeriods {
    pub label: String,
    pub links: Vec<Link>,
    pub path: &'static str,
    /// The hidden fields of the month picker: the customer and the other filters.
    pub keep: Vec<(&'static str, String)>,
    pub months: Vec<Choice>,
}

impl QuickPeriods {
    /// The choices of `path` around `today`; `keep` are the list's other filter parameters.
    pub fn new(
        chrome: &Chrome,
        path: &'static str,
        keep: Vec<(&'static str, String)>,
        today: Date,
        shown: Option<DateRange>,
    ) -> Self {
        let this = Period::containing(today);
        let year = DateRange::new(
            Date::from_calendar_date(today.year(), time::Month::January, 1).unwrap_or(today),
            today,
        )
        .unwrap_or_else(|_| DateRange::day(today));
        let link = |key: &str, days: DateRange| {
            let mut params = keep.clone();
            params.push(("from", calendar::iso(days.first())));
            params.push(("to", calendar::iso(days.last())));
            Link {
                href: href(path, &params),
                text: chrome.t(key),
            }
        };
        let links = vec![
            link("period-this-month", this.days()),
            link("period-last-month", this.previous().days()),
            link("period-this-year", year),
        ];
        let shown_month = shown.and_then(|d| {
            let p = Period::containing(d.first());
            (d == p.days()).then_some(p)
        });
        let mut months = Vec::with_capacity(24);
        let mut p = this;
        for _ in 0..24 {
            months.push(Choice {
                value: p.to_string(),
                label: local_time::month_text(chrome.lang, p),
                on: shown_month == Some(p),
            });
            p = p.previous();
        }
        Self {
            label: chrome.t("period-quick-label"),
            links,
            path,
            keep: keep.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
            months,
        }
    }
}

/// The month picker's `month=YYYY-MM` put into the filter's `from` and `to` (the month's
/// first and last day); without it nothing changes. A malformed month is the answer: the
/// page shows it above the form (`invalid_date`) instead of listing.
pub fn apply_month(
    raw: Option<&str>,
    from: &mut Option<String>,
    to: &mut Option<String>,
) -> Result<(), AppError> {
    let Some(typed) = query_value(raw, "month").filter(|m| !m.trim().is_empty()) else {
        return Ok(());
    };
    let p = Period::parse(typed.trim()).map_err(|e| {
        AppError::Validation(vec![FieldError::field(
            "month",
            dates::CODE,
            format!("month: {e}"),
        )])
    })?;
    *from = Some(calendar::iso(p.first_day()));
    *to = Some(calendar::iso(p.last_day()));
    Ok(())
}

/// A destination code in words (`BE` → Belgium); an unknown code stays as it is.
pub fn destination_label(chrome: &Chrome, code: &str) -> String {
    match code.to_ascii_uppercase().as_str() {
        "BE" => chrome.t("destination-be"),
        "EU" => chrome.t("destination-eu"),
        "WORLD" => chrome.t("destination-world"),
        _ => code.to_owned(),
    }
}

/// A format code in words (`small` → small letter); an unknown code stays as it is.
pub fn format_label(chrome: &Chrome, code: &str) -> String {
    match code.to_ascii_lowercase().as_str() {
        "small" => chrome.t("format-small"),
        "large" => chrome.t("format-large"),
        "cumbersome" => chrome.t("format-cumbersome"),
        _ => code.to_owned(),
    }
}

/// One option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub on: bool,
}

/// A select's options: "any" (its words under `any_key`), then `(value, label)` in order,
/// the one typed selected. A typed value that is not among them (an unknown code in a link)
/// is kept as one more option, selected, so the form shows what was asked beside its error.
pub fn choices(
    chrome: &Chrome,
    any_key: &str,
    options: impl IntoIterator<Item = (String, String)>,
    typed: &str,
) -> Vec<Choice> {
    let typed = typed.trim();
    let mut out = vec![Choice {
        value: String::new(),
        label: chrome.t(any_key),
        on: typed.is_empty(),
    }];
    out.extend(options.into_iter().map(|(value, label)| Choice {
        on: value == typed,
        value,
        label,
    }));
    if !out.iter().any(|c| c.on) {
        out.push(Choice {
            value: typed.to_owned(),
            label: typed.to_owned(),
            on: true,
        });
    }
    out
}

/// A customer's code as an option: `CODE – name`, or the code alone when the name adds
/// nothing.
pub fn code_option(code: &str, name: &str) -> (String, String) {
    let label = if name.is_empty() || name == code {
        code.to_owned()
    } else {
        format!("{code} – {name}")
    };
    (code.to_owned(), label)
}

/// The form's errors, translated (`<prefix>-error-<code>`, else the use case's message), each
/// shown beside its field; those of parameters the form has no field for (a stale cursor, a
/// bad limit) above it.
pub struct FormErrors {
    by_field: Vec<(String, String)>,
    fields: &'static [&'static str],
}

impl FormErrors {
    pub fn new(
        lang: Language,
        prefix: &str,
        fields: &'static [&'static str],
        details: &[FieldError],
    ) -> Self {
        let prefix = format!("{prefix}-error-");
        Self {
            by_field: details
                .iter()
                .map(|d| {
                    (
                        d.field.clone().unwrap_or_default(),
                        error_text(lang, &prefix, &d.code, &d.message),
                    )
                })
                .collect(),
            fields,
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.by_field
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Errors of parameters the form has no field for.
    pub fn others(&self) -> Vec<&str> {
        self.by_field
            .iter()
            .filter(|(f, _)| !self.fields.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty()
    }
}

/// The customer chooser of a customer's list: an operator names the customer first.
#[derive(Template)]
#[template(path = "list_customer.html")]
struct CustomerChooser {
    chrome: Chrome,
    action: &'static str,
    /// The list's words: `<prefix>-title`, `-choose-customer`, `-field-customer-number`,
    /// `-open-customer`.
    prefix: &'static str,
    value: String,
    error: Option<String>,
}

impl CustomerChooser {
    fn t(&self, key: &str) -> String {
        self.chrome.t(&format!("{}-{key}", self.prefix))
    }
}

/// The chooser of the list at `path`, with what was typed and its error, answered `status`.
pub fn customer_chooser(
    ctx: &RequestCtx,
    path: &'static str,
    prefix: &'static str,
    value: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let mut r = render(&CustomerChooser {
        chrome: Chrome::new(ctx, path),
        action: path,
        prefix,
        value,
        error,
    });
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_customer_then_the_filter_then_their_own() {
        let links = Links::new(
            "/registered-items",
            "8800001",
            vec![
                ("from", "2026-11-01".into()),
                ("recipient", "50% off".into()),
                ("barcode", String::new()),
            ],
        );
        assert_eq!(
            links.first(),
            "/registered-items?customer_number=8800001&from=2026-11-01&recipient=50%25+off"
        );
        assert_eq!(
            links.next("abc"),
            "/registered-items?customer_number=8800001&from=2026-11-01&recipient=50%25+off&cursor=abc"
        );
        assert_eq!(
            links.download("/api/v1/registered-items/export", "csv"),
            "/api/v1/registered-items/export?customer_number=8800001&from=2026-11-01&recipient=50%25+off&format=csv"
        );
        let mine = Links::new("/transactions", "", vec![]);
        assert_eq!(mine.first(), "/transactions");
        let offered: Vec<(String, String)> = mine
            .downloads("/api/v1/transactions/export", Language::Fr)
            .into_iter()
            .map(|l| (l.href, l.text))
            .collect();
        let want = [
            ("xlsx", "Excel (XLSX)"),
            ("csv-excel", "CSV pour Excel (Belgique)"),
            ("csv", "CSV brut (pour logiciels)"),
        ]
        .map(|(f, text)| {
            (
                format!("/api/v1/transactions/export?format={f}"),
                text.to_owned(),
            )
        });
        assert_eq!(offered, want);
    }

    fn chrome() -> Chrome {
        Chrome {
            lang: Language::En,
            user_name: None,
            customer_name: None,
            role_label: None,
            nav: Vec::new(),
            csrf: String::new(),
            languages: Vec::new(),
            service_centre: cs_app::service_centre::ContactText::default(),
        }
    }

    fn shown(options: &[Choice]) -> Vec<(&str, bool)> {
        options.iter().map(|c| (c.value.as_str(), c.on)).collect()
    }

    #[test]
    fn selects_keep_what_was_typed() {
        let c = chrome();
        let codes = || vec![code_option("HQ", "Head office"), code_option("DEPOT", "")];
        let any = choices(&c, "tx-any", codes(), " ");
        assert_eq!(shown(&any), [("", true), ("HQ", false), ("DEPOT", false)]);
        assert_eq!(any[1].label, "HQ – Head office");
        let depot = choices(&c, "tx-any", codes(), " DEPOT ");
        assert_eq!(shown(&depot), [("", false), ("HQ", false), ("DEPOT", true)]);
        // An unknown code stays on screen, selected, beside its error.
        let unknown = choices(&c, "tx-any", codes(), "NOWHERE");
        assert_eq!(
            shown(&unknown),
            [
                ("", false),
                ("HQ", false),
                ("DEPOT", false),
                ("NOWHERE", true)
            ]
        );
        assert_eq!(unknown[3].label, "NOWHERE");
    }

    #[test]
    fn pagers_link_back_and_on() {
        let c = chrome();
        let links = Links::new("/transactions", "", vec![("from", "2026-11-01".into())]);
        let p = Pager::new(&c, "tx", &links, true, Some("abc"));
        assert!(p.shown());
        assert_eq!(
            p.first.as_ref().map(|l| l.href.as_str()),
            Some("/transactions?from=2026-11-01")
        );
        assert_eq!(
            p.next.as_ref().map(|l| l.href.as_str()),
            Some("/transactions?from=2026-11-01&cursor=abc")
        );
        assert_eq!(p.next.map(|l| l.text), Some(c.t("tx-next-page")));
        assert!(!Pager::new(&c, "tx", &links, false, None).shown());
        assert!(!Pager::none().shown());
    }

    #[test]
    fn code_options_name_the_code_once() {
        assert_eq!(code_option("HQ", "HQ"), ("HQ".into(), "HQ".into()));
        assert_eq!(code_option("HQ", ""), ("HQ".into(), "HQ".into()));
        assert_eq!(
            code_option("CPA1", "Head office"),
            ("CPA1".into(), "CPA1 – Head office".into())
        );
    }

    #[test]
    fn form_errors_sit_beside_their_fields() {
        let details = [
            FieldError::field("from", "invalid_date", "bad date"),
            FieldError::field("cursor", "invalid_cursor", "stale"),
            FieldError::field("collection_point", "no_such_code_yet", "use the list"),
        ];
        let e = FormErrors::new(Language::En, "tx", &["from", "collection_point"], &details);
        assert!(!e.is_empty());
        assert_eq!(
            e.get("from"),
            Some("Write the date as YYYY-MM-DD, for example 2026-11-01.")
        );
        assert_eq!(e.get("collection_point"), Some("use the list"), "fallback");
        assert_eq!(e.get("to"), None);
        assert_eq!(
            e.others(),
            ["This page link is out of date: start again from the first page."]
        );
    }
}
