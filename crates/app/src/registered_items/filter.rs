//! The registered-items search's parameters: the query as typed, read once for the page,
//! the API and the export; the filter as domain values; and the cursor's position.

use crate::{
    FieldError,
    calendar::{TypedDays, typed_days},
    paging::{PageQuery, ParamDoc, Position, query_value},
};
use cs_domain::{Barcode, CustomerId, DateRange, calendar::iso};
use cs_store::repo::registered_items::After;
use time::Date;

/// A recipient search is a part of a name, not a letter.
pub const MAX_RECIPIENT_CHARS: usize = 100;

/// The search's parameters as typed, read once from the raw query by the page, the API and
/// the export alike: the filter, the page, and the customer an operator names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub filter: FilterQuery,
    pub page: PageQuery,
    pub customer_number: Option<String>,
}

impl Query {
    pub fn read(raw: Option<&str>) -> Self {
        Self {
            filter: FilterQuery::read(raw),
            page: PageQuery::read(raw),
            customer_number: query_value(raw, "customer_number"),
        }
    }
}

/// The search as typed (query string or form); blank means no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterQuery {
    pub barcode: Option<String>,
    /// First deposit date `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Last deposit date `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub recipient: Option<String>,
    /// A collection point's code.
    pub collection_point: Option<String>,
    /// A cost centre's code.
    pub cost_centre: Option<String>,
    /// `true` or `false`.
    pub acknowledgement: Option<String>,
}

impl FilterQuery {
    /// The filter's parameters, in the order of the form and of the API's description.
    pub const DOC: [ParamDoc; 7] = [
        ParamDoc::text(
            "barcode",
            "The exact barcode (30 digits starting `010`, or UPU S10 like `RR473124829BE`); \
             case and spaces do not matter. A barcode is found whatever its date: `from` and \
             `to` are then checked but not applied.",
        ),
        ParamDoc::text(
            "from",
            "First deposit date, `YYYY-MM-DD`, inclusive. Without `from`, `to` and `barcode`: \
             the current month (Brussels). Alone, it runs to the end of its month.",
        ),
        ParamDoc::text(
            "to",
            "Last deposit date, `YYYY-MM-DD`, inclusive. Alone, it runs from the start of its \
             month.",
        ),
        ParamDoc::text(
            "recipient",
            "Part of the recipient's name, any case; `%` and `_` are taken literally.",
        ),
        ParamDoc::text(
            "collection_point",
            "A collection point code of the customer; any other is refused \
             (422 `unknown_collection_point`).",
        ),
        ParamDoc::text(
            "cost_centre",
            "A cost centre code of the customer (one of the caller's, for a user limited to \
             cost centres); any other is refused (422 `unknown_cost_centre`).",
        ),
        ParamDoc::text(
            "acknowledgement",
            "`true` (with acknowledgement of receipt) or `false`.",
        ),
    ];

    pub fn read(raw: Option<&str>) -> Self {
        let v = |k| query_value(raw, k);
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

    /// What was typed for the parameter `name` of [`Self::DOC`] (blank when not given).
    pub fn typed(&self, name: &str) -> &str {
        let v = match name {
            "barcode" => &self.barcode,
            "from" => &self.from,
            "to" => &self.to,
            "recipient" => &self.recipient,
            "collection_point" => &self.collection_point,
            "cost_centre" => &self.cost_centre,
            "acknowledgement" => &self.acknowledgement,
            _ => &None,
        };
        v.as_deref().unwrap_or_default()
    }
}

/// The filter in domain values, with the default dates applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub barcode: Option<Barcode>,
    /// `None`: no date limit (a barcode search without dates).
    pub days: Option<DateRange>,
    pub recipient: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub acknowledgement: Option<bool>,
}

impl Filter {
    /// The filter as query parameters, normalised (the barcode as checked, the dates the
    /// search applied, only what is set): for the page's links and downloads, and what a
    /// cursor is tied to.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(b) = &self.barcode {
            p.push(("barcode", b.as_str().to_owned()));
        }
        if let Some(d) = self.days {
            p.push(("from", iso(d.first())));
            p.push(("to", iso(d.last())));
        }
        let texts = [
            ("recipient", &self.recipient),
            ("collection_point", &self.collection_point),
            ("cost_centre", &self.cost_centre),
        ];
        for (k, v) in texts {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        }
        if let Some(a) = self.acknowledgement {
            p.push(("acknowledgement", a.to_string()));
        }
        p
    }

    /// The file's name, without extension: what was searched
    /// (`registered-items-2026-11-01-2026-11-30`, or the barcode's).
    pub fn file_stem(&self) -> String {
        let mut stem = "registered-items".to_owned();
        if let Some(b) = &self.barcode {
            stem.push('-');
            stem.push_str(b.as_str());
        }
        if let Some(d) = self.days {
            for day in [d.first(), d.last()] {
                stem.push('-');
                stem.push_str(&iso(day));
            }
        }
        stem
    }

    /// What this filter's cursors are tied to: its parameters and the customer.
    pub(super) fn cursor_key(&self, customer_id: CustomerId) -> Vec<(&'static str, String)> {
        let mut key = self.params();
        key.push(("customer", customer_id.to_string()));
        key
    }
}

/// A registered-items list's position: the last item's deposit date and id.
impl Position for After {
    const LIST: &'static str = "registered_items";

    fn parts(&self) -> Vec<String> {
        vec![iso(self.deposit_date), self.id.to_string()]
    }

    fn from_parts(parts: &[&str]) -> Option<Self> {
        let [date, id] = parts else {
            return None;
        };
        Some(After {
            deposit_date: cs_domain::dates::parse_date(date).ok()?,
            id: id.parse().ok().filter(|id| *id > 0)?,
        })
    }
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A barcode as people and scanners type it: spaces anywhere are dropped, then
/// [`Barcode::parse`] trims, uppercases and checks it.
pub fn normalise_barcode(s: &str) -> Result<Barcode, cs_domain::barcode::BarcodeError> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    Barcode::parse(&compact)
}

/// The typed filter as domain values; each bad field adds its error. The dates follow the
/// toolkit's rule ([`typed_days`]); without any date, the range is the month of `today`. A
/// barcode search finds the item whatever its date: the dates are checked but not applied
/// (the page sends the month it shows with every search).
pub fn parse_filter(q: &FilterQuery, today: Date, errors: &mut Vec<FieldError>) -> Filter {
    let barcode = given(&q.barcode).and_then(|b| match normalise_barcode(b) {
        Ok(b) => Some(b),
        Err(e) => {
            errors.push(FieldError::field("barcode", e.code(), e.to_string()));
            None
        }
    });
    let typed = typed_days(q.from.as_deref(), q.to.as_deref(), errors);
    let days = match typed {
        _ if given(&q.barcode).is_some() => None,
        TypedDays::Given(r) => Some(r),
        TypedDays::NotGiven => Some(DateRange::month_of(today)),
        TypedDays::Invalid => None,
    };
    let recipient = given(&q.recipient).map(str::to_owned);
    if recipient
        .as_deref()
        .is_some_and(|r| r.chars().count() > MAX_RECIPIENT_CHARS)
    {
        errors.push(FieldError::field(
            "recipient",
            "recipient_too_long",
            format!("search at most {MAX_RECIPIENT_CHARS} characters of the recipient's name"),
        ));
    }
    let acknowledgement = match given(&q.acknowledgement) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.push(FieldError::field(
                "acknowledgement",
                "invalid_acknowledgement",
                "acknowledgement must be true or false",
            ));
            None
        }
    };
    Filter {
        barcode,
        days,
        recipient,
        collection_point: given(&q.collection_point).map(str::to_owned),
        cost_centre: given(&q.cost_centre).map(str::to_owned),
        acknowledgement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const NATIONAL: &str = "010000000000000000000000000017";

    fn q() -> FilterQuery {
        FilterQuery::default()
    }

    /// The first and last day searched.
    fn span(f: &Filter) -> (Option<Date>, Option<Date>) {
        (f.days.map(DateRange::first), f.days.map(DateRange::last))
    }

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().filter_map(|f| f.field.as_deref()).collect()
    }

    #[test]
    fn the_query_is_read_once_with_every_documented_parameter() {
        let raw: String = FilterQuery::DOC
            .iter()
            .map(|d| format!("{0}=v-{0}&", d.name))
            .chain(["cursor=c&limit=9&customer_number=8800002".to_owned()])
            .collect();
        let read = Query::read(Some(&raw));
        for d in FilterQuery::DOC {
            assert_eq!(read.filter.typed(d.name), format!("v-{}", d.name));
        }
        assert_eq!(read.page, PageQuery::read(Some("cursor=c&limit=9")));
        assert_eq!(read.customer_number.as_deref(), Some("8800002"));
    }

    #[test]
    fn without_dates_the_month_of_today_is_searched() {
        let mut e = Vec::new();
        let f = parse_filter(&q(), date!(2026 - 02 - 14), &mut e);
        assert!(e.is_empty());
        assert_eq!(
            span(&f),
            (Some(date!(2026 - 02 - 01)), Some(date!(2026 - 02 - 28)))
        );
        let f = parse_filter(&q(), date!(2028 - 02 - 29), &mut e);
        assert_eq!(span(&f).1, Some(date!(2028 - 02 - 29)));
        let f = parse_filter(&q(), date!(2026 - 12 - 31), &mut e);
        assert_eq!(
            span(&f),
            (Some(date!(2026 - 12 - 01)), Some(date!(2026 - 12 - 31)))
        );
    }

    #[test]
    fn a_barcode_alone_is_searched_whatever_its_date() {
        let mut e = Vec::new();
        let f = parse_filter(
            &FilterQuery {
                barcode: Some(" rr 473124829 be ".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(f.barcode.as_ref().unwrap().as_str(), "RR473124829BE");
        assert_eq!(span(&f), (None, None));
        // With dates too (the page sends the month it shows): still whatever its date.
        let f = parse_filter(
            &FilterQuery {
                barcode: Some(NATIONAL.into()),
                from: Some("2026-10-05".into()),
                to: Some("2026-10-31".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(span(&f), (None, None));
        // The dates are still checked: a bad one is named, with the barcode or without.
        let f = parse_filter(
            &FilterQuery {
                barcode: Some(NATIONAL.into()),
                from: Some("2026-13-05".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert_eq!(span(&f), (None, None));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].field.as_deref(), Some("from"));
    }

    #[test]
    fn one_date_alone_keeps_to_its_month() {
        let mut e = Vec::new();
        let one = |from: Option<&str>, to: Option<&str>, e: &mut Vec<FieldError>| {
            let f = parse_filter(
                &FilterQuery {
                    from: from.map(str::to_owned),
                    to: to.map(str::to_owned),
                    ..q()
                },
                date!(2026 - 11 - 26),
                e,
            );
            span(&f)
        };
        assert_eq!(
            one(None, Some("2026-10-20"), &mut e),
            (Some(date!(2026 - 10 - 01)), Some(date!(2026 - 10 - 20)))
        );
        assert_eq!(
            one(Some("2026-02-10"), Some(" "), &mut e),
            (Some(date!(2026 - 02 - 10)), Some(date!(2026 - 02 - 28)))
        );
        assert!(e.is_empty());
        // A bad date is an error, and the other is not stretched to guess.
        assert_eq!(one(Some("2026-02-30"), None, &mut e), (None, None));
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut e = Vec::new();
        parse_filter(
            &FilterQuery {
                barcode: Some("RR473124828BE".into()),
                from: Some("2026-02-30".into()),
                to: Some("yesterday".into()),
                recipient: Some("x".repeat(MAX_RECIPIENT_CHARS + 1)),
                acknowledgement: Some("yes".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert_eq!(
            fields(&e),
            ["barcode", "from", "to", "recipient", "acknowledgement"]
        );
        assert_eq!(e[0].code, "barcode_check_digit");
        assert_eq!(
            e[0].message,
            "barcode RR473124828BE: check digit should be 9"
        );
    }

    #[test]
    fn a_reversed_range_is_an_error_on_to() {
        let mut e = Vec::new();
        parse_filter(
            &FilterQuery {
                from: Some("2026-11-10".into()),
                to: Some("2026-11-09".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert_eq!(fields(&e), ["to"]);
        assert_eq!(e[0].code, "range_reversed");
    }

    #[test]
    fn acknowledgement_is_true_false_or_any() {
        let mut e = Vec::new();
        let ack = |s: &str, e: &mut Vec<FieldError>| {
            parse_filter(
                &FilterQuery {
                    acknowledgement: Some(s.into()),
                    ..q()
                },
                date!(2026 - 11 - 26),
                e,
            )
            .acknowledgement
        };
        assert_eq!(ack("true", &mut e), Some(true));
        assert_eq!(ack("false", &mut e), Some(false));
        assert_eq!(ack(" ", &mut e), None);
        assert!(e.is_empty());
        assert_eq!(ack("TRUE1", &mut e), None);
        assert_eq!(fields(&e), ["acknowledgement"]);
    }

    #[test]
    fn cursors_belong_to_the_filter_and_customer() {
        let mut e = Vec::new();
        let filter = |recipient: &str, e: &mut Vec<FieldError>| {
            parse_filter(
                &FilterQuery {
                    recipient: Some(recipient.into()),
                    ..q()
                },
                date!(2026 - 11 - 26),
                e,
            )
        };
        let a = After {
            deposit_date: date!(2026 - 11 - 20),
            id: 42,
        };
        let f = filter("dubois", &mut e);
        let c = crate::paging::encode_cursor(&f.cursor_key(CustomerId::new(7)), &a);
        let decode = |f: &Filter, customer: CustomerId, e: &mut Vec<FieldError>| {
            crate::paging::decode_cursor::<After>(Some(&c), &f.cursor_key(customer), e)
        };
        assert_eq!(decode(&f, CustomerId::new(7), &mut e), Some(a));
        assert_eq!(
            decode(&filter(" dubois ", &mut e), CustomerId::new(7), &mut e),
            Some(a)
        );
        assert!(e.is_empty());
        assert_eq!(
            decode(&filter("martin", &mut e), CustomerId::new(7), &mut e),
            None
        );
        assert_eq!(decode(&f, CustomerId::new(8), &mut e), None);
        // The old plain cursor (`date_id`) is no cursor of this list any more.
        assert_eq!(
            crate::paging::decode_cursor::<After>(
                Some("2026-11-20_42"),
                &f.cursor_key(CustomerId::new(7)),
                &mut e
            ),
            None
        );
        assert_eq!(e.len(), 3);
        assert!(e.iter().all(|f| f.code == "invalid_cursor"));
        assert!(fields(&e).iter().all(|f| *f == "cursor"));
    }

    #[test]
    fn params_and_file_names_give_the_search_back() {
        let mut e = Vec::new();
        let f = parse_filter(
            &FilterQuery {
                barcode: Some(" rr 473124829 be ".into()),
                recipient: Some(" 50% off ".into()),
                acknowledgement: Some("false".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            f.params(),
            vec![
                ("barcode", "RR473124829BE".to_owned()),
                ("recipient", "50% off".to_owned()),
                ("acknowledgement", "false".to_owned()),
            ]
        );
        assert_eq!(f.file_stem(), "registered-items-RR473124829BE");
        let month = parse_filter(&q(), date!(2026 - 11 - 26), &mut e);
        assert_eq!(
            month.params(),
            vec![
                ("from", "2026-11-01".to_owned()),
                ("to", "2026-11-30".to_owned())
            ]
        );
        assert_eq!(month.file_stem(), "registered-items-2026-11-01-2026-11-30");
    }
}
