//! Back-office queries: customers search and status, audit search.
//! (Filled by the accounts issue.)
