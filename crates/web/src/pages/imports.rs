//! The operator's import pages: upload a feed file (streamed into the importer as it arrives),
//! then its report; the list of past runs and each run's report. Times are in Brussels time.

use super::{Chrome, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Multipart, Path, Query, State, multipart::Field, rejection::QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{
    AppError, i18n,
    imports::{
        self, ImportRun, LineError, Options, Outcome, Rejection, Remedy, RunOutcome, Summary,
    },
};
use cs_domain::feeds::FeedKind;
use cs_domain::{Language, money_text};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/operator/imports", Policy::Operator, imports_page)
        .post("/operator/imports", Policy::Operator, upload)
        .get("/operator/imports/{id}", Policy::Operator, run_page)
}

/// A past run as a line of the list.
struct RunLine {
    href: String,
    kind: String,
    file_name: String,
    finished: String,
    actor: String,
    rejected: bool,
    outcome: String,
    rows_read: String,
    inserted: String,
    error_count: String,
}

#[derive(Template)]
#[template(path = "operator_imports.html")]
struct ImportsPage {
    chrome: Chrome,
    /// `(value, selected)` of the kind select.
    kinds: Vec<(&'static str, bool)>,
    dry_run: bool,
    update: bool,
    /// Errors of the form, by field.
    kind_error: Option<String>,
    file_error: Option<String>,
    upload_action: String,
    runs: Vec<RunLine>,
    next_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ListParams {
    #[serde(default)]
    cursor: String,
}

fn kinds(selected: Option<FeedKind>) -> Vec<(&'static str, bool)> {
    FeedKind::ALL
        .iter()
        .map(|k| (k.as_str(), Some(*k) == selected))
        .collect()
}

async fn page(
    s: &AppState,
    ctx: &RequestCtx,
    cursor: Option<&str>,
    form: UploadForm,
) -> Result<ImportsPage, WebError> {
    let actor = ctx.actor()?;
    let chrome = Chrome::new(ctx, "/operator/imports");
    let runs = imports::runs(&s.app, actor, cursor, None).await?;
    let lines = runs
        .items
        .iter()
        .map(|r| RunLine {
            href: format!("/operator/imports/{}", r.id),
            kind: r.kind.as_str().to_owned(),
            file_name: r.file_name.clone(),
            finished: local_time::minute(chrome.lang, r.finished_at),
            actor: r.actor.clone(),
            rejected: r.outcome == RunOutcome::Rejected,
            outcome: chrome.t(&format!("imp-outcome-{}", r.outcome.as_str())),
            rows_read: count(chrome.lang, r.rows_read),
            inserted: count(chrome.lang, r.inserted),
            error_count: count(chrome.lang, r.error_count),
        })
        .collect();
    Ok(ImportsPage {
        upload_action: "/operator/imports".to_owned(),
        chrome,
        kinds: kinds(form.kind),
        dry_run: form.dry_run,
        update: form.update,
        kind_error: form.kind_error,
        file_error: form.file_error,
        runs: lines,
        next_href: runs
            .next_cursor
            .map(|c| format!("/operator/imports?cursor={c}")),
    })
}

async fn imports_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let p = q.map(|Query(q)| q).unwrap_or_default();
    let cursor = Some(p.cursor.as_str()).filter(|c| !c.trim().is_empty());
    match page(&s, &ctx, cursor, UploadForm::default()).await {
        Ok(page) => Ok(render(&page)),
        // A stale cursor: the first page rather than an error page.
        Err(WebError(AppError::Validation(_))) => {
            Ok(render(&page(&s, &ctx, None, UploadForm::default()).await?))
        }
        Err(e) => Err(e),
    }
}

/// What the upload form said, kept when it is shown again.
#[derive(Debug, Default)]
struct UploadForm {
    kind: Option<FeedKind>,
    dry_run: bool,
    update: bool,
    kind_error: Option<String>,
    file_error: Option<String>,
}

/// The report of an import, just run or recorded.
#[derive(Template)]
#[template(path = "operator_import_report.html")]
struct ReportPage {
    chrome: Chrome,
    kind: String,
    file_name: String,
    imported: bool,
    dry_run: bool,
    /// `(label, value)` of the summary.
    figures: Vec<(String, String)>,
    errors: Vec<ErrorLine>,
    more: String,
    has_more: bool,
}

/// A problem of the file as the report lists it, in the portal's words.
struct ErrorLine {
    line: u64,
    column: String,
    message: String,
}

fn error_lines(lang: Language, errors: &[LineError]) -> Vec<ErrorLine> {
    errors
        .iter()
        .map(|e| ErrorLine {
            line: e.line,
            column: e.column.clone(),
            message: problem_text(lang, e),
        })
        .collect()
}

/// A problem in the reader's language, from its machine form: `imp-problem-<code>` with its
/// values, and its remedy. A run recorded before the values were kept, or a code the portal
/// has no words for, keeps the importer's English words (as the API gives them).
fn problem_text(lang: Language, e: &LineError) -> String {
    let Some(args) = &e.args else {
        return e.portal_message();
    };
    let key = format!("imp-problem-{}", e.code.replace('_', "-"));
    let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let text = i18n::t_args(lang, &key, &pairs);
    if text == key {
        return e.portal_message();
    }
    match e.remedy {
        Some(Remedy::Update) => i18n::t_args(
            lang,
            "imp-problem-with-remedy",
            &[
                ("problem", &text),
                ("remedy", &i18n::t(lang, "imp-remedy-update")),
            ],
        ),
        None => text,
    }
}

/// A count as the reader's language groups it (`1 234`, `1.234`, `1,234`).
fn count(lang: Language, n: u64) -> String {
    money_text::format_count(i64::try_from(n).unwrap_or(i64::MAX), lang)
}

fn summary_figures(chrome: &Chrome, f: &[(&str, u64)]) -> Vec<(String, String)> {
    f.iter()
        .map(|(key, n)| (chrome.t(key), count(chrome.lang, *n)))
        .collect()
}

/// What the upload form sent: its fields, and the import's outcome when a file was read.
struct Upload {
    form: UploadForm,
    kind_raw: String,
    file_name: String,
    outcome: Option<Result<Outcome, AppError>>,
}

/// Reads the form's fields in order and streams the file into the importer as it arrives;
/// without a kind before the file, or without a file, nothing is read.
async fn read_upload(
    s: &AppState,
    ctx: &RequestCtx,
    actor: &cs_app::Actor,
    chrome: &Chrome,
    multipart: &mut Multipart,
) -> Upload {
    let mut u = Upload {
        form: UploadForm::default(),
        kind_raw: String::new(),
        file_name: String::new(),
        outcome: None,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                u.form.file_error = Some(format!("{}: {e}", chrome.t("imp-error-upload")));
                break;
            }
        };
        match field.name().unwrap_or("") {
            "kind" => u.kind_raw = field.text().await.unwrap_or_default(),
            "dry_run" => u.form.dry_run = true,
            "update" => u.form.update = true,
            "file" => {
                u.file_name = field.file_name().unwrap_or("").to_owned();
                // Without a kind or a file nothing is read; the errors are set by the caller.
                let (Ok(kind), false) = (u.kind_raw.parse::<FeedKind>(), u.file_name.is_empty())
                else {
                    break;
                };
                u.form.kind = Some(kind);
                let options = Options {
                    dry_run: u.form.dry_run,
                    update: u.form.update,
                    file_name: u.file_name.clone(),
                };
                u.outcome = Some(stream_field(s, ctx, actor, kind, field, &options).await);
                break;
            }
            _ => {}
        }
    }
    u
}

/// The imports page again with the form's errors, under `status`.
async fn form_again(
    s: &AppState,
    ctx: &RequestCtx,
    form: UploadForm,
    status: StatusCode,
) -> Result<Response, WebError> {
    let mut r = render(&page(s, ctx, None, form).await?);
    *r.status_mut() = status;
    Ok(r)
}

async fn upload(
    State(s): State<AppState>,
    ctx: RequestCtx,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let chrome = Chrome::new(&ctx, "/operator/imports");
    let Upload {
        mut form,
        kind_raw,
        file_name,
        outcome,
    } = read_upload(&s, &ctx, actor, &chrome, &mut multipart).await;
    let Some(outcome) = outcome else {
        // Nothing was imported: say what is missing, each beside its field.
        form.kind = kind_raw.parse().ok();
        if form.kind.is_none() {
            form.kind_error = Some(chrome.t("imp-error-kind"));
        }
        if form.file_error.is_none() && file_name.is_empty() {
            form.file_error = Some(chrome.t("imp-error-file"));
        }
        return form_again(&s, &ctx, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match outcome {
        // A recorded run: its report is a page of its own (POST-redirect-GET), so that a
        // reload shows the report again rather than sending the file again.
        Ok(
            Outcome::Imported(Summary {
                import_id: Some(id),
                ..
            })
            | Outcome::Rejected(Rejection {
                import_id: Some(id),
                ..
            }),
        ) => Ok(Redirect::to(&format!("/operator/imports/{id}")).into_response()),
        // A dry run records nothing: its report is the answer itself.
        Ok(outcome) => Ok(report(chrome, file_name, form.dry_run, outcome)),
        Err(AppError::PayloadTooLarge(message)) => {
            form.file_error = Some(message);
            form_again(&s, &ctx, form, StatusCode::PAYLOAD_TOO_LARGE).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The report of an import just run: 200 when imported (or correct, for a dry run), 422 when
/// the file was rejected.
fn report(chrome: Chrome, file_name: String, dry_run: bool, outcome: Outcome) -> Response {
    match outcome {
        Outcome::Imported(sum) => {
            // A dry run inserts nothing: it says what an import would do.
            let (inserted, updated) = if sum.dry_run {
                ("imp-would-insert", "imp-would-update")
            } else {
                ("imp-inserted", "imp-updated")
            };
            let figures = summary_figures(
                &chrome,
                &[
                    ("imp-rows-read", sum.rows_read),
                    (inserted, sum.inserted),
                    ("imp-already-present", sum.already_present),
                    (updated, sum.updated),
                ],
            );
            render(&ReportPage {
                kind: sum.kind.to_owned(),
                file_name,
                imported: true,
                dry_run: sum.dry_run,
                figures,
                errors: Vec::new(),
                more: String::new(),
                has_more: false,
                chrome,
            })
        }
        Outcome::Rejected(r) => {
            let figures = summary_figures(
                &chrome,
                &[
                    ("imp-rows-read", r.rows_read),
                    ("imp-error-count", r.error_count),
                ],
            );
            let more = r.more();
            let mut page = render(&ReportPage {
                kind: r.kind.to_owned(),
                file_name,
                imported: false,
                dry_run,
                figures,
                errors: error_lines(chrome.lang, &r.errors),
                more: count(chrome.lang, more),
                has_more: more > 0,
                chrome,
            });
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
    }
}

/// Streams one multipart field into the importer while it runs.
async fn stream_field(
    s: &AppState,
    ctx: &RequestCtx,
    actor: &cs_app::Actor,
    kind: FeedKind,
    mut field: Field<'_>,
    options: &Options,
) -> Result<Outcome, AppError> {
    let (mut feeder, source) = imports::channel_source(s.app.settings.import_max_bytes);
    let feed = async move {
        loop {
            match field.chunk().await {
                Ok(Some(bytes)) => {
                    if !feeder.send(&bytes).await {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    feeder.fail(format!("the upload broke off: {e}")).await;
                    break;
                }
            }
        }
    };
    let work = imports::import_as(&s.app, actor, &ctx.meta, kind, source, options);
    let ((), outcome) = tokio::join!(feed, work);
    outcome
}

async fn run_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let id = crate::params::path_id(&id)?;
    let run: ImportRun = imports::run(&s.app, actor, id).await?;
    let chrome = Chrome::new(&ctx, "/operator/imports");
    let imported = run.outcome == RunOutcome::Imported;
    let figures = if imported {
        summary_figures(
            &chrome,
            &[
                ("imp-rows-read", run.rows_read),
                ("imp-inserted", run.inserted),
                ("imp-already-present", run.already_present),
                ("imp-updated", run.updated),
            ],
        )
    } else {
        summary_figures(
            &chrome,
            &[
                ("imp-rows-read", run.rows_read),
                ("imp-error-count", run.error_count),
            ],
        )
    };
    let more = run.more();
    Ok(render(&ReportPage {
        kind: run.kind.as_str().to_owned(),
        file_name: run.file_name,
        imported,
        dry_run: false,
        figures,
        errors: error_lines(chrome.lang, &run.errors),
        more: count(chrome.lang, more),
        has_more: more > 0,
        chrome,
    }))
}
