"""The phone simulator at /dev/phone: text the service as any number, see every message it got (outbox only)."""
from __future__ import annotations

import secrets

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for

from sms import inbound, phones, privacy
from webapp.security import check_post
from webapp.store import get_db
from webapp.store import messages as message_store

bp = Blueprint("dev_phone", __name__, url_prefix="/dev")
bp.before_request(check_post)  # CSRF token and body size, as for every form of the site


def enabled(config) -> bool:
    """Only in development, named exactly, and with the outbox (nothing can leave the machine)."""
    # Whoever reaches it reads and erases anyone's data: on for one exact value rather than off for one,
    # so that `prod` or `Production` can never open it.
    return config.get("SMS_BACKEND") == "outbox" and config.get("ENVIRONMENT") == "development"


def init_app(app: Flask) -> None:
    """Add /dev/phone when the settings allow it; otherwise the URL does not exist (404)."""
    if enabled(app.config):
        app.register_blueprint(bp)


def _conversation(phone: str | None) -> list[dict]:
    """Every message to and from the number (replies and reminders alike), oldest first."""
    return list(reversed(message_store.log(get_db(), phone))) if phone else []


@bp.get("/phone")
def phone_page():
    """The simulated phone for the number in the query string."""
    phone = phones.normalise(request.args.get("phone", "")) if request.args.get("phone") else None
    return render_template("dev_phone.html", phone=phone, typed=phone or "", body="", errors={},
                           conversation=_conversation(phone))


@bp.post("/phone")
def send_text():
    """Hand the text to the same core as the Twilio webhook, then show the phone again (PRG)."""
    typed, body = request.form.get("phone", "").strip(), request.form.get("body", "")
    phone = phones.normalise(typed) if typed else None
    errors = {}
    if phone is None:
        errors["phone"] = "Enter a phone number, for example 06 12 34 56 78 or +33612345678."
    if not body.strip():
        errors["body"] = "Enter the text of the SMS."
    if errors:
        return render_template("dev_phone.html", phone=phone, typed=typed, body=body, errors=errors,
                               conversation=_conversation(phone)), 400
    message = inbound.Inbound(sender=phone, body=body, sid="SIM" + secrets.token_hex(16))
    outcome = inbound.respond(get_db(), current_app.config, message)
    if outcome.silent_because:
        flash(f"No reply to “{privacy.redact(body).strip()[:40]}”: {outcome.silent_because}.")
    return redirect(url_for("dev_phone.phone_page", phone=phone, _anchor="latest"), code=303)
