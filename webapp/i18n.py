"""Languages, locale selection and the translation catalogues of every package."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Blueprint, Flask, g, has_request_context, request
from flask_babel import Babel

from webapp import security

ROOT = Path(__file__).resolve().parent.parent
# Each package keeps its own catalogue; flask-babel merges them in this order.
CATALOGUES = [ROOT / "webapp" / "translations", ROOT / "sms" / "translations",
              ROOT / "scheduler" / "translations"]
DRAFT = "draft: not yet reviewed by a native speaker"
REVIEWED = "reviewed"


@dataclass(frozen=True)
class Language:
    """One row of the language table: a catalogue the app serves."""

    code: str  # the catalogue's directory name and the URL prefix (/fa/...)
    name: str  # in its own language and script, as the switcher shows it
    direction: str  # "ltr" or "rtl", for <html dir>
    status: str  # REVIEWED, or DRAFT until a native speaker has checked it

    @property
    def reviewed(self) -> bool:
        """Whether a native speaker has checked this catalogue."""
        return self.status == REVIEWED


class LanguageTable(Mapping[str, str]):
    """The languages in switcher order; as a mapping, code -> own name (`code in LANGUAGES`, `.items()`)."""

    def __init__(self, rows: list[Language]) -> None:
        self.rows = tuple(rows)
        self._by_code = {row.code: row for row in self.rows}

    def __getitem__(self, code: str) -> str:
        return self._by_code[code].name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, code: str) -> Language:
        """The full row of a language code (KeyError when it is not served)."""
        return self._by_code[code]


# Adding a language: `pybabel init -l xx` in the three catalogue directories, then one row here.
# The URL prefix, the switcher, the service worker, the manifest and the page list all follow this table.
LANGUAGES = LanguageTable([
    Language("fr", "Français", "ltr", REVIEWED),
    Language("en", "English", "ltr", REVIEWED),
    Language("ar", "العربية", "rtl", DRAFT),
    Language("fa", "دری", "rtl", DRAFT),  # Dari, the Persian of Afghanistan
    Language("ps", "پښتو", "rtl", DRAFT),
    Language("ti", "ትግርኛ", "ltr", DRAFT),
    Language("ru", "Русский", "ltr", DRAFT),
    Language("uk", "Українська", "ltr", DRAFT),
])
DEFAULT_LANGUAGE = "fr"


def select_locale() -> str:
    """The page's language: the URL prefix when there is one, else the browser's preference.

    The prefix is read from the path too, so that an error page under /en/ that matched no route
    (no `g.lang` yet) is in English.
    """
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    if not has_request_context():
        return DEFAULT_LANGUAGE
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in LANGUAGES else request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE)


def init_app(app: Flask) -> None:
    """Attach flask-babel with every catalogue, and the `flask translations` commands."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(p) for p in CATALOGUES)
    Babel(app, locale_selector=select_locale)
    app.cli.add_command(translations_command)


@click.group("translations")
def translations_command() -> None:
    """Compile the translation catalogues."""


@translations_command.command("compile")
def compile_catalogues() -> None:
    """Compile every package's .po files into the .mo files the app reads."""
    from babel.messages.frontend import CommandLineInterface

    for directory in CATALOGUES:
        if directory.is_dir():
            CommandLineInterface().run(["pybabel", "compile", "-d", str(directory)])


def language_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of HTML pages under a language prefix (/fr/…, /en/…): the prefix sets the page's language
    and is kept in every URL it builds; every POST must carry the session's CSRF token; no shared cache
    keeps its pages (they hold the session's token, ticks and link)."""
    bp = Blueprint(name, import_name, url_prefix="/<any({}):lang>".format(", ".join(LANGUAGES)))

    @bp.url_value_preprocessor
    def take_language(endpoint, values) -> None:
        g.lang = values.pop("lang")

    @bp.url_defaults
    def keep_language(endpoint, values) -> None:
        values.setdefault("lang", g.get("lang", DEFAULT_LANGUAGE))

    @bp.after_request
    def private_pages(response):
        response.headers.setdefault("Cache-Control", "private, no-cache")
        return response

    bp.before_request(security.check_post)
    return bp
