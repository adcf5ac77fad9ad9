//! Access requests: insert, list, decide.
//! (Filled by the accounts issue.)
