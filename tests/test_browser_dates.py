"""My dates with JavaScript in real Chromium at 360x640: the advice drawn on the device is the server's, and
marking the card arrived or a feuille paid works offline and survives a reload."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.advice_cases import CASES
from tests.strict_html import text_of
from tests.test_advice_pages import EXPECTED, enter, said, set_day
from tests.test_browser import controlled

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-dates")
PHONE = {"width": 360, "height": 640}


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=PHONE, timezone_id="Europe/Paris")
    yield context
    context.close()


def drawn(page) -> tuple[list[str], list[str]]:
    """The advice the script drew: the card's paragraphs and each feuille de soins' paragraph."""
    def texts(selector: str) -> list[str]:
        return [" ".join(text.split()) for text in page.locator(selector).all_inner_texts()]
    return texts("[data-dates-output=card] p"), texts("[data-dates-output=claims] li p")


def device_state(case) -> dict:
    """The case's facts as dates.js keeps them in localStorage."""
    application = case.application or {}
    return {"method": application.get("method", ""), "sentOn": application.get("sent_on", ""),
            "receivedOn": application.get("card_received_on") or "",
            "claims": [{"id": c["number"], "postedOn": c["posted_on"], "paidOn": c["paid_on"] or ""}
                       for c in case.claims]}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_script_draws_the_same_advice_as_the_server(context, live_server, pages, monkeypatch, case, lang):
    enter(pages, monkeypatch, case, lang)
    server = said(pages.get(f"/{lang}/dates").tree)
    assert server == EXPECTED[lang][case.name]

    page = context.new_page()
    page.clock.set_fixed_time(noon(case.today))
    page.goto(f"{live_server.url}/{lang}/dates")
    page.evaluate("state => localStorage.setItem('cv.dates', JSON.stringify(state))", device_state(case))
    page.reload()
    assert drawn(page) == server
    # What is isolated from the words around it (dates, the caisse's number) is the same, so a right-to-left
    # page keeps each date's order whichever drew it.
    server_tree = pages.get(f"/{lang}/dates").tree
    server_isolated = [" ".join(text_of(bdi).split()) for selector in ("card", "claims")
                       for bdi in isolated(server_tree.find(f".//*[@data-dates-output='{selector}']"))]
    assert [" ".join(text.split()) for text in page.locator(
        "[data-dates-output] bdi:not(button bdi)").all_inner_texts()] == server_isolated


def isolated(element) -> list:
    """The <bdi> elements under `element`, in order, but those inside buttons (their hidden labels)."""
    if element.tag == "button":
        return []
    return ([element] if element.tag == "bdi" else []) + [bdi for child in element for bdi in isolated(child)]


def test_mark_paid_and_arrived_offline_and_a_reload_keeps_them(context, live_server, pages, monkeypatch):
    day = date(2026, 12, 20)
    set_day(monkeypatch, day)
    page = context.new_page()
    page.clock.set_fixed_time(noon(day))
    controlled(page, live_server.url + "/en/dates")
    context.set_offline(True)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    assert page.locator("form[data-dates-form=card-arrived]").is_hidden()
    page.check("#method-post")
    page.fill("#sent_on", "2026-11-10")
    page.click("form[data-dates-form=application] [type=submit]")
    for posted in ("2026-11-01", "2026-12-10"):
        page.fill("#posted_on", posted)
        page.click("form[data-dates-form=add-claim] [type=submit]")
    assert page.locator("[data-dates-output=card] [data-state]").get_attribute("data-state") == "late"
    assert page.locator("[data-dates-output=card] a[href='tel:3646']").inner_text() == "3646"
    items = page.locator("[data-dates-output=claims] li")
    assert [items.nth(n).get_attribute("data-state") for n in range(2)] == ["overdue", "waiting"]
    page.screenshot(path=str(SHOTS / "dates-before.png"), full_page=True)

    items.nth(0).get_by_role("button", name="Paid the form posted on November 1, 2026").click()
    assert page.evaluate("document.activeElement.textContent") == "Not paid the form posted on November 1, 2026"
    arrived = page.locator("form[data-dates-form=card-arrived]")
    assert arrived.is_visible() and page.input_value("#received_on") == "2026-12-20"
    page.fill("#received_on", "2026-12-18")
    arrived.get_by_role("button", name="My card has arrived").click()
    assert arrived.is_hidden()

    page.reload()  # offline: the service worker's copy, the dates from localStorage
    card, claims = drawn(page)
    assert card == ["You applied by post on November 10, 2026.", "Your card arrived on December 18, 2026."]
    assert claims == ["Posted on November 1, 2026. Paid back on December 20, 2026.",
                      "Posted on December 10, 2026. Paid back normally by January 9, 2027."]
    assert [items.nth(n).get_attribute("data-state") for n in range(2)] == ["paid", "waiting"]
    assert "3646" not in page.locator("main").inner_text()
    kept = json.loads(page.evaluate("localStorage.getItem('cv.dates')"))
    keys = [claim.pop("key") for claim in kept["claims"]]  # each claim's random device id, for sync
    assert len(set(keys)) == 2 and all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", key) for key in keys)
    assert kept == {
        "method": "post", "sentOn": "2026-11-10", "receivedOn": "2026-12-18",
        "claims": [{"id": 1, "postedOn": "2026-11-01", "paidOn": "2026-12-20"},
                   {"id": 2, "postedOn": "2026-12-10"}]}
    assert posts == []

    # The same facts entered without JavaScript: the server says the same.
    for data in ({"action": "application", "method": "post", "sent_on": "2026-11-10"},
                 {"action": "add-claim", "posted_on": "2026-11-01"}, {"action": "add-claim", "posted_on": "2026-12-10"},
                 {"action": "claim-paid", "claim": "1"}, {"action": "card-arrived", "received_on": "2026-12-18"}):
        assert pages.post("/en/dates", data={"csrf_token": pages.csrf("/en/dates"), **data}).status_code == 303
    assert said(pages.get("/en/dates").tree) == (card, claims)

    items.nth(0).get_by_role("button", name="Not paid the form posted on November 1, 2026").click()
    page.get_by_role("button", name="Undo My card has arrived").click()
    assert page.locator("[data-dates-output=card] [data-state]").get_attribute("data-state") == "late"
    assert items.nth(0).get_attribute("data-state") == "overdue"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.screenshot(path=str(SHOTS / "dates-offline.png"), full_page=True)

    page.get_by_role("button", name="Forget this date").click()
    assert drawn(page)[0] == ["Tell us how and when you applied, and we show when your card should come."]
    assert page.locator("form[data-dates-form=clear-application]").is_hidden()
    assert arrived.is_hidden()
    assert posts == []


def test_the_sms_section_at_360_px(browser, live_server, app):
    app.config["SMS_REPLY_NUMBER"] = "+33 6 12 34 56 78"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/fr/dates")
    section = page.locator("[data-sms-help]")
    assert section.locator("a[href='sms:+33612345678']").inner_text() == "+33 6 12 34 56 78"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    section.screenshot(path=str(SHOTS / "dates-sms.png"))
    context.close()
