"""The web catalogue: every string in webapp/ and templates/ has a French translation, and French pages use it."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.strict_html import CheckedClient, text_of
from webapp.i18n import LANGUAGES, SOURCE_LANGUAGE
from webapp.ops_text import CONSOLE_FILES

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
# The operator console's files are not public: its own catalogue holds them (as babel.cfg ignores them).
METHODS = [*((pattern, "ignore") for pattern in CONSOLE_FILES), ("**.py", "python"), ("**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


# The folders each package's catalogue is extracted from (as `make translations-update` does).
SOURCES = {"webapp": ("webapp", "templates"), "sms": ("sms",), "scheduler": ("scheduler",)}


def source_messages(package: str = "webapp") -> set[str]:
    """Every msgid a package's code (and templates) use, extracted afresh (not from the .pot)."""
    found = set()
    for folder in SOURCES[package]:
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, METHODS, keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def test_every_web_string_has_a_french_translation(catalogue):
    missing = []
    for msgid in sorted(source_messages()):
        message = catalogue.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
    assert not missing, f"untranslated in {PO.relative_to(ROOT)}: {missing}"


def test_translations_keep_their_placeholders_and_compile(catalogue):
    for message in catalogue:
        if message.id and message.string:
            # A plural entry (ngettext) is a tuple: every form keeps the plural msgid's placeholders.
            msgid = message.id[-1] if isinstance(message.id, tuple) else message.id
            for string in message.string if isinstance(message.string, tuple) else (message.string,):
                assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(string)), msgid
    assert not [error for _message, errors in catalogue.check() for error in errors]
    write_mo(io.BytesIO(), catalogue)


@pytest.mark.parametrize("page", ["/fr/", "/fr/help", "/fr/number", "/fr/dates", "/fr/nowhere"])
def test_french_pages_show_no_english_sentence(client, catalogue, page):
    text = text_of(CheckedClient(client).get(page).tree)
    # A long msgid left in English on a French page means the catalogue is not used (or incomplete).
    english = [m.id for m in catalogue if m.id and len(m.id) > 25 and m.id != m.string
               and PLACEHOLDER.sub("", m.id) in text]
    assert not english


# Every catalogue of every package, in every language of the table but English (the msgids' language).
CATALOGUE_FILES = [(package, lang) for package in ("webapp", "sms", "scheduler")
                   for lang in LANGUAGES if lang != SOURCE_LANGUAGE]


def catalogue_problems(package: str, lang: str) -> list[str]:
    """What keeps one catalogue from being complete: a msgid of the code (extracted afresh: the .pot may be
    older) missing, untranslated or fuzzy, a placeholder lost or added, or an error babel's own check finds."""
    with (ROOT / package / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    problems = []
    for msgid in sorted(source_messages(package)):
        message = catalogue.get(msgid)
        strings = message.string if message and isinstance(message.string, tuple) else (message and (message.string,))
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif not all(strings):
            problems.append(f"untranslated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif any(sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(s)) for s in strings):
            problems.append(f"placeholders differ: {msgid!r}")
    problems += [f"{message.id!r}: {error}" for message, errors in catalogue.check() for error in errors]
    return problems


@pytest.mark.parametrize("package, lang", CATALOGUE_FILES)
def test_every_catalogue_is_complete(package, lang):
    problems = catalogue_problems(package, lang)
    assert not problems, f"{package}/translations/{lang}: {len(problems)} problems, first: {problems[:5]}"
