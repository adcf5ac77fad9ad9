//! The frame every page extends (`templates/base.html`): who is signed in, the navigation
//! their rights open, the language switch and the form token.

use cs_app::{Actor, i18n, service_centre::ContactText};
use cs_domain::{Language, Module, Role, ServiceCentre};

/// Who a page is drawn for: the signed-in actor (if any), the page language, the form
/// token the page's forms carry, and the Service Centre's contact the page may show. The
/// request context gives one; so can a bare error.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub actor: Option<&'a Actor>,
    pub lang: Language,
    pub csrf: &'a str,
    pub service_centre: &'a ServiceCentre,
}

impl<'a> Viewer<'a> {
    /// Nobody signed in, no form token: for answers made before the request is resolved.
    pub fn anonymous(lang: Language, service_centre: &'a ServiceCentre) -> Self {
        Viewer {
            actor: None,
            lang,
            csrf: "",
            service_centre,
        }
    }
}

/// One entry of the navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// Who sees a navigation entry.
#[derive(Debug, Clone, Copy)]
enum Audience {
    Everyone,
    /// Users of a customer holding the module.
    Customer(Module),
    Operator,
}

impl Audience {
    fn includes(self, a: &Actor) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Customer(m) => a.role != Role::Operator && a.can(m),
            Audience::Operator => a.role == Role::Operator,
        }
    }
}

/// The navigation, in order. Each entry's page declares its own policy; this only decides
/// what is worth showing to whom.
const NAV: &[(&str, &str, Audience)] = &[
    ("/", "nav-home", Audience::Everyone),
    (
        "/transactions",
        "nav-transactions",
        Audience::Customer(Module::Transactions),
    ),
    (
        "/registered-items",
        "nav-registered-items",
        Audience::Customer(Module::Receipts),
    ),
    ("/users", "nav-users", Audience::Customer(Module::Users)),
    ("/audit", "nav-audit", Audience::Customer(Module::Users)),
    (
        "/security",
        "nav-security",
        Audience::Customer(Module::Users),
    ),
    (
        "/operator/access-requests",
        "nav-access-requests",
        Audience::Operator,
    ),
    ("/operator/customers", "nav-customers", Audience::Operator),
    ("/operator/imports", "nav-imports", Audience::Operator),
    ("/operator/audit", "nav-audit", Audience::Operator),
    ("/operator/jobs", "nav-jobs", Audience::Operator),
    ("/account", "nav-account", Audience::Everyone),
];

/// The frame of every page: language, who is signed in, navigation by rights, form token.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Language,
    pub user_name: Option<String>,
    pub customer_name: Option<String>,
    pub role_label: Option<String>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub languages: Vec<(&'static str, &'static str, bool)>,
    /// The Service Centre's phone, address and hours in the page's language, for the pages
    /// that send people to it (`templates/_service_centre.html`).
    pub service_centre: ContactText,
}

impl Chrome {
    /// The frame for `viewer` (a `&RequestCtx` will do), with `current` marked in the
    /// navigation.
    pub fn new<'a>(viewer: impl Into<Viewer<'a>>, current: &str) -> Self {
        let Viewer {
            actor,
            lang,
            csrf,
            service_centre,
        } = viewer.into();
        // Landed pages only: a module's entry appears with the issue that builds its page.
        let nav = match actor {
            Some(a) => NAV
                .iter()
                .filter(|(_, _, audience)| audience.includes(a))
                .map(|(href, key, _)| NavItem {
                    href,
                    label: i18n::t(lang, key),
                    current: *href == current,
                })
                .collect(),
            None => Vec::new(),
        };
        Self {
            lang,
            user_name: actor.map(|a| a.full_name.clone()),
            customer_name: actor.and_then(|a| {
                a.customer
                    .as_ref()
                    .map(|c| format!("{} ({})", c.name, c.number))
            }),
            role_label: actor.map(|a| i18n::t(lang, &format!("role-{}", a.role.as_str()))),
            nav,
            csrf: csrf.to_owned(),
            languages: Language::ALL
                .iter()
                .map(|l| (l.code(), l.endonym(), *l == lang))
                .collect(),
            service_centre: ContactText::of(lang, service_centre),
        }
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    /// Translates `key` with named arguments (templates pass `[("name", value)]`).
    pub fn t_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::t_args(self.lang, key, args)
    }

    /// The colon after a label, as the language writes it: French puts a no-break space
    /// before it (`Reçu\u{a0}: …`).
    pub fn colon(&self) -> &'static str {
        match self.lang {
            Language::Fr => "\u{a0}:",
            Language::Nl | Language::De | Language::En => ":",
        }
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }
}
