"""Twilio webhooks: POST /sms/inbound (TwiML reply) and POST /sms/status (status callbacks).

Thin handlers: verify the signature, decode, normalise, hand to the core, render.
"""
from __future__ import annotations

import functools
import hmac
import logging

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from sms import callbacks, inbound
from webapp.store import thread_db

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")

# Twilio's webhooks are a few hundred bytes; anything much bigger is not Twilio.
MAX_WEBHOOK_BYTES = 64 * 1024


@bp.before_request
def verify_signature() -> None:
    """403 unless X-Twilio-Signature verifies against PUBLIC_BASE_URL + path with the auth token."""
    request.max_content_length = MAX_WEBHOOK_BYTES  # larger: 413 from request.form, nothing read
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        log.warning("%s refused: %s", request.path, "no auth token configured" if not token else "no signature")
        abort(403)
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.full_path.rstrip("?")
    if not is_signed(token, url, request.form, signature):
        log.warning("%s refused: the signature does not verify", request.path)
        abort(403)


def is_signed(token: str, url: str, form, signature: str) -> bool:
    """Twilio's check; the common case (the URL exactly as configured) is tried first, once."""
    validator = RequestValidator(token)
    if hmac.compare_digest(validator.compute_signature(url, form).encode(), signature.encode()):
        return True
    return validator.validate(url, form, signature)  # the same URL with or without its port


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
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid or "From" not in form:
        abort(400)
    message = inbound.Inbound(sender=form["From"].strip(), body=form.get("Body", ""), sid=sid,
                              carrier_answered=bool(form.get("OptOutType")))
    reply = inbound.handle(thread_db(), current_app.config, message)
    return Response(twiml_for(reply), mimetype="application/xml")


@bp.post("/status")
def status() -> tuple[str, int]:
    """A status callback for a message we sent: recorded, never moving backwards."""
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid:
        abort(400)
    callbacks.apply_status(thread_db(), current_app.config, sid, form.get("MessageStatus") or form.get("SmsStatus"),
                           form.get("ErrorCode"))
    return "", 204
