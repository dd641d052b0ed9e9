"""Error pages (400, 403, 404, 405, 413, 500, 503) in the person's language; a busy database is a 503."""
from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from webapp.i18n import select_locale
from webapp.store import BUSY_TIMEOUT_MS, Busy

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something went wrong with the form"),
          _l("The page may be old. Go back, reload the page and try again.")),
    403: (_l("You cannot open this page"), _l("This page is not for the public.")),
    404: (_l("Page not found"), _l("Check the address, or go back to the checklist.")),
    405: (_l("Page not found"), _l("Check the address, or go back to the checklist.")),
    413: (_l("What you sent is too big"), _l("Go back and try again with less text.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Try again later.")),
    503: (_l("Sorry, there is a problem with the service"), _l("Try again later.")),
}
RETRY_AFTER_SECONDS = 5
# Machine endpoints (SMS webhooks, JSON) keep Werkzeug's plain errors; pages get ours.
HTML_BLUEPRINTS = {None, "pages", "home", "pwa", "leave_pages", "link_pages"}


def render_error(error: HTTPException):
    """Our page for an HTTP error, in the language of the URL or of the browser."""
    if request.blueprint not in HTML_BLUEPRINTS:
        return error
    code = error.code if error.code in MESSAGES else 500
    g.lang = select_locale()  # for url_for: an unmatched URL under /en/ never set it
    title, advice = MESSAGES[code]
    headers = {name: value for name, value in error.get_headers() if name != "Content-Type"}  # Allow, Retry-After
    return render_template("error.html", code=code, title=title, advice=advice), code, headers


def busy(_error: Busy):
    """503 with Retry-After: the write lock stayed taken for the whole busy timeout, and nothing was written.

    Twilio then calls the Fallback URL or retries (README), instead of timing out on a webhook that hangs.
    """
    log.warning("%s answered 503: the database stayed busy for %d ms", request.path, BUSY_TIMEOUT_MS)
    return render_error(ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS))


def init_app(app: Flask) -> None:
    """Register our page for each error we name, and the 503 of a busy database."""
    for code in MESSAGES:
        app.register_error_handler(code, render_error)
    app.register_error_handler(Busy, busy)
