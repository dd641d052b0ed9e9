"""A sent reminder follows what Twilio's status callbacks report: sent → delivered | undelivered | failed."""
from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.dispatch import run_pass
from sms import gateway
from tests.conftest import DEFAULT_DELAYS
from tests.reminder_setup import APPLIED_ON, DUE, card_due, plan_card_reminders
from webapp import journey


@pytest.fixture
def app_config(app_config, fake_twilio):
    return dict(app_config, **fake_twilio.config())


@pytest.fixture
def sent_reminder(app, db, live_server, fake_twilio):
    """A card reminder sent through the fake Twilio by a real dispatch pass; callbacks go to the live app."""
    app.config["PUBLIC_BASE_URL"] = live_server.url
    [pid] = plan_card_reminders(db, ["+33612345678"]).values()
    run_pass(app, DUE)
    row = card_due(db, pid)
    assert row["state"] == "sent" and len(fake_twilio.messages) == 1
    sid = db.execute("SELECT twilio_sid FROM messages WHERE id = ?", (row["message_id"],)).fetchone()[0]
    return row["id"], sid


def reminder_state(db, reminder_id: int) -> str:
    return db.execute("SELECT state FROM reminders WHERE id = ?", (reminder_id,)).fetchone()[0]


@pytest.mark.parametrize(("callbacks", "final"), [
    (["sent", "delivered"], "delivered"),
    (["delivered", "sent", "queued"], "delivered"),  # out of order: never backwards
    (["sent", "undelivered"], "undelivered"),
    (["failed"], "failed"),
    (["queued", "sent"], "sent"),
])
def test_callbacks_move_the_reminder_forward_only(db, fake_twilio, sent_reminder, callbacks, final):
    reminder_id, sid = sent_reminder
    for status in callbacks:
        assert fake_twilio.send_status_callback(sid, status).status_code == 204
    assert reminder_state(db, reminder_id) == final


def test_a_delivered_reminder_is_never_planned_again(app, db, fake_twilio, sent_reminder):
    reminder_id, sid = sent_reminder
    fake_twilio.send_status_callback(sid, "delivered")
    person_id = db.execute("SELECT person_id FROM reminders WHERE id = ?", (reminder_id,)).fetchone()[0]
    # The same application recorded again: the delivered reminder stays, nothing new is due for it.
    journey.record_application(db, person_id, "online", APPLIED_ON, journey.Clock(DUE, DEFAULT_DELAYS))
    run_pass(app, DUE + timedelta(minutes=1))
    assert reminder_state(db, reminder_id) == "delivered"
    assert len(fake_twilio.messages) == 1


@pytest.mark.parametrize("backend", ["outbox", "twilio"])
def test_every_reminder_is_sent_through_gateway_send_and_logged_once_with_its_reminder(
        app, db, fake_twilio, monkeypatch, backend):
    app.config["SMS_BACKEND"] = backend
    phones = ["+33612345678", "+33698765432", "+33655555555"]
    ids = plan_card_reminders(db, phones)
    sent = []
    send = gateway.send

    def watched(db, config, to, body, **where):
        result = send(db, config, to, body, **where)
        sent.append((to, where["reminder_id"], result.message_id))
        return result

    monkeypatch.setattr(gateway, "send", watched)
    assert run_pass(app, DUE).count("sent") == 3
    logged = [(m["phone"], m["reminder_id"], m["id"]) for m in
              db.query("SELECT * FROM messages WHERE direction = 'outbound' ORDER BY id")]
    assert sorted(sent) == sorted(logged) and len(logged) == 3
    for phone in phones:
        row = card_due(db, ids[phone])
        assert (phone, row["id"], row["message_id"]) in logged
