//! The home page: who you are, what you can reach, and one block per feature that concerns
//! you (`cs_app::dashboard`), each figure linking to where it comes from.

use super::{Chrome, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{extract::State, response::Response};

pub fn routes(r: Routes) -> Routes {
    r.get("/", Policy::SignedIn, home)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    blocks: Vec<BlockView>,
    modules: Vec<String>,
    cost_centres: Vec<String>,
    operator: bool,
}

struct BlockView {
    title: String,
    facts: Vec<(String, i64, Option<&'static str>)>,
}

async fn home(State(s): State<AppState>, ctx: RequestCtx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let chrome = Chrome::new(&ctx, "/");
    let blocks = cs_app::dashboard::blocks(&s.app, actor)
        .await?
        .into_iter()
        .map(|b| BlockView {
            title: chrome.t(b.title),
            facts: b
                .facts
                .into_iter()
                .map(|f| (chrome.t(f.label), f.value, f.href))
                .collect(),
        })
        .collect();
    let modules = actor
        .modules
        .iter()
        .map(|m| chrome.t(&format!("module-{}", m.as_str())))
        .collect();
    Ok(render(&HomePage {
        blocks,
        modules,
        cost_centres: actor.cost_centres.clone(),
        operator: actor.is_operator(),
        chrome,
    }))
}
