//! Lockout, throttling and the TOTP second factor.

#[allow(unused_imports)]
use crate::harness::TestApp;

crate::on_both!();
