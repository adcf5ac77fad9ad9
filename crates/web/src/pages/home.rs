//! The home page: who you are, what you can reach. (The dashboard blocks of each module
//! are added here by the issues that build them.)

use super::{Chrome, render};
use crate::{
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::response::Response;

pub fn routes(r: Routes) -> Routes {
    r.get("/", Policy::SignedIn, home)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    modules: Vec<String>,
    cost_centres: Vec<String>,
    operator: bool,
}

async fn home(ctx: RequestCtx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let chrome = Chrome::new(&ctx, "/");
    let modules = actor
        .modules
        .iter()
        .map(|m| chrome.t(&format!("module-{}", m.as_str())))
        .collect();
    Ok(render(&HomePage {
        modules,
        cost_centres: actor.cost_centres.clone(),
        operator: actor.is_operator(),
        chrome,
    }))
}
