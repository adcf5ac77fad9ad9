//! Personal API tokens of a user: list and revoke.
//! (Filled by the accounts issue.)
