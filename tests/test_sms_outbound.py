"""Outbound SMS: the real `twilio` client against the fake Twilio server on loopback."""
from __future__ import annotations

import ast
import contextlib
from pathlib import Path

import pytest
import requests

from scheduler.dispatch import run_pass
from sms import gateway
from sms.phones import mask, mask_in_text
from sms.twilio_backend import deliver
from tests.reminder_setup import DUE, plan_card_reminders
from webapp.store import immediate, reminders
from webapp.store import messages as message_store

TO = "+33612345678"


@pytest.fixture
def app_config(app_config, fake_twilio):
    """The app sends through the real twilio client to the fake."""
    return dict(app_config, **fake_twilio.config(TWILIO_TIMEOUT_SECONDS=0.5))


def test_a_message_reaches_twilio_with_the_service_and_status_callback(app, fake_twilio):
    delivery = deliver(app.config, TO, "Bonjour")
    [sent] = fake_twilio.messages
    assert sent["To"] == TO and sent["Body"] == "Bonjour"
    assert sent["MessagingServiceSid"] == app.config["TWILIO_MESSAGING_SERVICE_SID"]
    assert sent["StatusCallback"] == "http://127.0.0.1:8000/sms/status"
    assert delivery.sid == sent["sid"] and delivery.sid.startswith("SM")
    assert delivery.status == "queued"


def test_the_from_number_is_used_without_a_messaging_service(app, fake_twilio):
    config = dict(app.config, TWILIO_MESSAGING_SERVICE_SID=None, TWILIO_FROM="+33700000001")
    deliver(config, TO, "Hi")
    assert fake_twilio.messages[0]["From"] == "+33700000001"
    assert "MessagingServiceSid" not in fake_twilio.messages[0]


def test_wrong_credentials_are_a_permanent_error(app, fake_twilio):
    config = dict(app.config, TWILIO_AUTH_TOKEN="wrong")
    with pytest.raises(gateway.SendError) as raised:
        deliver(config, TO, "Hi")
    assert raised.value.code == 20003 and not raised.value.transient
    assert fake_twilio.messages == []


@pytest.mark.parametrize(("outcome", "code", "transient"), [
    (500, 20500, True),
    (503, 20503, True),
    (429, 20429, True),
    ("timeout", None, True),
    (21610, 21610, False),
    (21211, 21211, False),
    (21614, 21614, False),
])
def test_errors_are_classified(app, fake_twilio, outcome, code, transient):
    fake_twilio.fail_next(outcome)
    with pytest.raises(gateway.SendError) as raised:
        deliver(app.config, TO, "Hi")
    assert raised.value.transient is transient
    assert raised.value.code == code
    assert fake_twilio.messages == []
    deliver(app.config, TO, "Hi again")  # the failure was consumed: the next one goes through
    assert len(fake_twilio.messages) == 1


def test_a_refused_connection_is_transient(app, fake_twilio):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(gateway.SendError) as raised:
        deliver(dict(app.config, TWILIO_API_BASE=closed), TO, "Hi")
    assert raised.value.transient


def test_fail_for_hits_one_destination_only(app, fake_twilio):
    fake_twilio.fail_for(TO, 21211)
    with pytest.raises(gateway.SendError):
        deliver(app.config, TO, "Hi")
    deliver(app.config, "+33698765432", "Hi")
    assert [m["To"] for m in fake_twilio.messages] == ["+33698765432"]


def test_gateway_send_logs_the_outcome(app, db, fake_twilio):
    ok = gateway.send(db, app.config, TO, "Hello")
    fake_twilio.fail_next(21610)
    failed = gateway.send(db, app.config, TO, "Hello again")
    assert ok.ok and ok.sid == fake_twilio.messages[0]["sid"]
    assert not failed.ok and failed.error_code == 21610 and not failed.transient
    log = {row["id"]: row for row in message_store.log(db)}
    assert log[ok.message_id]["status"] == "queued"
    assert log[ok.message_id]["twilio_sid"] == ok.sid
    assert log[failed.message_id]["status"] == "failed"
    assert log[failed.message_id]["error_code"] == 21610


def test_the_client_is_built_once_per_settings(app, fake_twilio):
    from sms.twilio_backend import client_for

    assert client_for(app.config) is client_for(dict(app.config))
    assert client_for(app.config) is not client_for(dict(app.config, TWILIO_AUTH_TOKEN="other"))


@pytest.mark.parametrize("url", ["https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
                                 "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Messages.json"])
def test_every_twilio_host_is_rebased(url):
    from sms.twilio_backend import TWILIO_HOST

    assert TWILIO_HOST.sub("http://127.0.0.1:9", url) == "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Messages.json"
    assert TWILIO_HOST.sub("http://127.0.0.1:9", "https://api.twilio.com.evil.org/x") == \
        "https://api.twilio.com.evil.org/x"


def test_without_a_sender_nothing_is_sent(app, fake_twilio):
    config = dict(app.config, TWILIO_MESSAGING_SERVICE_SID=None, TWILIO_FROM=None)
    with pytest.raises(gateway.SendError) as raised:
        deliver(config, TO, "Hi")
    assert not raised.value.transient and fake_twilio.requests == 0


@pytest.mark.parametrize(("form", "code"), [
    ({"Body": "Hi", "From": "+33700000001"}, 21604),
    ({"To": TO, "From": "+33700000001"}, 21602),
    ({"To": TO, "Body": "Hi"}, 21603),
])
def test_the_fake_checks_parameters_like_twilio(fake_twilio, form, code):
    url = f"{fake_twilio.url}/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    response = requests.post(url, data=form, auth=(fake_twilio.account_sid, fake_twilio.auth_token), timeout=5)
    assert response.status_code == 400 and response.json()["code"] == code
    assert fake_twilio.messages == []


def test_the_fake_quotes_the_number_in_21211_as_twilio_does(fake_twilio):
    fake_twilio.fail_next(21211)
    url = f"{fake_twilio.url}/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    form = {"To": TO, "Body": "Hi", "From": "+33700000000"}
    response = requests.post(url, data=form, auth=(fake_twilio.account_sid, fake_twilio.auth_token), timeout=5)
    assert response.json()["message"] == f"The 'To' number {TO} is not a valid phone number."


def test_numbers_never_appear_whole_in_the_logs(app, db, fake_twilio, caplog):
    caplog.set_level("DEBUG")
    gateway.send(db, app.config, TO, "Hello")
    fake_twilio.fail_next(21211)
    failed = gateway.send(db, app.config, TO, "Hello")
    assert "sent message" in caplog.text and "failed" in caplog.text
    assert TO not in caplog.text and TO[1:] not in caplog.text and "612345678" not in caplog.text
    # what the scheduler stores in reminders.last_error
    assert failed.error_code == 21211 and "612345678" not in failed.error and mask(TO) in failed.error


def test_a_failed_reminder_keeps_no_whole_number_in_its_error(app, db, fake_twilio):
    pid = plan_card_reminders(db, [TO])[TO]
    fake_twilio.fail_for(TO, 21211)
    run_pass(app, DUE)
    [failed] = [r for r in reminders.for_person(db, pid) if r["state"] == "failed"]
    assert "not a valid phone number" in failed["last_error"] and "612345678" not in failed["last_error"]
    listing = app.test_cli_runner().invoke(args=["reminders", "list"]).output
    assert "not a valid phone number" in listing and "612345678" not in listing


@pytest.mark.parametrize(("text", "masked"), [
    ("The 'To' number +33612345678 is not a valid phone number.",
     "The 'To' number +33*******78 is not a valid phone number."),
    ("The 'To' number 33612345678 is bad", "The 'To' number 336******78 is bad"),
    ("call 06 12 34 56 78 now", "call 061*****78 now"),
    ("Twilio answered 400: Attempt to send to unsubscribed recipient",
     "Twilio answered 400: Attempt to send to unsubscribed recipient"),
    ("code 20429 on 28/12/2026 at 10:00", "code 20429 on 28/12/2026 at 10:00"),
])
def test_numbers_in_error_texts_are_masked(text, masked):
    assert mask_in_text(text) == masked


# -- one send path: `gateway.send`, for one message or many in the caller's transaction --------------
@pytest.mark.parametrize("committed", [True, False])
def test_an_outbox_send_in_the_callers_transaction_commits_or_rolls_back_with_it(app, db, committed):
    config = dict(app.config, SMS_BACKEND="outbox")
    with pytest.raises(RuntimeError) if not committed else contextlib.nullcontext():
        with immediate(db):
            first = gateway.send(db, config, TO, "Hello", in_transaction=True)
            second = gateway.send(db, config, "+33698765432", "Hi", in_transaction=True)
            if not committed:
                raise RuntimeError("the caller's next write failed")
    log = message_store.log(db)
    if not committed:
        assert log == []
        return
    assert [(m["id"], m["phone"], m["body"], m["status"], m["twilio_sid"]) for m in reversed(log)] == [
        (first.message_id, TO, "Hello", "sent", first.sid),
        (second.message_id, "+33698765432", "Hi", "sent", second.sid)]
    assert first.ok and first.sid.startswith("OB") and second.sid != first.sid


def test_a_provider_is_never_called_inside_the_callers_transaction(app, db, fake_twilio):
    # A network call under the write lock would stall every writer: only the outbox may batch.
    with immediate(db), pytest.raises(ValueError, match="twilio"):
        gateway.send(db, app.config, TO, "Hello", in_transaction=True)
    assert fake_twilio.requests == 0 and message_store.log(db) == []


def test_a_send_in_the_callers_transaction_needs_one_open(app, db):
    with pytest.raises(ValueError, match="transaction"):
        gateway.send(db, dict(app.config, SMS_BACKEND="outbox"), TO, "Hello", in_transaction=True)
    assert message_store.log(db) == []


PROJECT = Path(__file__).resolve().parent.parent
BACKEND_NAMES = {"BACKENDS", "backend_for", "outbox_deliver", "deliver"}


def sends_outside_the_gateway(path: Path) -> list[str]:
    """`module:line` of each outbound message logged, or backend named, elsewhere than the gateway.

    sms/inbound.py logs its TwiML replies as outbound rows: they are the webhook's HTTP answer, not a send.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        logs_outbound = (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_message"
                         and any(k.arg == "direction" and getattr(k.value, "value", None) == "outbound"
                                 for k in node.keywords))
        names_backend = isinstance(node, ast.Attribute | ast.alias) and (
            getattr(node, "attr", None) or getattr(node, "name", None)) in BACKEND_NAMES
        if logs_outbound and path.name != "inbound.py" or names_backend:
            found.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    return found


def test_only_the_gateway_logs_an_outbound_message_and_hands_it_to_a_backend():
    modules = [path for package in ("webapp", "sms", "scheduler") for path in (PROJECT / package).rglob("*.py")
               if path.relative_to(PROJECT).as_posix() not in ("sms/gateway.py", "sms/twilio_backend.py")]
    assert [where for path in sorted(modules) for where in sends_outside_the_gateway(path)] == []
