"""The opt-in with JavaScript (static/js/optin.js) in Chromium at 360x640: both steps on /reminders through the
JSON API, the code step in place, and each refusal shown as the forms show it (error summary, the field's
message, the title), in the same words; axe finds nothing on the error state. The page's strings are the forms'."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect

from tests.strict_html import CheckedClient
from webapp import link_pages

SHOTS = Path("/tmp/shots-optin")
PHONE = {"width": 360, "height": 640}
NUMBER = "+33612345678"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def outbox_code(db) -> str:
    body = db.execute("SELECT body FROM messages WHERE phone = ? ORDER BY id DESC LIMIT 1", (NUMBER,)).fetchone()[0]
    return re.search(r"\b\d{6}\b", body).group()


def ask_code(page, base: str, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/reminders")
    page.fill("#phone", "06 12 34 56 78")
    page.check(f"#text_lang-{lang}")
    page.locator("form button[type=submit]").click()
    expect(page.locator("#code")).to_be_visible()


def shown_errors(page) -> tuple[list[str], dict[str, str]]:
    """The error summary's links, and each field's message (its id, its text) as the page shows them."""
    summary = [f"{a.get_attribute('href')} {a.inner_text()}" for a in page.locator("[data-error-summary] a").all()]
    messages = page.locator(".field-error .error-message").all()
    fields = {p.get_attribute("id"): p.text_content().strip() for p in messages}
    return summary, fields


@pytest.mark.browser
@pytest.mark.parametrize(("phone", "summary"), [
    ("", ["#phone Enter your mobile number"]),
    ("01 40 00 00 00", ["#phone Enter a mobile number: 10 digits for a French one, or + and the country code"]),
])
def test_the_number_step_shows_the_forms_errors_without_leaving_the_page(page, live_server, phone, summary):
    page.goto(live_server.url + "/en/reminders")  # the page's language is checked for the texts
    page.fill("#phone", phone)
    page.get_by_role("button", name="Text me a code").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert shown_errors(page)[0] == summary
    assert page.title() == "Error: Reminders by SMS – Carte Vitale step by step"
    assert page.url == live_server.url + "/en/reminders"


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "typed", "message"), [
    ("en", "", "Enter the code we texted you"),
    ("en", "12 34", "The code has 6 digits"),
    ("en", "wrong", "This is not the code we texted. You can try 4 more times."),
    ("fr", "wrong", "Ce n’est pas le code envoyé par SMS. Il vous reste 4 essais."),
])
def test_a_wrong_code_shows_the_summary_and_the_fields_message(page, live_server, db, lang, typed, message):
    ask_code(page, live_server.url, lang)
    expect(page.locator("h1")).to_be_focused()
    if typed == "wrong":
        typed = f"{(int(outbox_code(db)) + 1) % 10**6:06d}"
    page.fill("#code", typed)
    page.locator("form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    error = "Erreur\u00a0:" if lang == "fr" else "Error:"
    assert shown_errors(page) == ([f"#code {message}"], {"code-error": f"{error} {message}"})
    assert page.locator("#code").get_attribute("aria-describedby") == "code-hint code-error"
    assert page.title().startswith("Erreur\u00a0: Entrez le code –" if lang == "fr" else "Error: Enter the code –")
    assert page.evaluate("cvSync.meta('token')") is None
    if lang == "en" and typed.isdigit() and len(typed) == 6:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "wrong-code.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
def test_the_code_step_in_place_at_360(page, live_server):
    ask_code(page, live_server.url)
    assert page.locator("h1").inner_text() == "Enter the code"
    assert page.locator(".lead").inner_text() == "We texted a code to 06 12 34 56 78. It works for 10 minutes."
    assert page.title() == "Enter the code – Carte Vitale step by step"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "code-step.png"))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_scripts_messages_are_the_forms(client, app, lang):
    """The strings optin.js shows are those the no-JS pages show, in the page's language."""
    tree = CheckedClient(client).get(f"/{lang}/reminders").tree
    [block] = [s for s in tree.iter("script") if s.get("data-text") is not None]
    texts = json.loads(block.text)
    with app.test_request_context(), force_locale(lang):
        forms = {key: str(link_pages.ERRORS[name]) for key, name in [
            ("phoneMissing", "phone.missing"), ("invalid_phone", "phone.invalid"), ("langMissing", "lang.missing"),
            ("busy", "send.failed"), ("codeMissing", "code.missing"), ("codeInvalid", "code.invalid"),
            ("code_expired", "code.expired")]}
        plural = {"wrong_code": ("This is not the code we texted. You can try %(num)d more time.",
                                 "This is not the code we texted. You can try %(num)d more times."),
                  "rate_limited": ("Too many codes were asked for. Try again in %(num)d minute.",
                                   "Too many codes were asked for. Try again in %(num)d minutes.")}
        for key, (one, many) in plural.items():
            forms[key] = [ngettext(one, many, n).replace(str(n), "{n}") for n in (1, 2)]
    assert {key: texts[key] for key in forms} == forms


def test_the_script_is_not_precached(client):
    """The opt-in needs the network: its script stays out of the service worker's shell (first visit ≤ 35 KB)."""
    worker = client.get("/sw.js").get_data(as_text=True)
    assert "js/app.js" in worker
    assert "js/optin.js" not in worker
