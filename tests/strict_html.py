"""Strict checks every rendered page must pass (GOV.UK-style): it parses cleanly and is labelled."""
from __future__ import annotations

from collections import Counter
from xml.etree.ElementTree import Element

import html5lib

from webapp.i18n import LANGUAGES

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
# A data block (<script type="application/json">) is never run, so the CSP allows it.
DATA_SCRIPT_TYPES = {"application/json"}


def parse(html: str) -> Element:
    """Parse with html5lib's strict parser: any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(html)


def _has_label(field: Element, root: Element, parents: dict) -> bool:
    if field.get("aria-label", "").strip() or field.get("aria-labelledby"):
        return True
    field_id = field.get("id")
    if field_id and any(label.get("for") == field_id and "".join(label.itertext()).strip()
                        for label in root.iter("label")):
        return True
    node = parents.get(field)
    while node is not None:  # wrapped in its label
        if node.tag == "label":
            return True
        node = parents.get(node)
    return False


def check_page(html: str) -> Element:
    """Every rule a page must follow; returns the parsed tree for further assertions."""
    root = parse(html)
    for template in list(root.iter("template")):  # inert until a script uses it: not part of the page
        del template[:]
    parents = {child: parent for parent in root.iter() for child in parent}
    assert root.get("lang") in LANGUAGES, "<html lang> missing or unknown"
    title = root.find("./head/title")
    assert title is not None and (title.text or "").strip(), "<title> missing or empty"
    assert len(root.findall(".//h1")) == 1, "exactly one <h1>"
    assert root.find(".//main") is not None, "a <main> landmark"
    ids = Counter(el.get("id") for el in root.iter() if el.get("id"))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for field in root.iter():
        if field.tag in ("input", "select", "textarea") and field.get("type", "text") not in UNLABELLED_TYPES:
            assert _has_label(field, root, parents), f"unlabelled {field.tag} {field.attrib}"
        for attr in ("aria-describedby", "aria-labelledby"):
            for ref in (field.get(attr) or "").split():
                assert ref in ids, f"{attr}={ref!r} points to no element"
        href = field.get("href") or ""
        if field.tag == "a" and href.startswith("#") and len(href) > 1:
            assert href[1:] in ids, f"link to missing #{href[1:]}"
        # Our CSP forbids inline code and styles: none may be written in the first place.
        assert not any(name.startswith("on") for name in field.attrib), f"inline handler on {field.tag}"
        assert "style" not in field.attrib, f"inline style on {field.tag}"
        assert field.tag != "style", "<style> element"
        if field.tag == "script" and field.get("type") not in DATA_SCRIPT_TYPES:
            assert field.get("src") and not (field.text or "").strip(), "inline script"
    for form in root.iter("form"):
        if form.get("method", "get").lower() == "post":
            tokens = [i for i in form.iter("input") if i.get("name") == "csrf_token" and i.get("type") == "hidden"]
            assert tokens and tokens[0].get("value"), "POST form without a CSRF token"
    return root


def text_of(element: Element) -> str:
    """The visible text of an element, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


class CheckedClient:
    """Flask's test client, strictly checking every HTML page it receives (`response.tree`)."""

    def __init__(self, client) -> None:
        self.client = client

    def open(self, *args, **kwargs):
        """Request a URL; an HTML page that is not a redirect must pass `check_page`."""
        response = self.client.open(*args, **kwargs)
        response.tree = None
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            response.tree = check_page(response.get_data(as_text=True))
        return response

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)

    def csrf(self, url: str) -> str:
        """The CSRF token the page at `url` puts in its forms (and the session)."""
        tree = self.get(url).tree
        return next(i.get("value") for i in tree.iter("input") if i.get("name") == "csrf_token")
