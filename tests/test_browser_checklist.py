"""The checklist as steps in real Chromium at 360x640: the route choice with and without JavaScript, the live
progress count, axe, and the print layout (one A4 page, as Chromium renders it to PDF)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
SHOTS = Path(os.environ.get("SHOTS", "/tmp/shots-checklist"))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, service_workers="block")
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


def shot(page, name: str, **options) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), **options)


def shown(page) -> dict[str, bool]:
    return {route: page.locator(f"[data-route={route}]").is_visible() for route in ("online", "post")}


def progress(page) -> str:
    return page.locator("[data-progress]").inner_text()


def test_route_choice_with_javascript_switches_at_once_and_is_kept_on_the_device(page, live_server):
    page.goto(live_server.url + "/en/")
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    assert shown(page) == {"online": False, "post": False}
    assert progress(page) == "0 of 4 steps done"
    assert not page.locator("#route [data-checklist-submit]").is_visible()
    shot(page, "checklist-top.png")

    page.check("#route-post")
    assert shown(page) == {"online": False, "post": True}
    assert progress(page) == "0 of 8 steps done"
    page.check("#route-online")
    assert shown(page) == {"online": True, "post": False}
    assert progress(page) == "0 of 6 steps done"
    assert json.loads(page.evaluate("localStorage.getItem('cv.checklist')")) == {"done": [], "route": "online"}
    page.locator("#route").scroll_into_view_if_needed()
    shot(page, "checklist-route-online.png")

    page.reload()
    assert page.is_checked("#route-online") and shown(page) == {"online": True, "post": False}
    assert "POST" not in requests


def test_progress_count_is_live_and_counts_only_the_chosen_route(page, live_server):
    page.goto(live_server.url + "/fr/")
    assert page.get_attribute("[data-progress]", "aria-live") == "polite"
    page.check("#route-online")
    for step in ("registered", "final-number", "online-photo"):
        page.check(f"#step-{step}")
    assert progress(page) == "Étapes faites\u00a0: 3 sur 6"
    page.check("#route-post")  # the online tick stays, but does not count on the post route
    assert progress(page) == "Étapes faites\u00a0: 2 sur 8"
    page.check("#step-post-send")
    assert progress(page) == "Étapes faites\u00a0: 3 sur 8"
    page.uncheck("#step-registered")
    assert progress(page) == "Étapes faites\u00a0: 2 sur 8"
    page.locator("#group-post").scroll_into_view_if_needed()
    shot(page, "checklist-fr-post.png")


def test_route_choice_without_javascript_posts_and_comes_back_to_the_choice(no_js_page, live_server):
    page = no_js_page
    page.goto(live_server.url + "/en/")
    assert shown(page) == {"online": False, "post": False}
    page.check("#route-post")
    page.check("#step-registered")
    with page.expect_navigation():
        page.click("#route [data-checklist-submit]")
    assert page.url == live_server.url + "/en/#route"
    assert shown(page) == {"online": False, "post": True}
    assert progress(page) == "1 of 8 steps done"
    page.check("#step-post-photo")
    with page.expect_navigation():
        page.locator("#group-post [data-checklist-submit]").click()
    assert progress(page) == "2 of 8 steps done"
    assert "Saved on this phone." in page.locator(".notice").inner_text()
    shot(page, "checklist-no-js.png")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_axe_finds_no_violation_with_a_route_chosen(page, live_server, lang):
    page.goto(f"{live_server.url}/{lang}/")
    page.check("#route-post")
    page.check("#step-registered")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("claims", [1, 20])  # 20: as many feuilles de soins as My dates keeps
def test_print_layout_is_one_a4_page_with_the_ticks_dates_and_contacts(page, live_server, app, claims):
    app.config["COMEDE_PHONE"] = "01 23 45 67 89"
    app.config["LOCAL_HELP"] = "Maison des solidarités, 12 rue de la Gare, mardi 9h-12h"
    page.goto(live_server.url + "/fr/dates")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    # Saved the no-JavaScript way, so the server knows them: the dates and a route with some ticks.
    forms = [{"action": "application", "method": "post", "sent_on": "2026-01-05"}]
    forms += [{"action": "add-claim", "posted_on": f"2026-01-{10 + n:02d}"} for n in range(claims)]
    for data in forms:
        page.request.post(live_server.url + "/fr/dates", form=dict(data, csrf_token=token))
    ticks = urlencode({"csrf_token": token, "route": "post", "done": ["registered", "final-number", "post-check"]},
                      doseq=True)
    page.request.post(live_server.url + "/fr/", data=ticks,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    page.evaluate("localStorage.clear()")
    page.goto(live_server.url + "/fr/")
    page.emulate_media(media="print")
    block = page.locator(".print-only")
    assert block.is_visible()
    assert "Vous avez fait la demande par courrier le 5 janvier 2026." in block.inner_text()
    assert "Comede · 01 23 45 67 89" in block.inner_text()
    assert not page.locator(".site-header").is_visible() and not page.locator(".pic").first.is_visible()
    assert page.is_checked("#step-post-check") and page.locator("#group-post").is_visible()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, to look at
    shot(page, f"checklist-print-{claims}.png", full_page=True)

    pdf = page.pdf(format="A4", print_background=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"checklist-print-{claims}.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) == 1
