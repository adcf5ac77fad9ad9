//! Issue #10, item 7: what a user notices. Sign-in returns to the page that was asked for
//! (only a path of this site), the set-password page speaks its user's language, the
//! Service Centre's contact stands where a page sends people to it, and `/help` is public.

use crate::harness::{Browser, PASSWORD, TestApp, token_of};
use crate::signin::{code_at, enrol};
use cs_app::i18n;
use cs_domain::{Language, ServiceCentre};
use reqwest::{StatusCode, header};
use time::Duration;

crate::on_both!(
    an_anonymous_visit_comes_back_to_the_page_after_sign_in,
    a_hostile_return_path_lands_on_the_home_page,
    the_return_path_survives_the_second_factor,
    the_set_password_page_speaks_the_language_of_its_user,
    the_service_centre_contact_is_shown_where_pages_send_people_to_it,
    help_is_public_in_four_languages_and_linked_from_every_page,
);

const ASKED: &str = "/transactions?from=2026-11-01&to=2026-11-30";
const ASKED_IN_QUERY: &str = "/transactions%3Ffrom%3D2026-11-01%26to%3D2026-11-30";

/// The `Location` of a redirect, which must be a 303.
#[track_caller]
fn location(r: &crate::harness::Reply) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    r.headers[header::LOCATION].to_str().unwrap().to_owned()
}

/// Text as askama writes it into HTML.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The value of the hidden `next` field of a page, as the browser would post it.
fn hidden_next(html: &str) -> String {
    let marker = "name=\"next\" value=\"";
    let at = html.find(marker).expect("a next field") + marker.len();
    let end = html[at..].find('"').unwrap() + at;
    html[at..end]
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

/// Signs in through the login page reached by `login` (a `/login?…` URL), posting back the
/// page's own `next` field.
async fn sign_in_from(b: &mut Browser, login: &str, username: &str) -> crate::harness::Reply {
    let page = b.page(login).await;
    let next = hidden_next(&page);
    b.post_form(
        "/login",
        &[
            ("username", username),
            ("password", PASSWORD),
            ("next", &next),
        ],
    )
    .await
}

async fn an_anonymous_visit_comes_back_to_the_page_after_sign_in(t: &TestApp) {
    let mut b = t.browser();
    let login = location(&b.get(ASKED).await);
    assert_eq!(login, format!("/login?next={ASKED_IN_QUERY}"));
    let page = b.page(&login).await;
    assert!(
        page.contains(&format!("name=\"next\" value=\"{}\"", escaped(ASKED))),
        "the login form carries the page asked for"
    );
    let r = sign_in_from(&mut b, &login, "a.user").await;
    assert_eq!(location(&r), ASKED);
    let html = b.page(ASKED).await;
    assert!(html.contains("value=\"2026-11-30\""), "the query is kept");

    // Nothing to come back to: the home page; the API answers 401, never a redirect.
    let mut anon = t.browser();
    assert_eq!(location(&anon.get("/").await), "/login");
    assert_eq!(
        t.get("/api/v1/transactions?from=2026-11-01").await.status,
        StatusCode::UNAUTHORIZED
    );
    // A form posted after the session ended is not asked again by a redirect.
    let token = anon.csrf().await;
    let r = anon
        .post_form_with(&token, "/account/sessions/end-others", &[])
        .await;
    assert!(
        r.status == StatusCode::UNAUTHORIZED || location(&r) == "/login",
        "{}",
        r.status
    );
    // Signed in already, the login page sends on at once.
    let mut signed = t.signed_in("a.user").await;
    let r = signed.get(&format!("/login?next={ASKED_IN_QUERY}")).await;
    assert_eq!(location(&r), ASKED);
}

async fn a_hostile_return_path_lands_on_the_home_page(t: &TestApp) {
    // As the form posts them (decoded once already).
    for hostile in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "/%2F%2Fevil.example",
        "/%2f/evil.example",
        "/%5Cevil.example",
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/\u{0}/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "evil.example",
    ] {
        let mut b = t.browser();
        b.get("/login").await;
        let r = b
            .post_form(
                "/login",
                &[
                    ("username", "a.user"),
                    ("password", PASSWORD),
                    ("next", hostile),
                ],
            )
            .await;
        assert_eq!(location(&r), "/", "{hostile:?}");
    }
    // As a link gives them, encoded control characters included: the login page keeps the
    // value in its form and sign-in still lands at home.
    for query in [
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/%252F%252Fevil.example",
        "%2F%5Cevil.example",
        "https%3A%2F%2Fevil.example",
        "/%09/evil.example",
        "/%0D%0ALocation:%20https://evil.example",
        "/%00",
    ] {
        let mut b = t.browser();
        let r = sign_in_from(&mut b, &format!("/login?next={query}"), "a.user").await;
        assert_eq!(location(&r), "/", "{query:?}");
        let mut signed = b;
        let r = signed.get(&format!("/login?next={query}")).await;
        assert_eq!(location(&r), "/", "signed in: {query:?}");
    }
}

async fn the_return_path_survives_the_second_factor(t: &TestApp) {
    let (secret, _) = enrol(t, "a.user").await;
    t.clock.advance(Duration::seconds(30));
    let mut b = t.browser();
    let login = location(&b.get(ASKED).await);
    let r = sign_in_from(&mut b, &login, "a.user").await;
    let step = location(&r);
    assert!(step.starts_with("/login/two-factor?next="), "{step}");
    let page = b.page(&step).await;
    assert_eq!(hidden_next(&page), ASKED, "the code step carries the page");
    let r = b
        .post_form(
            "/login/two-factor",
            &[("code", &code_at(t, &secret, 0)), ("next", ASKED)],
        )
        .await;
    assert_eq!(location(&r), ASKED);
    assert_eq!(b.get(ASKED).await.status, StatusCode::OK);

    // A hostile value through the second step: home.
    t.clock.advance(Duration::seconds(30));
    let mut evil = t.browser();
    let r = sign_in_from(&mut evil, "/login?next=%2F%2Fevil.example", "a.user").await;
    let step = location(&r);
    let page = evil.page(&step).await;
    let r = evil
        .post_form(
            "/login/two-factor",
            &[
                ("code", &code_at(t, &secret, 0)),
                ("next", &hidden_next(&page)),
            ],
        )
        .await;
    assert_eq!(location(&r), "/");
    // A code step that has expired sends back to sign in, still carrying the page.
    let mut late = t.browser();
    let r = late
        .get(&format!("/login/two-factor?next={ASKED_IN_QUERY}"))
        .await;
    assert_eq!(
        location(&r),
        format!("/login?done=two-factor-expired&next={ASKED_IN_QUERY}")
    );
}

async fn the_set_password_page_speaks_the_language_of_its_user(t: &TestApp) {
    t.exec("UPDATE users SET language = 'de' WHERE username = 'a.user'")
        .await;
    t.exec("UPDATE users SET language = 'nl' WHERE username = 'a.nomod'")
        .await;
    let admin = t.api_as("a.admin").await;
    for who in ["a.user", "a.nomod"] {
        let id = t.fx.users[who];
        let r = admin
            .post(&format!("/api/v1/users/{id}/password-reset"))
            .await;
        assert!(r.status.is_success(), "{who}: {}", r.text);
    }
    let de_link = t.link_sent_to("a.user@example.com").await;
    let de_token = token_of(&de_link).to_owned();
    let nl_token = t.token_sent_to("a.nomod@example.com").await;
    assert!(
        t.mail_to("a.user@example.com").await.contains("Passwort"),
        "the e-mail is in German"
    );
    // A French browser follows the German user's link: German.
    let mut fr = t.browser();
    fr.cookies.insert("cs_lang".into(), "fr".into());
    let path = format!("/password/set?token={de_token}");
    let html = fr.page(&path).await;
    assert!(html.contains("<html lang=\"de\">"), "{html:.300}");
    assert!(html.contains(&escaped(&i18n::t(Language::De, "password-set-title"))));
    // Its errors too.
    let r = fr
        .post_form(
            "/password/set",
            &[
                ("token", &de_token),
                ("password", "one long password here"),
                ("confirm", "another long password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("<html lang=\"de\">"));
    assert!(
        r.text
            .contains(&escaped(&i18n::t(Language::De, "error-password-mismatch")))
    );
    // Used: the page still says so in German.
    assert_eq!(
        t.set_password(&de_token, "a brand new passphrase 42")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let r = fr.get(&path).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("<html lang=\"de\">"));
    assert!(
        r.text
            .contains(&escaped(&i18n::t(Language::De, "error-invalid-link")))
    );
    // Expired: in Dutch, the other user's language.
    t.clock.advance(Duration::hours(2));
    let r = fr.get(&format!("/password/set?token={nl_token}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("<html lang=\"nl\">"));
    assert!(
        r.text
            .contains(&escaped(&i18n::t(Language::Nl, "error-invalid-link")))
    );
    // A token nobody was given: the browser's own language.
    let r = fr.get("/password/set?token=not-a-token").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("<html lang=\"fr\">"));
    let mut browser_de = t.browser();
    let r = browser_de
        .request(
            reqwest::Method::GET,
            "/password/set?token=not-a-token",
            &[("accept-language", "de-BE,de;q=0.9")],
            None,
        )
        .await;
    assert!(r.text.contains("<html lang=\"de\">"));
}

async fn the_service_centre_contact_is_shown_where_pages_send_people_to_it(t: &TestApp) {
    // Without configuration there is nothing to call.
    assert!(!t.get("/help").await.text.contains("tel:"));
    let Some(sc) = TestApp::spawn_with(t.backend, "service_centre", |c| {
        c.service_centre = ServiceCentre::parse(
            Some("+32 2 555 01 02"),
            Some("desk@service-centre.example"),
            Some("mon-fri 08:30-16:30"),
        )
        .unwrap();
    })
    .await
    else {
        return;
    };
    let phone = "<a href=\"tel:+3225550102\">+32 2 555 01 02</a>";
    let mail = "<a href=\"mailto:desk@service-centre.example\">desk@service-centre.example</a>";
    let hours = "Monday to Friday, 08:30–16:30";
    let shows_all = |what: &str, html: &str| {
        for needle in [phone, mail, hours] {
            assert!(html.contains(needle), "{what}: no {needle:?}");
        }
    };
    shows_all("the help page", &sc.get("/help").await.text);
    // French: the hours as French writes them.
    let mut fr = sc.browser();
    fr.cookies.insert("cs_lang".into(), "fr".into());
    let html = fr.page("/help").await;
    assert!(html.contains("du lundi au vendredi de 8\u{a0}h\u{a0}30 à 16\u{a0}h\u{a0}30"));
    // The forgotten-password answer says "call the Service Centre".
    let mut b = sc.browser();
    let r = b
        .post_form("/password/forgot", &[("username", "a.user")])
        .await;
    let sent = location(&r);
    shows_all("the forgotten-password answer", &b.page(&sent).await);
    // Error pages.
    let r = sc.browser().get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    shows_all("the 404 page", &r.text);
    // A suspended company's sign-in.
    sc.exec("UPDATE customers SET status = 'suspended' WHERE customer_number = '8800001'")
        .await;
    let mut suspended = sc.browser();
    let r = suspended.sign_in("a.user", PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    shows_all("the suspended sign-in", &r.text);
    // A plain wrong password does not send anyone to the Service Centre.
    let mut wrong = sc.browser();
    let r = wrong.sign_in("b.user", "not the password at all").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.text.contains("tel:"));
    // Every e-mail ends with the contact under its signature.
    let eml = sc.mail_to("a.user@example.com").await;
    assert!(eml.contains("Phone: +32 2 555 01 02"), "{eml}");
    assert!(eml.contains("E-mail: desk@service-centre.example"));
    assert!(eml.contains("Opening hours: Monday to Friday, 08:30–16:30"));
    sc.finish().await;
}

async fn help_is_public_in_four_languages_and_linked_from_every_page(t: &TestApp) {
    for lang in Language::ALL {
        let mut b = t.browser();
        b.cookies.insert("cs_lang".into(), lang.code().into());
        let r = b.get("/help").await;
        assert_eq!(r.status, StatusCode::OK, "{lang}");
        let html = r.text;
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
        for key in [
            "help-title",
            "help-paper-invoice-q",
            "help-access-q",
            "help-forgotten-password-q",
            "help-receipts-value-q",
            "help-receipts-kept-q",
            "help-contact-q",
        ] {
            let text = escaped(&i18n::t(lang, key));
            assert!(html.contains(&text), "{lang}: {key} {text:?}");
        }
        let kept = escaped(&i18n::t_args(
            lang,
            "help-receipts-kept-a",
            &[("days", "365")],
        ));
        assert!(html.contains(&kept), "{lang}: receipts kept 365 days");
        assert!(html.contains("href=\"/access-request\""), "{lang}");
        assert!(html.contains("href=\"/password/forgot\""), "{lang}");
    }
    // Linked from the login page and from the footer of a signed-in page.
    let login = t.browser().page("/login").await;
    assert!(
        login.matches("href=\"/help\"").count() >= 2,
        "login and footer"
    );
    let mut admin = t.signed_in("a.admin").await;
    for page in ["/", "/account", "/users"] {
        let html = admin.page(page).await;
        assert!(html.contains("href=\"/help\""), "{page}");
    }
    // Signed in, the page is the same, in the user's language.
    assert!(admin.page("/help").await.contains("<html lang=\"en\">"));
}
