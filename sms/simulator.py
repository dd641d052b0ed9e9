"""The phone simulator at /dev/phone: text the service as any number, see every message it got (outbox only).

It tells the truth about what the webhook would do: every reply, DELETE's too (which nothing stores), each
silence as a warning with its reason, and times in the local time zone (TIMEZONE), reminders included.
"""
from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for

from sms import inbound, phones, privacy
from webapp.security import check_post
from webapp.store import get_db, parse_iso
from webapp.store import messages as message_store

# The flashed outcome of the last text, one category each: why it got no reply, or a reply no log holds.
SILENCE, UNLOGGED = "silence", "unlogged"

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
    """Every message to and from the number (replies and reminders alike), oldest first, with its local time."""
    if not phone:
        return []
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return [dict(message, local_time=local_time(message["created_at"], zone))
            for message in reversed(message_store.log(get_db(), phone))]


def local_time(instant: str, zone: ZoneInfo) -> str:
    """A stored UTC instant as people there read it: 02/03/2026 13:00:05 CET."""
    return parse_iso(instant).astimezone(zone).strftime("%d/%m/%Y %H:%M:%S %Z")


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
    shown = privacy.redact(body).strip()
    if outcome.silent_because:
        flash({"text": shown[:40], "reason": outcome.silent_because}, SILENCE)
    elif message_store.by_twilio_sid(get_db(), message.sid) is None:  # DELETE: the reply went, no log holds it
        flash({"text": shown, "reply": outcome.reply}, UNLOGGED)
    return redirect(url_for("dev_phone.phone_page", phone=phone, _anchor="latest"), code=303)
