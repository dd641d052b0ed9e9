"""Texts made fit to store (a social security number is cut out first), and numbers kept only as keys."""
from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# A word, so that it survives keyword parsing: "CARD [removed]" is a card with words, not a CARD.
REDACTED = "[removed]"

# A French social security number (NIR): sex, year, month, département (2A, 2B for Corsica), commune and
# order number (13 characters), then a two-digit key that people often leave out. A man, a woman, or a
# temporary number (NIA).
_SEXES = frozenset("1278")
# 01–12; 20 and 30–42 or 50–99 stand for a month INSEE did not know.
_MONTHS = frozenset(f"{month:02d}" for month in (*range(1, 13), *range(20, 43), *range(50, 100)))
_CORSICA_IN_KEY = {"2A": "19", "2B": "18"}  # what the key is computed with
_BODY, _WITH_KEY = 13, 15


@dataclass(frozen=True)
class _Group:
    """Characters written together: `chars` in ASCII, text[start:end] as written."""

    chars: str
    start: int
    end: int
    after_plus: bool  # "+225 …": a phone number's country code, never a NIR's start
    joined: bool  # only separators between it and the group before (no word)


def redact(text: str) -> str:
    """`text` with every French social security number in it replaced by REDACTED, the rest as written."""
    spans = _merged(_spans(list(_groups(text))))
    kept, last = [], 0
    for start, end in spans:
        kept += [text[last:start], REDACTED]
        last = end
    return "".join(kept) + text[last:]


def is_social_security_number(chars: str) -> bool:
    """True for a NIR written in ASCII without separators: 13 characters, or 15 whose last two are its key."""
    if len(chars) not in (_BODY, _WITH_KEY) or chars[0] not in _SEXES or chars[3:5] not in _MONTHS:
        return False
    department = chars[5:7]
    if not (chars[:5] + chars[7:]).isdigit() or not (department in _CORSICA_IN_KEY or department.isdigit()):
        return False
    return department != "00" and (len(chars) == _BODY or chars[_BODY:] == _key(chars[:_BODY]))


def _key(body: str) -> str:
    department = body[5:7]
    number = int(body[:5] + _CORSICA_IN_KEY.get(department, department) + body[7:])
    return f"{97 - number % 97:02d}"


def _groups(text: str) -> Iterator[_Group]:
    """Runs of digits (any script, as ASCII), with the 2A/2B of Corsica; letters and separators between."""
    index, gap, after_word = 0, "", True
    while index < len(text):
        if unicodedata.decimal(text[index], None) is None:
            after_word = after_word or text[index].isalnum()  # a separator is any run of non-alphanumerics
            gap += text[index]
            index += 1
            continue
        start, chars = index, []
        while index < len(text):
            digit = unicodedata.decimal(text[index], None)
            if digit is not None:
                chars.append(str(digit))
            elif text[index] in "ABab" and chars[-1] == "2" and not text[index + 1:index + 2].isalpha():
                chars.append(text[index].upper())
            else:
                break
            index += 1
        yield _Group("".join(chars), start, index, "+" in gap, not after_word)
        gap, after_word = "", False


def _spans(groups: list[_Group]) -> Iterator[tuple[int, int]]:
    """Where a NIR is written: whole groups in a row, so a number next to one is not taken for part of it."""
    for first, group in enumerate(groups):
        if group.after_plus:
            continue
        chars = ""
        for last in range(first, len(groups)):
            if last > first and not groups[last].joined:
                break
            chars += groups[last].chars
            if len(chars) > _WITH_KEY:
                break
            # A two-digit group after the 13 characters is its key even when mistyped: cut out with it.
            key_apart = len(chars) == _WITH_KEY and len(groups[last].chars) == 2
            if is_social_security_number(chars) or key_apart and is_social_security_number(chars[:_BODY]):
                yield group.start, groups[last].end


def _merged(spans: Iterator[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans as one (a number with a valid key and its 13-character body, say)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def sender_key(secret: str, phone: str) -> str:
    """A number as a keyed hash: what may be kept of a number after DELETE (never the number itself)."""
    return hmac.new(secret.encode(), phone.encode(), hashlib.sha256).hexdigest()
