//! The public access-request form: every field checked at once (each problem beside its
//! field), the submission stored, audited and acknowledged by e-mail, within a rate limit.

use super::{AccessRequest, action, from_row, repo};
use crate::{
    App, AppError, FieldError, RequestMeta,
    audit::{self, Who},
    error::AppResult,
    mail,
};
use cs_domain::{CustomerNumber, Email, Language, Phone, Username, VatNumber};
use cs_store::repo::users;
use serde_json::json;
use std::fmt;

/// Longest accepted values, in characters.
pub mod max {
    pub const COMPANY_NAME: usize = 200;
    pub const STREET: usize = 200;
    pub const POSTCODE: usize = 16;
    pub const CITY: usize = 100;
    pub const CONTACT_NAME: usize = 200;
    pub const WEBPASS: usize = 100;
    pub const MESSAGE: usize = 2000;
    pub const REASON: usize = 2000;
}

/// The country assumed when none is given: the service is Belgian.
pub const DEFAULT_COUNTRY: &str = "BE";

/// The form as typed: every field a string, absent ones empty.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub company_name: String,
    pub vat_number: String,
    pub customer_number: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub language: String,
    pub username: String,
    pub webpass: String,
    pub message: String,
}

/// A request that passed every check of its fields (not yet the username's availability).
#[derive(Debug, Clone)]
struct Valid {
    company_name: String,
    vat_number: VatNumber,
    customer_number: Option<CustomerNumber>,
    street: String,
    postcode: String,
    city: String,
    country: String,
    contact_name: String,
    email: Email,
    phone: Phone,
    language: Language,
    username: Username,
    webpass: Option<String>,
    message: String,
}

/// Collects the problems of every field, so the form shows them all at once.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::field(field, code, message));
    }

    /// A one-line text: trimmed, without control characters, at most `max` characters;
    /// `None` when empty (the caller decides whether that is allowed).
    fn line(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().any(char::is_control) {
            self.add(
                field,
                "control_character",
                format!("{field} may not contain line breaks or control characters"),
            );
            return None;
        }
        let length = v.chars().count();
        if length > max {
            self.add(
                field,
                "too_long",
                format!("{field} has {length} characters: at most {max} are allowed"),
            );
            return None;
        }
        Some(v.to_owned())
    }

    /// A value parsed by its domain type, or the type's error on `field`; its error for an
    /// empty value (`vat_empty`, `email_empty`, …) is reported as `required`, like an empty
    /// line.
    fn parsed<T, E: fmt::Display>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
        code: impl Fn(&E) -> &'static str,
    ) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                let code = code(&e);
                let code = if code.ends_with("_empty") {
                    "required"
                } else {
                    code
                };
                self.add(field, code, e.to_string());
                None
            }
        }
    }

    fn required_line(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = self.line(field, value, max);
        if v.is_none() && value.trim().is_empty() {
            self.add(field, "required", format!("{field} is required"));
        }
        v.unwrap_or_default()
    }
}

/// Free text over several lines (a message, a reason): trimmed, line ends normalised, tabs
/// allowed, no other control characters.
fn text(problems: &mut Problems, field: &str, value: &str, max: usize) -> String {
    let v = value.replace("\r\n", "\n").replace('\r', "\n");
    let v = v.trim();
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        problems.add(
            field,
            "control_character",
            format!("{field} may not contain control characters"),
        );
        return String::new();
    }
    let length = v.chars().count();
    if length > max {
        problems.add(
            field,
            "too_long",
            format!("{field} has {length} characters: at most {max} are allowed"),
        );
        return String::new();
    }
    v.to_owned()
}

/// An optional customer number: empty is none.
fn customer_number(p: &mut Problems, raw: &str) -> Option<CustomerNumber> {
    if raw.trim().is_empty() {
        return None;
    }
    match CustomerNumber::parse(raw) {
        Ok(n) => Some(n),
        Err(e) => {
            p.add("customer_number", e.code(), e.to_string());
            None
        }
    }
}

/// A two-letter country code, [`DEFAULT_COUNTRY`] when none is given.
fn country(p: &mut Problems, raw: &str) -> String {
    let c = raw.trim().to_ascii_uppercase();
    if c.is_empty() {
        DEFAULT_COUNTRY.to_owned()
    } else if cs_domain::country::is_assigned(&c) {
        c
    } else {
        p.add(
            "country",
            "country_unknown",
            "country must be a two-letter ISO 3166 code such as BE",
        );
        String::new()
    }
}

/// The language chosen, the visitor's when none is.
fn language(p: &mut Problems, raw: &str, fallback: Language) -> Option<Language> {
    if raw.trim().is_empty() {
        return Some(fallback);
    }
    match raw.parse::<Language>() {
        Ok(l) => Some(l),
        Err(e) => {
            p.add("language", "language_unknown", e.to_string());
            None
        }
    }
}

/// Checks every field of the form; all problems at once.
fn validate(input: &Input, fallback_language: Language) -> Result<Valid, Vec<FieldError>> {
    let mut p = Problems::default();
    let company_name = p.required_line("company_name", &input.company_name, max::COMPANY_NAME);
    let vat_number = p.parsed("vat_number", VatNumber::parse(&input.vat_number), |e| {
        e.code()
    });
    let customer_number = customer_number(&mut p, &input.customer_number);
    let street = p.required_line("street", &input.street, max::STREET);
    let postcode = p.required_line("postcode", &input.postcode, max::POSTCODE);
    let city = p.required_line("city", &input.city, max::CITY);
    let country = country(&mut p, &input.country);
    let contact_name = p.required_line("contact_name", &input.contact_name, max::CONTACT_NAME);
    let email = p.parsed("email", Email::parse(&input.email), |e| e.code());
    let phone = p.parsed("phone", Phone::parse(&input.phone), |e| e.code());
    let language = language(&mut p, &input.language, fallback_language);
    let username = p.parsed("username", Username::parse(&input.username), |e| e.code());
    let webpass = p.line("webpass", &input.webpass, max::WEBPASS);
    let message = text(&mut p, "message", &input.message, max::MESSAGE);
    match (vat_number, email, phone, language, username) {
        (Some(vat_number), Some(email), Some(phone), Some(language), Some(username))
            if p.0.is_empty() =>
        {
            Ok(Valid {
                company_name,
                vat_number,
                customer_number,
                street,
                postcode,
                city,
                country,
                contact_name,
                email,
                phone,
                language,
                username,
                webpass,
                message,
            })
        }
        _ => Err(p.0),
    }
}

/// The reason of a rejection: free text, required.
pub(super) fn reason(reason: &str) -> AppResult<String> {
    let mut p = Problems::default();
    let reason = text(&mut p, "reason", reason, max::REASON);
    if p.0.is_empty() && reason.is_empty() {
        p.add("reason", "required", "say why the request is rejected");
    }
    if p.0.is_empty() {
        Ok(reason)
    } else {
        Err(AppError::Validation(p.0))
    }
}

fn username_taken(username: &str) -> FieldError {
    FieldError::field(
        "username",
        "username_taken",
        format!("the username {username} is already taken: please choose another"),
    )
}

/// At most this many access requests from one address within [`SUBMISSION_WINDOW`]: each one
/// sends an e-mail to an address the visitor chose. High enough for a proxy shared by many.
pub const SUBMISSION_LIMIT: i64 = 100;
pub const SUBMISSION_WINDOW: time::Duration = time::Duration::hours(1);

/// Submits the public form (`language` falls back to the visitor's when not chosen). Nothing
/// is stored unless every field is valid and the username is free; the contact then gets
/// an e-mail confirming receipt, in the request's language.
pub async fn submit(
    app: &App,
    meta: &RequestMeta,
    input: &Input,
    fallback_language: Language,
) -> AppResult<AccessRequest> {
    let v = validate(input, fallback_language).map_err(AppError::Validation)?;
    let now = app.now();
    let key = v.username.normalized();
    let mut tx = app.store.begin().await?;
    // Each request e-mails the address it names: bound what one address can send.
    let recent = cs_store::repo::audit::count_from_address(
        &mut tx.conn(),
        action::SUBMITTED,
        &meta.ip,
        now - SUBMISSION_WINDOW,
    )
    .await?;
    if recent >= SUBMISSION_LIMIT {
        return Err(AppError::Throttled {
            code: crate::ErrorCode::TooManyAttempts,
        });
    }
    if users::by_username_key(&mut tx.conn(), &key)
        .await?
        .is_some()
        || repo::username_pending(&mut tx.conn(), &key).await?
    {
        return Err(AppError::Validation(vec![username_taken(
            v.username.as_str(),
        )]));
    }
    let id = store(&mut tx.conn(), meta, &v, now).await?;
    let email = mail::Email::compose(
        v.email.as_str(),
        &v.contact_name,
        v.language,
        "mail-access-request-received",
        &[
            ("company", &v.company_name),
            ("username", v.username.as_str()),
        ],
        None,
        &app.settings.service_centre,
    );
    mail::enqueue(app, &mut tx.conn(), now, &email).await?;
    let row = repo::by_id(&mut tx.conn(), id)
        .await?
        .ok_or_else(|| AppError::internal(format!("access request {id} vanished")))?;
    tx.commit().await?;
    app.wake_jobs();
    let mut request = from_row(row)?;
    request.webpass = None;
    Ok(request)
}

/// Stores a valid request and its `access_request.submitted` event; its id.
async fn store(
    conn: &mut cs_store::Conn<'_>,
    meta: &RequestMeta,
    v: &Valid,
    now: time::OffsetDateTime,
) -> AppResult<i64> {
    let customer_number = v.customer_number.as_ref().map(CustomerNumber::as_str);
    let id = repo::insert(
        conn,
        &repo::NewAccessRequest {
            company_name: &v.company_name,
            vat_number: v.vat_number.as_str(),
            customer_number,
            street: &v.street,
            postcode: &v.postcode,
            city: &v.city,
            country: &v.country,
            contact_name: &v.contact_name,
            email: v.email.as_str(),
            phone: v.phone.as_str(),
            language: v.language.code(),
            username: v.username.as_str(),
            webpass: v.webpass.as_deref(),
            message: &v.message,
            created_at: now,
        },
    )
    .await?;
    audit::record(
        conn,
        now,
        &Who::system("anonymous"),
        meta,
        action::SUBMITTED,
        ("access_request", &id.to_string()),
        json!({
            "company_name": v.company_name,
            "vat_number": v.vat_number.as_str(),
            "customer_number": customer_number,
            "username": v.username.as_str(),
        }),
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Input {
        Input {
            company_name: "Imprimerie Test SA".into(),
            vat_number: "BE 0428.759.497".into(),
            customer_number: String::new(),
            street: "Rue de la Loi 16".into(),
            postcode: "1000".into(),
            city: "Bruxelles".into(),
            country: String::new(),
            contact_name: "Anne Test".into(),
            email: "anne@test.example".into(),
            phone: "+32 2 123 45 67".into(),
            language: "fr".into(),
            username: "anne.test".into(),
            webpass: String::new(),
            message: String::new(),
        }
    }

    fn fields(input: &Input) -> Vec<(String, String)> {
        validate(input, Language::En)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field.unwrap_or_default(), e.code))
            .collect()
    }

    #[test]
    fn a_good_request_is_normalised() {
        let v = validate(&good(), Language::En).unwrap();
        assert_eq!(v.vat_number.as_str(), "BE0428759497");
        assert_eq!(v.phone.as_str(), "+3221234567");
        assert_eq!(v.country, "BE");
        assert_eq!(v.language, Language::Fr);
        assert_eq!(v.customer_number, None);
        assert_eq!(v.webpass, None);
        let mut no_lang = good();
        no_lang.language = " ".into();
        no_lang.country = "lu".into();
        let v = validate(&no_lang, Language::Nl).unwrap();
        assert_eq!((v.language, v.country.as_str()), (Language::Nl, "LU"));
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let input = Input {
            vat_number: "BE0428759498".into(),
            customer_number: "88A".into(),
            country: "XX".into(),
            email: "anne.test.example".into(),
            phone: "12".into(),
            language: "es".into(),
            username: "a b".into(),
            webpass: "x".repeat(101),
            message: "m".repeat(2001),
            ..Input::default()
        };
        let got = fields(&input);
        let expected = [
            ("company_name", "required"),
            ("vat_number", "vat_checksum"),
            ("customer_number", "customer_number_not_digits"),
            ("street", "required"),
            ("postcode", "required"),
            ("city", "required"),
            ("country", "country_unknown"),
            ("contact_name", "required"),
            ("email", "email_missing_at"),
            ("phone", "phone_too_short"),
            ("language", "language_unknown"),
            ("username", "username_invalid_character"),
            ("webpass", "too_long"),
            ("message", "too_long"),
        ];
        assert_eq!(
            got,
            expected
                .iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn empty_required_fields_say_required_and_lines_refuse_control_characters() {
        let mut input = good();
        input.vat_number = "  ".into();
        input.email = String::new();
        input.phone = String::new();
        input.username = String::new();
        input.company_name = "Evil\r\nBcc: x@y.example".into();
        let got = fields(&input);
        assert!(got.contains(&("vat_number".into(), "required".into())));
        assert!(got.contains(&("email".into(), "required".into())));
        assert!(got.contains(&("phone".into(), "required".into())));
        assert!(got.contains(&("username".into(), "required".into())));
        assert!(got.contains(&("company_name".into(), "control_character".into())));
        let mut ok = good();
        ok.message = "line one\r\nline two\twith a tab".into();
        assert_eq!(
            validate(&ok, Language::En).unwrap().message,
            "line one\nline two\twith a tab"
        );
        ok.message = "bell\u{7}".into();
        assert_eq!(
            fields(&ok),
            vec![("message".to_owned(), "control_character".to_owned())]
        );
    }
}
