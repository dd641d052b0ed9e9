"""Layout in real Chromium: pages reflow at 320 CSS px (WCAG 1.4.10: a 1280 px screen at 400% zoom); keyboard
focus shows."""
from __future__ import annotations

import pytest

from tests.conftest import VALID_NUMBER
from webapp.i18n import LANGUAGES

pytestmark = pytest.mark.browser
PATHS = ["/", "/help", "/number", "/dates", "/nowhere"]


@pytest.fixture
def narrow_page(browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, service_workers="block")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_reflows_without_sideways_scrolling(narrow_page, live_server, lang):
    for path in PATHS:
        narrow_page.goto(f"{live_server.url}/{lang}{path}")
        if path == "/number":  # with the checker's result drawn
            narrow_page.fill("#nir-input", VALID_NUMBER)
        width = narrow_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"/{lang}{path} is {width}px wide at 320px"


def test_keyboard_first_tab_shows_the_skip_link_and_focus_is_visible(narrow_page, live_server):
    narrow_page.goto(f"{live_server.url}/en/")
    narrow_page.keyboard.press("Tab")
    focused = narrow_page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
        return {text: el.textContent, href: el.getAttribute('href'), left: box.left, width: box.width,
                outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
    }""")
    assert focused["href"] == "#main" and focused["text"] == "Skip to main content"
    assert focused["left"] >= 0 and focused["width"] > 0  # on screen once focused
    assert focused["outline"] != "none" and focused["outlineWidth"] >= 2
    narrow_page.keyboard.press("Enter")
    assert narrow_page.evaluate("document.activeElement.id") == "main"
    # Then the checkboxes are reachable and show their focus too.
    narrow_page.focus("#step-registered")
    style = narrow_page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert style != "none"
