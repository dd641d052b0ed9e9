"""A device linked to the person behind a phone number: its token, which only the device holds, and its lookup."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from webapp.store import links


class Unlinked(LookupError):
    """The token was never valid (`revoked` False) or its link is gone: unlinked, or the person erased."""

    def __init__(self, revoked: bool) -> None:
        super().__init__("token revoked" if revoked else "unknown token")
        self.revoked = revoked


@dataclass(frozen=True)
class Device:
    """A linked device and the person it belongs to."""

    id: int
    person_id: int


def new_token() -> str:
    """A fresh random device token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the server keeps of a token: its SHA-256 (a random 256-bit token needs no slow hash)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_device(db: Database, person_id: int, now: datetime) -> str:
    """Link a new device to the person; return its token (stored only as a hash)."""
    token = new_token()
    links.add_device(db, person_id, token_hash(token), now)
    return token


def device_for(db: Database, token: str) -> Device:
    """The device holding this token; Unlinked when it has none (and whether it once had)."""
    hashed = token_hash(token)
    found = links.device_by_token(db, hashed)
    if found is None:
        raise Unlinked(revoked=links.is_revoked(db, hashed))
    return Device(found["id"], found["person_id"])
