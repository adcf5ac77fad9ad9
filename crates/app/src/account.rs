//! A user's own account: password change, forgotten password, sessions, personal API tokens.
//! (Filled by the accounts issue.)
