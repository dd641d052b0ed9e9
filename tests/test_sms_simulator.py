"""The phone simulator at /dev/phone: only with the outbox in development; texts go through the same
core as the webhook; the page shows replies and every message sent to the number, reminders too."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from scheduler.dispatch import run_pass
from sms import gateway, simulator
from tests.sms_wording import wording
from tests.strict_html import CheckedClient, check_page, text_of
from webapp.app import create_app
from webapp.store import immediate, parse_iso, people, reminders
from webapp.store import messages as message_store

PHONE = "+33612345678"


@pytest.fixture
def app_config(app_config):
    return dict(app_config, ENVIRONMENT="development", SMS_BACKEND="outbox")


def texted(client, phone: str, body: str):
    token = CheckedClient(client).csrf("/dev/phone")
    return client.post("/dev/phone", data={"csrf_token": token, "phone": phone, "body": body})


@pytest.mark.parametrize("overrides", [
    {"ENVIRONMENT": "production", "SMS_BACKEND": "outbox"},
    {"ENVIRONMENT": "development", "SMS_BACKEND": "twilio"},
])
def test_the_simulator_does_not_exist_in_production_or_with_twilio(app_config, overrides):
    client = create_app(dict(app_config, **overrides)).test_client()
    assert client.get("/dev/phone").status_code == 404
    assert client.post("/dev/phone", data={"phone": PHONE, "body": "HELP"}).status_code == 404


# Every ENVIRONMENT value start-up accepts other than development, as a deployer's unit file or shell sets it.
@pytest.mark.parametrize("environment", ["production", "production ", " production", "production\t", "\tproduction\n"])
def test_the_simulator_does_not_exist_for_any_accepted_value_but_development(app_config, monkeypatch, environment):
    monkeypatch.setenv("ENVIRONMENT", environment)
    app = create_app({name: value for name, value in app_config.items() if name != "ENVIRONMENT"})
    assert app.config["ENVIRONMENT"] == "production"
    client = app.test_client()
    assert client.get("/dev/phone", query_string={"phone": PHONE}).status_code == 404
    assert client.post("/dev/phone", data={"phone": PHONE, "body": "DELETE"}).status_code == 404


@pytest.mark.parametrize("environment", ["Production", "prod", "staging", "test", "", None])
def test_the_simulator_is_on_only_in_development_whatever_the_config_holds(environment):
    assert not simulator.enabled({"SMS_BACKEND": "outbox", "ENVIRONMENT": environment})
    assert simulator.enabled({"SMS_BACKEND": "outbox", "ENVIRONMENT": "development"})


def test_the_empty_phone_is_a_valid_page(client):
    response = client.get("/dev/phone")
    assert response.status_code == 200
    root = check_page(response.get_data(as_text=True))
    assert "Phone simulator" in text_of(root.find(".//h1"))


def test_texting_redirects_to_the_conversation_with_the_reply(client, db):
    response = texted(client, "06 12 34 56 78", "AIDE")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/dev/phone" and location.fragment == "latest"
    page = client.get(f"{location.path}?{location.query}")
    root = check_page(page.get_data(as_text=True))
    log = [text_of(p) for p in root.iter("p") if p.get("class") == "sms-body"]
    assert log[0] == "AIDE"
    assert log[1] == wording("fr", "help")  # the French HELP: the keyword was French
    assert people.person_by_phone(db, PHONE)["lang"] == "fr"


def test_every_outbound_message_for_the_number_is_shown_reminders_too(app, client, db):
    texted(client, PHONE, "SENT ONLINE")
    gateway.send(db, app.config, PHONE, "Your carte Vitale should have come by now.")
    gateway.send(db, app.config, "+33698765432", "Someone else's message")
    page = client.get("/dev/phone", query_string={"phone": PHONE}).get_data(as_text=True)
    assert "Your carte Vitale should have come by now." in page
    assert "Someone else" not in page


def test_the_whole_journey_by_text(client):
    for body in ["SENT POST", "CLAIM", "STATUS", "PAID", "CARD", "LANG FR", "ETAT", "STOP", "HELP", "START"]:
        assert texted(client, PHONE, body).status_code == 303
    root = check_page(client.get("/dev/phone", query_string={"phone": PHONE}).get_data(as_text=True))
    log = [text_of(p) for p in root.iter("p") if p.get("class") == "sms-body"]
    assert log.count("HELP") == 1 and "Applied by post" in " ".join(log)
    after_stop = log[log.index("STOP"):]
    assert after_stop[1].startswith("Vous ne recevrez plus")
    assert after_stop[2:4] == ["HELP", "START"]  # HELP got no answer while opted out
    assert after_stop[4].startswith("Les messages reprennent")


def test_a_post_without_the_csrf_token_is_refused(client, db):
    assert client.post("/dev/phone", data={"phone": PHONE, "body": "HELP"}).status_code == 400
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


@pytest.mark.parametrize(("phone", "body", "field"), [("not a number", "HELP", "phone"), (PHONE, "  ", "body")])
def test_mistakes_are_shown_in_an_error_summary(client, db, phone, body, field):
    response = texted(client, phone, body)
    assert response.status_code == 400
    root = check_page(response.get_data(as_text=True))
    summary = root.find(".//div[@class='error-summary']")
    assert summary is not None and summary.find(f".//a[@href='#{field}']") is not None
    assert root.find("./head/title").text.startswith("Error")
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


def page_of(client, response):
    return check_page(client.get(response.headers["Location"]).get_data(as_text=True))


def bodies(root) -> list[str]:
    return [text_of(p) for p in root.iter("p") if p.get("class") == "sms-body"]


def test_the_page_says_why_a_text_got_no_reply_as_a_warning_not_a_success(client):
    texted(client, PHONE, "STOP")
    response = texted(client, PHONE, "HELP")
    root = page_of(client, response)
    warning = root.find(".//div[@class='sim-silence']")
    assert warning is not None and warning.get("role") == "status"
    assert text_of(warning) == "No reply: opted out. Your text “HELP” got no answer."
    assert root.find(".//div[@class='notice']") is None  # never the green box of a success
    assert "No reply" not in client.get(response.headers["Location"]).get_data(as_text=True)  # shown once


@pytest.mark.parametrize(("before", "body", "reason"), [
    (["HELP"] * 5, "HELP", "the same text again (loop protection)"),
    ([], "merci", "thanks, ok or an emoji: no paid reply"),
    (["STOP"], "STOP please", "STOP already confirmed in the last hour"),
    (["DELETE"], "DELETE", "DELETE already confirmed in the last hour"),
])
def test_each_silence_is_shown_with_its_reason(client, before, body, reason):
    for earlier in before:
        texted(client, PHONE, earlier)
    root = page_of(client, texted(client, PHONE, body))
    warning = text_of(root.find(".//div[@class='sim-silence']"))
    assert warning == f"No reply: {reason}. Your text “{body}” got no answer."


def test_a_number_from_a_country_not_answered_is_shown_as_a_silence(client):
    root = page_of(client, texted(client, "+447400123456", "HELP"))
    assert text_of(root.find(".//div[@class='sim-silence']")) == (
        "No reply: a number from a country not in SMS_REPLY_COUNTRIES. Your text “HELP” got no answer.")


def test_delete_shows_the_reply_the_webhook_sends_though_nothing_is_stored(client, db):
    texted(client, PHONE, "SENT ONLINE")
    root = page_of(client, texted(client, PHONE, "DELETE"))
    assert bodies(root) == ["DELETE", wording("en", "delete")]
    latest = root.find(".//li[@id='latest']")
    assert "not stored" in text_of(latest) and text_of(latest).endswith(wording("en", "delete"))
    assert root.find(".//div[@class='sim-silence']") is None
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0  # the simulator stored nothing either
    assert bodies(check_page(client.get("/dev/phone", query_string={"phone": PHONE}).get_data(as_text=True))) == []


@pytest.fixture
def cayenne(app):
    app.config["TIMEZONE"] = "America/Cayenne"  # UTC-3 all year: no daylight saving to guess


def test_times_are_local_and_machine_readable_in_utc(app, client, db, cayenne):
    at = datetime(2026, 3, 2, 1, 30, 5, tzinfo=UTC)  # still 1 March in Cayenne
    with immediate(db):
        message_store.add_message(db, direction="outbound", phone=PHONE, body="Rappel", status="sent", now=at)
        message_store.add_message(db, direction="outbound", phone=PHONE, body="Later", status="sent",
                                  now=at + timedelta(hours=3))
    root = check_page(client.get("/dev/phone", query_string={"phone": PHONE}).get_data(as_text=True))
    times = [(t.get("datetime"), text_of(t)) for t in root.iter("time")]
    assert times == [("2026-03-02T01:30:05Z", "01/03/2026 22:30:05 -03"),
                     ("2026-03-02T04:30:05Z", "02/03/2026 01:30:05 -03")]


def test_a_reminder_the_scheduler_sends_when_due_is_shown_as_one(app, client, db):
    texted(client, PHONE, "SENT ONLINE")
    person = people.person_by_phone(db, PHONE)
    due = min(parse_iso(r["due_at"]) for r in reminders.for_person(db, person["id"]))
    assert run_pass(app, now=due + timedelta(minutes=1)).count("sent") == 1  # make run's scheduler, each minute
    root = check_page(client.get("/dev/phone", query_string={"phone": PHONE}).get_data(as_text=True))
    latest = root.find(".//li[@id='latest']")
    assert text_of(latest.find("p/strong")) == "Service, reminder"
    assert "make run" in text_of(root.find(".//main/p"))
