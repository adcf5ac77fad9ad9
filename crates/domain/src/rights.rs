//! Roles and module rights (SPEC §1): who may see which part of the portal.
//! The web layer's route policies are written in these terms.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The operator's Service Centre staff: every customer, the back office.
    Operator,
    /// A customer's administrator: all modules of its own customer, plus `users`.
    Admin,
    /// An ordinary user of a customer, limited to the modules granted.
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::User => "user",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            "user" => Ok(Role::User),
            _ => Err(format!(
                "unknown role {s:?}: expected operator, admin or user"
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A part of the portal that a customer user can be granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Module {
    Transactions,
    Invoices,
    Receipts,
    Reports,
    Requests,
    /// User management: admins only, never granted to a `user`.
    Users,
}

impl Module {
    /// Modules that can be granted to an ordinary user.
    pub const GRANTABLE: [Module; 5] = [
        Module::Transactions,
        Module::Invoices,
        Module::Receipts,
        Module::Reports,
        Module::Requests,
    ];
    pub const ALL: [Module; 6] = [
        Module::Transactions,
        Module::Invoices,
        Module::Receipts,
        Module::Reports,
        Module::Requests,
        Module::Users,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Transactions => "transactions",
            Module::Invoices => "invoices",
            Module::Receipts => "receipts",
            Module::Reports => "reports",
            Module::Requests => "requests",
            Module::Users => "users",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl FromStr for Module {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Module::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown module {s:?}: expected one of transactions, invoices, receipts, reports, requests"
                )
            })
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of modules, stored as a comma-separated list (`transactions,invoices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Modules(u8);

impl Modules {
    pub fn empty() -> Self {
        Self(0)
    }

    pub fn all_grantable() -> Self {
        Module::GRANTABLE.into_iter().collect()
    }

    pub fn contains(self, m: Module) -> bool {
        self.0 & m.bit() != 0
    }

    pub fn insert(&mut self, m: Module) {
        self.0 |= m.bit();
    }

    pub fn iter(self) -> impl Iterator<Item = Module> {
        Module::ALL.into_iter().filter(move |m| self.contains(*m))
    }

    /// Parses the stored form; unknown names are an error, empty items are ignored.
    pub fn parse_list(s: &str) -> Result<Self, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::parse::<Module>)
            .collect()
    }

    pub fn to_list(self) -> String {
        self.iter()
            .map(Module::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The modules a user of `role` effectively has, given what was granted: an admin has
    /// all of them, a user only those granted (never `users`), an operator every grantable
    /// module of any customer (named per request), but not a customer's user management.
    pub fn effective(role: Role, granted: Modules) -> Modules {
        match role {
            Role::Admin => Module::ALL.into_iter().collect(),
            Role::User => granted.iter().filter(|m| *m != Module::Users).collect(),
            Role::Operator => Module::GRANTABLE.into_iter().collect(),
        }
    }
}

impl FromIterator<Module> for Modules {
    fn from_iter<I: IntoIterator<Item = Module>>(iter: I) -> Self {
        let mut s = Modules::empty();
        for m in iter {
            s.insert(m);
        }
        s
    }
}

impl Serialize for Modules {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Modules {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<Module>::deserialize(d)?;
        Ok(v.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_round_trips() {
        let m = Modules::parse_list("invoices, transactions,,").unwrap();
        assert!(m.contains(Module::Invoices) && m.contains(Module::Transactions));
        assert!(!m.contains(Module::Receipts));
        assert_eq!(m.to_list(), "transactions,invoices");
        assert!(Modules::parse_list("invoices,admin").is_err());
    }

    #[test]
    fn effective_rights_follow_the_role() {
        let granted = Modules::parse_list("receipts,users").unwrap();
        let user = Modules::effective(Role::User, granted);
        assert!(user.contains(Module::Receipts));
        assert!(!user.contains(Module::Users), "a user never manages users");
        let admin = Modules::effective(Role::Admin, Modules::empty());
        assert!(Module::ALL.iter().all(|m| admin.contains(*m)));
        assert!(!Modules::effective(Role::Operator, Modules::empty()).contains(Module::Users));
    }

    #[test]
    fn json_is_a_list_of_names() {
        let m: Modules = serde_json::from_str(r#"["reports","invoices"]"#).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"["invoices","reports"]"#
        );
    }
}
