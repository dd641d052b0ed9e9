"""The phone simulator at /dev/phone: only with the outbox in development; texts go through the same
core as the webhook; the page shows replies and every message sent to the number, reminders too."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from sms import gateway, simulator
from tests.strict_html import CheckedClient, check_page, text_of
from webapp.app import create_app
from webapp.store import people

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
    assert log[1].startswith("Envoyez: ETAT")  # the French HELP: the keyword was French
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


def test_the_page_says_why_a_text_got_no_reply(client):
    texted(client, PHONE, "STOP")
    response = texted(client, PHONE, "HELP")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    root = check_page(page)
    notice = root.find(".//div[@class='notice']")
    assert notice is not None and "No reply to “HELP”: opted out." in text_of(notice)
    assert "No reply" not in client.get(response.headers["Location"]).get_data(as_text=True)  # shown once
