"""What the pass does with one claimed reminder, decided from literal facts: no database, no app."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler import rules
from scheduler.decide import Day, Decision, Facts, decide, retry_at
from scheduler.report import OUTCOMES, Line, PassReport
from webapp import settings

# The pass decides on Monday 16 March 2026 at 10:00 in Paris, with a 72-hour look-back.
DAY = Day(today=date(2026, 3, 16), tz=ZoneInfo("Europe/Paris"),
          cutoff=datetime(2026, 3, 13, 9, 0, tzinfo=UTC), tomorrow=datetime(2026, 3, 17, 9, 0, tzinfo=UTC))
PERSON = {"id": 7, "lang": "en", "opted_out_at": None}
OPTED_OUT = dict(PERSON, opted_out_at="2026-03-10T08:00:00Z")


def row(kind: str = "card_due", subject: str = "card", state: str = "sending",
        next_attempt_at: str = "2026-03-16T09:00:00Z", due_at: str = "2026-03-16T09:00:00Z") -> dict:
    """A claimed reminder as the pass reads it."""
    return {"id": 1, "person_id": 7, "kind": kind, "subject": subject, "state": state,
            "next_attempt_at": next_attempt_at, "due_at": due_at}


def spell(kind: str, subject: str, lang: str | None, *, planned_on: date) -> str:
    """Stands in for the texts: says what it was asked to write."""
    return f"{kind} {subject} {lang} planned_on={planned_on}"


@pytest.mark.parametrize(("reminder", "facts", "decision"), [
    # erased since the claim: nothing to do, nothing to say
    (row(), Facts(person=None, accepted_message=42), Decision("gone")),
    # a dead pass had the message accepted: adopt it, never send again (even after STOP since)
    (row(), Facts(PERSON, accepted_message=42), Decision("adopt", message_id=42)),
    (row(), Facts(OPTED_OUT, accepted_message=42, reminded_today=True), Decision("adopt", message_id=42)),
    # left `sending` by a pass that died before the look-back window: expire it
    (row(next_attempt_at="2026-03-13T08:59:59Z"), Facts(PERSON), Decision("expire")),
    # opted out: muted, whatever else holds
    (row(), Facts(OPTED_OUT, followup_due_at="2026-03-17T09:00:00Z"), Decision("mute")),
    # its follow-up is due tomorrow or already past: send only the follow-up
    (row(), Facts(PERSON, followup_due_at="2026-03-17T09:00:00Z"), Decision("supersede")),
    (row(), Facts(PERSON, followup_due_at="2026-03-10T09:00:00Z"), Decision("supersede")),
    (row("claim_due", "2"), Facts(PERSON, followup_due_at="2026-03-16T22:59:59Z"), Decision("supersede")),
    # one reminder a day: the second goes tomorrow at the reminder time
    (row(), Facts(PERSON, reminded_today=True), Decision("postpone", at=datetime(2026, 3, 17, 9, tzinfo=UTC))),
    # sent: the text gives the dates of the day the reminder was planned for, however late it goes
    (row(), Facts(PERSON, followup_due_at="2026-03-18T09:00:00Z"),
     Decision("send", body="card_due card en planned_on=2026-03-16")),
    (row("claim_due", "3", state="scheduled", due_at="2026-03-03T09:00:00Z"), Facts(PERSON),
     Decision("send", body="claim_due 3 en planned_on=2026-03-03")),
    (row("card_followup", due_at="2026-03-15T23:00:00Z"), Facts(dict(PERSON, lang=None)),  # midnight in Paris
     Decision("send", body="card_followup card None planned_on=2026-03-16")),
    # a row a dead pass left `sending` within the window still goes
    (row(next_attempt_at="2026-03-13T09:00:00Z"), Facts(PERSON), Decision("send", body=spell(
        "card_due", "card", "en", planned_on=date(2026, 3, 16)))),
])
def test_each_decision(reminder, facts, decision):
    assert decide(reminder, facts, DAY, spell) == decision


def unknown_kind(kind: str, subject: str, lang: str | None, **numbers) -> str:
    raise KeyError(kind)


@pytest.mark.parametrize(("reminder", "facts", "render", "error"), [
    # what `CLAIM 1/1/0100` used to plan: a follow-up instant written unpadded
    (row("claim_due", "1"), Facts(PERSON, followup_due_at="100-02-15T09:00:00Z"), spell,
     "ValueError: not an instant as iso() writes them: '100-02-15T09:00:00Z'"),
    (row("claim_due", "1", due_at="100-02-15T09:00:00Z"), Facts(PERSON), spell,
     "ValueError: not an instant as iso() writes them: '100-02-15T09:00:00Z'"),
    (row("claim_nonsense", "1"), Facts(PERSON), unknown_kind, "KeyError: 'claim_nonsense'"),
])
def test_a_row_that_cannot_be_decided_fails_with_its_error(reminder, facts, render, error):
    assert decide(reminder, facts, DAY, render) == Decision("fail", error=error)


@pytest.mark.parametrize(("decision", "reminds"), [
    (Decision("send", body="x"), True), (Decision("adopt", message_id=1), True),
    (Decision("postpone", at=DAY.tomorrow), False), (Decision("mute"), False), (Decision("gone"), False),
    (Decision("supersede"), False), (Decision("expire"), False), (Decision("fail", error="x"), False),
])
def test_a_send_or_an_adopted_message_is_the_persons_reminder_of_the_day(decision, reminds):
    assert decision.reminds is reminds


def test_the_day_of_a_pass_is_local_and_tomorrow_is_at_the_reminder_time():
    # 23:30 UTC on 28 March is already the 29th in Paris, the night the clocks go forward.
    delays = rules.Delays.from_config(settings.load({"TIMEZONE": "Europe/Paris", "REMINDER_TIME": "10:00"}, None))
    day = Day.at(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), delays, lookback_hours=72)
    assert day == Day(today=date(2026, 3, 29), tz=ZoneInfo("Europe/Paris"),
                      cutoff=datetime(2026, 3, 25, 23, 30, tzinfo=UTC),
                      tomorrow=datetime(2026, 3, 30, 8, 0, tzinfo=UTC))
    assert day.start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # since when "reminded today" counts


NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
RETRIES = {"SEND_MAX_ATTEMPTS": 4, "SEND_RETRY_BASE_SECONDS": 60}


@pytest.mark.parametrize(("attempts", "transient", "again"), [
    (0, True, datetime(2026, 3, 16, 9, 1, tzinfo=UTC)),  # a minute, then two, then four
    (1, True, datetime(2026, 3, 16, 9, 2, tzinfo=UTC)),
    (2, True, datetime(2026, 3, 16, 9, 4, tzinfo=UTC)),
    (3, True, None),  # the fourth attempt was the last
    (0, False, None),  # a permanent error (bad number, 21610) is never retried
])
def test_a_failed_send_is_tried_again_later_each_time_until_the_last_attempt(attempts, transient, again):
    assert retry_at(attempts, transient, RETRIES, NOW) == again


def test_a_pass_report_line_takes_only_an_outcome_its_summary_counts():
    report = PassReport(datetime(2026, 12, 1, 10, tzinfo=UTC), dry_run=False)
    report.lines += [Line(n, "-", "card_due", "card", outcome) for n, outcome in enumerate(OUTCOMES)]
    assert all(report.count(outcome) == 1 for outcome in OUTCOMES)
    with pytest.raises(ValueError, match="unknown outcome 'recovered'"):
        Line(1, "-", "card_due", "card", "recovered")
