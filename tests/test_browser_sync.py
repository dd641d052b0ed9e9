"""The offline queue in real Chromium at 360x640 against a live server: nothing leaves an unlinked phone; once
linked (the code read from the outbox), changes made offline reach the server when the connection is back,
what SMS records shows on the web after the next sync, two phones end with the later edit, and a DELETE by
SMS ends the link, which the page says."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.test_browser import controlled
from tests.twilio_signing import ACCOUNT_SID, inbound_params, signed_post

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-sync")
PHONE = {"width": 360, "height": 640}
NUMBER = "+33612345678"
AUTH = "test-auth-token"
SAID = {
    "local": "Saved on this phone.",
    "linked": "Saved, reminders on.",
    "revoked": "This phone is no longer linked: reminders are off. Your dates stay on this phone.",
}
WAITING = "() => cvSync.waiting()"


@pytest.fixture
def app_config(app_config):
    """Signed SMS webhooks, so that a test can text CARD and DELETE as the person."""
    return dict(app_config, TWILIO_AUTH_TOKEN=AUTH, TWILIO_ACCOUNT_SID=ACCOUNT_SID)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


def api_calls(page) -> list[str]:
    """The URLs of the API requests the page (or its service worker) makes from now on."""
    calls: list[str] = []
    page.context.on("request", lambda request: calls.append(request.url) if "/api/" in request.url else None)
    return calls


def said(page):
    return page.locator("[data-sync-state]")


def last_text(db, number: str) -> str:
    """The last SMS the outbox holds for this number."""
    return db.execute("SELECT body FROM messages WHERE phone = ? ORDER BY id DESC LIMIT 1", (number,)).fetchone()[0]


def opt_in(page, base: str, db, number: str = NUMBER) -> None:
    """Ask for a code on /en/reminders, type the one the outbox holds, and wait for the page to keep the token.

    With JavaScript both steps go to the JSON API on the same page: no form is posted."""
    posts: list[tuple[str, str]] = []
    page.on("request", lambda request: posts.append((request.method, request.url)))
    page.goto(base + "/en/reminders")
    page.fill("#phone", number)
    page.check("#text_lang-en")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("heading", name="Enter the code")).to_be_focused()
    page.fill("#code", re.search(r"\b\d{6}\b", last_text(db, number)).group())
    page.get_by_role("button", name="Link this phone").click()
    expect(page.locator("p[data-linked]").first).to_be_visible()
    expect(page.get_by_role("status").first).to_have_text("This phone is linked: reminders by SMS are on.")
    page.wait_for_function("() => cvSync.meta('token').then(token => !!token)")
    assert page.url == base + "/en/reminders"
    assert [call for call in posts if call[0] == "POST" and "/optin" in call[1]] == [
        ("POST", base + "/api/v1/optin"), ("POST", base + "/api/v1/optin/confirm")]
    assert [url for method, url in posts if method == "POST" and "/reminders" in url] == []


def text(app, body: str, number: str = NUMBER) -> None:
    """Text the service through its signed webhook, as Twilio would."""
    response = signed_post(app.test_client(), app, "/sms/inbound", inbound_params(number, body))
    assert response.status_code == 200, response.data


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.locator("[data-sync]").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / name))


def test_unlinked_the_queue_waits_on_the_phone_and_nothing_is_sent(context, live_server):
    page = context.new_page()
    calls = api_calls(page)
    controlled(page, live_server.url + "/en/dates")
    expect(said(page)).to_have_text(SAID["local"])
    context.set_offline(True)
    page.check("#method-online")
    page.fill("#sent_on", (date.today() - timedelta(days=3)).isoformat())
    page.click("form[data-dates-form=application] [type=submit]")
    page.fill("#posted_on", date.today().isoformat())
    page.click("form[data-dates-form=add-claim] [type=submit]")
    page.goto(live_server.url + "/en/")
    page.check("#route-online")
    page.check("#step-online-photo")

    page.reload()  # offline: the service worker's page, the queue from IndexedDB
    waiting = page.evaluate(WAITING)
    [claim] = json.loads(page.evaluate("localStorage.getItem('cv.dates')"))["claims"]
    assert sorted((change["field"], change.get("key")) for change in waiting) == [
        ("application", None), ("claim", claim["key"]), ("route", None), ("tick", "online-photo")]
    for change in waiting:
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", change["id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", change["at"])
    assert {change["field"]: change["value"] for change in waiting}["application"] == {
        "method": "online", "sent_on": (date.today() - timedelta(days=3)).isoformat()}
    expect(said(page)).to_have_text(SAID["local"])
    shot(page, "unlinked.png")

    context.set_offline(False)
    page.uncheck("#step-online-photo")  # online again, still not linked: the change waits, one per fact
    page.reload()
    expect(said(page)).to_have_text(SAID["local"])
    assert [c["value"] for c in page.evaluate(WAITING) if c["field"] == "tick"] == [{"done": False}]
    assert calls == []  # without a link, nothing leaves the phone


def test_an_application_recorded_offline_reaches_the_server_with_its_reminder(context, live_server, db, app):
    page = context.new_page()
    controlled(page, live_server.url + "/en/dates")
    opt_in(page, live_server.url, db)
    page.goto(live_server.url + "/en/dates")
    expect(said(page)).to_have_text(SAID["linked"])
    shot(page, "linked.png")

    context.set_offline(True)
    sent_on = date.today() - timedelta(days=3)
    page.check("#method-online")
    page.fill("#sent_on", sent_on.isoformat())
    page.click("form[data-dates-form=application] [type=submit]")
    expect(said(page)).to_have_text(SAID["local"])  # it waits on the phone
    page.reload()
    expect(said(page)).to_have_text(SAID["local"])
    assert [change["field"] for change in page.evaluate(WAITING)] == ["application"]
    assert db.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 0

    context.set_offline(False)  # the `online` event sends the queue
    expect(said(page)).to_have_text(SAID["linked"])
    assert page.evaluate(WAITING) == []
    row = db.execute("SELECT method, sent_on FROM applications").fetchone()
    assert tuple(row) == ("online", sent_on.isoformat())
    listed = app.test_cli_runner().invoke(args=["reminders", "list"]).output
    assert re.search(r"\+33\*+78\s+en\s+card_due\s", listed), listed


def test_card_texted_by_sms_shows_on_the_web_after_the_next_sync(context, live_server, db, app):
    page = context.new_page()
    controlled(page, live_server.url + "/en/dates")
    opt_in(page, live_server.url, db)
    page.goto(live_server.url + "/en/dates")
    sent_on = date.today() - timedelta(days=5)
    page.check("#method-post")
    page.fill("#sent_on", sent_on.isoformat())
    page.click("form[data-dates-form=application] [type=submit]")
    expect(said(page)).to_have_text(SAID["linked"])

    text(app, "CARD")
    card = page.locator("[data-dates-output=card] [data-state]")
    assert card.get_attribute("data-state") == "on_its_way"  # not before the next sync
    page.reload()
    expect(card).to_have_attribute("data-state", "arrived")
    today = datetime.now(UTC).astimezone().date()
    assert page.locator("[data-dates-output=card] .result").inner_text() == (
        f"Your card arrived on {today:%B} {today.day}, {today.year}.")
    assert json.loads(page.evaluate("localStorage.getItem('cv.dates')"))["receivedOn"] == today.isoformat()


def test_two_phones_editing_the_same_claim_offline_end_with_the_later_edit(browser, live_server, db):
    phones = [browser.new_context(viewport=PHONE) for _ in range(2)]
    first, second = (context.new_page() for context in phones)
    for page in (first, second):
        controlled(page, live_server.url + "/en/dates")
        opt_in(page, live_server.url, db)
        page.goto(live_server.url + "/en/dates")
    now = datetime.now(UTC)
    first.clock.set_fixed_time(now - timedelta(minutes=3))  # the claim is added, then edited on each phone
    posted = date.today() - timedelta(days=10)
    first.fill("#posted_on", posted.isoformat())
    first.click("form[data-dates-form=add-claim] [type=submit]")
    expect(said(first)).to_have_text(SAID["linked"])
    second.reload()
    claims = {page: page.locator("[data-dates-output=claims] li") for page in (first, second)}
    expect(claims[second]).to_have_count(1)

    for context in phones:
        context.set_offline(True)
    which = f"the form posted on {posted:%B} {posted.day}, {posted.year}"
    first.clock.set_fixed_time(now - timedelta(minutes=2))  # the earlier edit: paid
    claims[first].get_by_role("button", name=f"Paid {which}").click()
    second.clock.set_fixed_time(now - timedelta(minutes=1))  # the later edit: not paid, removed
    claims[second].get_by_role("button", name=f"Remove {which}").click()

    phones[1].set_offline(False)  # the later edit reaches the server first
    expect(said(second)).to_have_text(SAID["linked"])
    phones[0].set_offline(False)
    expect(said(first)).to_have_text(SAID["linked"])
    for page in (first, second):
        page.reload()
        expect(said(page)).to_have_text(SAID["linked"])
        expect(claims[page]).to_have_count(0)
        expect(page.locator("[data-dates-output=claims-empty]")).to_have_text("No form yet.")
    assert db.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0
    for context in phones:
        context.close()


def test_delete_by_sms_and_the_page_says_the_link_is_gone(context, live_server, db, app):
    page = context.new_page()
    controlled(page, live_server.url + "/en/dates")
    opt_in(page, live_server.url, db)
    page.goto(live_server.url + "/en/dates")
    page.fill("#posted_on", date.today().isoformat())
    page.click("form[data-dates-form=add-claim] [type=submit]")
    expect(said(page)).to_have_text(SAID["linked"])

    text(app, "DELETE")
    page.reload()
    expect(said(page)).to_have_text(SAID["revoked"])
    expect(page.locator("[data-dates-output=claims] li")).to_have_count(1)  # the dates stay on this phone
    assert page.evaluate("cvSync.meta('token')") is None
    shot(page, "revoked.png")
    calls = api_calls(page)
    page.goto(live_server.url + "/en/")
    page.check("#step-registered")
    expect(said(page)).to_have_text(SAID["revoked"])
    assert calls == []  # the link is gone: nothing is sent any more
