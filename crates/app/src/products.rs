//! The product catalogue as a reader sees it: each product's name in the reader's language,
//! by code. The catalogue is one for all customers and small, so it is read whole.

use crate::{App, error::AppResult};
use cs_domain::Language;
use cs_store::repo::catalogue;
use std::collections::HashMap;

/// Products' names in one language, by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductNames(HashMap<String, String>);

impl ProductNames {
    /// The name of the product `code`, or `None` for a code the catalogue lacks.
    pub fn get(&self, code: &str) -> Option<&str> {
        self.0.get(code).map(String::as_str)
    }
}

impl FromIterator<(String, String)> for ProductNames {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Every product's name in `lang`.
pub async fn names(app: &App, lang: Language) -> AppResult<ProductNames> {
    let mut conn = app.store.acquire().await?;
    Ok(catalogue::all(&mut conn.conn())
        .await?
        .into_iter()
        .map(|p| named(p, lang))
        .collect())
}

/// A catalogue row as (code, name in `lang`).
pub fn named(p: catalogue::ProductRow, lang: Language) -> (String, String) {
    let name = match lang {
        Language::Fr => p.name_fr,
        Language::Nl => p.name_nl,
        Language::De => p.name_de,
        Language::En => p.name_en,
    };
    (p.code, name)
}
