"""What a reminder row is: its kinds, which kind follows up which, and a planned row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CARD_DUE, CARD_FOLLOWUP = "card_due", "card_followup"
CLAIM_DUE, CLAIM_FOLLOWUP = "claim_due", "claim_followup"
CARD_SUBJECT = "card"
FOLLOWUP_OF = {CARD_DUE: CARD_FOLLOWUP, CLAIM_DUE: CLAIM_FOLLOWUP}


@dataclass(frozen=True)
class Plan:
    """One reminder that should exist: its kind, what it is about, when it falls due (UTC)."""

    kind: str
    subject: str
    due_at: datetime
