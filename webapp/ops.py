"""The operator console /ops: sign-in, its guard over every view, the queue, a number's history and the audit log."""
from __future__ import annotations

import secrets
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sms import phones
from webapp import operators, ops_dashboard, security
from webapp.i18n import select_locale
from webapp.operators import Action
from webapp.ops_text import OPS, shown_language
from webapp.store import get_db, iso, parse_iso, utcnow
from webapp.store import operators as store

bp = Blueprint("ops", __name__, url_prefix="/ops")
SESSION_KEY = "ops"
# The only views open without a session: the sign-in form and its POST (the guard's one exception).
OPEN_ENDPOINTS = frozenset({"ops.sign_in"})
QUEUE_AHEAD = timedelta(hours=24)
QUEUE_SHOWN = 100
AUDIT_SHOWN = 200
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
NAV = (("ops.dashboard", _l("Today")), ("ops.queue", _l("Queue")), ("ops.number", _l("Number")),
       ("ops.audit", _l("Audit log")))
# How the audit log words each stored action.
ACTIONS = {Action.SIGNED_IN: _l("signed in"), Action.SIGNED_OUT: _l("signed out"),
           Action.REFUSED: _l("sign-in refused"), Action.LOOKED_UP: _l("looked up a number"),
           Action.REVEALED: _l("revealed a number and its texts"), Action.RETRIED: _l("retried a reminder"),
           Action.ERASED: _l("erased a person")}
ERRORS = {400: (_l("The form was too old"), _l("Go back, reload the page and try again.")),
          403: (_l("You are not signed in"), _l("Your session may have ended. Sign in again.")),
          413: (_l("What you sent is too big"), _l("Go back and try again."))}


def signed_in_operator() -> str | None:
    """The operator of this session, None when signed out or idle longer than OPS_SESSION_MINUTES (then
    signed out, and `g.ops_ended` says so). Each request keeps the session alive."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict) or not isinstance(held.get("operator"), str):
        return None
    idle = time.time() - float(held.get("seen") or 0)
    account = store.operator_by_name(get_db(), held["operator"])  # disabled meanwhile: signed out now
    if not 0 <= idle <= 60 * int(current_app.config["OPS_SESSION_MINUTES"]) or not account or account["disabled_at"]:
        session.pop(SESSION_KEY, None)
        g.ops_ended = True
        return None
    session[SESSION_KEY] = {"operator": held["operator"], "seen": int(time.time())}
    return held["operator"]


@bp.before_request
def guard():
    """Every /ops request: the console's language; then, but for the sign-in, a live session (a GET without
    one goes to the sign-in, a POST is refused: 403, nothing done); and every POST's CSRF token."""
    OPS.as_default()
    g.ops_lang = shown_language(select_locale())
    if request.endpoint not in OPEN_ENDPOINTS:
        g.operator = signed_in_operator()
        if g.operator is None:
            if request.method not in ("GET", "HEAD"):
                abort(403)
            return redirect(url_for("ops.sign_in", ended=1 if g.get("ops_ended") else None), 303)
    security.check_post()
    return None


@bp.after_request
def private(response):
    """No cache keeps an /ops page, no search engine lists one."""
    response.headers.update(HEADERS)
    return response


def local(text: str | None, seconds: bool = False) -> str:
    """An instant as stored, in the deployment's TIMEZONE ("" for none)."""
    if not text:
        return ""
    moment = parse_iso(text).astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


@bp.context_processor
def console_context() -> dict:
    """What ops/base.html needs: the page's language, who is signed in, the nav, local times, masking."""
    return {"ops_lang": g.get("ops_lang", "en"), "operator": g.get("operator"), "nav": NAV, "local": local,
            "mask": phones.mask, "timezone": current_app.config["TIMEZONE"]}


def console_error(error):
    """Our page for an error of a console request, in the console's language."""
    title, advice = ERRORS.get(error.code, ERRORS[400])
    return render_template("ops/error.html", code=error.code, title=title, advice=advice), error.code


for code in ERRORS:
    bp.register_error_handler(code, console_error)


# -- signing in and out -------------------------------------------------------------------------------------
@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in form; its POST checks the name and password under the rate limit."""
    if request.method == "GET":
        said = _("Your session ended. Sign in again.") if request.args.get("ended") else None
        return render_template("ops/sign_in.html", errors={}, name="", said=said)
    name, password = request.form.get("name", "").strip()[:64], request.form.get("password", "")[:1024]
    errors = {field: message for field, message, missing in (
        ("name", _("Enter your operator name"), not name), ("password", _("Enter your password"), not password))
        if missing}
    if not errors:
        try:
            operators.sign_in(get_db(), current_app.config, name, password, request.remote_addr, utcnow())
        except operators.RateLimited as refused:
            wait = max(1, int((refused.until - utcnow()).total_seconds()))
            return (render_template("ops/too_many.html", until=local(iso(refused.until))[-5:],
                                    minutes=-(-wait // 60)), 429, {"Retry-After": str(wait)})
        except operators.WrongCredentials:
            errors = {"name": _("The name or the password is wrong")}
    if errors:
        return render_template("ops/sign_in.html", errors=errors, name=name, said=None)
    # A new CSRF token: one planted in this browser before the sign-in is no use after it. The rest of the
    # session (a checklist's ticks) stays.
    session[security.CSRF_FIELD] = secrets.token_urlsafe(16)
    session.permanent = True
    session[SESSION_KEY] = {"operator": name, "seen": int(time.time())}
    return redirect(url_for("ops.dashboard"), 303)


@bp.post("/sign-out")
def sign_out():
    """End this operator's session (audited); the rest of the browser's session stays."""
    operators.audit(get_db(), g.operator, Action.SIGNED_OUT, utcnow())
    session.pop(SESSION_KEY, None)
    flash(_("You are signed out."))
    return redirect(url_for("ops.sign_in"), 303)


# -- the views ----------------------------------------------------------------------------------------------
@bp.get("/")
def dashboard():
    """Today and the last 30 days (webapp.ops_dashboard)."""
    db, config, now = get_db(), current_app.config, utcnow()
    return render_template("ops/dashboard.html", **ops_dashboard.dashboard(db, config, now),
                           service=ops_dashboard.service(db, config, now))


@bp.get("/queue")
def queue():
    """Reminders due in the next 24 hours, those a pass holds, those that failed."""
    db, now = get_db(), utcnow()
    due_count, due = store.due_between(db, now, now + QUEUE_AHEAD, QUEUE_SHOWN)
    return render_template("ops/queue.html", due_count=due_count, due=due, shown=QUEUE_SHOWN,
                           sending=store.in_state(db, "sending", QUEUE_SHOWN),
                           failed=store.in_state(db, "failed", QUEUE_SHOWN),
                           failed_count=store.count_in_state(db, "failed"))


@bp.post("/queue/<int:reminder_id>/retry")
def retry(reminder_id: int):
    """Send a failed reminder again at the next pass."""
    if operators.retry(get_db(), g.operator, reminder_id, utcnow()):
        flash(_("Reminder %(id)s will be sent at the next pass.", id=reminder_id))
    else:
        flash(_("Reminder %(id)s is not failed any more: nothing was changed.", id=reminder_id))
    return redirect(url_for("ops.queue"), 303)


def _typed_number() -> str | None:
    raw = request.form.get("phone", "").strip()[:32]
    return phones.normalise(raw) if raw else None


@bp.route("/number", methods=["GET", "POST"])
def number():
    """A number's history for a support call: masked, texts hidden. A POST, so the number stays out of URLs
    and request logs."""
    if request.method == "GET":
        return render_template("ops/number.html", history=None, errors={})
    phone = _typed_number()
    if phone is None:
        return render_template("ops/number.html", history=None,
                               errors={"phone": _("Enter a phone number, for example 06 12 34 56 78")})
    history = operators.history(get_db(), g.operator, phone, utcnow())
    return render_template("ops/number.html", history=history, errors={}, revealed=False)


@bp.post("/number/reveal")
def reveal():
    """The same history with the number and the texts in clear, for this response only (audited)."""
    phone = _typed_number()
    if phone is None:
        return redirect(url_for("ops.number"), 303)
    history = operators.history(get_db(), g.operator, phone, utcnow(), revealed=True)
    return render_template("ops/number.html", history=history, errors={}, revealed=True)


@bp.post("/number/erase")
def erase():
    """Erase everything held about the number, on the person's request, once the operator confirmed it."""
    phone = _typed_number()
    if phone is None:
        return redirect(url_for("ops.number"), 303)
    if request.form.get("asked") != "yes":
        history = operators.history(get_db(), g.operator, phone, utcnow())
        return render_template("ops/number.html", history=history, revealed=False,
                               errors={"asked": _("Tick the box to confirm the person asked for this")})
    operators.erase(get_db(), current_app.config, g.operator, phone, utcnow())
    flash(_("Everything held about %(number)s is erased. Backups keep it until their retention ends.",
            number=phones.mask(phone)))
    return redirect(url_for("ops.number"), 303)


@bp.get("/audit")
def audit():
    """The latest operator actions, newest first."""
    lines = store.audit_log(get_db(), AUDIT_SHOWN)
    return render_template("ops/audit.html", lines=lines, actions=ACTIONS, shown=AUDIT_SHOWN)
