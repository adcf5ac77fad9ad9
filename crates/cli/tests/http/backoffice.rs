//! The operator's back office: customers, suspension, resets, unlock, audit search.

#[allow(unused_imports)]
use crate::harness::TestApp;

crate::on_both!();
