"""How an SMS body is encoded (GSM-7 or UCS-2) and how many segments it costs."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7, UCS2 = "GSM-7", "UCS-2"


@dataclass(frozen=True)
class Encoded:
    """An SMS body's encoding, length in its units, and segment count."""

    encoding: str
    units: int
    segments: int


# (alone, per part of a concatenated message): a part gives up 6 octets to its header
_CAPACITY = {GSM7: (160, 153), UCS2: (70, 67)}
# The codec passes ESC, but a handset reads the septet after it as escaped: not GSM-7 for a body.
_NOT_GSM7 = "\x1b"


@functools.lru_cache(maxsize=4096)  # replies repeat; the codec walks every character in Python
def measure(body: str) -> Encoded:
    """Encoding and segments as Twilio packs them: 160 septets (153 a part) in GSM-7, else 70 (67) UTF-16 units."""
    encoding, sizes = GSM7, _septets(body)
    if sizes is None:
        encoding, sizes = UCS2, [len(char.encode("utf-16-le")) // 2 for char in body]
    units, (single, part) = sum(sizes), _CAPACITY[encoding]
    return Encoded(encoding, units, 1 if units <= single else _parts(sizes, part))


def _septets(body: str) -> list[int] | None:
    """Septets of each character (two for an escaped one: €, [, …), or None if one is not GSM-7."""
    if _NOT_GSM7 in body:
        return None
    try:
        return [len(char.encode("gsm03.38")) for char in body]
    except UnicodeEncodeError:
        return None


def _parts(sizes: list[int], part: int) -> int:
    """Parts filled in order; a character that does not fit whole (escape pair, surrogate pair) starts the next."""
    # Twilio's own calculator also keeps a grapheme (a flag, an accent on its letter) in one part; this
    # counts by code point, so it may say one part fewer for a long UCS-2 text with those at a boundary.
    parts, used = 1, 0
    for size in sizes:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts
