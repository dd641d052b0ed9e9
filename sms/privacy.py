"""Texts made fit to store (a social security number is cut out first), and numbers kept only as keys."""
from __future__ import annotations

import hashlib
import hmac
import re

_GAP = r"[ .\-]{0,2}"  # people write it in groups: "2 95 10 99 126 111 93", "2.95.10…", "2-95-…"
_DIGIT = _GAP + r"\d"
# 1, 2, 7 or 8; year and month; the département (2A, 2B for Corsica); commune and order number
# (13 characters); the two-digit key is often added (15). A 14th digit alone is cut out too: better
# too much than a number kept. A "+" before it is a phone number's country code (+225 …), not one.
_SOCIAL_SECURITY_NUMBER = re.compile(
    rf"(?<![\w+/])[1278]{_DIGIT * 4}{_GAP}(?:\d{_GAP}\d|2{_GAP}[ABab]){_DIGIT * 6}(?:{_DIGIT}){{0,2}}(?![\w/])")
# A word, so that it survives keyword parsing: "CARD [removed]" is a card with words, not a CARD.
REDACTED = "[removed]"


def redact(text: str) -> str:
    """`text` with anything shaped like a French social security number replaced by REDACTED."""
    return _SOCIAL_SECURITY_NUMBER.sub(REDACTED, text)


def sender_key(secret: str, phone: str) -> str:
    """A number as a keyed hash: what may be kept of a number after DELETE (never the number itself)."""
    return hmac.new(secret.encode(), phone.encode(), hashlib.sha256).hexdigest()
