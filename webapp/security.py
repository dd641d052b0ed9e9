"""Security headers on every response, only trusted Host headers, and a CSRF token for every POST form."""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import SecurityError

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; manifest-src 'self'; "
       "worker-src 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Sent only when PUBLIC_BASE_URL is https: a year, without includeSubDomains or preload, which would bind
# the deployer's other names too and cannot be taken back quickly.
HSTS = {"Strict-Transport-Security": "max-age=31536000"}
# The machine itself (`make run`, an operator's curl, the test client): a link to it leads nowhere else.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
CSRF_FIELD = "csrf_token"
# Forms here are a few ticks and dates; anything bigger is not ours.
MAX_FORM_BYTES = 16 * 1024
# Machine endpoints (Twilio's webhooks, the health check, Prometheus' scrape) never use a session: no cookie to
# verify, none to set.
SESSIONLESS_PATHS = ("/sms/", "/healthz", "/metrics")


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


def add_headers(response: Response, headers: dict[str, str] = HEADERS) -> Response:
    """Put the security headers on a response (errors included), keeping any a view set itself."""
    # One pass over the response's headers, not one case-insensitive search per header (setdefault).
    present = {name.lower() for name, _value in response.headers.items()}
    response.headers.extend([(name, value) for name, value in headers.items() if name.lower() not in present])
    return response


def trusted_hosts(public_base_url: str) -> list[str]:
    """The Host names served: PUBLIC_BASE_URL's and the loopback ones; Werkzeug answers any other with 400."""
    public = urlsplit(public_base_url).hostname
    return list(dict.fromkeys([public, *LOOPBACK_HOSTS] if public else LOOPBACK_HOSTS))


def untrusted_host(error: SecurityError) -> SecurityError:
    """Werkzeug's plain 400: no URL can be built for a host we refuse, so not our page."""
    return error


def init_app(app: Flask) -> None:
    """Add the headers to every response, `csrf_token()` to every template; trust only our hosts; harden the cookie."""
    app.session_interface = CookieSessions()
    app.permanent_session_lifetime = timedelta(days=app.config["SESSION_DAYS"])
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    public_base_url = str(app.config.get("PUBLIC_BASE_URL", ""))
    # Redirects and request.url are built from the Host header: never from one we do not serve.
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(public_base_url)
    app.register_error_handler(SecurityError, untrusted_host)
    https = public_base_url.startswith("https://")
    if https:
        app.config["SESSION_COOKIE_SECURE"] = True
    app.after_request(partial(add_headers, headers=HEADERS | HSTS if https else HEADERS))
    app.jinja_env.globals["csrf_token"] = csrf_token
