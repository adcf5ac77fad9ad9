//! The account page, password change and the forgotten-password paths.

#[allow(unused_imports)]
use crate::harness::TestApp;

crate::on_both!();
