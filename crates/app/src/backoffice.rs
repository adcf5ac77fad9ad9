//! The operator's back office: customers, suspension, Service Centre actions on users, audit search.
//! (Filled by the accounts issue.)
