"""Status callbacks, end to end: the real twilio client sends to the fake Twilio, which POSTs signed
callbacks back to the app served on loopback; statuses never move backwards; 21610 means STOP."""
from __future__ import annotations

import pytest

from scheduler.rules import Delays
from sms import gateway
from tests.conftest import FIXED_NOW
from webapp import journey
from webapp.store import messages as message_store
from webapp.store import people, reminders

PHONE = "+33612345678"


@pytest.fixture
def app_config(app_config, fake_twilio):
    return dict(app_config, **fake_twilio.config(messaging_service=False, TWILIO_FROM="+33700000001"))


@pytest.fixture
def sent(app, db, live_server):
    """One SMS sent through the fake Twilio, its callbacks aimed at the live server."""
    app.config["PUBLIC_BASE_URL"] = live_server.url
    clock = journey.Clock(FIXED_NOW, Delays.from_config(app.config))
    person = journey.person_for(db, PHONE, "en", clock)
    result = gateway.send(db, app.config, PHONE, "Your card should have come.", person_id=person["id"])
    assert result.ok and result.status == "queued"
    return result


def status_of(db, result) -> tuple[str, int | None]:
    row = message_store.message_by_id(db, result.message_id)
    return row["status"], row["error_code"]


def test_the_callback_url_is_the_public_base_url(fake_twilio, sent, live_server):
    assert fake_twilio.message(sent.sid)["StatusCallback"] == live_server.url + "/sms/status"


def test_statuses_move_forward(db, fake_twilio, sent):
    for status, expected in [("sending", "queued"), ("sent", "sent"), ("delivered", "delivered")]:
        response = fake_twilio.send_status_callback(sent.sid, status)
        assert response.status_code == 204
        assert status_of(db, sent) == (expected, None)


@pytest.mark.parametrize("order", [
    ["delivered", "sent", "queued"],
    ["sent", "delivered", "sending", "sent"],
    ["undelivered", "sent"],
])
def test_callbacks_out_of_order_never_move_a_status_backwards(db, fake_twilio, sent, order):
    for status in order:
        assert fake_twilio.send_status_callback(sent.sid, status).status_code == 204
    final = max(order, key=["queued", "sending", "sent", "delivered", "undelivered"].index)
    assert status_of(db, sent)[0] == final


def test_undelivered_keeps_its_error_code(db, fake_twilio, sent):
    fake_twilio.send_status_callback(sent.sid, "undelivered", error_code=30003)
    assert status_of(db, sent) == ("undelivered", 30003)


# (ErrorCode as the callback carries it, what is stored): anything but a plain code is unknown (None).
ERROR_CODES = [
    ("30003", 30003), ("30008", 30008), ("1", 1), ("999999", 999999), (" 30005 ", 30005),
    ("²", None), ("³⁰⁰⁰³", None), ("٣٠٠٠٣", None), ("３０００３", None), ("1" * 26, None), ("1000000", None),
    ("0", None), ("-30003", None), ("+30003", None), ("30003.0", None), ("3e4", None), ("0x7531", None),
    ("30 003", None), ("30_003", None), ("", None), ("   ", None), ("thirty", None), ("30003\x00", None),
]


@pytest.mark.parametrize(("raw", "stored"), ERROR_CODES, ids=[repr(raw) for raw, _ in ERROR_CODES])
def test_an_odd_error_code_is_stored_as_unknown_never_a_server_error(db, fake_twilio, sent, raw, stored):
    response = fake_twilio.send_status_callback(sent.sid, "undelivered", error_code=raw)
    assert response.status_code == 204
    assert status_of(db, sent) == ("undelivered", stored)


@pytest.mark.parametrize("raw", ["２１６１０", "٢١٦١٠", "21610" + "0" * 20])
def test_only_a_plain_21610_opts_the_person_out(db, fake_twilio, sent, raw):
    assert fake_twilio.send_status_callback(sent.sid, "failed", error_code=raw).status_code == 204
    assert status_of(db, sent) == ("failed", None)
    assert people.person_by_phone(db, PHONE)["opted_out_at"] is None


def test_error_21610_opts_the_person_out(db, fake_twilio, sent):
    fake_twilio.send_status_callback(sent.sid, "failed", error_code=21610)
    assert status_of(db, sent) == ("failed", 21610)
    assert people.person_by_phone(db, PHONE)["opted_out_at"] is not None


def test_error_21610_mutes_the_persons_pending_reminders_once(app, db, fake_twilio, sent):
    person = people.person_by_phone(db, PHONE)
    journey.record_claim(db, person["id"], FIXED_NOW.date(), journey.Clock(FIXED_NOW, Delays.from_config(app.config)))
    fake_twilio.send_status_callback(sent.sid, "failed", error_code=21610)
    first = people.person_by_phone(db, PHONE)["opted_out_at"]
    assert first and {r["state"] for r in reminders.for_person(db, person["id"])} == {"muted"}
    fake_twilio.send_status_callback(sent.sid, "failed", error_code=21610)  # Twilio retries a callback
    assert people.person_by_phone(db, PHONE)["opted_out_at"] == first
    assert {r["state"] for r in reminders.for_person(db, person["id"])} == {"muted"}


def test_a_callback_signed_with_another_token_changes_nothing(app, db, fake_twilio, sent):
    genuine = fake_twilio.auth_token
    fake_twilio.auth_token = "forged"
    try:
        assert fake_twilio.send_status_callback(sent.sid, "delivered").status_code == 403
    finally:
        fake_twilio.auth_token = genuine
    assert status_of(db, sent)[0] == "queued"


def test_a_callback_for_an_unknown_message_is_acknowledged_and_ignored(db, fake_twilio, sent, live_server):
    import requests

    from tests.twilio_signing import signature, status_params

    params = status_params("SM" + "f" * 32, "delivered", account_sid=fake_twilio.account_sid)
    url = live_server.url + "/sms/status"
    response = requests.post(url, data=params, timeout=5,
                             headers={"X-Twilio-Signature": signature(fake_twilio.auth_token, url, params)})
    assert response.status_code == 204
    assert status_of(db, sent)[0] == "queued"


def test_a_status_callback_cannot_touch_an_inbound_message(app, db, fake_twilio, live_server):
    import requests

    from tests.twilio_signing import inbound_params, signature, status_params

    app.config["PUBLIC_BASE_URL"] = live_server.url
    params = inbound_params(PHONE, "HELP", AccountSid=fake_twilio.account_sid)
    url = live_server.url + "/sms/inbound"
    response = requests.post(url, data=params, timeout=5,
                             headers={"X-Twilio-Signature": signature(fake_twilio.auth_token, url, params)})
    assert response.status_code == 200
    callback = status_params(params["MessageSid"], "failed", account_sid=fake_twilio.account_sid, ErrorCode="21610")
    url = live_server.url + "/sms/status"
    requests.post(url, data=callback, timeout=5,
                  headers={"X-Twilio-Signature": signature(fake_twilio.auth_token, url, callback)})
    assert message_store.by_twilio_sid(db, params["MessageSid"])["status"] == "received"
    assert people.person_by_phone(db, PHONE)["opted_out_at"] is None
