"""Twilio status callbacks: Twilio's statuses and error codes read into ours; what they mean is the journey's
(never backwards, the reminder's delivery, 21610 means STOP)."""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime

from sqlite_utils import Database

from scheduler.rules import Delays
from webapp import journey
from webapp.store import immediate, utcnow
from webapp.store import messages as message_store

log = logging.getLogger(__name__)

# Twilio's MessageStatus → ours. Twilio's "sending" is still in the carrier's hands: "queued" for us.
TWILIO_STATUSES: dict[str, str] = {
    "accepted": "queued", "scheduled": "queued", "queued": "queued", "sending": "queued",
    "sent": "sent", "delivered": "delivered", "read": "delivered",
    "undelivered": "undelivered", "failed": "failed", "canceled": "failed",
}
# Twilio's error codes are five digits today; up to six leaves room and stays far inside SQLite's integer.
# ASCII digits only: str.isdigit() also passes `²` (which int() refuses) and other scripts' digits.
ERROR_CODE = re.compile(r"[0-9]{1,6}")


def _error_code(raw: str | None) -> int | None:
    """The callback's ErrorCode, 1 to 999999; None (unknown) for anything else."""
    text = (raw or "").strip()
    code = int(text) if ERROR_CODE.fullmatch(text) else 0
    return code or None


def apply_status(db: Database, config: Mapping, sid: str, twilio_status: str, error_code: str | None,
                 now: datetime | None = None) -> bool:
    """Record a status callback for our message `sid`; True if the message's status moved on."""
    now = now or utcnow()
    status = TWILIO_STATUSES.get((twilio_status or "").strip().lower())
    code = _error_code(error_code)
    with immediate(db):
        message = message_store.by_twilio_sid(db, sid)
        if message is None or message["direction"] != "outbound":
            log.info("status %r for unknown message %s ignored", twilio_status, sid)
            return False
        return journey.message_status(db, message, status, code, journey.Clock(now, Delays.from_config(config)))
