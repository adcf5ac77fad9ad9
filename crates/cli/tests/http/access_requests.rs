//! Access requests end to end: the public form, the operator's queue, approval and rejection.

#[allow(unused_imports)]
use crate::harness::TestApp;

crate::on_both!();
