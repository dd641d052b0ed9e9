"""Security headers on every response, and a CSRF token kept in the session for every POST form."""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import Flask, Response, abort, request, session
from flask.sessions import SecureCookieSessionInterface

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; manifest-src 'self'; "
       "worker-src 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
CSRF_FIELD = "csrf_token"
# Forms here are a few ticks and dates; anything bigger is not ours.
MAX_FORM_BYTES = 16 * 1024
# Machine endpoints (Twilio's webhooks) never use a session: no cookie to verify, none to set.
SESSIONLESS_PATHS = ("/sms/",)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, not even opened on the sessionless paths."""

    def open_session(self, app, request):
        if request.path.startswith(SESSIONLESS_PATHS):
            return self.null_session_class()  # Flask then skips save_session as well
        return super().open_session(app, request)


def csrf_token() -> str:
    """The session's CSRF token, made once per session (stable, so a cached page keeps working)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(16)
        session.permanent = True  # outlives the browser, so an offline copy of a page can still post
    return session[CSRF_FIELD]


def check_post() -> None:
    """Before a page POST: refuse oversize bodies (413) and a missing or wrong CSRF token (400)."""
    if request.method != "POST":
        return
    request.max_content_length = MAX_FORM_BYTES
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf")


def add_headers(response: Response) -> Response:
    """Put the security headers on a response (errors included), keeping any a view set itself."""
    # One pass over the response's headers, not one case-insensitive search per header (setdefault).
    present = {name.lower() for name, _value in response.headers.items()}
    response.headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response, `csrf_token()` to every template; harden the session cookie."""
    app.session_interface = CookieSessions()
    app.permanent_session_lifetime = timedelta(days=app.config["SESSION_DAYS"])
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    if str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.after_request(add_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
