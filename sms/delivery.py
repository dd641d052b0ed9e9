"""What a backend answers: a delivery, or a send error classified as transient or permanent."""
from __future__ import annotations

from dataclasses import dataclass

from sms.phones import mask_in_text

# Twilio's error for a number that sent STOP to Twilio itself: it must not be texted again.
OPTED_OUT_CODE = 21610


class SendError(Exception):
    """A backend refused or failed to send; `transient` says whether trying again may help.

    Its text goes to logs and to `reminders.last_error`, so any phone number in it is masked
    ("The 'To' number +33612345678 is not a valid phone number.", Twilio's 21211).
    """

    def __init__(self, message: str, *, code: int | None = None, transient: bool) -> None:
        super().__init__(mask_in_text(message))
        self.code = code
        self.transient = transient


@dataclass(frozen=True)
class Delivery:
    """What a backend answered: the provider's id for the message and its first status."""

    sid: str
    status: str
