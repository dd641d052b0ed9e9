"""The PWA in real Chromium against a real loopback server: offline, no JavaScript, privacy, accessibility."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from stdnum.fr import nir

from tests.conftest import VALID_NUMBER
from webapp.i18n import LANGUAGES

pytestmark = pytest.mark.browser

PAGES = ["/{lang}/", "/{lang}/dates", "/{lang}/number", "/{lang}/help"]
HEADINGS = {"fr": "Obtenir et utiliser votre carte Vitale", "en": "Get and use your carte Vitale"}


@pytest.fixture
def app_config(app_config):
    """Delays that differ from the defaults, so the page must read them from the server."""
    return dict(app_config, CARD_DELAY_ONLINE_DAYS=10, CARD_DELAY_POST_DAYS=25, CLAIM_DELAY_DAYS=30)


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


def controlled(page, url: str) -> None:
    """Open `url` and wait until the service worker controls the page (after `clients.claim()`)."""
    page.goto(url)
    page.evaluate("""() => navigator.serviceWorker.controller || new Promise(resolve =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve))""")
    assert page.evaluate("navigator.serviceWorker.controller !== null")


CACHED_PATHS = """async () => {
    const names = await caches.keys();
    const cache = await caches.open(names[0]);
    return {names, urls: (await cache.keys()).map(r => new URL(r.url).pathname)};
}"""


def wait_until_cached(page, path: str) -> None:
    """Wait until the service worker has `path` in its cache (it caches a language once opened)."""
    page.wait_for_function("""async path => {
        const names = await caches.keys();
        return names.length === 1 && !!(await (await caches.open(names[0])).match(path, {ignoreVary: true}));
    }""", arg=path)


def test_service_worker_precaches_the_current_language_only_and_another_once_opened(context, live_server):
    page = context.new_page()
    controlled(page, live_server.url + "/en/")
    cached = page.evaluate(CACHED_PATHS)
    assert len(cached["names"]) == 1 and cached["names"][0].startswith("cv-shell-")
    for path in PAGES:
        assert path.format(lang="en") in cached["urls"]
        assert path.format(lang="fr") not in cached["urls"]  # a first visit stays small
    assert "/en/manifest.webmanifest" in cached["urls"] and "/fr/manifest.webmanifest" not in cached["urls"]
    assert {"/static/js/app.js", "/static/css/app.css", "/static/icons/icon-512.png"} <= set(cached["urls"])

    page.click("a[data-switch-lang=fr]")  # opened once, online: the worker caches French too
    page.wait_for_url(live_server.url + "/fr/")
    for path in PAGES:
        wait_until_cached(page, path.format(lang="fr"))
    assert "/fr/manifest.webmanifest" in page.evaluate(CACHED_PATHS)["urls"]
    live_server.stop()
    for lang in ("fr", "en"):  # offline, both languages that were opened work
        page.goto(live_server.url + f"/{lang}/help")
        assert page.locator("h1").inner_text() == {"fr": "Trouver de l’aide", "en": "Get help"}[lang]


def test_offline_reload_keeps_ticks_and_other_language_opens(context, live_server):
    page = context.new_page()
    controlled(page, live_server.url + "/fr/")
    page.goto(live_server.url + "/en/")  # English opened once online, so it works offline too
    wait_until_cached(page, "/en/number")
    page.goto(live_server.url + "/fr/")
    page.check("#step-registered")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    live_server.stop()
    context.set_offline(True)  # and no kept-alive connection from the English visit still answers
    assert page.evaluate("fetch('/fr/?network-check').then(() => 'up', () => 'down')") == "down"

    page.reload()
    assert page.locator("h1").inner_text() == HEADINGS["fr"]
    assert page.is_checked("#step-registered")
    assert not page.is_checked("#step-final-number")

    page.click("a[data-switch-lang=en]")
    page.wait_for_url(live_server.url + "/en/")
    assert page.locator("h1").inner_text() == HEADINGS["en"]
    assert page.is_checked("#step-registered")  # the ticks are the device's, whatever the language
    page.goto(live_server.url + "/en/number")
    assert page.locator("#nir-input").is_visible()
    assert posts == []


def test_offline_a_language_never_opened_falls_back_to_a_cached_home(context, live_server):
    page = context.new_page()
    controlled(page, live_server.url + "/en/")
    live_server.stop()
    page.goto(live_server.url + "/fr/dates")
    assert page.locator("h1").inner_text() == HEADINGS["en"]


def test_ticks_are_saved_without_reload_or_post(context, live_server):
    page = context.new_page()
    page.goto(live_server.url + "/en/")
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    assert not page.locator("[data-checklist-submit]").first.is_visible()
    page.check("#route-online")
    page.check("#step-online-photo")
    assert page.locator("form[data-enhance=checklist] [role=status]").inner_text() == "Saved on this phone."
    assert json.loads(page.evaluate("localStorage.getItem('cv.checklist')")) == {"done": ["online-photo"],
                                                                                 "route": "online"}
    assert [r for r in requests if r[0] == "POST"] == []
    page.reload()
    assert page.is_checked("#step-online-photo")


def test_no_javascript_ticks_post_and_redirect(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/en/")
    page.check("#step-final-number")
    with page.expect_navigation():
        page.locator("[data-checklist-submit]").first.click()
    assert page.url == live_server.url + "/en/"
    assert "Saved on this phone." in page.locator(".notice").inner_text()
    assert page.is_checked("#step-final-number")
    page.goto(live_server.url + "/fr/")  # kept in the session, in every language
    assert page.is_checked("#step-final-number")
    assert not page.is_checked("#step-registered")
    context.close()


def test_my_dates_are_computed_and_kept_on_the_device(context, live_server):
    page = context.new_page()
    page.goto(live_server.url + "/en/dates")
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    today = date.today()
    sent = today - timedelta(days=3)
    page.check("#method-online")
    page.fill("#sent_on", sent.isoformat())
    page.click("form[data-dates-form=application] [type=submit]")
    expected = page.locator("[data-dates-output=card] [data-expected-on]")
    assert expected.get_attribute("data-expected-on") == (sent + timedelta(days=10)).isoformat()
    assert f"{(sent + timedelta(days=10)):%B} {(sent + timedelta(days=10)).day}" in expected.inner_text()

    old, recent = today - timedelta(days=31), today - timedelta(days=2)
    for posted in (old, recent):
        page.fill("#posted_on", posted.isoformat())
        page.click("form[data-dates-form=add-claim] [type=submit]")
    claims = page.locator("[data-dates-output=claims] li")
    assert claims.count() == 2
    assert claims.nth(0).get_attribute("data-overdue") == ""
    assert claims.nth(1).get_attribute("data-overdue") is None
    assert claims.nth(1).get_attribute("data-due-on") == (recent + timedelta(days=30)).isoformat()

    page.fill("#posted_on", (today + timedelta(days=1)).isoformat())
    page.click("form[data-dates-form=add-claim] [type=submit]")
    error = page.locator("[data-dates-form=add-claim] [data-js-error]")
    assert error.inner_text() == "The date you posted the form must be today or in the past"
    assert claims.count() == 2

    page.reload()
    assert claims.count() == 2
    assert expected.get_attribute("data-expected-on") == (sent + timedelta(days=10)).isoformat()
    assert "POST" not in requests


def test_the_typed_number_is_never_sent(context, live_server, app):
    seen = []  # what the server received: path, query, headers and body of every request
    wsgi = app.wsgi_app

    def recording(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = __import__("io").BytesIO(body)
        headers = {k: v for k, v in environ.items() if k.startswith("HTTP_")}
        seen.append(f"{environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')} {headers} {body!r}")
        return wsgi(environ, start_response)

    app.wsgi_app = recording
    requests = []  # what the browser sent, to any address
    context.on("request", lambda r: requests.append(f"{r.url} {r.all_headers()} {r.post_data or ''}"))
    page = context.new_page()
    controlled(page, live_server.url + "/en/number")
    field = page.locator("#nir-input")
    assert field.get_attribute("name") is None
    assert field.get_attribute("autocomplete") == "off"
    assert page.evaluate("document.getElementById('nir-input').form") is None
    field.press_sequentially(VALID_NUMBER)
    assert "well formed" in page.locator(".nir-result").inner_text()
    assert "woman" in page.locator(".nir-result").inner_text()
    field.press("Enter")
    page.click("a[data-switch-lang=fr]")  # leave the page, then come back and tick a step
    page.wait_for_url(live_server.url + "/fr/number")
    page.go_back()
    page.wait_for_url(live_server.url + "/en/number")
    page.goto(live_server.url + "/en/")
    page.check("#step-registered")
    page.reload()
    stored = page.evaluate("JSON.stringify(localStorage) + document.cookie")

    compact = VALID_NUMBER.replace(" ", "")
    assert requests and seen
    for text in requests + seen + [stored]:
        for form in (compact, VALID_NUMBER, VALID_NUMBER.replace(" ", "+"), VALID_NUMBER.replace(" ", "%20")):
            assert form not in text


@pytest.mark.parametrize(("typed", "says"), [
    ("1 95 10 99 126 111", "13 of 15"),
    ("1 95 10 99 126 111 " + nir.calc_check_digits("1951099126111"), "man"),
    ("2 95 10 99 126 111 39", "key"),
    ("7 95 10 99 126 11", "very old temporary"),
    ("2 53 07 2B 073 004 70", "well formed"),
    ("2 95 10 99 126 111 930", "Too many"),
    ("2 95 1O", "Use only digits"),
])
def test_number_checker_explains(context, live_server, typed, says):
    page = context.new_page()
    page.goto(live_server.url + "/en/number")
    page.fill("#nir-input", typed)
    assert says in page.locator(".nir-result").inner_text()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_axe_finds_no_violation(context, live_server, lang):
    page = context.new_page()
    axe = Axe()
    problems = {}
    for path in PAGES:
        page.goto(live_server.url + path.format(lang=lang))
        if path.endswith("number"):  # the checker's drawn state
            page.fill("#nir-input", VALID_NUMBER)
        if path.endswith("dates"):  # the card date, a claim and an error, drawn by app.js
            page.check("#method-post")
            page.fill("#sent_on", (date.today() - timedelta(days=40)).isoformat())
            page.click("form[data-dates-form=application] [type=submit]")
            page.fill("#posted_on", (date.today() - timedelta(days=40)).isoformat())
            page.click("form[data-dates-form=add-claim] [type=submit]")
            page.click("form[data-dates-form=add-claim] [type=submit]")  # empty: an error message
        results = axe.run(page)
        if results.violations_count:
            problems[path] = results.generate_report()
    assert problems == {}


def test_a_new_shell_replaces_the_old_cache(context, live_server, app):
    page = context.new_page()
    controlled(page, live_server.url + "/en/help")
    first = page.evaluate("caches.keys()")
    app.config["COMEDE_PHONE"] = "01 02 03 04 05"  # the help page changes, so must the shell
    page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration.update();
        const worker = registration.installing || registration.waiting;
        if (worker) {
            await new Promise(resolve => worker.addEventListener('statechange',
                () => worker.state === 'activated' && resolve()));
        }
    }""")
    second = page.evaluate("caches.keys()")
    assert len(first) == len(second) == 1 and first != second
    page.goto(live_server.url + "/en/help")  # served from the new cache
    assert "01 02 03 04 05" in page.locator("main").inner_text()


def test_the_worker_is_told_the_first_page_language_and_keeps_it_when_another_opens(context, live_server):
    page = context.new_page()
    controlled(page, live_server.url + "/ar/help")
    registered = "navigator.serviceWorker.getRegistration().then(r => new URL(r.active.scriptURL).search)"
    assert page.evaluate(registered) == "?lang=ar"
    assert "/ar/" in page.evaluate(CACHED_PATHS)["urls"]
    names = page.evaluate("caches.keys()")
    page.goto(live_server.url + "/fr/help")  # another language: cached when opened, no second install
    page.wait_for_load_state("load")
    assert page.evaluate(registered) == "?lang=ar"
    assert page.evaluate("caches.keys()") == names


def test_offline_unknown_address_falls_back_to_the_language_home(context, live_server):
    page = context.new_page()
    controlled(page, live_server.url + "/en/number")
    live_server.stop()
    page.goto(live_server.url + "/en/dates?from=sms")
    assert page.locator("h1").inner_text() == "My dates"
    page.goto(live_server.url + "/")
    assert page.locator("form[data-enhance=checklist]").count() == 1


def test_ticking_with_the_keyboard_saves(context, live_server):
    """That the focused checkbox shows its focus is test_page_layout's keyboard test."""
    page = context.new_page()
    page.goto(live_server.url + "/en/")
    page.focus("#step-registered")
    page.keyboard.press("Space")
    assert json.loads(page.evaluate("localStorage.getItem('cv.checklist')")) == {"done": ["registered"]}

