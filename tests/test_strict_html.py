"""The page checker itself: it passes a good page and catches each kind of bad one."""
from __future__ import annotations

import pytest
from html5lib.html5parser import ParseError

from tests.strict_html import check_page

GOOD = """<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>
<main><h1>H</h1>{}</main></body></html>"""


def test_a_good_page_passes():
    check_page(GOOD.format('<label for="a">A</label><input id="a" name="a">'
                           '<form method="post"><input type="hidden" name="csrf_token" value="t">'
                           '<label><input type="checkbox" name="b"> B</label></form>'
                           '<script type="application/json">{"a": 1}</script><script src="/x.js"></script>'))


@pytest.mark.parametrize("page, problem", [
    ("<html lang=en><head><title>T</title></head><body><main><h1>H</h1></main></body></html>", ParseError),
    (GOOD.format("<p>unclosed <b>bold</p>"), ParseError),
    (GOOD.replace(' lang="en"', ""), "lang"),
    (GOOD.replace("<title>T</title>", ""), "title"),
    (GOOD.format("<h1>Two</h1>"), "h1"),
    (GOOD.format('<p id="x"></p><p id="x"></p>'), "duplicate ids"),
    (GOOD.format('<input id="a" name="a">'), "unlabelled"),
    (GOOD.format('<select id="s"><option>1</option></select>'), "unlabelled"),
    (GOOD.format('<input aria-describedby="nope" aria-label="A">'), "points to no element"),
    (GOOD.format('<a href="#nowhere">x</a>'), "missing"),
    (GOOD.format("<script>alert(1)</script>"), "inline script"),
    (GOOD.format('<p onclick="x()">x</p>'), "inline handler"),
    (GOOD.format('<p style="color:red">x</p>'), "inline style"),
    (GOOD.format('<form method="post"><button>Go</button></form>'), "CSRF"),
])
def test_a_bad_page_fails(page, problem):
    if problem is ParseError:
        with pytest.raises(ParseError):
            check_page(page)
    else:
        with pytest.raises(AssertionError, match=problem):
            check_page(page)
