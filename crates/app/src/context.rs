//! Who is asking and from where: the signed-in actor (with its tenant and rights) and the
//! request's metadata. Every use case takes these, so tenant scoping is decided in one place.

use crate::{App, AppError, error::AppResult};
use cs_domain::{CustomerId, CustomerNumber, Language, Module, Modules, Role, UserId};
use cs_store::repo::customers;

/// Where a request comes from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: String,
    pub request_id: String,
    pub user_agent: String,
}

impl RequestMeta {
    /// For work started from the command line.
    pub fn cli() -> Self {
        Self {
            ip: "cli".into(),
            request_id: String::new(),
            user_agent: "collectstamp".into(),
        }
    }
}

/// The customer an actor belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRef {
    pub id: CustomerId,
    pub number: String,
    pub name: String,
    pub suspended: bool,
}

/// How the actor proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    /// Browser session: the stored hash of its id and its CSRF token.
    Session {
        id_hash: String,
        csrf_token: String,
    },
    Bearer {
        token_id: i64,
    },
}

/// A signed-in, active user, with effective rights already worked out.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub language: Language,
    pub role: Role,
    /// Modules as granted (stored), shown in the user's JSON.
    pub granted: Modules,
    /// Modules the user can actually use.
    pub modules: Modules,
    /// `None` for operators.
    pub customer: Option<CustomerRef>,
    /// Cost-centre codes the user is limited to; empty means no limit.
    pub cost_centres: Vec<String>,
    pub auth: AuthMethod,
    /// The user's company requires a second factor and the user has none yet: until it
    /// is set up, only the set-up page, sign-out and the language switch are open (the
    /// gate is in the web layer's policy check).
    pub totp_enrolment_required: bool,
}

/// The customer whose data a request may touch, decided once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant {
    pub customer_id: CustomerId,
}

impl Actor {
    pub fn is_operator(&self) -> bool {
        self.role == Role::Operator
    }

    pub fn can(&self, module: Module) -> bool {
        self.modules.contains(module)
    }

    /// Refuses (403 `forbidden`) anyone but the Service Centre: the first line of every
    /// operator-only use case, besides the route's own policy.
    pub fn require_operator(&self) -> AppResult<()> {
        if self.is_operator() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The tenant of a customer route. Customer users always get their own customer (the
    /// parameter is ignored); operators must name one with `customer_number`, and an unknown
    /// number answers 404.
    pub async fn tenant(&self, app: &App, customer_number: Option<&str>) -> AppResult<Tenant> {
        if let Some(c) = &self.customer {
            return Ok(Tenant { customer_id: c.id });
        }
        let raw = customer_number.ok_or_else(|| {
            AppError::invalid(
                "customer_number",
                "required",
                "operators must name the customer with customer_number",
            )
        })?;
        let number = CustomerNumber::parse(raw)
            .map_err(|e| AppError::invalid("customer_number", e.code(), e.to_string()))?;
        let row = customers::find_by_number(&app.store, number.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Tenant {
            customer_id: CustomerId::new(row.id),
        })
    }
}
