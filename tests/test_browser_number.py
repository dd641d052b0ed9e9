"""The number checker at 360x640 in real Chromium: three states told apart by words, pictogram and colour,
announced once per change, clean for axe, and kept in view above the on-screen keyboard."""
from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import VALID_NUMBER

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
KEYBOARD_UP = {"width": 360, "height": 300}  # what is left above an on-screen keyboard
SHOTS = Path("/tmp/shots-number")

KEY_EN = "The key (the last 2 digits) does not match the other digits. Check for a typing mistake."
KEY_FR = ("La clé (les 2 derniers chiffres) ne correspond pas aux autres chiffres. "
          "Vérifiez s’il y a une faute de frappe.")
# typed -> state, what the live region says, the whole verdict line (the count stays out of the live region)
STATES = {
    "en": {
        "valid": (VALID_NUMBER, "Valid number: 2 95 10 99 126 111 93", "Valid number: 2 95 10 99 126 111 93"),
        "invalid": ("2 95 10 99 126 111 39", "This number is not valid. " + KEY_EN,
                    "This number is not valid. " + KEY_EN),
        "incomplete": ("2 95 10 99 126 1", "Not complete yet:", "Not complete yet: 11 of 15 characters."),
    },
    "fr": {
        "valid": (VALID_NUMBER, "Numéro valide : 2 95 10 99 126 111 93", "Numéro valide : 2 95 10 99 126 111 93"),
        "invalid": ("2 95 10 99 126 111 39", "Ce numéro n’est pas valide. " + KEY_FR,
                    "Ce numéro n’est pas valide. " + KEY_FR),
        "incomplete": ("2 95 10 99 126 1", "Pas encore complet :", "Pas encore complet : 11 caractères sur 15."),
    },
}
# The same meaning in a second way besides the words: a border colour (never colour alone).
BORDERS = {"valid": "rgb(0, 112, 60)", "invalid": "rgb(212, 53, 28)", "incomplete": "rgb(80, 90, 95)"}
PICTOGRAMS = {"valid": "tick", "invalid": "cross", "incomplete": "dots"}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def drawn(page) -> dict:
    """What the checker shows: state, live region, verdict line, pictogram, border colour."""
    return page.evaluate("""() => {
        const box = document.querySelector('.nir-result');
        const svg = box.querySelector('.nir-box svg');
        return {state: box.getAttribute('data-state'),
                live: [...document.querySelectorAll('#nir-check [aria-live]')].map(n => n.textContent),
                verdict: box.querySelector('.nir-verdict').textContent,
                pictogram: svg && [svg.getAttribute('data-pictogram'), svg.getAttribute('aria-hidden')],
                border: getComputedStyle(box.querySelector('.nir-box')).borderLeftColor};
    }""")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_three_states_differ_in_words_pictogram_and_colour(page, live_server, lang):
    page.goto(f"{live_server.url}/{lang}/number")
    seen = {}
    for state, (typed, said, verdict) in STATES[lang].items():
        page.fill("#nir-input", typed)
        seen[state] = drawn(page)
        assert seen[state] == {"state": state, "live": [said], "verdict": verdict,
                               "pictogram": [PICTOGRAMS[state], "true"], "border": BORDERS[state]}
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{lang}-{state}.png"))
    for key in ("state", "live", "pictogram", "border"):
        assert len({str(shown[key]) for shown in seen.values()}) == 3


@pytest.mark.parametrize(("typed", "state"), [
    ("", "empty"),
    ("1", "incomplete"),
    ("2 53 07 2A", "incomplete"),
    ("2 53 07 2B 073 004 70", "valid"),
    ("3", "invalid"),  # a number never begins with 3: said at once, not after 15 characters
    ("7 95 10 99 126 11", "invalid"),
    ("2 95 1O", "invalid"),
    ("2 95 10 99 126 111 930", "invalid"),
])
def test_state_while_typing(page, live_server, typed, state):
    page.goto(live_server.url + "/en/number")
    page.fill("#nir-input", typed)
    assert page.get_attribute(".nir-result", "data-state") == state


def test_the_live_region_speaks_only_when_the_state_changes(page, live_server):
    page.goto(live_server.url + "/en/number")
    page.evaluate("""() => {
        window.said = [];
        const live = document.querySelector('#nir-check [aria-live=polite]');
        new MutationObserver(() => window.said.push(live.textContent))
            .observe(live, {childList: true, subtree: true, characterData: true});
    }""")
    page.locator("#nir-input").press_sequentially(VALID_NUMBER + "0")
    page.keyboard.press("Backspace")
    assert page.evaluate("window.said") == [
        "Not complete yet:", "Valid number: 2 95 10 99 126 111 93",
        "This number is not valid. Too many characters: a number has 15.", "Valid number: 2 95 10 99 126 111 93"]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("state", ["valid", "invalid", "incomplete"])
def test_axe_finds_no_violation_in_each_state(page, live_server, lang, state):
    page.goto(f"{live_server.url}/{lang}/number")
    page.fill("#nir-input", STATES[lang][state][0])
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("state", ["valid", "invalid", "incomplete"])
def test_the_result_stays_above_the_on_screen_keyboard(page, live_server, state):
    page.goto(live_server.url + "/en/number")
    field = page.locator("#nir-input")
    field.focus()  # the tap that opens the keyboard...
    page.set_viewport_size(KEYBOARD_UP)  # ...which leaves about 300 px of page
    field.press_sequentially(STATES["en"][state][0])
    page.screenshot(path=str(SHOTS / f"keyboard-{state}.png"))
    bottom = page.evaluate("(window.visualViewport || {}).height || innerHeight")
    for selector in (".nir-box", "#nir-input"):  # the pictogram and verdict, and what is typed
        box = page.locator(selector).bounding_box()
        assert box["y"] >= 0 and round(box["y"] + box["height"]) <= bottom, selector  # layout is in 1/64 px


def test_without_javascript_the_page_explains_the_digits_and_says_the_check_needs_it(browser, live_server):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/en/number")
    assert page.locator("#nir-input").count() == 0
    assert page.locator("#nir-check noscript p").inner_text() == (
        "This check needs JavaScript, which is off in this browser. You can still read below what the digits mean.")
    assert page.locator("table.digits tbody tr").count() == 6
    context.close()
