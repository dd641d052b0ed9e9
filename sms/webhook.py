"""Twilio webhooks: POST /sms/inbound (TwiML reply) and POST /sms/status (status callbacks).

Thin handlers: verify the signature, decode, normalise, hand to the core, render.
"""
from __future__ import annotations

import functools
import hmac
import logging
import re
import time

from flask import Blueprint, Response, abort, current_app, g, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from sms import callbacks, inbound
from webapp import metrics
from webapp.settings import ACCOUNT_SID
from webapp.store import get_db

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")

# Twilio's webhooks are a few hundred bytes; anything much bigger is not Twilio.
MAX_WEBHOOK_BYTES = 64 * 1024


@bp.before_request
def start_clock() -> None:
    """Note when the webhook came in (first: the signature check's time counts too)."""
    g.webhook_started = time.perf_counter()


@bp.after_request
def observe_latency(response: Response) -> Response:
    """Record the webhook's latency, by endpoint and status (refusals and 503s included)."""
    metrics.webhook_answered(request.path, response.status_code, time.perf_counter() - g.webhook_started)
    return response


@bp.before_request
def verify_signature() -> None:
    """403 unless X-Twilio-Signature verifies against PUBLIC_BASE_URL + path with the auth token."""
    request.max_content_length = MAX_WEBHOOK_BYTES  # larger: 413 from request.form, nothing read
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        log.warning("%s refused: %s", request.path, "no auth token configured" if not token else "no signature")
        abort(403)
    if not is_signed(token, called_url(), request.form, signature):
        log.warning("%s refused: the signature does not verify", request.path)
        abort(403)


def called_url() -> str:
    """PUBLIC_BASE_URL + path, then the query string exactly as sent (Twilio signs the URL as configured)."""
    # The raw query, not full_path.rstrip("?"), which also cut a `?` ending a value (`?next=?`).
    query = request.query_string.decode("utf-8", "replace")
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path + (f"?{query}" if query else "")


def is_signed(token: str, url: str, form, signature: str) -> bool:
    """Twilio's check; the common case (the URL exactly as configured) is tried first, once."""
    validator = RequestValidator(token)
    if hmac.compare_digest(validator.compute_signature(url, form).encode(), signature.encode()):
        return True
    return validator.validate(url, form, signature)  # the same URL with or without its port


# Twilio's SIDs: two letters naming the kind, then 32 lowercase hex digits. Held to that exactly because
# the signature joins names and values with no separator: a captured request re-cut at another boundary
# (`MessageSid=SM…&NumMedia=0` as `MessageSid=SM…NumMedia0`) still verifies, with a SID never seen.
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-f]{32}")


def message_sid(form) -> str:
    """The request's well-formed MessageSid, from our Twilio account (when set); 400 for anything else."""
    sids = set(form.getlist("MessageSid") + form.getlist("SmsSid"))  # Twilio sends both, equal
    accounts = set(form.getlist("AccountSid"))
    sid = sids.pop() if len(sids) == 1 else ""
    account = accounts.pop() if len(accounts) == 1 else ""
    ours = current_app.config.get("TWILIO_ACCOUNT_SID") or account
    if not (MESSAGE_SID.fullmatch(sid) and ACCOUNT_SID.fullmatch(account) and account == ours):
        log.warning("%s refused: a malformed or foreign MessageSid or AccountSid", request.path)
        abort(400)
    return sid


@functools.lru_cache(maxsize=1024)  # replies repeat; building the XML tree costs more than the lookup
def twiml_for(reply: str | None) -> str:
    """The TwiML answer: one <Message> with the reply, or an empty <Response/> for silence."""
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return str(twiml)


@bp.post("/inbound")
def receive() -> Response:
    """An SMS came in: apply it and answer with TwiML (an empty response means no reply)."""
    form = request.form
    sid = message_sid(form)
    if "From" not in form:
        abort(400)
    message = inbound.Inbound(sender=form["From"].strip(), body=form.get("Body", ""), sid=sid,
                              carrier_answered=bool(form.get("OptOutType")))
    reply = inbound.handle(get_db(), current_app.config, message)
    return Response(twiml_for(reply), mimetype="application/xml")


@bp.post("/status")
def status() -> tuple[str, int]:
    """A status callback for a message we sent: recorded, never moving backwards."""
    form = request.form
    sid = message_sid(form)
    callbacks.apply_status(get_db(), current_app.config, sid, form.get("MessageStatus") or form.get("SmsStatus"),
                           form.get("ErrorCode"))
    return "", 204
