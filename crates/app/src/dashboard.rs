//! The home page's blocks: each feature contributes one block, shown only to the callers it
//! concerns; a new feature adds its block here without touching the others.

use crate::{Actor, App, error::AppResult};
use cs_domain::Module;
use cs_store::repo::dashboard as repo;

/// One figure of a block: a translation key for its label, the number, and where to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: &'static str,
    pub value: i64,
    pub href: Option<&'static str>,
}

/// A block of the home page, titled by a translation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub title: &'static str,
    pub facts: Vec<Fact>,
}

/// The blocks for `actor`, in the order they are shown.
pub async fn blocks(app: &App, actor: &Actor) -> AppResult<Vec<Block>> {
    let mut conn = app.store.acquire().await?;
    let mut out = Vec::new();
    if actor.is_operator() {
        let pending = repo::pending_access_requests(&mut conn.conn()).await?;
        out.push(Block {
            title: "home-block-access-requests",
            facts: vec![Fact {
                label: "home-fact-pending",
                value: pending,
                href: Some("/operator/access-requests"),
            }],
        });
    }
    if let Some(customer) = &actor.customer
        && actor.can(Module::Users)
    {
        let (active, invited, disabled) = repo::user_counts(&mut conn.conn(), customer.id).await?;
        out.push(Block {
            title: "home-block-users",
            facts: vec![
                Fact {
                    label: "home-fact-active",
                    value: active,
                    href: Some("/users?status=active"),
                },
                Fact {
                    label: "home-fact-invited",
                    value: invited,
                    href: Some("/users?status=invited"),
                },
                Fact {
                    label: "home-fact-disabled",
                    value: disabled,
                    href: Some("/users?status=disabled"),
                },
            ],
        });
    }
    Ok(out)
}
