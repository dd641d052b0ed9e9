"""Twilio webhooks: POST /sms/inbound (TwiML reply) and POST /sms/status (status callbacks)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")
