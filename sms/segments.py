"""How an SMS body is encoded (GSM-7 or UCS-2) and how many segments it costs."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7, UCS2 = "GSM-7", "UCS-2"


@dataclass(frozen=True)
class Encoded:
    """An SMS body's encoding, length in its units, and segment count."""

    encoding: str
    units: int
    segments: int


@functools.lru_cache(maxsize=4096)  # replies repeat; the codec walks every character in Python
def measure(body: str) -> Encoded:
    """Encoding and segments: 160 septets (153 per part) in GSM-7, else 70 (67) UTF-16 units."""
    try:
        units = len(body.encode("gsm03.38"))  # escaped characters (€, [, …) take two septets
    except UnicodeEncodeError:
        units = len(body.encode("utf-16-be")) // 2
        return Encoded(UCS2, units, _segments(units, 70, 67))
    return Encoded(GSM7, units, _segments(units, 160, 153))


def _segments(units: int, single: int, part: int) -> int:
    if units == 0:
        return 1
    return 1 if units <= single else math.ceil(units / part)
