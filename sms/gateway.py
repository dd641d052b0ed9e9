"""The one public way to send an SMS: log it, hand it to the configured backend, record the outcome.

Sending is handing a message we compose (today, a reminder) to a backend, the outbox or
Twilio's API: `send` is the only code that does it and logs it, one message at a time or, for the
outbox, many in the caller's transaction. Replies to an inbound SMS are not sent here: they are
TwiML in the webhook's HTTP answer, which Twilio delivers itself, and `sms/inbound.py` logs them as
outbound rows without any backend.
"""
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
from webapp import metrics
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
         reminder_id: int | None = None, now: datetime | None = None, in_transaction: bool = False) -> SendResult:
    """Send one SMS through the configured backend; the message is logged before and after.

    `in_transaction`: the caller holds a write transaction (`immediate`) and commits the message
    with its own writes, logged once with its outcome; so many sends cost one commit, and a
    message commits or rolls back with what the caller records about it. In-process backends only.
    """
    now = now or utcnow()
    backend = backend_for(config)  # before the message is logged, or it would stay `sending`
    message = {"direction": "outbound", "phone": to, "body": body, "now": now, "person_id": person_id,
               "reminder_id": reminder_id}
    if in_transaction:
        _check_in_process(db, config)
        answer = _hand_over(backend, config, to, body)
        message_id = message_store.add_message(db, **message, **_outcome(answer))
    else:
        with immediate(db):
            message_id = message_store.add_message(db, **message, status="sending")
        answer = _hand_over(backend, config, to, body)
        with immediate(db):
            message_store.set_outcome(db, message_id, now=utcnow(), **_outcome(answer))
    if isinstance(answer, SendError):
        metrics.sent(config["SMS_BACKEND"], answer.code, answer.transient)
        log.warning("send to %s failed (%s, code %s): %s", mask(to),
                    "transient" if answer.transient else "permanent", answer.code, answer)
        return SendResult(message_id, _outcome(answer)["status"], error_code=answer.code, error=str(answer),
                          transient=answer.transient)
    metrics.sent(config["SMS_BACKEND"])
    if log.isEnabledFor(logging.INFO):  # masking costs more than the outbox's own hand-over
        log.info("sent message %s to %s via %s", message_id, mask(to), config["SMS_BACKEND"])
    return SendResult(message_id, answer.status, sid=answer.sid)


# Backends that hand a message over in-process, with no network call: the only ones that may run
# under the caller's write lock, where a provider's timeout would stall every other writer.
IN_PROCESS = frozenset({"outbox"})


def _check_in_process(db: Database, config: Mapping) -> None:
    if config["SMS_BACKEND"] not in IN_PROCESS:
        raise ValueError(f"SMS_BACKEND={config['SMS_BACKEND']!r} calls a provider: it cannot send inside"
                         " the caller's transaction")
    if not db.conn.in_transaction:
        raise ValueError("in_transaction=True, but no transaction is open")


def _hand_over(backend: Callable[[Mapping, str, str], Delivery], config: Mapping, to: str,
               body: str) -> Delivery | SendError:
    try:
        return backend(config, to, body)
    except SendError as error:  # classified by the backend: the caller retries or gives up
        return error


def _outcome(answer: Delivery | SendError) -> dict:
    """What the message log keeps of a backend's answer."""
    if isinstance(answer, SendError):
        return {"status": "retrying" if answer.transient else "failed", "twilio_sid": None,
                "error_code": answer.code}
    return {"status": answer.status, "twilio_sid": answer.sid, "error_code": None}
