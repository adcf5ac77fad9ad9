//! How answers look, whatever made them: the page frame, the error page and the JSON error
//! body. It knows nothing of requests or handlers; `context`, `error` and `pages` use it.

mod chrome;
mod error_body;
mod error_page;

pub use chrome::{Chrome, NavItem, Viewer};
pub use error_body::{ErrorBody, ErrorCodeSchema, ErrorContent, ErrorDetail};
pub use error_page::{ErrorPage, error_text};

use axum::response::{Html, IntoResponse, Response};

/// A template as an HTML response, or the template's error.
pub fn html<T: askama::Template>(t: &T) -> Result<Response, askama::Error> {
    t.render().map(|html| Html(html).into_response())
}

#[cfg(test)]
mod tests {
    /// `view` sits beneath the modules that use it: it names nothing of this crate but
    /// itself (`super::`), so it can never reach `pages`, `error`, `context` or `api`.
    #[test]
    fn the_view_uses_no_other_module_of_the_crate() {
        let files = [
            ("mod.rs", include_str!("mod.rs")),
            ("chrome.rs", include_str!("chrome.rs")),
            ("error_body.rs", include_str!("error_body.rs")),
            ("error_page.rs", include_str!("error_page.rs")),
        ];
        let needle = ["crate", "::"].concat();
        for (file, text) in files {
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                assert!(
                    code.starts_with("//") || !code.contains(&needle),
                    "view/{file}:{}: {line}",
                    n + 1
                );
            }
        }
    }
}
