//! A file's problems as the importer reports them (`line N, column C: what is wrong`), with
//! what the reader can do about one where that depends on how the file is imported; and the
//! first [`MAX_LISTED`] of them by line and column, whatever order they are found in.

use super::MAX_LISTED;
use cs_domain::feeds;
use cs_store::staging::{Problem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BinaryHeap};

/// One problem of a file: `line N, column C: what is wrong`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: u64,
    pub column: String,
    /// A stable code (`quantity_out_of_range`, `unknown_reference`, …); runs recorded before
    /// codes were kept read back as `invalid_row`.
    #[serde(default = "invalid_row")]
    pub code: String,
    /// What is wrong, in the same words wherever it is read.
    pub message: String,
    /// What to do about it, said in the words of the place the file is imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
    /// The values `message` names (`value`, `max`, `first_line`, …): with `code`, the
    /// machine form of the problem, from which a page words it in its reader's language.
    /// `None` for runs recorded before it was kept: those are shown in their English words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<BTreeMap<String, String>>,
}

/// `(name, value)` pairs as a problem keeps them.
pub(super) fn args_of(pairs: &[(&str, String)]) -> Option<BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn invalid_row() -> String {
    "invalid_row".to_owned()
}

/// What a reader can do about a problem, where the portal and the command line say it in
/// their own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// Import the file again, asking for stored rows to be replaced.
    Update,
}

impl Remedy {
    /// On the upload form and over the API.
    pub fn on_portal(self) -> &'static str {
        match self {
            Remedy::Update => {
                "to replace it, import the file again with \"Replace rows stored with other \
                 values\" ticked (over the API: update=true)"
            }
        }
    }

    /// In the output of `collectstamp import`.
    pub fn on_command_line(self) -> &'static str {
        match self {
            Remedy::Update => "import with --update to replace it",
        }
    }
}

impl LineError {
    /// The problem as a portal user reads it: on the upload's report, a run's report, and in
    /// the API's error details.
    pub fn portal_message(&self) -> String {
        match self.remedy {
            Some(r) => format!("{}; {}", self.message, r.on_portal()),
            None => self.message.clone(),
        }
    }

    /// The problem as a line of the command's output: `line N, column C: …`.
    pub fn command_line(&self) -> String {
        let message = match self.remedy {
            Some(r) => format!("{}; {}", self.message, r.on_command_line()),
            None => self.message.clone(),
        };
        feeds::line_error(self.line, &self.column, &message)
    }

    /// The error detail a client receives: `{line, column, code, message}`.
    pub fn detail(&self) -> crate::FieldError {
        crate::FieldError {
            field: None,
            line: Some(self.line),
            column: Some(self.column.clone()),
            code: self.code.clone(),
            message: self.portal_message(),
        }
    }
}

/// The words and remedy of a problem the staging area's set checks found.
pub(super) fn set_check_message(p: &Problem) -> (String, Option<Remedy>) {
    match p.kind {
        ProblemKind::DuplicateInFile { first_line } => (
            format!(
                "{} {} already appears on line {first_line} with other values",
                p.key_column, p.key
            ),
            None,
        ),
        ProblemKind::ConflictsWithStored => (
            format!(
                "{} {} is already stored with another {}",
                p.key_column, p.key, p.column
            ),
            Some(Remedy::Update),
        ),
    }
}

/// The values a set check's words name.
pub(super) fn set_check_args(p: &Problem) -> Vec<(&'static str, String)> {
    let mut args = vec![
        ("key_column", p.key_column.to_owned()),
        ("key", p.key.clone()),
        ("column", p.column.to_owned()),
    ];
    if let ProblemKind::DuplicateInFile { first_line } = p.kind {
        args.push(("first_line", first_line.to_string()));
    }
    args
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    line: u64,
    position: usize,
    column: String,
    code: String,
    message: String,
    remedy: Option<Remedy>,
    args: Option<BTreeMap<String, String>>,
}

/// The first [`MAX_LISTED`] problems by (line, column position), and the count of all.
#[derive(Default)]
pub(super) struct Errors {
    kept: BinaryHeap<Ranked>,
    pub(super) count: u64,
}

/// One problem to keep: where it is (`position`: the column's place in the file's rows), and
/// what it says.
pub(super) struct Found<'a> {
    pub line: u64,
    pub position: usize,
    pub column: &'a str,
    pub code: &'a str,
    pub message: String,
    pub remedy: Option<Remedy>,
    pub args: &'a [(&'a str, String)],
}

impl Errors {
    pub(super) fn add(
        &mut self,
        line: u64,
        position: usize,
        (column, code): (&str, &str),
        message: String,
        args: &[(&str, String)],
    ) {
        self.push(Found {
            line,
            position,
            column,
            code,
            message,
            remedy: None,
            args,
        });
    }

    pub(super) fn push(&mut self, f: Found<'_>) {
        self.count += 1;
        if self.kept.len() == MAX_LISTED {
            match self.kept.peek() {
                Some(worst) if (f.line, f.position) < (worst.line, worst.position) => {
                    self.kept.pop();
                }
                _ => return,
            }
        }
        self.kept.push(Ranked {
            line: f.line,
            position: f.position,
            column: f.column.to_owned(),
            code: f.code.to_owned(),
            message: f.message,
            remedy: f.remedy,
            args: args_of(f.args),
        });
    }

    pub(super) fn into_list(self) -> Vec<LineError> {
        self.kept
            .into_sorted_vec()
            .into_iter()
            .map(|r| LineError {
                line: r.line,
                column: r.column,
                code: r.code,
                message: r.message,
                remedy: r.remedy,
                args: r.args,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_the_first_by_line_whatever_the_order() {
        let mut e = Errors::default();
        for line in (2..=(MAX_LISTED as u64 + 500)).rev() {
            e.add(line, 0, ("date", "date_format"), "bad".into(), &[]);
        }
        let args = [("value", "x".to_owned())];
        e.add(
            1,
            3,
            ("quantity", "quantity_format"),
            "late but first".into(),
            &args,
        );
        assert_eq!(e.count, MAX_LISTED as u64 + 500);
        let list = e.into_list();
        assert_eq!(list.len(), MAX_LISTED);
        assert_eq!(list[0].line, 1);
        assert_eq!(list[1].line, 2);
        assert_eq!(list[MAX_LISTED - 1].line, MAX_LISTED as u64);
        assert_eq!(list[0].args.as_ref().unwrap()["value"], "x");
        assert_eq!(
            list[0].command_line(),
            "line 1, column quantity: late but first"
        );
    }

    fn conflict() -> LineError {
        let (message, remedy) = set_check_message(&Problem {
            line: 5,
            column: "name_fr",
            key_column: "code",
            key: "CS-FEE".into(),
            kind: ProblemKind::ConflictsWithStored,
        });
        LineError {
            line: 5,
            column: "name_fr".into(),
            code: "conflicts_with_stored".into(),
            message,
            remedy,
            args: None,
        }
    }

    #[test]
    fn a_stored_conflict_says_what_to_do_where_it_is_read() {
        let e = conflict();
        assert_eq!(
            e.portal_message(),
            "code CS-FEE is already stored with another name_fr; to replace it, import the \
             file again with \"Replace rows stored with other values\" ticked (over the API: \
             update=true)"
        );
        assert!(!e.portal_message().contains("--update"));
        assert_eq!(e.detail().message, e.portal_message());
        assert_eq!(
            e.command_line(),
            "line 5, column name_fr: code CS-FEE is already stored with another name_fr; \
             import with --update to replace it"
        );
    }

    #[test]
    fn runs_recorded_before_remedies_and_codes_read_back() {
        let old: LineError =
            serde_json::from_str(r#"{"line":2,"column":"date","message":"not a date"}"#).unwrap();
        assert_eq!(old.code, "invalid_row");
        assert_eq!(old.remedy, None);
        assert_eq!(old.portal_message(), "not a date");
        let json = serde_json::to_value(conflict()).unwrap();
        assert_eq!(json["remedy"], "update");
        let back: LineError = serde_json::from_value(json).unwrap();
        assert_eq!(back, conflict());
    }

    #[test]
    fn a_repeated_key_names_its_first_line_and_needs_no_remedy() {
        let (message, remedy) = set_check_message(&Problem {
            line: 9,
            column: "code",
            key_column: "code",
            key: "X".into(),
            kind: ProblemKind::DuplicateInFile { first_line: 4 },
        });
        assert_eq!(
            message,
            "code X already appears on line 4 with other values"
        );
        assert_eq!(remedy, None);
    }
}
