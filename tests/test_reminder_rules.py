"""Reminder rules end to end with a controlled clock: events plan rows, dispatch passes send them."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler import rules
from scheduler.dispatch import run_pass
from sms.segments import measure
from tests.conftest import DEFAULT_DELAYS
from webapp import journey, settings
from webapp.store import opened, people, reminders

PARIS = ZoneInfo("Europe/Paris")
DELAYS = DEFAULT_DELAYS


@pytest.mark.parametrize(("field", "setting", "default", "raw", "value"), [
    ("card_online", "CARD_DELAY_ONLINE_DAYS", 14, "10", 10),
    ("card_post", "CARD_DELAY_POST_DAYS", 21, "25", 25),
    ("card_followup", "CARD_FOLLOWUP_DAYS", 7, "3", 3),
    ("claim", "CLAIM_DELAY_DAYS", 30, "40", 40),
    ("claim_followup", "CLAIM_FOLLOWUP_DAYS", 15, "9", 9),
    ("at", "REMINDER_TIME", time(10, 0), "08:15", time(8, 15)),
    ("tz", "TIMEZONE", PARIS, "America/Cayenne", ZoneInfo("America/Cayenne")),
])
def test_delays_come_from_the_settings_alone(field, setting, default, raw, value):
    with pytest.raises(TypeError):
        rules.Delays()  # no defaults of its own: webapp/settings.py holds them, once
    assert getattr(DEFAULT_DELAYS, field) == default
    assert getattr(rules.Delays.from_config(settings.load({setting: raw}, dotenv=None)), field) == value


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def at(when: datetime) -> journey.Clock:
    return journey.Clock(when, DELAYS)


def outbox(db, person_id=None) -> list[dict]:
    sql = "SELECT * FROM messages WHERE direction = 'outbound'"
    params: tuple = ()
    if person_id is not None:
        sql += " AND person_id = ?"
        params = (person_id,)
    return list(db.query(sql + " ORDER BY id", params))


START = utc(2026, 3, 1, 12)


def person(db, phone="+33612345678", lang="fr", when=START):
    return journey.person_for(db, phone, lang, at(when))["id"]


def state_of(db, person_id, kind):
    return [r["state"] for r in reminders.for_person(db, person_id) if r["kind"] == kind]


@pytest.mark.parametrize(("method", "sent_on", "due"), [
    ("online", date(2026, 3, 1), paris(2026, 3, 15, 10)),        # winter: 09:00 UTC
    ("online", date(2026, 3, 16), paris(2026, 3, 30, 10)),       # after the March change: 08:00 UTC
    ("post", date(2026, 3, 10), paris(2026, 3, 31, 10)),         # +21 days across the change
    ("post", date(2026, 10, 5), paris(2026, 10, 26, 10)),        # after the October change: 09:00 UTC
    ("online", date(2026, 10, 20), paris(2026, 11, 3, 10)),
])
def test_card_reminder_goes_at_ten_local_on_the_expected_day(app, db, method, sent_on, due):
    pid = person(db, when=utc(sent_on.year, sent_on.month, sent_on.day, 12))
    journey.record_application(db, pid, method, sent_on, at(utc(sent_on.year, sent_on.month, sent_on.day, 12)))
    assert due.astimezone(PARIS).hour == 10
    assert run_pass(app, due - timedelta(minutes=1)).count("sent") == 0
    report = run_pass(app, due)
    assert report.count("sent") == 1
    [message] = outbox(db, pid)
    assert message["created_at"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "CARTE" in message["body"] and measure(message["body"]).segments == 1
    assert state_of(db, pid, rules.CARD_DUE) == ["sent"]
    assert run_pass(app, due + timedelta(minutes=1)).count("sent") == 0
    assert len(outbox(db, pid)) == 1


def test_follow_up_seven_days_later_points_to_the_caisse(app, db):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(utc(2026, 3, 1, 12)))
    run_pass(app, paris(2026, 3, 15, 10))
    run_pass(app, paris(2026, 3, 22, 9, 59))
    assert len(outbox(db, pid)) == 1
    assert run_pass(app, paris(2026, 3, 22, 10)).count("sent") == 1
    first, follow_up = outbox(db, pid)
    assert "3646" in follow_up["body"] and "3646" not in first["body"]
    assert state_of(db, pid, rules.CARD_FOLLOWUP) == ["sent"]


def test_claim_reminder_after_thirty_days_then_follow_up_after_fifteen(app, db):
    pid = person(db, lang="en")
    journey.record_claim(db, pid, date(2026, 4, 1), at(utc(2026, 4, 1, 12)))
    assert run_pass(app, paris(2026, 5, 1, 10)).count("sent") == 1
    assert run_pass(app, paris(2026, 5, 16, 10)).count("sent") == 1
    due, follow_up = outbox(db, pid)
    assert "PAID 1" in due["body"] and "refund due by 01/05/2026" in due["body"]  # posted + 30 days
    assert "PAID 1" in follow_up["body"] and "3646" in follow_up["body"]


@pytest.mark.parametrize(("event_at", "window_end"), [
    (paris(2026, 3, 4, 21), paris(2026, 3, 5, 9)),
    (paris(2026, 3, 28, 21), paris(2026, 3, 29, 9)),       # night of the March change: 07:00 UTC
    (paris(2026, 10, 24, 21), paris(2026, 10, 25, 9)),     # night of the October change: 08:00 UTC
    (paris(2026, 3, 5, 6, 30), paris(2026, 3, 5, 9)),      # early morning part of the window
])
def test_quiet_hours_hold_a_due_reminder_until_the_window_ends(app, db, event_at, window_end):
    pid = person(db, when=event_at)
    # Posted long ago: the reminder is due at once, but it is the middle of the night.
    journey.record_application(db, pid, "post", event_at.date() - timedelta(days=25), at(event_at))
    report = run_pass(app, event_at)
    assert report.count("sent") == 0 and report.quiet_until == window_end
    assert reminders.for_person(db, pid)[0]["next_attempt_at"] == window_end.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run_pass(app, window_end - timedelta(minutes=1)).count("sent") == 0
    assert outbox(db) == []
    assert run_pass(app, window_end).count("sent") == 1
    assert len(outbox(db, pid)) == 1


def test_at_most_one_reminder_per_person_per_day(app, db):
    pid = person(db)
    # Both fall due on 15 March at 10:00.
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(utc(2026, 2, 13, 12)))
    journey.record_claim(db, pid, date(2026, 2, 13), at(utc(2026, 2, 13, 12)))
    other = person(db, phone="+33698765432")
    journey.record_claim(db, other, date(2026, 2, 13), at(utc(2026, 2, 13, 12)))
    report = run_pass(app, paris(2026, 3, 15, 10))
    assert report.count("sent") == 2 and report.count("postponed") == 1
    assert len(outbox(db, pid)) == 1 and len(outbox(db, other)) == 1
    assert run_pass(app, paris(2026, 3, 15, 19, 59)).count("sent") == 0
    assert run_pass(app, paris(2026, 3, 16, 9, 59)).count("sent") == 0
    assert run_pass(app, paris(2026, 3, 16, 10)).count("sent") == 1
    assert len(outbox(db, pid)) == 2


@pytest.mark.parametrize("event", ["card", "paid", "stop", "delete"])
def test_card_paid_stop_and_delete_stop_reminders(app, db, event):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(utc(2026, 3, 1, 12)))
    journey.record_claim(db, pid, date(2026, 2, 14), at(utc(2026, 3, 1, 12)))  # due 16 March
    later = at(utc(2026, 3, 10, 12))
    {"card": lambda: journey.card_arrived(db, pid, later),
     "paid": lambda: journey.claim_paid(db, pid, None, later),
     "stop": lambda: journey.opt_out(db, pid, later),
     "delete": lambda: journey.erase(db, "+33612345678", later, app.config["SECRET_KEY"])}[event]()
    for day in (15, 16, 17, 22, 30):  # the claim follow-up would be on the 31st
        run_pass(app, paris(2026, 3, day, 10))
    kinds = {m["reminder_id"]: m for m in outbox(db)}
    sent_kinds = sorted(r["kind"] for r in db.query("SELECT kind FROM reminders WHERE state = 'sent'"))
    expected = {"card": [rules.CLAIM_DUE], "paid": [rules.CARD_DUE, rules.CARD_FOLLOWUP],
                "stop": [], "delete": []}[event]
    assert sent_kinds == expected
    assert len(kinds) == len(expected)


def test_an_opt_out_seen_only_by_the_pass_mutes_the_reminder(app, db):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(utc(2026, 3, 1, 12)))
    people.set_opted_out(db, pid, utc(2026, 3, 14), utc(2026, 3, 14))  # e.g. written by another channel
    report = run_pass(app, paris(2026, 3, 15, 10))
    assert report.count("muted") == 1 and outbox(db) == []
    journey.opt_in(db, pid, at(paris(2026, 3, 15, 11)))
    assert run_pass(app, paris(2026, 3, 15, 11)).count("sent") == 1


def test_changing_the_application_date_moves_the_reminder(app, db):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(utc(2026, 3, 1, 12)))
    journey.record_application(db, pid, "post", date(2026, 3, 3), at(utc(2026, 3, 5, 12)))
    assert run_pass(app, paris(2026, 3, 15, 10)).count("sent") == 0
    assert run_pass(app, paris(2026, 3, 24, 10)).count("sent") == 1
    assert [r["reminder_id"] for r in outbox(db)] == [
        r["id"] for r in reminders.for_person(db, pid) if r["state"] == "sent"]


def test_look_back_window_sends_what_fell_due_during_downtime_but_nothing_older(app, db):
    recent, old = person(db, phone="+33611111111"), person(db, phone="+33622222222")
    journey.record_application(db, recent, "online", date(2026, 3, 3), at(utc(2026, 3, 1, 12)))  # due 17th
    journey.record_application(db, old, "online", date(2026, 3, 1), at(utc(2026, 3, 1, 12)))  # due 15th
    # No pass ran from the 15th to the 18th 11:00: 73 hours after the old one fell due (window: 72 h).
    report = run_pass(app, paris(2026, 3, 18, 11))
    assert report.expired == 1 and report.count("sent") == 1
    assert len(outbox(db, recent)) == 1 and outbox(db, old) == []
    assert state_of(db, old, rules.CARD_DUE) == ["expired"]


def test_reminder_planned_past_due_goes_at_once_in_the_persons_language(app, db):
    app.config["SMS_REPLY_NUMBER"] = "+33756789012"
    now = paris(2026, 3, 20, 14, 30)
    pid = person(db, lang="en", when=now)
    journey.record_application(db, pid, "post", now.date() - timedelta(days=25), at(now))
    assert run_pass(app, now).count("sent") == 1
    [message] = outbox(db, pid)
    assert "Reply CARD to +33756789012" in message["body"]
    assert message["encoding"] == "GSM-7" and message["segments"] == 1


def test_dry_run_lists_and_changes_nothing(app, db):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(utc(2026, 3, 1, 12)))
    before = reminders.for_person(db, pid)
    report = run_pass(app, paris(2026, 3, 15, 10), dry_run=True)
    assert [(line.kind, line.outcome) for line in report.lines] == [(rules.CARD_DUE, "sent")]
    assert "CARTE" in report.lines[0].detail
    assert reminders.for_person(db, pid) == before and outbox(db) == []


def test_a_leased_row_is_left_alone_then_taken_again_when_the_lease_ends(app, db):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(START))
    due = paris(2026, 3, 15, 10)
    lease = timedelta(seconds=app.config["SEND_LEASE_SECONDS"])
    [row] = reminders.claim_due(db, due, "dead-pass", due + lease, 10)  # a pass that then died
    assert row["kind"] == rules.CARD_DUE
    assert run_pass(app, due + lease - timedelta(seconds=1)).count("sent") == 0
    assert run_pass(app, due + lease).count("sent") == 1
    assert len(outbox(db, pid)) == 1


def test_a_row_whose_message_was_accepted_before_the_pass_died_is_adopted_not_resent(app, db):
    from sms import gateway

    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(START))
    due = paris(2026, 3, 15, 10)
    lease = timedelta(seconds=app.config["SEND_LEASE_SECONDS"])
    [row] = reminders.claim_due(db, due, "dead-pass", due + lease, 10)
    # The dead pass got the gateway's answer written, then died before marking the reminder sent.
    result = gateway.send(db, app.config, "+33612345678", "texte", person_id=pid, reminder_id=row["id"], now=due)
    report = run_pass(app, due + lease)
    assert [(line.outcome, line.detail) for line in report.lines] == [("sent", "recovered")]
    assert [m["id"] for m in outbox(db, pid)] == [result.message_id]
    assert reminders.for_person(db, pid)[0]["message_id"] == result.message_id


def test_a_row_left_sending_longer_ago_than_the_window_is_expired_not_sent(app, db):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(START))
    due = paris(2026, 3, 15, 10)
    reminders.claim_due(db, due, "dead-pass", due + timedelta(minutes=5), 10)
    report = run_pass(app, due + timedelta(hours=73))  # the server was down for three days
    assert [line.outcome for line in report.lines] == ["expired"]
    assert outbox(db) == [] and state_of(db, pid, rules.CARD_DUE) == ["expired"]


@pytest.mark.parametrize(("sql", "params"), [
    (f"SELECT {reminders._COLUMNS} {reminders._DUE} LIMIT 500", {"now": "2026-03-15T09:00:00Z"}),
    ("UPDATE reminders SET state = 'expired' WHERE state = 'scheduled' AND next_attempt_at < ?", ("x",)),
    ("SELECT DISTINCT person_id FROM reminders WHERE person_id IN (1, 2) AND sent_at >= ?", ("x",)),
    ("SELECT reminder_id, MAX(id) FROM messages WHERE reminder_id IN (1, 2) AND twilio_sid IS NOT NULL"
     " GROUP BY reminder_id", ()),
    ("DELETE FROM reminders WHERE state = 'cancelled' AND updated_at < ?", ("x",)),
    ("SELECT person_id, kind, subject, due_at FROM reminders WHERE person_id IN (1, 2)"
     " AND kind IN (?, ?) AND state NOT IN ('cancelled', 'muted', 'superseded')", ("x", "y")),
    ("SELECT person_id, number, posted_on FROM claims WHERE person_id IN (1, 2)", ()),
])
def test_the_pass_reads_through_indexes_so_its_cost_does_not_grow_with_the_number_of_people(db, sql, params):
    plan = " / ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "SCAN" not in plan, plan


def test_a_backend_that_crashes_is_retried_then_given_up_without_stopping_the_pass(app, db):
    from sms import gateway

    def broken(config, to, body):
        if to == "+33600000001":
            raise RuntimeError("bug in a backend")
        return gateway.outbox_deliver(config, to, body)

    gateway.BACKENDS["broken"] = broken
    try:
        app.config.update(SMS_BACKEND="broken", SEND_MAX_ATTEMPTS=3, SEND_RETRY_BASE_SECONDS=60)
        ids = [person(db, phone=f"+3360000000{n}") for n in range(3)]
        for pid in ids:
            journey.record_application(db, pid, "online", date(2026, 3, 1), at(START))
        due = paris(2026, 3, 15, 10)
        report = run_pass(app, due)
        assert (report.count("sent"), report.count("retry")) == (2, 1)
        run_pass(app, due + timedelta(minutes=1))
        assert run_pass(app, due + timedelta(minutes=3)).count("failed") == 1
        assert [state_of(db, pid, rules.CARD_DUE) for pid in ids] == [["sent"], ["failed"], ["sent"]]
    finally:
        del gateway.BACKENDS["broken"]


def test_a_pass_that_lost_its_lease_can_no_longer_change_the_row(app, db):
    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(START))
    due = paris(2026, 3, 15, 10)
    [row] = reminders.claim_due(db, due, "slow-pass", due + timedelta(minutes=5), 10)
    assert run_pass(app, due + timedelta(minutes=6)).count("sent") == 1  # another pass took it over
    later = due + timedelta(minutes=7)
    assert not reminders.mark_sent(db, row["id"], "slow-pass", 999, later)
    assert not reminders.mark_retry(db, row["id"], "slow-pass", later, "x", later)
    assert not reminders.mark_failed(db, row["id"], "slow-pass", "x", later)
    assert not reminders.mark_postponed(db, row["id"], "slow-pass", later, later)
    [final] = reminders.for_person(db, pid)[:1]
    assert (final["state"], final["attempts"]) == ("sent", 1) and final["message_id"] != 999


# -- CARD, PAID and STOP reach rows a pass has already taken ---------------------------------------
STOPPERS = {
    "card": lambda db, pid, clock: journey.card_arrived(db, pid, clock),
    "paid": lambda db, pid, clock: journey.claim_paid(db, pid, None, clock),
    "stop": lambda db, pid, clock: journey.opt_out(db, pid, clock),
}


def overdue_person(db, event):
    """A person whose two reminders for `event` are both past due on 15 March at 10:00."""
    pid = person(db)
    texted = at(paris(2026, 3, 15, 9, 59))  # planned past due: both are due at once
    if event == "paid":
        journey.record_claim(db, pid, date(2026, 1, 20), texted)  # due 19 Feb, follow-up 6 March
    else:
        journey.record_application(db, pid, "online", date(2026, 2, 1), texted)  # due 15 Feb, then 22 Feb
    return pid


@pytest.mark.parametrize("event", sorted(STOPPERS))
def test_card_paid_or_stop_after_a_pass_died_holding_the_rows_stops_them(app, db, event):
    pid = overdue_person(db, event)
    due = paris(2026, 3, 15, 10)
    assert len(reminders.claim_due(db, due, "dead-pass", due + timedelta(minutes=5), 10)) == 2
    STOPPERS[event](db, pid, at(due + timedelta(minutes=1)))
    for later in (due + timedelta(minutes=10), due + timedelta(days=1), due + timedelta(days=2)):
        run_pass(app, later)
    assert outbox(db) == []
    states = {r["state"] for r in reminders.for_person(db, pid)}
    assert states == {"muted" if event == "stop" else "cancelled"}
    assert all(r["lease_owner"] is None for r in reminders.for_person(db, pid))


@pytest.mark.parametrize("backend", ["outbox", "one-by-one"])
@pytest.mark.parametrize("event", sorted(STOPPERS))
def test_card_paid_or_stop_between_a_live_pass_claim_and_its_send_stops_the_send(
        app, db, monkeypatch, event, backend):
    from scheduler.dispatch import DispatchPass
    from sms import gateway

    monkeypatch.setitem(gateway.BACKENDS, "one-by-one", gateway.outbox_deliver)  # the provider path
    app.config.update(SMS_BACKEND=backend)
    pid = overdue_person(db, event)
    due = paris(2026, 3, 15, 10)
    decide = DispatchPass._decide

    def decide_then_text_in(self, rows, persons):
        decisions = decide(self, rows, persons)  # the pass has claimed and decided to send...
        STOPPERS[event](db, pid, at(due))  # ...when the person's text is handled
        return decisions

    monkeypatch.setattr(DispatchPass, "_decide", decide_then_text_in)
    report = run_pass(app, due)
    assert report.count("sent") == 0 and outbox(db) == []
    monkeypatch.setattr(DispatchPass, "_decide", decide)
    run_pass(app, due + timedelta(days=1))
    assert outbox(db) == []


def test_what_remains_possible_a_card_during_the_provider_call_for_that_row(app, db, monkeypatch):
    """The one message CARD cannot stop: the one whose provider call is already under way. It is
    recorded as sent (so START or a re-plan never sends it again); its follow-up is cancelled."""
    from sms import gateway

    pid = person(db)
    journey.record_application(db, pid, "online", date(2026, 3, 1), at(START))  # due 15 March, then 22nd

    def card_arrives_during_the_call(config, to, body):
        with opened(config["DATABASE"]) as own:  # provider calls run on the pass's send threads
            journey.card_arrived(own, pid, at(paris(2026, 3, 15, 10)))
        return gateway.outbox_deliver(config, to, body)

    monkeypatch.setitem(gateway.BACKENDS, "slow", card_arrives_during_the_call)
    app.config.update(SMS_BACKEND="slow")
    for day in (15, 16, 22, 23):
        run_pass(app, paris(2026, 3, day, 10))
    assert len(outbox(db, pid)) == 1
    assert state_of(db, pid, rules.CARD_DUE) == ["sent"]
    assert state_of(db, pid, rules.CARD_FOLLOWUP) == ["cancelled"]


# -- reminders sent late say what is true when they go ---------------------------------------------
def sent_texts(db, pid) -> list[str]:
    return [m["body"] for m in outbox(db, pid)]


def test_a_claim_reminder_sent_late_gives_the_day_the_refund_was_due(app, db):
    pid = person(db, lang="en")
    # Posted 1 February, due 3 March; recorded only on 10 March: the follow-up (18 March) is still far.
    journey.record_claim(db, pid, date(2026, 2, 1), at(paris(2026, 3, 10, 11)))
    run_pass(app, paris(2026, 3, 10, 11, 1))
    assert sent_texts(db, pid) == [
        "Feuille de soins 1: refund due by 03/03/2026. Check your bank account; not paid? Call your caisse on 3646."
        " Paid? Reply PAID 1."]


def test_a_card_reminder_sent_late_gives_the_day_to_call_from(app, db):
    pid = person(db)
    # Applied online 20 February: due 6 March, follow-up 13 March; texted in only on 10 March.
    journey.record_application(db, pid, "online", date(2026, 2, 20), at(paris(2026, 3, 10, 11)))
    run_pass(app, paris(2026, 3, 10, 11, 1))
    [body] = sent_texts(db, pid)
    assert "Toujours rien le 13/03/2026 ? Appelez votre caisse." in body
    run_pass(app, paris(2026, 3, 13, 10))
    assert len(sent_texts(db, pid)) == 2  # and it did


@pytest.mark.parametrize("recorded", [
    paris(2026, 3, 20, 11),   # the follow-up (18 March, 10:00) is already past
    paris(2026, 3, 17, 11),   # the follow-up is due tomorrow
])
@pytest.mark.parametrize("kind", [rules.CARD_DUE, rules.CLAIM_DUE])
def test_a_first_reminder_whose_follow_up_is_due_too_is_superseded_and_only_the_follow_up_goes(
        app, db, kind, recorded):
    pid = person(db, lang="en")
    followup_on = date(2026, 3, 18)
    if kind == rules.CARD_DUE:  # online: due 14 days after, follow-up 7 days later
        journey.record_application(db, pid, "online", followup_on - timedelta(days=21), at(recorded))
    else:  # due 30 days after posting, follow-up 15 days later
        journey.record_claim(db, pid, followup_on - timedelta(days=45), at(recorded))
    report = run_pass(app, recorded + timedelta(minutes=1))
    assert [(line.kind, line.outcome) for line in report.lines] == [
        (kind, "superseded"), (rules.FOLLOWUP_OF[kind], "sent")]
    [body] = sent_texts(db, pid)
    assert "3646" in body and "again in" not in body and "days ago" not in body
    [first] = [r for r in reminders.for_person(db, pid) if r["kind"] == kind]
    assert (first["state"], first["last_error"]) == ("superseded", "superseded by follow-up")
    # Final: another event re-plans the person's reminders without bringing it back.
    journey.record_claim(db, pid, date(2026, 3, 1), at(recorded + timedelta(minutes=2)))
    for day in range(1, 4):
        run_pass(app, recorded + timedelta(days=day))
    assert len(sent_texts(db, pid)) == 1


# -- quiet hours follow the real clock through a long pass ------------------------------------------
class SlowClock:
    """Stands in for the pass's monotonic clock: each message handed over takes `step` seconds."""

    def __init__(self, step: float) -> None:
        self.seconds, self.step = 0.0, step

    def monotonic(self) -> float:
        return self.seconds

    def advance(self) -> None:
        self.seconds += self.step


@pytest.mark.parametrize("backend", ["outbox", "one-by-one"])
def test_a_pass_that_runs_into_the_quiet_hours_holds_the_rest_until_morning(app, db, monkeypatch, backend):
    from scheduler import dispatch
    from sms import gateway

    clock = SlowClock(step=1.0)
    outbox_deliver = gateway.outbox_deliver

    def deliver_slowly(config, to, body):
        clock.advance()
        return outbox_deliver(config, to, body)

    monkeypatch.setattr(dispatch, "wallclock", clock)
    monkeypatch.setattr(dispatch, "OUTBOX_CHUNK", 1)  # outbox: the check is before each chunk
    monkeypatch.setitem(gateway.BACKENDS, "outbox", deliver_slowly)
    monkeypatch.setitem(gateway.BACKENDS, "one-by-one", deliver_slowly)
    # One call at a time, so each steps the clock in turn (with several at once, see
    # tests/test_reminder_concurrency.py).
    app.config.update(SMS_BACKEND=backend, SEND_CONCURRENCY=1)
    ids = [person(db, phone=f"+3360000000{n}") for n in range(5)]
    for pid in ids:  # all planned past due at 19:59:57 local (18:59:57 UTC in March)
        journey.record_claim(db, pid, date(2026, 1, 20), at(paris(2026, 3, 4, 19, 59, 57)))
    report = run_pass(app, paris(2026, 3, 4, 19, 59, 57))
    # Sends at :57, :58 and :59 local; at 20:00:00 the quiet hours begin and nothing more goes.
    assert report.count("sent") == 3 and len(outbox(db)) == 3
    assert report.quiet_until == paris(2026, 3, 5, 9)
    held = [r for pid in ids for r in reminders.for_person(db, pid)
            if r["kind"] == rules.CLAIM_DUE and r["state"] != "sent"]
    assert len(held) == 2
    assert {(r["state"], r["next_attempt_at"]) for r in held} == {("scheduled", "2026-03-05T08:00:00Z")}
    assert run_pass(app, paris(2026, 3, 5, 9)).count("sent") == 2
