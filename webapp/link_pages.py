"""Reminders by SMS without JavaScript: the opt-in as plain forms under the language prefix.

    link_pages.reminders  /<lang>/reminders       what we text, when, what it costs, how to stop; number + language
    link_pages.code       /<lang>/reminders/code  the texted code; on success this device's token goes in the session
Each POST carries `csrf_token` and ends in a redirect (POST/redirect/GET); errors are shown on the page.
Linking merges what the session holds (dates, ticks, route) with what SMS recorded, through webapp.sync.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

import phonenumbers
from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from scheduler import rules
from webapp import content, journey, link, mydates, sync
from webapp.i18n import LANGUAGES, language_blueprint
from webapp.store import get_db, iso, utcnow

bp = language_blueprint("link_pages", __name__)  # the language prefix, CSRF on POST, private pages
TOKEN_KEY = "device_token"  # the device token of a linked session (the cookie is signed and HttpOnly)
PHONE_KEY = "optin_phone"  # the number a code was just texted to, until it is used
MAX_PHONE_CHARS = 32
LEAVE_ENDPOINT = "leave_pages.leave"  # stop reminders, delete, download, unlink (webapp/leave_pages.py)

ERRORS = {
    "phone.missing": _l("Enter your mobile number"),
    "phone.invalid": _l("Enter a mobile number: 10 digits for a French one, or + and the country code"),
    "lang.missing": _l("Choose the language of the texts"),
    "send.failed": _l("We could not send the text just now. Try again in a minute."),
    "code.missing": _l("Enter the code we texted you"),
    "code.invalid": _l("The code has 6 digits"),
    "code.expired": _l("This code no longer works. Ask for a new code."),
}



def _rate_limited(error: link.RateLimited) -> str:
    minutes = max(1, -(-error.retry_after // 60))
    return ngettext("Too many codes were asked for. Try again in %(num)d minute.",
                    "Too many codes were asked for. Try again in %(num)d minutes.", minutes)


def _linked_person() -> int | None:
    """The person this session's device is linked to, or None (never linked, or the link is gone)."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    try:
        return link.device_for(get_db(), token).person_id
    except link.Unlinked:
        return None


@bp.route("/reminders", methods=["GET", "POST"])
def reminders():
    """What reminders by SMS are; the form that texts a code to the person's number."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        phone, lang = request.form.get("phone", "")[:MAX_PHONE_CHARS], request.form.get("text_lang")
        if not phone.strip():
            errors["phone"] = str(ERRORS["phone.missing"])
        if lang not in LANGUAGES:
            errors["text_lang"] = str(ERRORS["lang.missing"])
        if not errors:
            try:
                link.request_code(get_db(), current_app.config, phone, lang, request.remote_addr, utcnow())
            except link.InvalidPhone:
                errors["phone"] = str(ERRORS["phone.invalid"])
            except link.RateLimited as error:
                errors["phone"] = _rate_limited(error)
            except link.SendFailed:
                errors["phone"] = str(ERRORS["send.failed"])
        if not errors:
            session[PHONE_KEY] = link.mobile_number(phone)
            session.permanent = True
            return redirect(url_for(".code"), code=303)
    delays = rules.Delays.from_config(current_app.config)
    typed = request.form.get("phone", session.get(PHONE_KEY, "") if request.method == "GET" else "")
    return render_template(
        "reminders.html", errors=errors, delays=delays, linked=_linked_person() is not None,
        phone=mydates.as_typed(typed)[:MAX_PHONE_CHARS], text_lang=request.form.get("text_lang", g.lang),
        sms_number=current_app.config.get("SMS_REPLY_NUMBER"), expires_minutes=link.CODE_VALID.seconds // 60,
        optin_errors=ERRORS,  # the same messages for static/js/optin.js
        leave_url=url_for(LEAVE_ENDPOINT) if LEAVE_ENDPOINT in current_app.view_functions else None)


@bp.route("/reminders/code", methods=["GET", "POST"])
def code():
    """The code texted to the number; the right one links this device and merges its dates with SMS's."""
    phone = session.get(PHONE_KEY)
    if not isinstance(phone, str):
        return redirect(url_for(".reminders"), code=303)
    errors: dict[str, str] = {}
    typed = request.form.get("code", "").strip().replace(" ", "")
    if request.method == "POST":
        if not typed:
            errors["code"] = str(ERRORS["code.missing"])
        elif not (len(typed) == link.CODE_DIGITS and typed.isascii() and typed.isdigit()):
            errors["code"] = str(ERRORS["code.invalid"])
        else:
            errors = _confirm(phone, typed)
        if not errors:
            flash(_l("This phone is linked: reminders by SMS are on."))
            return redirect(url_for(".reminders"), code=303)
    return render_template("reminders_code.html", errors=errors, shown_phone=_shown(phone),
                           expires_minutes=link.CODE_VALID.seconds // 60)


def _confirm(phone: str, typed: str) -> dict[str, str]:
    """Trade the code for a token, keep it in the session and merge the session's facts; the errors to show."""
    db, now = get_db(), utcnow()
    try:
        token = link.confirm_code(db, current_app.config, phone, typed, now)
    except link.WrongCode as error:
        return {"code": ngettext("This is not the code we texted. You can try %(num)d more time.",
                                 "This is not the code we texted. You can try %(num)d more times.",
                                 error.tries_left)}
    except (link.CodeExpired, link.InvalidPhone):
        session.pop(PHONE_KEY, None)
        return {"code": str(ERRORS["code.expired"])}
    session[TOKEN_KEY] = token
    session["sync_handover"] = token  # handed once to this page's JavaScript queue (templates/base.html)
    session.pop(PHONE_KEY, None)
    session.permanent = True
    clock = journey.Clock(now, rules.Delays.from_config(current_app.config))
    sync.apply_changes(db, link.device_for(db, token).person_id, session_changes(session, now), clock)
    return {}


def _shown(phone: str) -> str:
    """A number as people read it (+33 6 12 34 56 78)."""
    return phonenumbers.format_number(phonenumbers.parse(phone), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def session_changes(session: Mapping, now: datetime) -> list[dict]:
    """What this session holds (my dates, ticks, route) as sync changes (the OpenAPI Change schema), made `now`.

    Only what the device holds: nothing it lacks is sent as a removal, so what SMS recorded stays. Damaged
    values in an old cookie are left out.
    """
    at, batch = iso(now), secrets.token_hex(6)
    changes: list[dict] = []

    def add(field: str, value: dict, key: str | None = None) -> None:
        change = {"id": f"nojs-{batch}-{len(changes)}", "at": at, "field": field, "value": value}
        changes.append(change | ({"key": key} if key else {}))

    saved = mydates.state(session)
    sent_on, received_on = _day(saved.get("sent_on")), _day(saved.get("received_on"))
    if saved.get("method") in mydates.METHODS and sent_on:
        add("application", {"method": saved["method"], "sent_on": sent_on.isoformat()})
        if received_on:
            add("card", {"received_on": received_on.isoformat()})
    claims = saved.get("claims") if isinstance(saved.get("claims"), list) else []
    for claim in claims[:mydates.MAX_CLAIMS]:
        posted_on = _day(claim.get("posted_on")) if isinstance(claim, dict) else None
        if posted_on and isinstance(claim.get("id"), int):
            paid_on = _day(claim.get("paid_on"))
            # Its key on the server: the session's number and the day, so that two phones without JavaScript
            # do not take each other's feuille 1 for theirs (the same day's is likely the same form).
            add("claim", {"posted_on": posted_on.isoformat(), "paid_on": paid_on.isoformat() if paid_on else None},
                key=f"nojs-{claim['id']}-{posted_on:%Y%m%d}")
    done = session.get("done")
    for step in content.step_ids():
        if isinstance(done, list) and step in done:
            add("tick", {"done": True}, key=step)
    if route := content.route_of(session.get("route")):
        add("route", {"route": route})
    return changes


def _day(saved: object):
    return mydates.parse_day(saved) if isinstance(saved, str) else None
