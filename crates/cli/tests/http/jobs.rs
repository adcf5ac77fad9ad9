//! Jobs as a registry: dead letters after their tries, the operator's failed-jobs page and
//! API with the retry, unknown kinds, and the periodic housekeeping that runs once per slot.

use crate::harness::TestApp;
use cs_app::{
    jobs::{self, Enqueued},
    mail::{self, Email},
};
use cs_domain::Language;
use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use time::Duration;

crate::on_both!(
    operators_see_failed_jobs_and_retry_them,
    customer_admins_are_refused_the_jobs_pages,
    retrying_an_unknown_job_is_not_found,
    retrying_without_the_form_token_is_refused,
    an_unknown_kind_is_given_up_at_once_with_a_clear_error,
    housekeeping_is_queued_once_per_hour_and_cleans_up,
);

/// Words of the payload that must never reach a page or an answer.
const SECRET: &str = "payload-only-Zq7";

/// Queues `n` messages that cannot be delivered (the recipient is no address), then runs the
/// queue 8 times, 3 hours apart (past every back-off): each is given up, at T0 + 21 h.
async fn failed_jobs(t: &TestApp, n: usize) {
    let email = Email {
        to: "not an address".into(),
        to_name: "Nobody".into(),
        language: Language::En,
        subject: format!("Subject {SECRET}"),
        text: format!("Text https://portal.example/password/set?token={SECRET}"),
        html: format!("<p>{SECRET}</p>"),
    };
    let mut tx = t.app().store.begin().await.unwrap();
    for _ in 0..n {
        mail::enqueue(t.app(), &mut tx.conn(), t.app().now(), &email)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    for attempt in 1..=8 {
        if attempt > 1 {
            t.clock.advance(Duration::hours(3));
        }
        assert_eq!(jobs::drain(t.app()).await.unwrap(), n, "try {attempt}");
    }
    assert_eq!(
        jobs::drain(t.app()).await.unwrap(),
        0,
        "given up: no ninth try"
    );
}

async fn only_job_id(t: &TestApp) -> i64 {
    t.count("SELECT MAX(id) FROM jobs").await
}

async fn operators_see_failed_jobs_and_retry_them(t: &TestApp) {
    failed_jobs(t, 2).await;
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE status = 'failed' AND attempts = 8 AND failed_at IS NOT NULL AND last_error LIKE '%recipient%'")
            .await,
        2,
        "dead letters with their last error"
    );
    let newest = only_job_id(t).await;
    let oldest = newest - 1;

    // The page: kind, tries, last error, given up at 07:00 UTC = 08:00 in Brussels.
    let mut b = t.signed_in("op.one").await;
    let r = b.get("/operator/jobs").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("<code>send_email</code>"), "{html}");
    assert!(
        html.contains("27/11/2026 08:00:00"),
        "Brussels time: {html}"
    );
    assert!(html.contains("<td class=\"num\">8</td>"));
    assert!(html.contains("not an address"), "the last error");
    assert!(html.contains(&format!("action=\"/operator/jobs/{newest}/retry\"")));
    assert!(
        html.contains("href=\"/operator/jobs\" aria-current=\"page\""),
        "in the navigation"
    );
    assert!(!html.contains(SECRET), "never the payload");

    // The API: newest first, paged, the payload left out; other statuses on request.
    let op = t.api_as("op.one").await;
    let r = op.get("/api/v1/operator/jobs?limit=1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text.contains(SECRET));
    let v = r.json();
    let item = &v["items"][0];
    assert_eq!(item["id"], newest);
    assert_eq!(item["kind"], "send_email");
    assert_eq!(item["status"], "failed");
    assert_eq!(item["attempts"], 8);
    assert_eq!(item["failed_at"], "2026-11-27T07:00:00Z");
    assert!(item["unique_key"].is_null());
    assert!(item.get("payload").is_none());
    let cursor = v["next_cursor"].as_str().expect("a second page");
    let v = op
        .get(&format!(
            "/api/v1/operator/jobs?status=failed&limit=1&cursor={cursor}"
        ))
        .await
        .json();
    assert_eq!(v["items"][0]["id"], oldest);
    assert!(v["next_cursor"].is_null());
    let r = op.get("/api/v1/operator/jobs?status=queued").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"], Value::Array(vec![]));
    let r = op.get("/api/v1/operator/jobs?status=dead").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("invalid_status"), "{}", r.text);

    // Retry from the page: back in the queue, tries from zero, audited.
    let r = b
        .post_form(&format!("/operator/jobs/{newest}/retry"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(to, format!("/operator/jobs?done=retried&job={newest}"));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND attempts = 0 AND failed_at IS NULL")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'job.retried' AND actor = 'op.one' AND object_type = 'job'")
            .await,
        1
    );
    let html = b.get(&to).await.text;
    assert!(
        html.contains(&format!("Job {newest} is back in the queue.")),
        "{html}"
    );
    assert!(
        !html.contains(&format!("/operator/jobs/{newest}/retry")),
        "no longer failed"
    );
    assert!(html.contains(&format!("/operator/jobs/{oldest}/retry")));

    // A second click changes nothing and records nothing.
    let r = b
        .post_form(&format!("/operator/jobs/{newest}/retry"), &[])
        .await;
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/operator/jobs?done=unchanged&job={newest}").as_str()
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'job.retried'")
            .await,
        1
    );

    // Retry over the API; the retried jobs run again (and fail again: the cause remains).
    let r = op
        .post(&format!("/api/v1/operator/jobs/{oldest}/retry"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE status = 'queued'")
            .await,
        2
    );
    assert_eq!(jobs::drain(t.app()).await.unwrap(), 2);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND attempts = 1")
            .await,
        2,
        "a retried job starts its tries again"
    );
}

async fn customer_admins_are_refused_the_jobs_pages(t: &TestApp) {
    failed_jobs(t, 1).await;
    let id = only_job_id(t).await;
    let mut b = t.signed_in("a.admin").await;
    assert_eq!(b.get("/operator/jobs").await.status, StatusCode::FORBIDDEN);
    let r = b
        .post_form(&format!("/operator/jobs/{id}/retry"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin = t.api_as("a.admin").await;
    let r = admin.get("/api/v1/operator/jobs").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.text.contains("send_email"));
    let r = admin
        .post(&format!("/api/v1/operator/jobs/{id}/retry"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = b.get("/").await.text;
    assert!(
        !html.contains("/operator/jobs"),
        "not in a customer's navigation"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE status = 'failed'")
            .await,
        1,
        "still failed"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'job.retried'")
            .await,
        0
    );
}

async fn retrying_an_unknown_job_is_not_found(t: &TestApp) {
    let mut b = t.signed_in("op.one").await;
    for path in ["/operator/jobs/999999/retry", "/operator/jobs/x/retry"] {
        assert_eq!(
            b.post_form(path, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = t
        .api_as("op.one")
        .await
        .post("/api/v1/operator/jobs/999999/retry")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text.contains("not_found"), "{}", r.text);
}

async fn retrying_without_the_form_token_is_refused(t: &TestApp) {
    failed_jobs(t, 1).await;
    let id = only_job_id(t).await;
    let mut b = t.signed_in("op.one").await;
    let path = format!("/operator/jobs/{id}/retry");
    let r = b.request(Method::POST, &path, &[], Some(&[])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b
        .request(Method::POST, &path, &[], Some(&[("_csrf", "forged")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE status = 'failed' AND attempts = 8")
            .await,
        1,
        "nothing changed"
    );
}

async fn an_unknown_kind_is_given_up_at_once_with_a_clear_error(t: &TestApp) {
    let mut c = t.app().store.acquire().await.unwrap();
    cs_store::repo::jobs::enqueue(&mut c.conn(), "from_a_newer_version", "{}", t.app().now())
        .await
        .unwrap();
    drop(c);
    assert_eq!(jobs::drain(t.app()).await.unwrap(), 1, "claimed once");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE kind = 'from_a_newer_version' AND status = 'failed' AND attempts = 1 AND failed_at IS NOT NULL AND last_error LIKE 'unknown job kind%'")
            .await,
        1
    );
    let mut b = t.signed_in("op.one").await;
    let html = b.get("/operator/jobs").await.text;
    assert!(html.contains("<code>from_a_newer_version</code>"), "{html}");
    assert!(
        html.contains("26/11/2026 11:00:00"),
        "given up at once: {html}"
    );
}

async fn housekeeping_is_queued_once_per_hour_and_cleans_up(t: &TestApp) {
    t.signed_in("a.user").await;
    assert_eq!(t.count("SELECT COUNT(*) FROM sessions").await, 1);
    // 13 hours on, the session is past its absolute limit; 23:00 UTC is midnight in Brussels.
    t.clock.advance(Duration::hours(13));
    // Ticks of several instances at once: one job between them.
    let ticks = futures::future::join_all((0..6).map(|_| jobs::tick(t.app()))).await;
    let mut queued = 0;
    for tick in ticks {
        let slots = tick.unwrap();
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].0, "housekeeping:2026-11-27:00");
        queued += usize::from(matches!(slots[0].1, Enqueued::Queued(_)));
    }
    assert_eq!(queued, 1, "exactly one tick queued the slot");
    assert_eq!(
        jobs::tick(t.app()).await.unwrap()[0].1,
        Enqueued::Duplicate,
        "a later tick in the same hour"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE kind = 'housekeeping' AND unique_key = 'housekeeping:2026-11-27:00'")
            .await,
        1
    );
    assert_eq!(jobs::drain(t.app()).await.unwrap(), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM sessions").await, 0, "purged");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE kind = 'housekeeping' AND status = 'done'")
            .await,
        1
    );
    // Ran once: the next tick of the hour queues nothing, the next hour's does.
    t.clock.advance(Duration::minutes(59));
    assert_eq!(jobs::tick(t.app()).await.unwrap()[0].1, Enqueued::Duplicate);
    t.clock.advance(Duration::minutes(1));
    let next = jobs::tick(t.app()).await.unwrap();
    assert_eq!(next[0].0, "housekeeping:2026-11-27:01");
    assert!(matches!(next[0].1, Enqueued::Queued(_)));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE kind = 'housekeeping'")
            .await,
        2
    );
}
