//! The OpenAPI document of `/api/v1`, generated from the handlers' annotations and served
//! at `/api/v1/openapi.json`; a test pins the committed copy in `docs/openapi.json`.

use crate::policy::{Policy, Routes};
use axum::Json;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Collect & Stamp portal API", version = "1",
         description = "The business customer portal of the Collect & Stamp service. Errors are `{\"error\":{\"code\",\"message\",\"details\"}}`; amounts are integer cents in fields ending `_cents`."),
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
        super::transactions::list,
        super::transactions::export,
        super::registered_items::list,
        super::registered_items::download,
    ),
    modifiers(&Security, &BodyLimit),
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

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/openapi.json", Policy::Public, document)
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
