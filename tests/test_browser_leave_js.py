"""Leaving, in real Chromium at 360x640, for a phone linked through the JavaScript opt-in: its token is in
IndexedDB only (the session never gets it), so static/js/leave.js draws the linked part of /en/leave and
each action goes to the JSON API with the token: download, stop, delete, unlink."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.test_browser_sync import opt_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-leave-js")
PHONE = {"width": 360, "height": 640}
NUMBER = "+33612345678"
TOKEN = "() => cvSync.meta('token')"


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    yield context
    context.close()


def linked_leave_page(context, live_server, db):
    """A phone linked through the JavaScript opt-in, with a date kept, on /en/leave drawn as linked."""
    page = context.new_page()
    opt_in(page, live_server.url, db)
    page.evaluate("() => localStorage.setItem('cv.dates', JSON.stringify({method: 'online', sentOn: '2025-01-06'}))")
    page.goto(live_server.url + "/en/leave")
    expect(page.locator("[data-linked]")).to_have_text(
        "This phone is linked to your number: it sends your dates to our server, which texts you the reminders.")
    expect(page.locator("[data-not-linked]")).to_have_count(0)
    return page


def form_posts(page) -> list[str]:
    """The URLs of the /leave form posts the page makes from now on (there must be none)."""
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/leave/" in r.url else None)
    return posts


def person(db, number: str = NUMBER):
    row = db.execute("SELECT id, opted_out_at FROM people WHERE phone = ?", (number,)).fetchone()
    return row and {"id": row[0], "opted_out_at": row[1]}


def sync_status(base: str, token: str) -> int:
    request = urllib.request.Request(base + "/api/v1/sync", data=b'{"changes": []}', method="POST", headers={
        "Content-Type": "application/json", "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_linked_page_has_no_axe_violation(context, live_server, db):
    page = linked_leave_page(context, live_server, db)
    results = Axe().run(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "leave-linked.png"), full_page=True)
    assert results.violations_count == 0, results.generate_report()


def test_download_gives_a_json_file_with_the_number(context, live_server, db):
    page = linked_leave_page(context, live_server, db)
    posts = form_posts(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    assert download.value.suggested_filename == "carte-vitale-my-data.json"
    assert json.loads(Path(download.value.path()).read_text())["person"]["phone"] == NUMBER
    assert posts == []


def test_stop_turns_the_reminders_off_on_the_server(context, live_server, db):
    page = linked_leave_page(context, live_server, db)
    posts = form_posts(page)
    assert person(db)["opted_out_at"] is None
    page.get_by_role("button", name="Stop reminders").click()
    expect(page.locator("[data-leave-said]")).to_have_text("Reminders are stopped. To get them again, text START.")
    expect(page.locator("[data-stopped]")).to_have_text("Reminders are stopped. To get them again, text START.")
    assert person(db)["opted_out_at"] is not None
    page.screenshot(path=str(SHOTS / "leave-stopped.png"), full_page=True)
    page.reload()  # the server's state says so on the next visit too
    expect(page.locator("[data-stopped]")).to_be_visible()
    expect(page.get_by_role("button", name="Stop reminders")).to_have_count(0)
    assert posts == []


def test_delete_erases_the_person_and_clears_this_phone(context, live_server, db):
    page = linked_leave_page(context, live_server, db)
    posts = form_posts(page)
    assert person(db) is not None
    page.get_by_role("button", name="Delete my data").click()
    page.wait_for_url("**/en/leave?done=deleted")
    expect(page.locator("[data-leave-done]")).to_have_text(
        "Your data is deleted, from our server and from this phone. You will get no more SMS from us.")
    expect(page.locator("[data-not-linked]")).to_be_visible()
    assert person(db) is None
    assert page.evaluate(TOKEN) is None
    assert page.evaluate("() => [localStorage.getItem('cv.dates'), localStorage.getItem('cv.checklist')]") == [
        None, None]
    assert page.evaluate("() => cvSync.waiting()") == []
    assert posts == []


def test_unlink_makes_the_next_sync_of_the_token_get_401(context, live_server, db):
    page = linked_leave_page(context, live_server, db)
    posts = form_posts(page)
    token = page.evaluate(TOKEN)
    assert sync_status(live_server.url, token) == 200
    page.get_by_role("button", name="Unlink this phone").click()
    expect(page.locator("[data-leave-said]")).to_have_text(
        "This phone is unlinked. Your SMS reminders go on: text STOP to stop them.")
    expect(page.locator("[data-not-linked]")).to_be_visible()
    assert page.evaluate(TOKEN) is None
    assert sync_status(live_server.url, token) == 401
    assert person(db)["opted_out_at"] is None  # the reminders by SMS go on
    assert posts == []


def test_a_link_ended_elsewhere_is_said_in_the_forms_words(context, live_server, db):
    page = linked_leave_page(context, live_server, db)
    request = urllib.request.Request(live_server.url + "/api/v1/unlink", method="POST",
                                     headers={"Authorization": "Bearer " + page.evaluate(TOKEN)})
    assert urllib.request.urlopen(request).status == 200  # the link ended meanwhile, not from this page
    page.get_by_role("button", name="Stop reminders").click()
    expect(page.locator("[data-link-gone]")).to_have_text(
        "This phone is no longer linked to your number: the link was deleted, by SMS or from another phone."
        " Nothing is sent from this phone any more.")
    expect(page.locator("[data-not-linked]")).to_be_visible()
    assert person(db)["opted_out_at"] is None
