"""The operator console in real Chromium (360x640, one 1280x800 look): signing in and its rate limit, each view
axe-clean, a failed reminder retried from the console then sent by the next pass, an erase from the console."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from scheduler.dispatch import run_pass
from tests.reminder_setup import card_due
from tests.test_ops_auth import NAME, PASSWORD, add_operator
from tests.test_ops_console import (
    MASKED,
    PHONE,
    SECRET_TEXT,
    person,  # noqa: F401 (someone with a card reminder and two messages)
    set_reminder,
)
from webapp.store import connect, iso, people, utcnow
from webapp.store import messages as message_store
from webapp.store import operators as store

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("OPS_SHOTS", "/tmp/shots-console"))
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"  # wide tables scroll in their box
PHONE_SIZE, LAPTOP_SIZE = {"width": 360, "height": 640}, {"width": 1280, "height": 800}


@pytest.fixture
def app_config(app_config):
    return dict(app_config, QUIET_HOURS="00:00-00:00")  # a retried reminder goes at the pass, whatever the hour


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=PHONE_SIZE, locale="en-GB")
    yield context
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def signed_in(context, live_server, app):
    """A page of an operator signed in through the form (English: the cookie of an English console)."""
    add_operator(app)
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/ops/queue")
    assert page.url.endswith("/ops/sign-in")  # the guard sent us here
    page.fill("#name", NAME)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(live_server.url + "/ops/")
    return page


def axe_problems(page) -> str | None:
    results = Axe().run(page)
    return results.generate_report() if results.violations_count else None


def test_sign_in_opens_the_console_with_the_operators_name(context, live_server, app):
    page = signed_in(context, live_server, app)
    assert page.locator("header").inner_text().count(NAME) == 1
    assert page.locator("nav[aria-label=Console] a").all_inner_texts() == ["Today", "Queue", "Number", "Audit log"]
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/ops/sign-in")
    assert "You are signed out." in page.inner_text("main")
    page.goto(live_server.url + "/ops/audit")
    assert page.url.endswith("/ops/sign-in")


def test_wrong_passwords_past_the_limit_refuse_the_right_one_with_429(context, live_server, app):
    add_operator(app)
    page = context.new_page()
    page.goto(live_server.url + "/ops/sign-in")
    for _ in range(app.config["OPS_SIGNIN_MAX_FAILURES"] + 1):
        page.fill("#name", NAME)
        page.fill("#password", "not the password")
        page.click("button:has-text('Sign in')")
        assert page.locator(".error-summary").inner_text().count("wrong") == 1
    assert page.evaluate("document.activeElement.id") in ("", "main")  # nothing moved focus into a field
    assert axe_problems(page) is None
    shot(page, "sign-in-error-360")
    page.fill("#name", NAME)
    page.fill("#password", PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("button:has-text('Sign in')")
    assert answer.value.status == 429
    assert "Too many tries" in page.inner_text("h1")
    assert "Try again in 15 minutes" in page.inner_text("main")
    shot(page, "too-many-360")
    page.goto(live_server.url + "/ops/queue")
    assert page.url.endswith("/ops/sign-in")


def test_each_view_is_axe_clean_on_a_phone_and_a_laptop(context, live_server, app, db, person):  # noqa: F811
    reminder = card_due(db, person)
    set_reminder(db, reminder["id"], state="failed", attempts=3, last_error="30007: carrier filter")
    page = signed_in(context, live_server, app)
    problems = {}
    for name, path in (("dashboard", "/ops/"), ("queue", "/ops/queue"), ("audit", "/ops/audit")):
        page.goto(live_server.url + path)
        problems[name] = axe_problems(page)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), name
        shot(page, f"{name}-360")
    page.goto(live_server.url + "/ops/number")
    page.fill("#phone", "06 12 34 56 78")
    page.click("button:has-text('Look up')")
    assert MASKED in page.inner_text("main") and PHONE not in page.inner_text("main")
    assert SECRET_TEXT not in page.inner_text("main")
    problems["number masked"] = axe_problems(page)
    shot(page, "number-masked-360")
    page.click("button:has-text('Show number and texts')")
    assert PHONE in page.inner_text("main") and SECRET_TEXT in page.inner_text("main")
    problems["number revealed"] = axe_problems(page)
    shot(page, "number-revealed-360")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.set_viewport_size(LAPTOP_SIZE)
    for name, path in (("dashboard", "/ops/"), ("queue", "/ops/queue")):
        page.goto(live_server.url + path)
        problems[f"{name} 1280"] = axe_problems(page)
        shot(page, f"{name}-1280")
    assert {name: report for name, report in problems.items() if report} == {}


def test_a_failed_reminder_retried_from_the_console_is_sent_by_the_next_pass(context, live_server, app, db,
                                                                             person):  # noqa: F811
    reminder = card_due(db, person)
    set_reminder(db, reminder["id"], state="failed", attempts=3, last_error="30001: queue overflow",
                 next_attempt_at=iso(utcnow() - timedelta(hours=1)))
    page = signed_in(context, live_server, app)
    page.goto(live_server.url + "/ops/queue")
    page.click(f"button[aria-label='Retry reminder {reminder['id']}']")
    page.wait_for_url("**/ops/queue")
    assert f"Reminder {reminder['id']} will be sent at the next pass." in page.inner_text("main")
    assert "No reminder failed." in page.inner_text("main")
    assert card_due(db, person)["state"] == "scheduled"

    run_pass(app)
    sent = card_due(db, person)
    assert sent["state"] == "sent"
    message = message_store.message_by_id(db, sent["message_id"])
    assert (message["direction"], message["phone"], message["reminder_id"]) == ("outbound", PHONE, reminder["id"])
    assert store.audit_log(db)[0]["action"] == "retried"


def test_an_erase_from_the_console_removes_the_person_from_the_database_file(context, live_server, app,
                                                                              person):  # noqa: F811
    page = signed_in(context, live_server, app)
    page.goto(live_server.url + "/ops/number")
    page.fill("#phone", "+33 6 12 34 56 78")
    page.click("button:has-text('Look up')")
    page.click("button:has-text('Erase everything for this number')")  # not ticked: asked again
    assert "Tick the box" in page.inner_text(".error-summary")
    assert axe_problems(page) is None
    page.check("#asked")
    page.click("button:has-text('Erase everything for this number')")
    page.wait_for_url("**/ops/number")
    assert f"Everything held about {MASKED} is erased" in page.inner_text("main")
    shot(page, "erased-360")

    db = connect(app.config["DATABASE"])  # a fresh connection: what the file holds
    try:
        assert people.person_by_phone(db, PHONE) is None and message_store.log(db, PHONE) == []
        assert (store.audit_log(db)[0]["action"], store.audit_log(db)[0]["detail"]) == ("erased", MASKED)
    finally:
        db.close()
    assert PHONE.encode() not in Path(app.config["DATABASE"]).read_bytes()
    assert SECRET_TEXT.encode() not in Path(app.config["DATABASE"]).read_bytes()
