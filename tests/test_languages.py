"""The language table and what follows it: the remembered choice, the French fallback, the draft line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from babel import support
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import force_locale, gettext

from tests.strict_html import CheckedClient, text_of
from webapp import i18n
from webapp.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
DRAFT_LINE = "Cette traduction n’a pas encore été vérifiée par une personne dont c’est la langue."


def test_the_table_lists_eight_languages_in_switcher_order_in_their_own_names():
    rows = [(row.code, row.name, row.direction, row.status) for row in LANGUAGES.rows]
    draft = "draft: not yet reviewed by a native speaker"
    assert rows == [
        ("fr", "Français", "ltr", "reviewed"), ("en", "English", "ltr", "reviewed"),
        ("ar", "العربية", "rtl", draft), ("fa", "دری", "rtl", draft), ("ps", "پښتو", "rtl", draft),
        ("ti", "ትግርኛ", "ltr", draft), ("ru", "Русский", "ltr", draft), ("uk", "Українська", "ltr", draft),
    ]
    # The mapping view older code relies on: code -> own name, in the same order.
    assert list(LANGUAGES) == ["fr", "en", "ar", "fa", "ps", "ti", "ru", "uk"]
    assert dict(LANGUAGES.items())["fa"] == "دری" and "uk" in LANGUAGES and "de" not in LANGUAGES


@pytest.mark.parametrize("directory", ["webapp", "sms", "scheduler"])
def test_every_language_but_english_has_a_catalogue_in_every_package(directory):
    # English is the msgids' language: it needs none.
    have = {path.parent.parent.name for path in (ROOT / directory / "translations").glob("*/LC_MESSAGES/messages.po")}
    assert have == set(LANGUAGES) - {"en"}


def test_the_api_contract_accepts_every_language_of_the_table(client):
    served = client.get("/api/v1/openapi.json").get_json()
    assert served["components"]["schemas"]["Lang"]["enum"] == list(LANGUAGES)
    on_disk = json.loads((ROOT / "webapp" / "openapi.json").read_text(encoding="utf-8"))
    assert on_disk["components"]["schemas"]["Lang"]["enum"] == list(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_opening_a_language_remembers_it_on_the_device_and_root_prefers_it(client, lang):
    opened = client.get(f"/{lang}/help")
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(f"lang={lang};")
    assert "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie and "Path=/" in cookie
    # The remembered choice wins over the browser's language.
    response = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9" if lang != "ru" else "ar"})
    assert response.headers["Location"] == f"/{lang}/"
    assert {"Cookie", "Accept-Language"} <= set(response.headers["Vary"].replace(" ", "").split(","))


def test_the_switcher_changes_the_remembered_language(pages, client):
    tree = pages.get("/fr/number").tree
    links = {a.get("hreflang"): a for a in tree.iter("a") if a.get("data-switch-lang")}
    assert [a.text for a in links.values()] == ["English", "العربية", "دری", "پښتو", "ትግርኛ", "Русский", "Українська"]
    assert (links["fa"].get("dir"), links["fa"].get("lang"), links["ru"].get("dir")) == ("rtl", "fa", "ltr")
    client.get(links["fa"].get("href"))
    assert client.get("/", headers={"Accept-Language": "fr"}).headers["Location"] == "/fa/"


def test_the_service_workers_fetches_do_not_change_the_remembered_language(client):
    client.get("/uk/")
    precached = client.get("/en/help", headers={"Sec-Fetch-Mode": "same-origin"})
    assert not [c for c in precached.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    assert client.get("/").headers["Location"] == "/uk/"


def test_an_unknown_remembered_language_is_ignored(client):
    client.set_cookie("lang", "de")
    assert client.get("/", headers={"Accept-Language": "ti-ER"}).headers["Location"] == "/ti/"


def test_a_page_outside_a_prefix_is_in_the_remembered_language(client):
    client.get("/ru/")
    assert CheckedClient(client).get("/nowhere").tree.get("lang") == "ru"


@pytest.fixture
def tiny_catalogues(tmp_path, monkeypatch):
    """An app whose only catalogues are French and Russian, Russian lacking one string."""
    strings = {"fr": {"Hello": "Bonjour", "Goodbye": "Au revoir"}, "ru": {"Hello": "Привет"}}
    for lang, messages in strings.items():
        catalog = Catalog(locale=lang)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        with (tmp_path / lang / "LC_MESSAGES" / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "CATALOGUES", [tmp_path])
    app = Flask(__name__)
    i18n.init_app(app)
    return app


@pytest.mark.parametrize("lang, hello, goodbye", [
    ("ru", "Привет", "Au revoir"),  # missing in Russian: French, not the English msgid
    ("uk", "Bonjour", "Au revoir"),  # no catalogue at all: French
    ("fr", "Bonjour", "Au revoir"),
    ("en", "Hello", "Goodbye"),  # English is the msgids' language
])
def test_a_string_missing_from_a_catalogue_shows_in_french(tiny_catalogues, lang, hello, goodbye):
    with tiny_catalogues.test_request_context("/"), force_locale(lang):
        assert (gettext("Hello"), gettext("Goodbye")) == (hello, goodbye)


def test_the_real_catalogues_fall_back_to_french(app, monkeypatch):
    # Russian catalogues with no entries at all (as if every string had been removed): French shows.
    load = support.Translations.load

    def without_russian(dirname=None, locales=None, domain=None):
        return support.NullTranslations() if locales and str(locales[0]) == "ru" else load(dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", without_russian)
    with app.test_request_context("/ru/"), force_locale("ru"):
        assert gettext("Skip to main content") == "Aller au contenu"


@pytest.mark.parametrize("lang", [row.code for row in LANGUAGES.rows if not row.reviewed])
def test_a_draft_language_says_so_in_one_line_without_a_link_by_default(pages, lang):
    tree = pages.get(f"/{lang}/help").tree
    lines = tree.findall(".//footer//p[@data-review-status]")
    assert len(lines) == 1
    assert lines[0].find(".//a") is None
    assert text_of(lines[0])  # in the language's catalogue, else in French


@pytest.mark.parametrize("lang", [row.code for row in LANGUAGES.rows if row.reviewed])
def test_a_reviewed_language_has_no_draft_line(pages, lang):
    tree = pages.get(f"/{lang}/").tree
    assert tree.find(".//*[@data-review-status]") is None
    assert DRAFT_LINE not in text_of(tree)


def test_the_draft_line_links_to_the_deployers_help_address(app_config):
    from webapp.app import create_app
    app = create_app(dict(app_config, TRANSLATION_HELP_URL="https://example.org/translate"))
    client = CheckedClient(app.test_client())
    line = client.get("/ti/number").tree.find(".//footer//p[@data-review-status]")
    link = line.find("a")
    assert link.get("href") == "https://example.org/translate" and text_of(link)
    assert client.get("/fr/number").tree.find(".//*[@data-review-status]") is None


NINTH = """
import json, sys
from webapp import i18n
i18n.LANGUAGES = i18n.LanguageTable([*i18n.LANGUAGES.rows, i18n.Language("de", "Deutsch", "ltr", i18n.DRAFT)])
from webapp.app import create_app
app = create_app({"TESTING": True, "DATABASE": sys.argv[1], "SECRET_KEY": "x", "SMS_BACKEND": "outbox",
                  "ENVIRONMENT": "production"})
client = app.test_client()
page = client.get("/fr/").get_data(as_text=True)
print(json.dumps({
    "home": client.get("/de/").status_code,
    "switcher": 'hreflang="de"' in page,
    "manifest": client.get("/de/manifest.webmanifest").get_json(force=True)["lang"],
    "root": client.get("/", headers={"Accept-Language": "de-AT"}).headers["Location"],
    "sw": "/de/" in client.get("/sw.js").get_data(as_text=True),
    "api": client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Lang"]["enum"][-1],
}))
"""


def test_a_ninth_language_is_one_row_of_the_table(tmp_path):
    # The pybabel init of its catalogues is left out: its strings then show in French.
    done = subprocess.run([sys.executable, "-c", NINTH, str(tmp_path / "db.sqlite3")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "home": 200, "switcher": True, "manifest": "de", "root": "/de/", "sw": True, "api": "de"}


@pytest.mark.parametrize(("lang", "categories"), [
    # whole numbers only (days): Russian and Ukrainian keep "other" for fractions
    ("fr", {"one", "other"}), ("en", {"one", "other"}), ("ru", {"one", "few", "many"}),
    ("uk", {"one", "few", "many"}), ("ar", {"zero", "one", "two", "few", "many", "other"}),
])
def test_a_script_gets_every_plural_form_of_the_page_language_by_cldr_category(app, lang, categories):
    from flask_babel import force_locale  # noqa: PLC0415 (flask-babel, not our package)

    with app.test_request_context(f"/{lang}/dates"), force_locale(lang):
        forms = i18n.plural_forms("%(num)s day left.", "%(num)s days left.", num="{n}")
    assert set(forms) == categories
    assert all("{n}" in text for text in forms.values())
    if lang == "en":
        assert forms == {"one": "{n} day left.", "other": "{n} days left."}
