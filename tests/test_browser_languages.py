"""Every language in real Chromium at 360x640: lang and dir, mirrored layout, axe, offline, no-JS ticks, no tofu.

The catalogues are being written and reviewed, so nothing here depends on a translated word: the pages are
found by their structure (ids, roles), and the checks are about direction, script and glyphs.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.test_browser import CACHED_PATHS, controlled, wait_until_cached
from webapp.i18n import LANGUAGES

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 360, "height": 640}
PAGES = ["/{lang}/", "/{lang}/dates", "/{lang}/number", "/{lang}/help", "/{lang}/reminders"]
# Written out, not read from webapp.i18n: what each page's <html> must say.
DIRECTION = {"fr": "ltr", "en": "ltr", "ar": "rtl", "fa": "rtl", "ps": "rtl", "ti": "ltr", "ru": "ltr", "uk": "ltr"}
# The script each new language is written in (Unicode blocks), and the word a Noto family covering it has in its name.
SCRIPTS = {"ar": ("Arabic", 0x0600, 0x06FF), "fa": ("Arabic", 0x0600, 0x06FF), "ps": ("Arabic", 0x0600, 0x06FF),
           "ti": ("Ethiopic", 0x1200, 0x139F)}


def test_the_table_here_is_every_language_served():
    assert sorted(DIRECTION) == sorted(LANGUAGES)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()


def html_says(page) -> tuple[str, str]:
    """The page's <html lang> and the direction Chromium lays it out in."""
    return tuple(page.evaluate("[document.documentElement.lang, getComputedStyle(document.documentElement).direction]"))


@pytest.mark.parametrize("lang", list(DIRECTION))
def test_every_page_has_its_lang_and_dir_no_sideways_scroll_and_no_axe_violation(context, live_server, lang):
    page = context.new_page()
    axe = Axe()
    problems = {}
    for path in PAGES:
        page.goto(live_server.url + path.format(lang=lang))
        assert html_says(page) == (lang, DIRECTION[lang]), path
        # An off-screen skip link or a physical margin would widen a mirrored page: nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"], path
        results = axe.run(page)
        if results.violations_count:
            problems[path] = results.generate_report()
    assert problems == {}


@pytest.mark.parametrize("lang", list(DIRECTION))
def test_layout_follows_the_direction_skip_link_checklist_grid_and_borders(context, live_server, lang):
    page = context.new_page()
    page.goto(live_server.url + f"/{lang}/")
    start_is_right = DIRECTION[lang] == "rtl"

    page.keyboard.press("Tab")  # the skip link comes first and shows at the start corner
    link = page.evaluate("""() => { const a = document.activeElement, r = a.getBoundingClientRect();
        return {cls: a.className, left: r.left, right: r.right}; }""")
    assert link["cls"] == "skip-link"
    if start_is_right:
        assert link["right"] == VIEWPORT["width"] and link["left"] > 0
    else:
        assert link["left"] == 0 and link["right"] < VIEWPORT["width"]

    box = page.locator("#step-registered").bounding_box()  # the tick box is on the start side of its label
    label = page.locator("label[for=step-registered]").bounding_box()
    assert (box["x"] > label["x"]) is start_is_right
    details = page.locator("#step-registered-details").bounding_box()  # the details line up under the label
    if start_is_right:
        assert abs((details["x"] + details["width"]) - (label["x"] + label["width"])) < 40
    else:
        assert abs(details["x"] - label["x"]) < 40

    borders = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('.progress'));
        return [s.borderLeftWidth, s.borderRightWidth]; }""")
    assert borders == (["0px", "5px"] if start_is_right else ["5px", "0px"])


@pytest.mark.parametrize("lang", list(DIRECTION))
def test_numbers_phone_numbers_and_keywords_stay_left_to_right(context, live_server, lang):
    page = context.new_page()
    page.goto(live_server.url + f"/{lang}/number")
    # "99 126" in the digits table: isolated left to right, so it does not read "126 99" in Arabic.
    cells = page.locator(".digits tbody th bdi")
    assert cells.count() == 6
    assert {cells.nth(i).evaluate("e => getComputedStyle(e).direction") for i in range(6)} == {"ltr"}
    assert page.locator("#nir-input").evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.goto(live_server.url + f"/{lang}/help")
    for link in page.locator("a[href^='tel:']").all():
        assert link.locator("bdi[dir=ltr]").count() == 1
    page.goto(live_server.url + f"/{lang}/reminders")
    assert page.locator("#phone").evaluate("e => getComputedStyle(e).direction") == "ltr"
    stop = page.locator("bdi[dir=ltr]", has_text="STOP")
    assert stop.count() >= 1


@pytest.mark.parametrize("lang", list(DIRECTION))
def test_works_offline_in_its_language_after_one_visit(context, live_server, lang):
    page = context.new_page()
    online = {}
    for path in PAGES[1:] + PAGES[:1]:  # the home page last: it installs the worker
        page.goto(live_server.url + path.format(lang=lang))
        online[path] = page.locator("h1").inner_text()
    controlled(page, live_server.url + f"/{lang}/")
    for path in PAGES[:4]:  # what the worker precaches (the reminders page needs the server)
        wait_until_cached(page, path.format(lang=lang))
    cached = page.evaluate(CACHED_PATHS)["urls"]
    others = [url for url in cached if url.split("/")[1] in LANGUAGES and url.split("/")[1] != lang]
    assert others == []  # only this language's pages: the first visit stays small

    live_server.stop()
    context.set_offline(True)
    for path in PAGES[:4]:
        page.goto(live_server.url + path.format(lang=lang))
        assert html_says(page) == (lang, DIRECTION[lang]), path
        assert page.locator("h1").inner_text() == online[path], path


@pytest.mark.parametrize("lang", list(DIRECTION))
def test_checklist_ticks_are_saved_without_javascript(browser, live_server, lang):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    page = context.new_page()
    page.goto(live_server.url + f"/{lang}/")
    page.check("#step-final-number")
    with page.expect_navigation():
        page.locator("[data-checklist-submit]").first.click()
    assert page.url == live_server.url + f"/{lang}/"
    assert html_says(page) == (lang, DIRECTION[lang])
    assert page.locator(".notice").is_visible()  # "Saved on this phone", in whatever words the catalogue has
    assert page.is_checked("#step-final-number")
    assert not page.is_checked("#step-registered")
    context.close()


# Tofu: a character no installed font has is drawn as the primary font's .notdef box. For every distinct character
# of the page's visible text, a canvas draws it in the font of the element that holds it, and so does it for
# U+10FFFD (a private-use code point no font draws: the box itself); identical pixels mean a missing glyph.
# The canvas falls back through the same fonts as the page, and it compares drawings, not widths, which a real
# glyph can share with the box. U+E000 is the control: it must come out as a box.
MISSING_GLYPHS = r"""controls => {
    const canvas = document.createElement('canvas');
    canvas.width = 80; canvas.height = 60;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const drawn = (font, text) => {
        ctx.font = font;
        ctx.clearRect(0, 0, 80, 60);
        ctx.fillText(text, 10, 40);
        return ctx.getImageData(0, 0, 80, 60).data.join(',');
    };
    const seen = new Map();  // character -> the font of an element that shows it
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const element = node.parentElement;
        if (!element.checkVisibility() || element.closest('script, style, template')) continue;
        for (const c of node.data) if (c.trim() && !seen.has(c)) seen.set(c, getComputedStyle(element).font);
    }
    for (const c of controls) seen.set(c, getComputedStyle(document.body).font);
    const box = new Map();
    const missing = [];
    for (const [c, font] of seen) {
        if (!box.has(font)) box.set(font, drawn(font, '\u{10FFFD}'));
        if (drawn(font, c) === box.get(font)) missing.push(c);
    }
    return {checked: [...seen.keys()].join(''), missing};
}"""


def fonts_used(page) -> set[str]:
    """The font families Chromium really drew the page's text with (DevTools' CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    families: set[str] = set()
    stack = [cdp.send("DOM.getDocument", {"depth": -1})["root"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("children", []))
        if node["nodeType"] == 1 and any(child["nodeType"] == 3 for child in node.get("children", [])):
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
            families |= {font["familyName"] for font in fonts}
    cdp.detach()
    return families


def keep_screenshot(page, tmp_path: Path, name: str) -> Path:
    """A full-page PNG under pytest's tmp dir, copied to $ARTEFACTS when it is set (kept by CI)."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("ARTEFACTS"):
        Path(os.environ["ARTEFACTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(os.environ["ARTEFACTS"]) / name)
    return shot


@pytest.mark.parametrize("lang", list(SCRIPTS))
def test_every_page_renders_its_script_with_no_missing_glyph(context, live_server, lang, tmp_path):
    script, first, last = SCRIPTS[lang]
    page = context.new_page()
    for path in PAGES:
        page.goto(live_server.url + path.format(lang=lang))
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")  # the facts' text too
        found = page.evaluate(MISSING_GLYPHS, ["\ue000"])
        in_script = [c for c in found["checked"] if first <= ord(c) <= last]
        assert len(set(in_script)) >= 20, path  # the page is written in its script, not in the French fallback
        assert found["missing"] == ["\ue000"], path  # the control is a box; nothing else is
        used = fonts_used(page)
        assert any(script in family for family in used), (path, used)
        if path == PAGES[0]:
            keep_screenshot(page, tmp_path, f"checklist-{lang}.png")
