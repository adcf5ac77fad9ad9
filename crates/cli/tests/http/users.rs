//! User management by administrators: the last-admin rule, rights and limits, invitations.

#[allow(unused_imports)]
use crate::harness::TestApp;

crate::on_both!();
