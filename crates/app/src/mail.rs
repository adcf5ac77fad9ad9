//! E-mail: messages composed in the recipient's language (plain text and HTML, each link
//! alone on its line), queued in the jobs table inside the caller's transaction, and
//! delivered by the job runner over SMTP or as `.eml` files in `DATA_DIR/outbox/`.

use crate::{
    App, AppError,
    error::AppResult,
    i18n,
    jobs::{self, Enqueue, Enqueued, JobContext, JobKind, JobResult},
};
use cs_domain::{Language, ServiceCentre};
use cs_store::Conn;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Body, Mailbox, MultiPart, SinglePart,
        header::{ContentTransferEncoding, ContentType},
    },
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use time::OffsetDateTime;

/// A message ready to be queued: rendered once, delivered as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub to_name: String,
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Email {
    /// Composes a message from translated keys: `<key>-subject`, `<key>-body` (paragraphs
    /// separated by blank lines), an optional link alone on its own line, and the signature
    /// with the Service Centre's phone, address and hours under it.
    pub fn compose(
        to: &str,
        to_name: &str,
        language: Language,
        key: &str,
        args: &[(&str, &str)],
        link: Option<&str>,
        contact: &ServiceCentre,
    ) -> Self {
        let subject = i18n::t_args(language, &format!("{key}-subject"), args);
        let body = i18n::t_args(language, &format!("{key}-body"), args);
        let greeting = i18n::t_args(language, "mail-greeting", &[("name", to_name)]);
        let signature = i18n::t(language, "mail-signature");
        let mut paragraphs: Vec<String> = vec![greeting];
        paragraphs.extend(
            body.split("\n\n")
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
        );
        let mut text = paragraphs.join("\n\n");
        let mut html = String::from("<!doctype html>\n<html lang=\"");
        html.push_str(language.code());
        html.push_str("\"><body>\n");
        for p in &paragraphs {
            html.push_str("<p>");
            html.push_str(&escape(p));
            html.push_str("</p>\n");
        }
        if let Some(link) = link {
            text.push_str("\n\n");
            text.push_str(link);
            html.push_str("<p><a href=\"");
            html.push_str(&escape(link));
            html.push_str("\">");
            html.push_str(&escape(link));
            html.push_str("</a></p>\n");
        }
        text.push_str("\n\n");
        text.push_str(&signature);
        text.push('\n');
        html.push_str("<p>");
        html.push_str(&escape(&signature));
        for line in crate::service_centre::mail_lines(language, contact) {
            text.push_str(&line);
            text.push('\n');
            html.push_str("<br>\n");
            html.push_str(&escape(&line));
        }
        html.push_str("</p>\n</body></html>\n");
        Self {
            to: to.to_owned(),
            to_name: to_name.to_owned(),
            language,
            subject,
            text,
            html,
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The job that delivers one queued message (`send_email`).
#[derive(Debug)]
pub struct SendEmail;

impl JobKind for SendEmail {
    const KIND: &'static str = "send_email";
    type Payload = Email;

    async fn run(app: &App, job: JobContext, email: Email) -> JobResult {
        app.mailer.deliver(job.id, app.now(), &email).await
    }
}

/// Queues `email` on `conn` (normally the transaction of the action that causes it), so a
/// rolled-back action sends nothing and a committed one is never lost.
pub async fn enqueue(
    app: &App,
    conn: &mut Conn<'_>,
    at: OffsetDateTime,
    email: &Email,
) -> AppResult<Enqueued> {
    jobs::enqueue::<SendEmail>(app, conn, email, &Enqueue::at(at)).await
}

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Transport {
    /// One `.eml` file per message in this folder (no SMTP configured).
    Outbox(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Delivers queued messages.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub from: Mailbox,
    pub transport: Transport,
}

impl Mailer {
    pub fn outbox(dir: PathBuf, from: Mailbox) -> Self {
        Self {
            from,
            transport: Transport::Outbox(dir),
        }
    }

    /// SMTP from a URL like `smtps://user:pass@host:465` or `smtp://host:25?tls=required`.
    pub fn smtp(url: &str, from: Mailbox) -> Result<Self, String> {
        let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL: {e}"))?
            .build();
        Ok(Self {
            from,
            transport: Transport::Smtp(t),
        })
    }

    fn message(&self, email: &Email) -> Result<Message, String> {
        let to: Mailbox = format!("{} <{}>", quote_name(&email.to_name), email.to)
            .parse()
            .or_else(|_| email.to.parse())
            .map_err(|e| format!("recipient {:?}: {e}", email.to))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, &email.text))
                    .singlepart(part(ContentType::TEXT_HTML, &email.html)),
            )
            .map_err(|e| format!("message: {e}"))
    }

    /// Sends one message; `id` names the outbox file. Errors are retried by the job runner.
    pub async fn deliver(&self, id: i64, at: OffsetDateTime, email: &Email) -> Result<(), String> {
        let message = self.message(email)?;
        match &self.transport {
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Transport::Outbox(dir) => {
                let bytes = message.formatted();
                let name = format!(
                    "{:04}{:02}{:02}T{:02}{:02}{:02}Z-{id}.eml",
                    at.year(),
                    u8::from(at.month()),
                    at.day(),
                    at.hour(),
                    at.minute(),
                    at.second()
                );
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &bytes))
                    .await
                    .map_err(|e| format!("outbox task: {e}"))?
            }
        }
    }
}

/// A body part in 8-bit UTF-8 when every line fits SMTP's 998-byte limit (RFC 5322), so the
/// `.eml` reads as written and each link stays whole on its line; otherwise lettre picks an
/// encoding. (lettre itself only offers 8bit for lines under 76 bytes, the limit of the
/// encoded forms, which would split every link.)
fn part(content_type: ContentType, text: &str) -> SinglePart {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits = crlf
        .split("\r\n")
        .all(|line| line.len() <= 998 && !line.contains('\r'));
    let body = if fits {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
    } else {
        Body::new(text.to_owned())
    };
    SinglePart::builder().header(content_type).body(body)
}

fn quote_name(name: &str) -> String {
    format!("\"{}\"", name.replace(['"', '\\', '\r', '\n'], " "))
}

/// Writes under a temporary name, then renames: a reader never sees half a message.
fn write_atomically(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("outbox {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| format!("outbox write: {e}"))?;
    std::fs::rename(&tmp, dir.join(name)).map_err(|e| format!("outbox rename: {e}"))
}

impl From<lettre::address::AddressError> for AppError {
    #[track_caller]
    fn from(e: lettre::address::AddressError) -> Self {
        AppError::internal_from("mail address", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_puts_the_link_alone_on_its_line_and_escapes_html() {
        let e = Email::compose(
            "jan@example.com",
            "Jan <Peeters>",
            Language::Nl,
            "mail-test",
            &[],
            Some("https://portal.example/password/set?token=abc&x=1"),
            &cs_domain::service_centre::UNKNOWN,
        );
        assert!(
            e.text
                .lines()
                .any(|l| l == "https://portal.example/password/set?token=abc&x=1")
        );
        assert!(e.html.contains("Jan &lt;Peeters&gt;"));
        assert!(e.html.contains("token=abc&amp;x=1"));
        assert!(e.html.contains("<html lang=\"nl\">"));
    }

    #[test]
    fn multi_paragraph_messages_keep_their_paragraphs_in_every_language() {
        for lang in Language::ALL {
            let e = Email::compose(
                "a@example.com",
                "A",
                lang,
                "mail-reset",
                &[("username", "jan")],
                Some("https://x.example/l"),
                &ServiceCentre::demo(),
            );
            assert!(!e.subject.starts_with("mail-"), "{lang}: subject missing");
            assert!(e.text.contains("jan"), "{lang}: argument");
            assert!(
                e.html.matches("<p>").count() >= 4,
                "{lang}: greeting, two paragraphs, link: {}",
                e.html
            );
        }
    }

    #[test]
    fn the_service_centre_contact_ends_every_message() {
        let e = Email::compose(
            "a@example.com",
            "A",
            Language::De,
            "mail-test",
            &[],
            None,
            &ServiceCentre::demo(),
        );
        let tail: Vec<&str> = e.text.lines().rev().take(4).collect();
        assert_eq!(tail[3], "Ihr Collect & Stamp Service-Center", "{}", e.text);
        assert_eq!(tail[2], "Telefon: +32 2 201 23 45");
        assert!(
            e.html
                .contains("<br>\nE-Mail: service-centre@collectstamp.example")
        );
        let bare = Email::compose(
            "a@example.com",
            "A",
            Language::De,
            "mail-test",
            &[],
            None,
            &cs_domain::service_centre::UNKNOWN,
        );
        assert!(bare.text.ends_with("Service-Center\n"), "{}", bare.text);
    }

    #[tokio::test]
    async fn outbox_files_are_complete_eml_messages() {
        let dir = tempfile::tempdir().unwrap();
        let from: Mailbox = "Collect & Stamp <no-reply@portal.example>".parse().unwrap();
        let m = Mailer::outbox(dir.path().to_path_buf(), from);
        let e = Email::compose(
            "an@example.com",
            "An",
            Language::Fr,
            "mail-test",
            &[],
            Some("https://x.example/a"),
            &cs_domain::service_centre::UNKNOWN,
        );
        let at = time::macros::datetime!(2026-11-26 10:00:00 UTC);
        m.deliver(7, at, &e).await.unwrap();
        let file = dir.path().join("20261126T100000Z-7.eml");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("To: An <an@example.com>"), "{text}");
        assert!(text.contains("multipart/alternative"));
        assert!(
            text.lines().any(|l| l == "https://x.example/a"),
            "the link whole on its line: {text}"
        );
        assert!(text.contains("Content-Transfer-Encoding: 8bit"));
        assert!(text.contains("text/html"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
