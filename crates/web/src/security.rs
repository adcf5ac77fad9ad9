//! Transport-level protections: security headers on every response, timeouts and body
//! limits, request ids, and the CSRF check (synchronizer token plus Origin/Sec-Fetch-Site).

use crate::context::{RequestCtx, Via, csrf_cookie_name};
use axum::{
    Router,
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderName, HeaderValue, header},
};
use axum_extra::extract::cookie::CookieJar;
use cs_app::{AppError, secrets::same_secret};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::{
    request_id::PropagateRequestIdLayer,
    set_header::{SetRequestHeaderLayer, SetResponseHeaderLayer},
    trace::TraceLayer,
};

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// Largest form body read for a CSRF check; forms are small.
const FORM_LIMIT: usize = 64 * 1024;

/// Wraps the whole router in the transport layers: request ids, tracing (paths only, never
/// query strings, which may carry one-time tokens) and the security headers. (The time
/// limit, [`time_limit`], sits inside the context layer, so that its 503 is rendered as
/// every other error.)
pub fn apply(router: Router, secure: bool) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let hsts = secure.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let layers = ServiceBuilder::new()
        // Our own id for every request, whatever the client sent: it lands in the audit trail.
        .layer(SetRequestHeaderLayer::overriding(x_request_id.clone(), |_: &Request| {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).ok()
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our
        // own forms. Pages carrying secrets in their URL set no-referrer themselves.
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts));
    router.layer(layers)
}

/// Requests that carry a whole feed file: they get [`LONG_TIME_LIMIT`] instead of the usual one.
fn carries_a_file(req: &Request) -> bool {
    req.method() == axum::http::Method::POST
        && (req.uri().path().starts_with("/api/v1/operator/imports/")
            || req.uri().path() == "/operator/imports")
}

/// The time limit of a feed upload (a file of a million rows takes seconds; a slow link more).
pub const LONG_TIME_LIMIT: Duration = Duration::from_secs(30 * 60);

/// Answers 503 `unavailable` when the handler takes longer than its limit (a response body
/// streamed after that, such as an export, is not cut).
pub async fn time_limit(
    axum::extract::State(limit): axum::extract::State<Duration>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if carries_a_file(&req) {
        LONG_TIME_LIMIT
    } else {
        limit
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => crate::error::WebError(AppError::Unavailable).into_response(),
    }
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Refuses a state-changing request that names another site, or whose form token (form
/// field `_csrf` or header `X-CSRF-Token`) is missing or wrong. Bearer requests pass: they
/// carry no ambient credential.
pub async fn check_csrf(ctx: &RequestCtx, req: Request) -> Result<Request, AppError> {
    if ctx.via == Via::Bearer {
        return Ok(req);
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(AppError::CsrfRejected);
    }
    // `Origin: null` (privacy-preserving browsers, no-referrer pages) says nothing: like a
    // missing Origin it is no refusal, and the token below still decides.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != "null"
        && origin != ctx.origin
        && !same_host(origin, headers)
    {
        return Err(AppError::CsrfRejected);
    }
    // Anonymous forms (sign-in, set password) use the double-submit cookie.
    if ctx.via == Via::Anonymous {
        let jar = CookieJar::from_headers(headers);
        let cookie = jar
            .get(csrf_cookie_name(ctx.secure))
            .map(|c| c.value().to_owned());
        if cookie.as_deref() != Some(ctx.csrf.as_str()) || ctx.csrf.is_empty() {
            return Err(AppError::CsrfRejected);
        }
    }
    if let Some(t) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if same_secret(t, &ctx.csrf) {
            Ok(req)
        } else {
            Err(AppError::CsrfRejected)
        };
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A file upload: its form's first field is the token, read here from the start of the
    // body while the file itself streams on to the handler untouched.
    if content_type.starts_with("multipart/form-data") {
        let content_type = content_type.to_owned();
        return multipart_token_first(ctx, &content_type, req).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::CsrfRejected);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT).await.map_err(|_| {
        AppError::PayloadTooLarge(format!(
            "the form is larger than the limit of {FORM_LIMIT} bytes"
        ))
    })?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.into_owned());
    match token {
        Some(t) if same_secret(&t, &ctx.csrf) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(AppError::CsrfRejected),
    }
}

/// The most read of a multipart body before its first field must have ended.
const MULTIPART_HEAD_LIMIT: usize = 8 * 1024;

/// Checks the token of a multipart form, which must be its first field (`_csrf`, the hidden
/// input a form puts first), without buffering the rest: the bytes read are put back in front
/// of the body that goes on. A form whose first field is anything else is refused, so the
/// file is never read before the token is known to be right. (Scripts may send
/// `X-CSRF-Token` instead, checked before this.)
async fn multipart_token_first(
    ctx: &RequestCtx,
    content_type: &str,
    req: Request,
) -> Result<Request, AppError> {
    use futures::StreamExt;
    let boundary = multer::parse_boundary(content_type).map_err(|_| AppError::CsrfRejected)?;
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut head: Vec<u8> = Vec::new();
    let token = loop {
        if let Some(t) = first_field_token(&head, &boundary)? {
            break t;
        }
        if head.len() > MULTIPART_HEAD_LIMIT {
            return Err(AppError::CsrfRejected);
        }
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            _ => return Err(AppError::CsrfRejected),
        }
    };
    if !same_secret(&token, &ctx.csrf) {
        return Err(AppError::CsrfRejected);
    }
    let rest = futures::stream::once(async move { Ok::<_, axum::Error>(head.into()) })
        .chain(stream.map(|c| c.map_err(axum::Error::new)));
    Ok(Request::from_parts(parts, Body::from_stream(rest)))
}

/// The value of the first part of a multipart body if it is the `_csrf` field and has ended
/// within `head`; `Ok(None)` when more bytes are needed; refused when the first part is
/// another field.
fn first_field_token(head: &[u8], boundary: &str) -> Result<Option<String>, AppError> {
    let open = format!("--{boundary}\r\n");
    let close = format!("\r\n--{boundary}");
    let Some(start) = find(head, open.as_bytes()) else {
        return Ok(None);
    };
    let part = &head[start + open.len()..];
    let Some(headers_end) = find(part, b"\r\n\r\n") else {
        return Ok(None);
    };
    let headers = String::from_utf8_lossy(&part[..headers_end]).to_ascii_lowercase();
    let named_csrf = headers.lines().any(|l| {
        l.starts_with("content-disposition:") && l.split(';').any(|p| p.trim() == "name=\"_csrf\"")
    });
    if !named_csrf {
        return Err(AppError::CsrfRejected);
    }
    let value = &part[headers_end + 4..];
    let Some(end) = find(value, close.as_bytes()) else {
        return Ok(None);
    };
    Ok(Some(String::from_utf8_lossy(&value[..end]).into_owned()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The Origin names the host the request was sent to (a portal reached under another name
/// than `PUBLIC_URL`, e.g. in tests on an ephemeral port).
fn same_host(origin: &str, headers: &axum::http::HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((_, o)), Some(h)) => o == h,
        _ => false,
    }
}
