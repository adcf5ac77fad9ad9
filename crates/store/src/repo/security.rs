//! Sign-in security: failed sign-ins, lockout, second factor and recovery codes, pending second steps.
//! (Filled by the accounts issue.)
