//! User management by a customer's administrators, with the last-admin rule.
//! (Filled by the accounts issue.)
