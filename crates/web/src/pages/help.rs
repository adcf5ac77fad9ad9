//! The help page (`/help`, public): the portal's questions and answers in the reader's
//! language, with the Service Centre's contact; linked from every page's footer.

use super::{Chrome, render};
use crate::{
    context::RequestCtx,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::response::Response;

pub fn routes(r: Routes) -> Routes {
    r.get("/help", Policy::Public, help_page)
}

/// One question and its answer, as paragraphs, with the page that acts on it.
struct Entry {
    id: &'static str,
    question: String,
    answer: Vec<String>,
    /// `(path, words)` of the page the answer points to.
    link: Option<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    chrome: Chrome,
    entries: Vec<Entry>,
}

/// The questions, in the order a newcomer asks them: `help-<id>-q` and `help-<id>-a`
/// (paragraphs separated by blank lines) in `locales/*/help.ftl`, and the page an answer
/// points to with `help-<id>-link` as its words.
const QUESTIONS: [(&str, Option<&str>); 8] = [
    ("what", None),
    ("paper-invoice", None),
    ("access", Some("/access-request")),
    ("users", None),
    ("forgotten-password", Some("/password/forgot")),
    ("receipts-value", None),
    ("receipts-kept", None),
    ("contact", None),
];

async fn help_page(ctx: RequestCtx) -> Response {
    let chrome = Chrome::new(&ctx, "/help");
    let days = cs_app::backoffice::DEFAULT_RECEIPT_RETENTION_DAYS.to_string();
    let entries = QUESTIONS
        .iter()
        .map(|&(id, page)| {
            let answer =
                cs_app::i18n::t_args(chrome.lang, &format!("help-{id}-a"), &[("days", &days)]);
            Entry {
                id,
                link: page.map(|p| (p, chrome.t(&format!("help-{id}-link")))),
                question: chrome.t(&format!("help-{id}-q")),
                answer: answer
                    .split("\n\n")
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
            }
        })
        .collect();
    render(&HelpPage { chrome, entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cs_domain::Language;

    #[test]
    fn every_question_has_words_in_every_language() {
        for lang in Language::ALL {
            for (id, page) in QUESTIONS {
                let parts: &[&str] = if page.is_some() {
                    &["q", "a", "link"]
                } else {
                    &["q", "a"]
                };
                for part in parts {
                    let key = format!("help-{id}-{part}");
                    let text = cs_app::i18n::t_args(lang, &key, &[("days", "365")]);
                    assert_ne!(text, key, "{lang}: {key}");
                    assert!(!text.contains('{'), "{lang}: {key}: {text}");
                }
            }
        }
    }
}
