"""PWA plumbing: the web app manifest of each language and the service worker with its precache list."""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp import settings
from webapp.assets import asset_url
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
THEME_COLOUR = "#1d4f91"  # the same as templates/base.html and static/css/app.css
BACKGROUND_COLOUR = "#ffffff"
CACHE_PREFIX = "cv-shell-"
# The blueprint whose GET pages make the offline shell, in every language.
SHELL_BLUEPRINT = "pages"
ICONS = (("icons/icon-192.png", "192x192", "any"), ("icons/icon-512.png", "512x512", "any"),
         ("icons/icon-maskable-512.png", "512x512", "maskable"))
# What a page is made of: a change to any of these must give the service worker a new cache.
SHELL_SOURCES = (("templates", "*"), ("static", "*"), ("webapp", "*.py"), ("webapp/translations", "*.po"),
                 ("webapp/translations", "*.mo"), ("scheduler", "rules.py"))
# Settings never mixed into the cache name (secrets); every other setting may show on a page.
SECRET_SETTINGS = {"SECRET_KEY", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID"}

bp = Blueprint("pwa", __name__)


@bp.get("/<any({}):lang>/manifest.webmanifest".format(", ".join(LANGUAGES)))
def manifest(lang: str) -> Response:
    """The web app manifest, in the page's language."""
    with force_locale(lang):
        body = {
            "id": "/",
            "name": _("Carte Vitale step by step"),
            "short_name": "Carte Vitale",
            "description": _("How to get and use your carte Vitale, the French health insurance card, "
                             "step by step."),
            "lang": lang,
            "dir": LANGUAGES.row(lang).direction,
            "start_url": url_for("pages.checklist", lang=lang),
            "scope": url_for("home.index"),
            "display": "standalone",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": [{"src": asset_url(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
                      for path, sizes, purpose in ICONS],
        }
    return _revalidated(json.dumps(body, ensure_ascii=False), "application/manifest+json")


def shell_pages() -> dict[str, list[str]]:
    """The URL of every GET page of the pages blueprint and the manifest, by language."""
    endpoints = sorted({rule.endpoint for rule in current_app.url_map.iter_rules()
                        if rule.endpoint.startswith(SHELL_BLUEPRINT + ".") and "GET" in rule.methods
                        and rule.arguments == {"lang"}})
    return {lang: [url_for(endpoint, lang=lang) for endpoint in endpoints] + [url_for(".manifest", lang=lang)]
            for lang in LANGUAGES}


# Static files the offline shell does without: the phone simulator's stylesheet exists only in development;
# the opt-in's script (on /reminders) and the leaving one (on /leave), not on shell pages, need the network anyway;
# the operator console's stylesheet is for the association's staff, not for the people the phone serves.
NOT_IN_SHELL = frozenset({"css/dev_phone.css", "js/optin.js", "js/leave.js", "css/ops.css"})


def static_files() -> list[str]:
    """Every file under static/ the app's pages use (CSS, JavaScript, icons), as a filename for `asset_url`."""
    root = Path(current_app.static_folder)
    return sorted(name for path in root.rglob("*")
                  if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
                  and (name := path.relative_to(root).as_posix()) not in NOT_IN_SHELL)


@functools.cache  # the files cannot change under a running process (Jinja caches templates too)
def _sources_digest() -> bytes:
    """A hash of the files the shell is built from, read once per process."""
    digest = hashlib.sha256()
    for folder, pattern in SHELL_SOURCES:
        for path in sorted((ROOT / folder).rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def shell_version(precache: list[str]) -> str:
    """A hash of what the shell is built from: sources, translations, settings and the URL list.

    Rendered pages are not hashed: they carry a per-session CSRF token.
    """
    digest = hashlib.sha256(_sources_digest())
    shown = {s.name: current_app.config.get(s.name) for s in settings.SETTINGS if s.name not in SECRET_SETTINGS}
    digest.update(json.dumps(shown, sort_keys=True, default=str).encode())
    digest.update("\n".join(precache).encode())
    return digest.hexdigest()[:16]


def shell() -> dict:
    """What the service worker needs: its cache name, what to precache, each language's home page."""
    pages = shell_pages()
    assets = [asset_url(filename) for filename in static_files()]
    return {
        "cache": CACHE_PREFIX + shell_version([url for lang in LANGUAGES for url in pages[lang]] + assets),
        "prefix": CACHE_PREFIX,
        # By language, fetched fresh from the server: the worker precaches the languages in use, and
        # another language's pages once one of them is opened (a first visit stays small).
        "pages": pages,
        "assets": assets,  # content-hashed URLs: the browser's HTTP cache has the right bytes if any
        "homes": {lang: url_for("pages.checklist", lang=lang) for lang in LANGUAGES},
        "defaultLanguage": DEFAULT_LANGUAGE,
        "sync": asset_url("js/sync.js"),  # the offline queue, imported by the worker for Background Sync
    }


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, generated so that its precache list and cache name follow the contents."""
    return _revalidated(render_template("pwa/sw.js", shell=shell()), "text/javascript")


def _revalidated(body: str, mimetype: str) -> Response:
    # Fixed URLs (no hash in them): the browser must ask every time, and gets a 304 when nothing changed.
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)
