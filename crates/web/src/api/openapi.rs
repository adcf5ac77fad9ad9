//! The OpenAPI document of `/api/v1`, generated from the handlers' annotations and served
//! at `/api/v1/openapi.json`; a test pins the committed copy in `docs/openapi.json`.

use crate::policy::{Policy, Routes};
use axum::Json;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, Ref, RefOr, ResponseBuilder,
        path::{Operation, ParameterIn},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Collect & Stamp portal API", version = "1",
         description = "The business customer portal of the Collect & Stamp service. Errors are `{\"error\":{\"code\",\"message\",\"request_id\",\"details\"}}`, `code` one of a closed list and `request_id` the response's `X-Request-Id`; amounts are integer cents in fields ending `_cents`."),
    paths(super::account::me, super::account::token, super::account::set_password,
        super::me::forgot,
        super::me::change_password,
        super::backoffice::customers,
        super::backoffice::customer,
        super::backoffice::suspend,
        super::backoffice::reactivate,
        super::backoffice::password_reset,
        super::backoffice::operator_audit,
        super::backoffice::customer_audit,
        super::access_requests::submit,
        super::access_requests::list,
        super::access_requests::get,
        super::access_requests::approve,
        super::access_requests::reject,
        super::users::list, super::users::create,
        super::users::get, super::users::update,
        super::users::password_reset,
        super::signin::unlock_user,
        super::signin::reset_second_factor,
        super::imports::import,
        super::imports::runs,
        super::jobs::list,
        super::jobs::retry,
        super::transactions::list,
        super::transactions::export,
        super::registered_items::list,
        super::registered_items::download,
    ),
    modifiers(&Security, &BodyLimit, &SharedErrors),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("cs_session"))),
        );
    }
}

/// Every operation that reads a body can meet the body limit: a 413 in the error shape
/// (the shared extractors answer it), declared once here rather than on each handler.
struct BodyLimit;

impl Modify for BodyLimit {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{
            Ref, RefOr,
            content::Content,
            response::{Response, ResponseBuilder},
        };
        for item in doc.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.patch, &mut item.put]
                .into_iter()
                .flatten()
            {
                if op.request_body.is_none() || op.responses.responses.contains_key("413") {
                    continue;
                }
                let response: Response = ResponseBuilder::new()
                    .description("the body is larger than the portal accepts (`payload_too_large`)")
                    .content(
                        "application/json",
                        Content::new(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody")))),
                    )
                    .build();
                op.responses
                    .responses
                    .insert("413".to_owned(), RefOr::T(response));
            }
        }
    }
}

/// The error answers every operation shares through the common extractors and gates, declared
/// wherever the handler's own annotation left them out (so a new route is born declaring them):
/// 401/403 from the policy gate on a secured route, 400 `invalid_query` and 422 from query
/// parameters, 400 `invalid_json`, 413 and 422 from a body, 404 from a path parameter or a
/// `customer_number` naming nothing.
struct SharedErrors;

impl Modify for SharedErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                add_shared_errors(op);
            }
        }
    }
}

fn add_shared_errors(op: &mut Operation) {
    let has = |place: ParameterIn| {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.parameter_in == place,
            RefOr::Ref(_) => false,
        })
    };
    let (query, path) = (has(ParameterIn::Query), has(ParameterIn::Path));
    // An operator names the customer; a number that names none is 404.
    let names_customer = op.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Query && p.name == "customer_number",
        RefOr::Ref(_) => false,
    });
    let body = op.request_body.is_some();
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if secured {
        wanted.push(("401", "not signed in"));
        wanted.push(("403", "the caller's role or modules do not allow it"));
    }
    if query || body {
        wanted.push((
            "400",
            "`invalid_query` or `invalid_json`: the request cannot be read",
        ));
        wanted.push(("422", "details name each invalid field"));
    }
    if body {
        wanted.push(("413", "`payload_too_large`: the body is over the limit"));
    }
    if path || names_customer {
        wanted.push((
            "404",
            "nothing of that name or id, or an unknown customer_number",
        ));
    }
    for (status, description) in wanted {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
}

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/openapi.json", Policy::Public, document)
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_declares_the_shared_error_answers() {
        let doc = ApiDoc::openapi();
        let mut checked = 0;
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.post, &item.patch].into_iter().flatten() {
                let declared = |s: &str| op.responses.responses.contains_key(s);
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    assert!(declared("401") && declared("403"), "{path}: 401/403");
                }
                if op.request_body.is_some() {
                    for s in ["400", "413", "422"] {
                        assert!(declared(s), "{path}: {s}");
                    }
                }
                if path.contains('{') {
                    assert!(declared("404"), "{path}: 404");
                }
                checked += 1;
            }
        }
        assert!(checked >= 30, "only {checked} operations");
        // The operator's unknown customer on user creation (found by the API fuzzing).
        let create = doc.paths.paths["/api/v1/users"].post.as_ref();
        assert!(create.is_some_and(|op| op.responses.responses.contains_key("404")));
    }
}
