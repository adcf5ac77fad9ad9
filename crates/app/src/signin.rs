//! Sign-in hardening: per-account lockout, per-address throttling and the TOTP second factor.
//! (Filled by the accounts issue.)
