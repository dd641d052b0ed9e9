"""The HTML pages: every route in both languages parses strictly; languages, ticks without JS, CSRF, errors."""
from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.strict_html import CheckedClient, check_page, text_of
from webapp import content
from webapp.i18n import LANGUAGES
from webapp.security import CSP

PAGES = ["/{}/", "/{}/help", "/{}/number", "/{}/dates"]


def get_routes(app) -> list[str]:
    """Every GET URL of the app that needs no argument but a language, in every language."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if not rule.arguments:
            urls.append(rule.build({})[1])
        elif rule.arguments == {"lang"}:
            urls += [rule.build({"lang": lang})[1] for lang in LANGUAGES]
    return urls


def test_every_get_route_in_every_language_answers_and_parses(app, pages):
    urls = get_routes(app)
    for page in PAGES:  # the walk must at least find our pages
        assert {page.format(lang) for lang in LANGUAGES} <= set(urls)
    for url in urls:
        response = pages.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200 and response.tree is not None:
            lang = url.strip("/").split("/")[0]
            if lang in LANGUAGES:
                assert response.tree.get("lang") == lang, url


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_has_switcher_to_the_same_page_in_the_other_language(pages, lang, page):
    tree = pages.get(page.format(lang)).tree
    switch = {a.get("hreflang"): a.get("href") for a in tree.iter("a") if a.get("data-switch-lang")}
    assert switch == {other: page.format(other) for other in LANGUAGES if other != lang}


@pytest.mark.parametrize("accept, lang", [
    ("en-GB,en;q=0.9", "en"), ("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("ar,ps;q=0.8", "fr"), (None, "fr"),
    ("de,en;q=0.7,fr;q=0.3", "en"),
])
def test_root_redirects_by_accept_language_french_by_default(client, accept, lang):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{lang}/"
    assert "Accept-Language" in response.headers["Vary"]


def test_unknown_language_prefix_is_not_found(pages):
    assert pages.get("/de/").status_code == 404


def test_checklist_lists_every_step_as_a_labelled_checkbox_in_a_post_form(pages):
    tree = pages.get("/en/").tree
    form = tree.find(".//form[@data-enhance='checklist']")
    assert form.get("method") == "post" and form.get("action") == "/en/"
    boxes = [i for i in form.iter("input") if i.get("type") == "checkbox"]
    assert [b.get("value") for b in boxes] == content.step_ids()
    assert all(b.get("name") == "done" for b in boxes)
    assert form.find(".//button[@type='submit']") is not None
    labels = {label.get("for"): text_of(label) for label in form.iter("label")}
    assert labels["step-final-number"] == "Get your final social security number"


def test_step_ids_are_unique_and_stable_slugs():
    ids = content.step_ids()
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)
    for must in ("registered", "final-number", "online-photo", "post-send", "feuille-de-soins", "new-rib"):
        assert must in ids


def checked(tree) -> set[str]:
    return {i.get("value") for i in tree.iter("input") if i.get("type") == "checkbox" and "checked" in i.attrib}


def test_no_js_tick_is_post_redirect_get_and_kept_in_the_session(pages):
    token = pages.csrf("/fr/")
    assert checked(pages.get("/fr/").tree) == set()
    response = pages.post("/fr/", data={"csrf_token": token, "done": ["registered", "wait", "not-a-step"]})
    assert response.status_code == 303 and response.headers["Location"] == "/fr/"
    page = pages.get("/fr/")
    assert checked(page.tree) == {"registered", "wait"}
    assert "Enregistré sur ce téléphone." in text_of(page.tree)
    # Unticking is the same form without that box.
    pages.post("/fr/", data={"csrf_token": token, "done": ["registered"]})
    assert checked(pages.get("/fr/").tree) == {"registered"}
    # The ticks belong to the person, not the language.
    assert checked(pages.get("/en/").tree) == {"registered"}


def test_no_js_tick_over_real_http_with_a_cookie_jar(live_server):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    tree = check_page(opener.open(live_server.url + "/en/").read().decode())
    token = next(i.get("value") for i in tree.iter("input") if i.get("name") == "csrf_token")
    body = urllib.parse.urlencode({"csrf_token": token, "done": "online-id"}).encode()
    response = opener.open(live_server.url + "/en/", data=body)  # follows the 303 with a GET
    assert response.url == live_server.url + "/en/"
    assert checked(check_page(response.read().decode())) == {"online-id"}


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_post_without_the_right_csrf_token_is_refused_and_changes_nothing(pages, token):
    pages.csrf("/fr/")  # the session has a token; the form below does not carry it
    data = {"done": ["registered"]} | ({"csrf_token": token} if token is not None else {})
    response = pages.post("/fr/", data=data)
    assert response.status_code == 400
    assert response.tree.get("lang") == "fr"
    assert "Il y a eu un problème avec le formulaire" in text_of(response.tree)
    assert checked(pages.get("/fr/").tree) == set()


def test_post_with_no_session_at_all_is_refused(client):
    response = CheckedClient(client).post("/en/dates", data={"csrf_token": "x", "action": "clear-application"})
    assert response.status_code == 400


def test_oversize_post_is_refused(pages):
    token = pages.csrf("/en/")
    response = pages.post("/en/", data={"csrf_token": token, "done": "x" * 20_000})
    assert response.status_code == 413
    assert "What you sent is too big" in text_of(response.tree)


@pytest.mark.parametrize("url, lang, title", [
    ("/fr/nothing-here", "fr", "Page introuvable"),
    ("/en/nothing-here", "en", "Page not found"),
])
def test_not_found_page_in_the_language_of_the_url(pages, url, lang, title):
    response = pages.get(url)
    assert response.status_code == 404
    assert response.tree.get("lang") == lang
    assert text_of(response.tree.find(".//h1")) == title


@pytest.mark.parametrize("accept, title", [("en", "Page not found"), ("fr", "Page introuvable")])
def test_not_found_outside_a_language_follows_the_browser(pages, accept, title):
    response = pages.get("/nothing-here", headers={"Accept-Language": accept})
    assert text_of(response.tree.find(".//h1")) == title


def test_method_not_allowed_page_keeps_the_allow_header(pages):
    response = pages.open("/en/help", method="DELETE")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_server_error_page_is_ours_and_in_the_language(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/<any(fr, en):lang>/boom")
    def boom(lang):
        raise RuntimeError("boom")

    response = CheckedClient(app.test_client()).get("/en/boom")
    assert response.status_code == 500
    assert text_of(response.tree.find(".//h1")) == "Sorry, there is a problem with the service"
    assert response.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize("url", ["/fr/", "/en/dates", "/fr/number", "/en/help", "/en/nothing", "/"])
def test_security_headers_on_pages_errors_and_redirects(client, url):
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_csrf_token_is_stable_for_the_session_so_a_cached_page_still_posts(pages):
    assert pages.csrf("/fr/") == pages.csrf("/en/dates") == pages.csrf("/fr/")


def test_number_page_explains_digits_and_offers_a_mount_point_outside_any_form(pages):
    tree = pages.get("/en/number").tree
    mount = tree.find(".//div[@data-enhance='nir-check']")
    assert mount is not None and mount.find("noscript") is not None
    parents = {child: parent for parent in tree.iter() for child in parent}
    node = mount
    while node is not None:
        assert node.tag != "form"
        node = parents.get(node)
    page = text_of(tree)
    assert "1 for a man, 2 for a woman." in page
    assert "Corsica: 2A or 2B" in page
    assert "A temporary number (NIA" in page


def test_help_page_shows_unset_deployer_contacts_as_not_set(pages):
    tree = pages.get("/en/help").tree
    unset = {p.get("data-unset") for p in tree.iter("p") if p.get("data-unset")}
    assert unset == {"COMEDE_PHONE", "PIMMS_DIRECTORY_URL", "LOCAL_HELP"}
    assert "not set by this service yet" in text_of(tree)
    assert tree.find(".//a[@href='tel:3646']") is not None


def test_help_page_shows_the_deployer_contacts_when_set(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"COMEDE_PHONE": "01 23 45 67 89",
                                   "PIMMS_DIRECTORY_URL": "https://pimms.example/annuaire",
                                   "LOCAL_HELP": "Maison des solidarités, mardi 9h-12h"})
    tree = CheckedClient(app.test_client()).get("/fr/help").tree
    assert tree.find(".//a[@href='tel:0123456789']") is not None
    assert tree.find(".//a[@href='https://pimms.example/annuaire']") is not None
    assert "Maison des solidarités, mardi 9h-12h" in text_of(tree)
    assert not [p for p in tree.iter("p") if p.get("data-unset")]


def test_a_directory_url_that_is_not_http_is_never_linked(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"PIMMS_DIRECTORY_URL": "javascript:alert(1)"})
    tree = CheckedClient(app.test_client()).get("/en/help").tree
    assert not [a for a in tree.iter("a") if "javascript" in (a.get("href") or "")]
    assert {p.get("data-unset") for p in tree.iter("p") if p.get("data-unset")} >= {"PIMMS_DIRECTORY_URL"}


def test_session_cookie_is_lasting_samesite_and_http_only(client):
    client.get("/en/")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert cookie.expires is not None  # kept past the browser session (SESSION_DAYS)


def test_session_cookie_is_secure_behind_https(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"PUBLIC_BASE_URL": "https://cv.example.org"})
    client = app.test_client()
    client.get("/en/")
    assert client.get_cookie("session").secure


def test_pages_are_private_to_the_browser(client):
    assert client.get("/en/").headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in client.get("/en/").headers["Vary"]


def test_forbidden_page_is_ours(app):
    from flask import abort

    @app.get("/<any(fr, en):lang>/private")
    def private(lang):
        abort(403)

    response = CheckedClient(app.test_client()).get("/fr/private")
    assert response.status_code == 403
    assert text_of(response.tree.find(".//h1")) == "Vous ne pouvez pas ouvrir cette page"


@pytest.mark.parametrize("saved", [5, "registered", [{"a": 1}, "registered"], {"registered": True}])
def test_damaged_session_ticks_are_ignored(client, saved):
    with client.session_transaction() as session:
        session["done"] = saved
    tree = CheckedClient(client).get("/en/").tree
    assert checked(tree) <= {"registered"}
