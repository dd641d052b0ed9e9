"""The number checker of static/js/nir.js, run in real Chromium, agrees with python-stdnum's stdnum.fr.nir."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from stdnum.fr import nir

pytestmark = pytest.mark.browser

JS = Path(__file__).resolve().parent.parent / "static" / "js"
DEPARTMENTS = ["75", "13", "2A", "2B", "99", "01", "97", "98"]


def well_formed(rng: random.Random) -> str:
    """A 15-character number with the right key: any first digit, Corsica and born abroad included."""
    first = rng.choice("1212121234567890")
    month = rng.choice([rng.randrange(1, 13), rng.randrange(20, 43), 50, 99])
    place = rng.choice(DEPARTMENTS) + f"{rng.randrange(1000):03d}"
    body = first + f"{rng.randrange(100):02d}{month:02d}" + place + f"{rng.randrange(1, 1000):03d}"
    return body + nir.calc_check_digits(body + "00")


def damaged(rng: random.Random, number: str) -> str:
    """The same number with one typing mistake of the kinds people make."""
    i = rng.randrange(15)
    kind = rng.randrange(7)
    if kind == 0:  # a wrong key
        return number[:13] + f"{(int(number[13:]) + rng.randrange(1, 97)) % 100:02d}"
    if kind == 1 and number[i].isdigit():  # one digit wrong
        return number[:i] + str((int(number[i]) + rng.randrange(1, 10)) % 10) + number[i + 1:]
    if kind == 2 and i < 14:  # two characters swapped
        return number[:i] + number[i + 1] + number[i] + number[i + 2:]
    if kind == 3:  # one character missing
        return number[:i] + number[i + 1:]
    if kind == 4:  # one character too many
        return number[:i] + str(rng.randrange(10)) + number[i:]
    if kind == 5:  # a letter somewhere, or a Corsica code that does not exist
        return number[:i] + rng.choice("ACOX") + number[i + 1:] if rng.random() < 0.5 else \
            number[:5] + rng.choice(["2C", "2a", "2b", "3A", "A2"]) + number[7:]
    return number[: rng.randrange(16)]  # cut short (an empty string too)


def written(rng: random.Random, number: str) -> str:
    """The number as a person may type it: grouped with spaces or dots, or in lower case."""
    style = rng.randrange(4)
    if style == 1:
        return nir.format(number) if len(number) == 15 else " ".join(number[i:i + 3] for i in range(0, len(number), 3))
    if style == 2:
        return nir.format(number, ".") if len(number) == 15 else number
    if style == 3:
        return number.lower()
    return number


@pytest.fixture(scope="module")
def cases() -> list[str]:
    rng = random.Random(20261127)
    numbers = []
    for _ in range(2500):
        number = well_formed(rng)
        numbers.append(written(rng, number))
        numbers.append(written(rng, damaged(rng, number)))
    # The documented examples, and the edges of the key (00 never happens, 97 does).
    numbers += ["2 95 10 99 126 111 93", "295109912611199", "253072B07300470", "253072A07300443",
                "253072C07300443", "6546546546546703", "", " ", "1" * 15]
    return numbers


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page()
    page.goto("about:blank")
    for name in ("app.js", "nir.js"):  # the order the number page loads them in
        page.add_script_tag(content=(JS / name).read_text(encoding="utf-8"))
    yield page
    page.close()


def test_the_cases_cover_valid_invalid_and_corsica(cases):
    valid = [n for n in cases if nir.is_valid(n)]
    assert 2000 <= len(valid) <= len(cases) - 2000
    assert any("2A" in nir.compact(n) for n in valid) and any("2B" in nir.compact(n) for n in valid)
    assert any(nir.compact(n)[5:7] in ("2A", "2B") for n in cases if not nir.is_valid(n))


def test_key_check_agrees_with_stdnum(page, cases):
    results = page.evaluate("numbers => numbers.map(n => cv.checkNir(n))", cases)
    disagreements = [(number, result) for number, result in zip(cases, results, strict=True)
                     if result["checksum"] != nir.is_valid(number)
                     or result["valid"] != (nir.is_valid(number) and nir.compact(number)[:1] in ("1", "2"))
                     or result["number"] != nir.compact(number)]
    assert disagreements == []


def test_key_digits_agree_with_stdnum(page, cases):
    numbers = sorted({nir.compact(n) for n in cases if nir.is_valid(n)})
    keys = page.evaluate("numbers => numbers.map(n => cv.nirKey(n))", numbers)
    assert keys == [nir.calc_check_digits(n) for n in numbers]


@pytest.mark.parametrize(("typed", "status"), [
    ("", "empty"),
    ("2 95 10", "short"),
    ("2 95 10 99 126 111 93", "valid"),
    ("2 95 10 99 126 111 39", "key"),
    ("2 95 10 99 126 111 930", "long"),
    ("2 95 1O", "chars"),  # the letter O for a zero
    ("2530 72A", "short"),  # Corsica, still typing
    ("253072C", "chars"),
])
def test_status_while_typing(page, typed, status):
    assert page.evaluate("n => cv.checkNir(n).status", typed) == status


def state_by_stdnum(typed: str) -> str:
    """What the person should be told, from python-stdnum: a short number is incomplete when its
    characters so far, padded with zeros and given their key, make a number stdnum accepts."""
    number = nir.compact(typed)
    if not number:
        return "empty"
    if number[0] not in "12":  # no other first digit can ever be valid
        return "invalid"
    if len(number) < 15:
        body = number[:13].ljust(13, "0")
        try:
            completed = body + nir.calc_check_digits(body)
        except ValueError:  # a character stdnum cannot read
            return "invalid"
        return "incomplete" if nir.is_valid(completed) else "invalid"
    return "valid" if nir.is_valid(number) else "invalid"


def test_state_agrees_with_stdnum(page, cases):
    prefixes = [n[:cut] for n in cases[::25] for cut in range(len(n) + 1)]  # every step of typing
    numbers = cases + prefixes
    states = page.evaluate("numbers => numbers.map(n => cv.checkNir(n).state)", numbers)
    assert [(n, s) for n, s in zip(numbers, states, strict=True) if s != state_by_stdnum(n)] == []
    assert {"empty", "incomplete", "invalid", "valid"} == set(states)


@pytest.mark.parametrize(("typed", "state"), [
    ("", "empty"),
    ("2 95 10 99 126 111 93", "valid"),
    ("2 95 10 99 126 111 39", "invalid"),  # wrong key
    ("2 95 10", "incomplete"),
    ("2 53 07 2B", "incomplete"),
    ("3 95 10 99 126 111 " + nir.calc_check_digits("3951099126111"), "invalid"),  # right key, first digit 3
    ("3", "invalid"),  # said at the first digit
    ("8 95 10", "invalid"),  # a very old temporary number
    ("2 95 1O", "invalid"),
])
def test_state_of_each_kind(page, typed, state):
    assert page.evaluate("n => cv.checkNir(n).state", typed) == state == state_by_stdnum(typed)
