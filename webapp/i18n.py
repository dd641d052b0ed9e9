"""Languages, locale selection and the translation catalogues of every package.

Which language a person gets, first match wins (the fallback chain):
1. their choice: on the web, the URL prefix (/fa/...), remembered on the device in the `lang` cookie that
   opening a prefix sets; by SMS, `people.lang` with `lang_source = 'chosen'` (LANG, the opt-in form's
   language, a device's sync), which no keyword overrides (webapp/journey.set_language);
2. the language they texted in: the first keyword that has a language sets `people.lang` with
   `lang_source = 'keyword'`, only while no language is known (webapp/journey.person_texting);
3. the browser's Accept-Language, for `/` and pages outside a prefix (q-values respected; a region such as
   fa-AF or ar-MA matches its language; ISO 639-3 codes in ALIASES, such as prs for Dari, too);
4. French (DEFAULT_LANGUAGE), for a person we know nothing about.
And for one string: a msgid missing or untranslated in a catalogue shows in French, not in English (the
msgid's language, SOURCE_LANGUAGE), see FrenchFallback.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import click
from babel import Locale, support
from flask import Blueprint, Flask, current_app, g, has_request_context, request
from flask_babel import Babel, Domain, get_locale, get_translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.utils import cached_property

from webapp import ops_text, security

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
SOURCE_LANGUAGE = "en"  # the msgids' language: it has no catalogue, so it never falls back to French
# Accept-Language tags that name one of our languages under another code (ISO 639-3 individual languages).
ALIASES = {"prs": "fa", "pbt": "ps", "pbu": "ps", "pst": "ps"}  # Dari; Southern, Northern, Central Pashto
# The remembered choice: a language code only (no personal data), kept a year, sent on top-level navigation.
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def negotiate(accept: LanguageAccept) -> str:
    """The language of ours the browser prefers most (q-values respected), French when it has none."""
    # Highest quality first (werkzeug keeps that order); a tag's region is dropped (fa-AF is fa). werkzeug's own
    # best_match would prefer a lower-quality exact "fr" to a preferred "ar-MA".
    for tag, quality in accept:
        primary = tag.lower().replace("_", "-").split("-", 1)[0]
        lang = ALIASES.get(primary, primary)
        if quality > 0 and lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def remembered() -> str | None:
    """The language this device last opened (the `lang` cookie), if it is one of ours."""
    lang = request.cookies.get(LANGUAGE_COOKIE)
    return lang if lang in LANGUAGES else None


def select_locale() -> str:
    """The page's language: the URL prefix when there is one, else the device's remembered choice, else the
    browser's preference, else French.

    The prefix is read from the path too, so that an error page under /en/ that matched no route
    (no `g.lang` yet) is in English.
    """
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    if not has_request_context():
        return DEFAULT_LANGUAGE
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in LANGUAGES else remembered() or negotiate(request.accept_languages)


@functools.cache
def french(directories: tuple[str, ...]) -> support.Translations:
    """The French catalogues of every package, merged (read once per process)."""
    merged = support.Translations()
    for directory in directories:
        merged.merge(support.Translations.load(directory, [DEFAULT_LANGUAGE]))
    return merged


class FrenchFallback(Domain):
    """flask-babel's domain, where a string a catalogue lacks (missing, untranslated, fuzzy) is taken from
    French rather than shown as its English msgid: French is what every reader here meets on paper."""

    def get_translations(self):
        """The current language's merged catalogues, falling back to French."""
        translations = super().get_translations()
        # flask-babel caches the merged object per language: chain French to it once.
        if isinstance(translations, support.Translations) and not getattr(translations, "french_chained", False):
            if str(get_locale()) not in (DEFAULT_LANGUAGE, SOURCE_LANGUAGE):
                translations.add_fallback(french(tuple(self.translation_directories)))
            translations.french_chained = True
        return translations


class _Babel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        """The default domain, with the French fallback."""
        return FrenchFallback(domain=self.domain)


def init_app(app: Flask) -> None:
    """Attach flask-babel with every catalogue, and the `flask translations` commands."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(p) for p in CATALOGUES)
    _Babel(app, locale_selector=select_locale)
    app.cli.add_command(translations_command)


@click.group("translations")
def translations_command() -> None:
    """Compile the translation catalogues."""


@translations_command.command("compile")
def compile_catalogues() -> None:
    """Compile every package's .po files into the .mo files the app reads."""
    from babel.messages.frontend import CommandLineInterface

    for directory in (*CATALOGUES, ops_text.DIRECTORY):  # the console's own catalogue too
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
        remember_language(response)
        if request.method == "GET" and response.status_code == 200 and not response.direct_passthrough:
            # A page is revalidated, never reused blind (no-cache): its ETag lets the service worker's first
            # precache of the page just loaded come back as a 304 with no body (bench/pwa_weight.py).
            response.add_etag()
            response.make_conditional(request)
        return response

    bp.before_request(security.check_post)
    return bp


def remember_language(response) -> None:
    """Remember the page's language on the device, when a person opened it (not the service worker's fetches
    precaching pages, which carry Sec-Fetch-Mode: cors or same-origin)."""
    lang = g.get("lang")
    if (request.method == "GET" and lang in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != lang
            and request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"):
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_SECONDS, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), httponly=True)


def plural_forms(singular: str, plural: str, **params: object) -> dict[str, str]:
    """A message's plural forms in the page's language, keyed by CLDR plural category ("one", "few", "other"…),
    for a script that picks one with Intl.PluralRules (ngettext of a number of each category gives its form)."""
    rule = Locale.parse(select_locale()).plural_form
    samples: dict[str, int] = {}
    for number in range(200):  # every category of every language has a member below 200
        samples.setdefault(rule(number), number)
    translations = get_translations()  # not flask_babel.ngettext: it fills %(num)s with the number itself
    return {category: translations.ungettext(singular, plural, number) % params for category, number in samples.items()}
