"""The one public way to send an SMS: log it, hand it to the configured backend, record the outcome."""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from sms import twilio_backend
from sms.delivery import Delivery, SendError
from sms.phones import mask
from webapp.settings import SettingError
from webapp.store import immediate, utcnow
from webapp.store import messages as message_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    """The outcome of `send`: the logged message and, on failure, the classified error."""

    message_id: int
    status: str
    sid: str | None = None
    error_code: int | None = None
    error: str | None = None
    transient: bool = False

    @property
    def ok(self) -> bool:
        """True when the backend accepted the message."""
        return self.error is None


def outbox_deliver(config: Mapping, to: str, body: str) -> Delivery:
    """Outbox backend: nothing leaves the machine; the logged message is the delivery."""
    return Delivery(sid="OB" + secrets.token_hex(16), status="sent")


BACKENDS: dict[str, Callable[[Mapping, str, str], Delivery]] = {
    "outbox": outbox_deliver,
    "twilio": twilio_backend.deliver,
}


def backend_for(config: Mapping) -> Callable[[Mapping, str, str], Delivery]:
    """The configured backend; SettingError naming SMS_BACKEND if there is none by that exact name."""
    name = config.get("SMS_BACKEND")
    if name not in BACKENDS:
        raise SettingError(f"SMS_BACKEND={name!r} cannot be used: expected "
                           f"{' or '.join(f'`{known}`' for known in BACKENDS)}.")
    return BACKENDS[name]


def send(db: Database, config: Mapping, to: str, body: str, *, person_id: int | None = None,
         reminder_id: int | None = None, now: datetime | None = None) -> SendResult:
    """Send one SMS through the configured backend; the message is logged before and after."""
    now = now or utcnow()
    backend = backend_for(config)  # before the message is logged, or it would stay `sending`
    with immediate(db):
        message_id = message_store.add_message(
            db, direction="outbound", phone=to, body=body, status="sending", now=now,
            person_id=person_id, reminder_id=reminder_id)
    try:
        delivery = backend(config, to, body)
    except SendError as error:
        status = "retrying" if error.transient else "failed"
        with immediate(db):
            message_store.set_outcome(db, message_id, status=status, now=utcnow(),
                                      error_code=error.code)
        log.warning("send to %s failed (%s, code %s): %s", mask(to),
                    "transient" if error.transient else "permanent", error.code, error)
        return SendResult(message_id, status, error_code=error.code, error=str(error),
                          transient=error.transient)
    with immediate(db):
        message_store.set_outcome(db, message_id, status=delivery.status, now=utcnow(),
                                  twilio_sid=delivery.sid)
    log.info("sent message %s to %s via %s", message_id, mask(to), config["SMS_BACKEND"])
    return SendResult(message_id, delivery.status, sid=delivery.sid)
